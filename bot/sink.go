package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"sync"

	"github.com/serialguard/serialguard/detect"
)

// Sink receives what a run mode produces as it goes. The bot calls it
// from one goroutine at a time.
type Sink interface {
	// Result receives the result of one finding, handled or not.
	Result(Result)
	// Error receives a bad input item, or a finding that was not
	// handled; the run goes on with the rest.
	Error(error)
}

// lockedSink serializes the calls to a Sink.
type lockedSink struct {
	mu   sync.Mutex
	sink Sink
}

func (s *lockedSink) Result(r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sink.Result(r)
}

func (s *lockedSink) Error(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sink.Error(err)
}

// errNoEvent is the error of a message that holds no event at all.
var errNoEvent = errors.New("no event in the message")

// handleInput handles every event read from r, named name, and reports
// each result and error to sink. It returns how many events r held and
// their errors joined. once selects handleOnce.
//
// NOTE: it decodes with detect.Events, not the faster detect.ScanReader
// that Backfill uses: a queued message is small, and must be seen to
// hold an event, which a scan that skips the records no rule looks at
// cannot tell from a message that holds none.
func (b *Bot) handleInput(ctx context.Context, name string, r io.Reader,
	sink Sink, once bool) (int, error) {
	handle := b.HandleEvent
	if once {
		handle = b.handleOnce
	}
	var errs []error
	n := 0
	for ev := range detect.Events(name, r, b.limits) {
		n++
		res, ok, err := handle(ctx, ev)
		if ok {
			sink.Result(res)
		}
		if err != nil {
			sink.Error(err)
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

// handleMessage handles the body of one queued message, which must hold
// at least one event; name is the message id as a source.
func (b *Bot) handleMessage(ctx context.Context, name, body string,
	sink Sink) error {
	n, err := b.handleInput(ctx, name, strings.NewReader(body), sink, true)
	if n == 0 && err == nil {
		err = fmt.Errorf("%s: %w", name, errNoEvent)
		sink.Error(err)
	}
	return err
}

// Run handles every event of events, in order, and reports each result
// and error to sink. It stops early only when ctx ends.
func (b *Bot) Run(ctx context.Context, events iter.Seq[detect.Event],
	sink Sink) error {
	for ev := range events {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, ok, err := b.HandleEvent(ctx, ev)
		if ok {
			sink.Result(res)
		}
		if err != nil {
			sink.Error(err)
		}
	}
	return ctx.Err()
}
