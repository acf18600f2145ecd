package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// TestLambdaFixturesRoundTrip checks that the payloads in testdata are
// what aws-lambda-go's event types read and write: every field known,
// nothing lost on the way back.
func TestLambdaFixturesRoundTrip(t *testing.T) {
	tests := []struct {
		file string
		new  func() any
	}{
		{"sqs-batch.json", func() any { return &events.SQSEvent{} }},
		{"eventbridge-enable.json", func() any { return &events.CloudWatchEvent{} }},
		{"eventbridge-console-use.json", func() any { return &events.CloudWatchEvent{} }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			first := tt.new()
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			if err := dec.Decode(first); err != nil {
				t.Fatal(err)
			}
			out, err := json.Marshal(first)
			if err != nil {
				t.Fatal(err)
			}
			second := tt.new()
			if err := json.Unmarshal(out, second); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(first, second, compactJSON); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// compactJSON compares raw JSON without its white space.
var compactJSON = cmp.Transformer("compact", func(r json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, r); err != nil {
		return string(r)
	}
	return b.String()
})

// lambdaPayload marshals v as the runtime passes it to the handler.
func lambdaPayload(t *testing.T, v any) json.RawMessage {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestLambdaEventBridge(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.SetSerialConsole("100000000002", "eu-west-1", true)
	b := newTestBot(t, srv, newFakeClock(), nil)
	var ev events.CloudWatchEvent
	body := eventBridge(t, "eventbridge-enable.json", "100000000002", "eu-west-1", "e-1")
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatal(err)
	}
	out, err := b.Lambda(context.Background(), lambdaPayload(t, ev))
	if err != nil {
		t.Fatalf("Lambda: %v", err)
	}
	if diff := cmp.Diff(Summary{Findings: 1, NeedsAction: 1}, out); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"100000000002/eu-west-1": 1}, disables(srv)); diff != "" {
		t.Errorf("DisableSerialConsoleAccess calls (-want +got):\n%s", diff)
	}
}

func TestLambdaSQSPartialBatchFailure(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.SetSerialConsole("100000000003", "us-east-1", true)
	b := newTestBot(t, srv, newFakeClock(), nil)
	var batch events.SQSEvent
	data, err := os.ReadFile("testdata/sqs-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &batch); err != nil {
		t.Fatal(err)
	}
	// The fixture's records are anonymised with an invalid region; move
	// them into the fake organization.
	for i, m := range batch.Records {
		batch.Records[i].Body = strings.NewReplacer(
			"844015365555", "100000000003", "cniso-east-3r", "us-east-1",
		).Replace(m.Body)
	}
	out, err := b.Lambda(context.Background(), lambdaPayload(t, batch))
	if err != nil {
		t.Fatalf("Lambda: %v", err)
	}
	want := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{
		{ItemIdentifier: batch.Records[1].MessageId},
	}}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if on, _ := srv.SerialConsole("100000000003", "us-east-1"); on {
		t.Error("the batch's enablement was not remediated")
	}

	// The runtime delivers the failed message again; the handled ones
	// are dropped as duplicates if they come back too.
	srv.ResetCalls()
	out, err = b.Lambda(context.Background(), lambdaPayload(t, batch))
	if err != nil {
		t.Fatalf("Lambda again: %v", err)
	}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("second response (-want +got):\n%s", diff)
	}
	if n := len(srv.CallsTo("GetSerialConsoleAccessStatus")); n != 0 {
		t.Errorf("redelivered batch read the state %d times, want 0 (deduplicated)", n)
	}
}

func TestLambdaRejects(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	b := newTestBot(t, srv, newFakeClock(), nil)
	tests := []struct {
		name    string
		payload string
		want    string
	}{
		{"not json", `{"detail-type": `, "lambda payload"},
		{"unknown request", `{"serialguard": "reboot"}`, `unknown request "reboot"`},
		{"no event", `{"hello": "world"}`, "not a CloudTrail event"},
		{"empty batch", `{"Records": []}`, "no event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.Lambda(context.Background(), json.RawMessage(tt.payload))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Lambda(%s): got %v, want an error containing %q",
					tt.payload, err, tt.want)
			}
		})
	}
}

func TestLambdaSweep(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(3, 1)))
	srv.SetSerialConsole("100000000001", "eu-west-1", true)
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.Regions = []string{"eu-west-1", "us-east-1"}
	})
	payload, err := os.ReadFile("testdata/sweep.json")
	if err != nil {
		t.Fatal(err)
	}
	out, err := b.Lambda(context.Background(), payload)
	if err != nil {
		t.Fatalf("Lambda: %v", err)
	}
	want := SweepSummary{Accounts: 3, Pairs: 6, Checked: 6, Enabled: 1, Remediated: 1}
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	if on, _ := srv.SerialConsole("100000000001", "eu-west-1"); on {
		t.Error("the sweep did not disable access")
	}
}

// FuzzLambdaPayload feeds the handler any payload: it must answer or
// fail, never panic. The bot is offline: a dry run without credentials.
func FuzzLambdaPayload(f *testing.F) {
	for _, name := range []string{"sqs-batch.json", "eventbridge-enable.json",
		"eventbridge-console-use.json"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"Records":[{"eventSource":"aws:sqs","body":7}]}`))
	f.Add([]byte(`{"serialguard": 1}`))
	cfg := DefaultConfig()
	cfg.DryRun, cfg.DedupWindow = true, 0
	b, err := New(context.Background(), cfg, Options{
		AWS:    aws.Config{Region: DefaultRegion},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		if bytes.Contains(payload, []byte("serialguard")) {
			return // the sweep lists the organization: not offline
		}
		b.Lambda(context.Background(), payload)
	})
}
