package detect

import (
	"context"
	"io"
	"iter"
	"runtime"
	"sync"
)

// ScanOptions configure Scan.
type ScanOptions struct {
	Limits Limits
	// Workers is how many inputs are decoded at once; zero or less means
	// one per CPU.
	Workers int
}

// Scan reads what PathEvents reads, decoding several inputs at once, and
// yields in input order every error and every record on which Detect may
// report a finding. It is the fast path for bulk scans: a record whose
// top-level keys show it is a plain CloudTrail record of an event no rule
// looks at is only checked to be valid JSON and not decoded.
//
// For each input, Scan yields the same errors as PathEvents except one
// kind: a skipped record whose fields have the wrong JSON types (a
// number where a string belongs) is not decoded and so not reported.
// Findings are always the same.
func Scan(paths []string, stdin io.Reader, opts ScanOptions) iter.Seq[Event] {
	return ScanContext(context.Background(), paths, stdin, opts)
}

// ScanContext is Scan that stops early, without an error event, when ctx
// is done.
func ScanContext(ctx context.Context, paths []string, stdin io.Reader,
	opts ScanOptions) iter.Seq[Event] {
	lim := opts.Limits.withDefaults()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return func(yield func(Event) bool) {
		s := newScanner(ctx, workers)
		defer s.close()
		s.wg.Go(func() { s.feed(paths, stdin) })
		for range workers {
			s.wg.Go(func() { s.decodeJobs(lim) })
		}
		for j := range s.ordered {
			if !s.drain(j, yield) {
				return
			}
		}
	}
}

// ScanReader is Scan for one input already open, such as an S3 object
// body: it yields the errors of Events and the records on which Detect may
// report a finding, skipping the rest undecoded.
func ScanReader(name string, r io.Reader, lim Limits) iter.Seq[Event] {
	return func(yield func(Event) bool) {
		decodeInput(name, r, lim.withDefaults(), fastMode, yield)
	}
}

// scanner runs Scan's pipeline: feed lists inputs as jobs, workers
// decode them, and Scan drains each job's events in input order. A job's
// channel is bounded, so a worker ahead of the reader waits instead of
// buffering a whole input.
type scanner struct {
	ordered chan *scanJob // jobs in input order, for the reader
	queue   chan *scanJob // the same jobs, for the workers
	stop    <-chan struct{}
	cancel  context.CancelFunc // stops everything early
	wg      sync.WaitGroup
}

type scanJob struct {
	in  input
	out chan Event
}

func newScanner(ctx context.Context, workers int) *scanner {
	ctx, cancel := context.WithCancel(ctx)
	return &scanner{
		ordered: make(chan *scanJob, 2*workers),
		queue:   make(chan *scanJob),
		stop:    ctx.Done(),
		cancel:  cancel,
	}
}

// close stops the pipeline and waits for its goroutines.
func (s *scanner) close() {
	s.cancel()
	s.wg.Wait()
}

// drain yields j's events until they end, and reports false when the scan
// should stop: the reader is done or the context is. It watches the
// context too, since feed may stop between handing j to the reader and to
// a worker, and then no worker ever closes j.out.
func (s *scanner) drain(j *scanJob, yield func(Event) bool) bool {
	for {
		select {
		case ev, ok := <-j.out:
			if !ok {
				return true
			}
			if s.stopped() || !yield(ev) {
				return false
			}
		case <-s.stop:
			return false
		}
	}
}

// stopped reports whether the scan's context is done.
func (s *scanner) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func (s *scanner) feed(paths []string, stdin io.Reader) {
	defer close(s.ordered)
	defer close(s.queue)
	for in := range inputs(paths, stdin) {
		j := &scanJob{in: in, out: make(chan Event, 64)}
		select {
		case s.ordered <- j:
		case <-s.stop:
			return
		}
		select {
		case s.queue <- j:
		case <-s.stop:
			return
		}
	}
}

func (s *scanner) decodeJobs(lim Limits) {
	for j := range s.queue {
		j.in.decode(lim, mode{fast: true, stop: s.stop}, func(ev Event) bool {
			select {
			case j.out <- ev:
				return true
			case <-s.stop:
				return false
			}
		})
		close(j.out)
	}
}
