package detect

import (
	"errors"
	"fmt"
)

// Limits bound the memory and work one input may cost. A zero or negative
// field takes its value from DefaultLimits.
type Limits struct {
	// MaxRecordBytes bounds one record, message or document, and so the
	// memory a decoder holds at a time.
	MaxRecordBytes int64
	// MaxDecompressedBytes bounds what one gzip input may expand to, so
	// that a compression bomb stops early. Plain input is not bounded:
	// it is streamed.
	MaxDecompressedBytes int64
}

// DefaultLimits allows records of 1 MiB, four times the largest event
// EventBridge delivers, and gzip files that expand to 4 GiB.
func DefaultLimits() Limits {
	return Limits{MaxRecordBytes: 1 << 20, MaxDecompressedBytes: 4 << 30}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxRecordBytes <= 0 {
		l.MaxRecordBytes = d.MaxRecordBytes
	}
	if l.MaxDecompressedBytes <= 0 {
		l.MaxDecompressedBytes = d.MaxDecompressedBytes
	}
	return l
}

// Errors a DecodeError may wrap.
var (
	// ErrRecordTooLarge: a record is larger than Limits.MaxRecordBytes.
	ErrRecordTooLarge = errors.New("record too large")
	// ErrDecompressedTooLarge: a gzip input expands beyond
	// Limits.MaxDecompressedBytes.
	ErrDecompressedTooLarge = errors.New("decompressed input too large")
	// ErrUnknownShape: a JSON value is none of the shapes detect reads.
	ErrUnknownShape = errors.New("not a CloudTrail event")
)

// DecodeError is one input, record or message that could not be decoded.
// Source names it the way Event.Source does: a file with a record index
// or a line.
type DecodeError struct {
	Source string
	Err    error
}

// Error returns the message of a DecodeError.
func (e *DecodeError) Error() string { return e.Source + ": " + e.Err.Error() }

// Unwrap returns the error beneath the DecodeError.
func (e *DecodeError) Unwrap() error { return e.Err }

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: over %d bytes", ErrRecordTooLarge, limit)
}

// stopped marks an error after which the rest of an input is skipped.
func stopped(err error) error {
	return fmt.Errorf("%w; rest of input skipped", err)
}
