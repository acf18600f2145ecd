package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// count reads a counter.
func count(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

// newFakeClock starts a settable clock, shared by the bot and the fake
// AWS server, at the real time: the SDK checks the expiry of the fake's
// credentials against the real clock. Advancing it expires SQS visibility
// timeouts without waiting.
func newFakeClock() *awsfake.Clock {
	return awsfake.NewClock(time.Now().UTC())
}

// testLogger logs to the test's output, shown only when it fails.
func testLogger(t *testing.T) *slog.Logger {
	t.Helper()
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{
		Level: slog.LevelWarn,
	}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(bytes.TrimSpace(p)))
	return len(p), nil
}

// newTestBot returns a bot on srv with the defaults, changed by change.
func newTestBot(t *testing.T, srv *awsfake.Server, clk *awsfake.Clock,
	change func(*Config)) *Bot {
	t.Helper()
	cfg := DefaultConfig()
	if change != nil {
		change(&cfg)
	}
	b, err := New(context.Background(), cfg, Options{
		AWS:    srv.Config(context.Background()),
		Logger: testLogger(t),
		Stdout: io.Discard,
		Now:    clk.Now,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// fixture reads testdata/name as a JSON object.
func fixture(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

// eventBridge returns the EventBridge event of fixture name moved to
// account and region, with the CloudTrail event id id.
func eventBridge(t testing.TB, name, account, region, id string) string {
	t.Helper()
	ev := fixture(t, name)
	ev["account"], ev["region"] = account, region
	detail := ev["detail"].(map[string]any)
	detail["recipientAccountId"], detail["awsRegion"] = account, region
	detail["eventID"] = id
	data, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// collector is a Sink that keeps everything.
type collector struct {
	mu       sync.Mutex
	results  []Result
	errs     []error
	onResult func(Result)
}

func (c *collector) Result(r Result) {
	c.mu.Lock()
	c.results = append(c.results, r)
	f := c.onResult
	c.mu.Unlock()
	if f != nil {
		f(r)
	}
}

func (c *collector) Error(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

// handled returns the event ids of the results whose handling succeeded.
func (c *collector) handled() map[string]bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]bool{}
	for i := range c.results {
		if failure(&c.results[i]) == nil {
			out[c.results[i].EventID] = true
		}
	}
	return out
}

// disables counts the successful DisableSerialConsoleAccess calls per
// account and region.
func disables(srv *awsfake.Server) map[string]int {
	out := map[string]int{}
	for _, c := range srv.CallsTo("DisableSerialConsoleAccess") {
		if c.ErrorCode == "" {
			out[c.Account+"/"+c.Region]++
		}
	}
	return out
}
