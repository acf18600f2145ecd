package bot

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestMetricsHandler(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DryRun = true
	b, err := New(context.Background(), cfg, Options{
		AWS: aws.Config{Region: DefaultRegion}, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Handle(context.Background(), finding(t, eventBridge(t,
		"eventbridge-enable.json", "111122223333", "eu-west-1", "e-1"))); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(b.Metrics().Handler())
	defer srv.Close()

	if got := get(t, srv.URL+"/healthz"); got != "ok\n" {
		t.Errorf("/healthz = %q, want ok", got)
	}
	body := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`serialguard_findings_total{kind="enablement"} 1`,
		`serialguard_decisions_total{action="remediate"} 1`,
		`serialguard_remediation_steps_total{` +
			`call="DisableSerialConsoleAccess",status="planned"} 1`,
		`serialguard_handle_duration_seconds_count 1`,
		`serialguard_sqs_messages_received_total 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics has no %q", want)
		}
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return string(data)
}
