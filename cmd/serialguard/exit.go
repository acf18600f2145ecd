package main

import (
	"errors"
	"fmt"
)

// Exit codes of the contract, shared by every verb.
const (
	exitOK       = 0
	exitFindings = 1
	exitFailure  = 2
)

// exitError carries a verb's exit code to main. A nil err means the verb
// ran cleanly and only the code matters.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// errNeedsAction is returned by a verb that ran and found something that
// needs action; main turns it into exit code 1 without printing it.
var errNeedsAction = &exitError{code: exitFindings}

// inputError marks err as a usage or input error: exit code 2.
func inputError(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitFailure, err: err}
}

// worst picks the exit error that wins when a verb has several outcomes:
// an error (2) beats findings (1) beats success.
func worst(errs ...error) error {
	var out error
	rank := func(err error) int {
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		if err != nil {
			return exitFailure
		}
		return exitOK
	}
	for _, err := range errs {
		if rank(err) > rank(out) {
			out = err
		}
	}
	return out
}
