package remediate_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

// BenchmarkSweep sweeps 1,000 accounts x 17 regions through the real SDK
// against the fake, with 5 to 20 ms per call and 10% of calls throttled,
// at several concurrency values and no client-side rate limit, so that
// the workers and the machine are what is measured. It reports the calls
// made, their rate, the peak heap and the heap still live after the
// sweep with the Sweeper reachable (the fake included in both), and
// fails if a pair is left unchecked. Run it once per value:
//
//	go test ./remediate -run '^$' -bench Sweep -benchtime 1x
func BenchmarkSweep(b *testing.B) {
	for _, c := range []int{4, 8, 16, 32, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			for b.Loop() {
				benchSweep(b, c)
			}
		})
	}
}

func benchSweep(b *testing.B, concurrency int) {
	b.StopTimer()
	srv := awsfake.Start(b, awsfake.WithOrganization(awsfake.Org(1000, 10)))
	injectWeather(srv)
	for i := range 20 {
		srv.SetSerialConsole(fmt.Sprintf("%012d", 100000000000+i*50),
			"eu-west-1", true)
	}
	peak := &heapPeak{}
	var pairs, unchecked atomic.Int64
	s := remediate.NewSweeper(srv.Config(b.Context()), remediate.Options{
		RoleName: sweepRole,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, remediate.SweepOptions{Concurrency: concurrency, Rate: rate.Inf})
	runtime.GC()
	b.StartTimer()

	start := time.Now()
	err := s.Run(b.Context(), func(_ context.Context, p remediate.PairState) {
		if n := pairs.Add(1); n%256 == 0 {
			peak.sample()
		}
		if !p.Checked() {
			unchecked.Add(1)
			b.Errorf("unchecked %s/%s: %v", p.Account, p.Region, p.Err)
		}
	})
	elapsed := time.Since(start)

	b.StopTimer()
	if err != nil {
		b.Fatalf("Run: %v", err)
	}
	peak.sample()
	live := liveHeap(s)
	calls := len(srv.Calls())
	b.ReportMetric(float64(pairs.Load()), "pairs")
	b.ReportMetric(float64(unchecked.Load()), "unchecked")
	b.ReportMetric(float64(calls), "calls")
	b.ReportMetric(float64(calls)/elapsed.Seconds(), "calls/s")
	b.ReportMetric(float64(peak.max())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(live)/(1<<20), "live-heap-MB")
	b.StartTimer()
}

// injectWeather makes the fake answer like a busy AWS: 10% of calls of
// every service throttled, and every call delayed 5, 10, 15 or 20 ms
// with equal odds. Faults fire in the order injected.
func injectWeather(srv *awsfake.Server) {
	for service, code := range map[string]string{
		"ec2":           "RequestLimitExceeded",
		"sts":           "Throttling",
		"organizations": "TooManyRequestsException",
		"cloudtrail":    "ThrottlingException",
	} {
		srv.Inject(awsfake.Fault{Service: service, Code: code,
			Probability: 0.1, Latency: 5 * time.Millisecond})
	}
	// 1/4 of the rest at 20 ms, 1/3 of what remains at 15 ms, half of
	// the remainder at 10 ms, and the last quarter at 5 ms.
	for _, f := range []struct {
		ms int
		p  float64
	}{{20, 1.0 / 4}, {15, 1.0 / 3}, {10, 1.0 / 2}, {5, 1}} {
		srv.Inject(awsfake.Fault{Probability: f.p,
			Latency: time.Duration(f.ms) * time.Millisecond})
	}
}

// liveHeap returns the heap in use after a collection while s, and so
// whatever its Remediator caches, is still reachable.
func liveHeap(s *remediate.Sweeper) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	runtime.KeepAlive(s)
	return m.HeapAlloc
}

// heapPeak tracks the largest heap seen across samples.
type heapPeak struct {
	mu   sync.Mutex
	peak uint64
}

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.mu.Lock()
	h.peak = max(h.peak, m.HeapAlloc)
	h.mu.Unlock()
}

func (h *heapPeak) max() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.peak
}
