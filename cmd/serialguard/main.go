// Command serialguard detects, decides on and remediates EC2 serial console
// access across an AWS organization.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	var err error
	if lambdaMode() {
		err = runLambda(ctx, os.Stderr)
	} else {
		err = newRootCmd(os.Stdout, os.Stderr).ExecuteContext(ctx)
	}
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode maps a verb's error to the process exit code of the contract:
// 0 nothing needs action, 1 something does, 2 usage, input or runtime error.
func exitCode(err error, stderr *os.File) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "serialguard:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "serialguard:", err)
	return exitFailure
}
