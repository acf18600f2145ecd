package awsfake_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

func TestCallLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.ndjson")
	t.Setenv(awsfake.CallLogEnv, path)
	srv := awsfake.New()
	srv.PutObject("b", "k", []byte("v"))
	ctx := t.Context()
	cfg := srv.Config(ctx)
	if _, err := ec2.NewFromConfig(cfg).DisableSerialConsoleAccess(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.NewFromConfig(cfg, awsfake.S3Options).ListObjectsV2(ctx,
		&s3.ListObjectsV2Input{Bucket: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			IAMAction string `json:"iam_action"`
			Account   string `json:"account"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, line.IAMAction+" "+line.Account)
	}
	mgmt := srv.ManagementAccountID()
	want := []string{"ec2:DisableSerialConsoleAccess " + mgmt,
		"s3:ListBucket " + mgmt}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("call log (-want +got):\n%s", diff)
	}
}

func TestCallHelpers(t *testing.T) {
	tests := []struct {
		call     awsfake.Call
		action   string
		mutating bool
	}{
		{awsfake.Call{Service: "ec2", Operation: "GetSerialConsoleAccessStatus"},
			"ec2:GetSerialConsoleAccessStatus", false},
		{awsfake.Call{Service: "ec2", Operation: "DisableSerialConsoleAccess"},
			"ec2:DisableSerialConsoleAccess", true},
		{awsfake.Call{Service: "sqs", Operation: "DeleteMessageBatch"},
			"sqs:DeleteMessage", true},
		{awsfake.Call{Service: "s3", Operation: "ListObjectsV2"},
			"s3:ListBucket", false},
		{awsfake.Call{Service: "cloudtrail", Operation: "LookupEvents"},
			"cloudtrail:LookupEvents", false},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			if got := tt.call.IAMAction(); got != tt.action {
				t.Errorf("IAMAction = %s, want %s", got, tt.action)
			}
			if got := tt.call.Mutating(); got != tt.mutating {
				t.Errorf("Mutating = %v, want %v", got, tt.mutating)
			}
		})
	}
}

func TestMutatingCallsAndReset(t *testing.T) {
	srv := awsfake.Start(t)
	client := ec2In(t, srv, "us-east-1")
	ctx := t.Context()
	for range 2 {
		if _, err := client.GetSerialConsoleAccessStatus(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := client.DisableSerialConsoleAccess(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if m := srv.MutatingCalls(); len(m) != 1 ||
		m[0].Operation != "DisableSerialConsoleAccess" {
		t.Errorf("MutatingCalls = %+v, want the Disable call", m)
	}
	srv.ResetCalls()
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("after ResetCalls: %d calls", n)
	}
}

// TestProbabilityFaultsRepeat checks that a seeded probabilistic fault
// hits the same calls on every run, and hits some but not all.
func TestProbabilityFaultsRepeat(t *testing.T) {
	pattern := func() []bool {
		srv := awsfake.Start(t, awsfake.WithSeed(7))
		srv.Inject(awsfake.Fault{Operation: "GetSerialConsoleAccessStatus",
			Code: "InternalError", Probability: 0.5})
		cfg := srv.Config(t.Context())
		cfg.RetryMaxAttempts = 1
		client := ec2.NewFromConfig(cfg)
		var hits []bool
		for range 40 {
			_, err := client.GetSerialConsoleAccessStatus(t.Context(), nil)
			hits = append(hits, err != nil)
		}
		return hits
	}
	first := pattern()
	if diff := cmp.Diff(first, pattern()); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}
	n := 0
	for _, h := range first {
		if h {
			n++
		}
	}
	if n == 0 || n == len(first) {
		t.Errorf("probability 0.5 hit %d of %d calls", n, len(first))
	}
}

func TestClearFaults(t *testing.T) {
	srv := awsfake.Start(t)
	srv.Inject(awsfake.Fault{Code: "InternalError"})
	srv.ClearFaults()
	if _, err := ec2In(t, srv, "us-east-1").GetSerialConsoleAccessStatus(
		t.Context(), nil); err != nil {
		t.Errorf("after ClearFaults: %v", err)
	}
}
