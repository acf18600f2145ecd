package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/serialguard/serialguard/bot"
)

func TestLambdaMode(t *testing.T) {
	t.Setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
	if !lambdaMode() {
		t.Error("lambdaMode() = false with AWS_LAMBDA_RUNTIME_API set")
	}
	os.Unsetenv("AWS_LAMBDA_RUNTIME_API")
	if lambdaMode() {
		t.Error("lambdaMode() = true without AWS_LAMBDA_RUNTIME_API")
	}
}

// lambdaEnviron lists vars as os.Environ does.
func lambdaEnviron(vars map[string]string) []string {
	var out []string
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	return out
}

// TestLambdaBotFromEnv configures the function as the CloudFormation
// template does and handles one event: the result goes to stdout as a
// JSON line, the logs to stderr as JSON.
func TestLambdaBotFromEnv(t *testing.T) {
	offlineEnv(t)
	var stdout, stderr bytes.Buffer
	b, _, err := newLambdaBot(context.Background(), lambdaEnviron(map[string]string{
		"SERIALGUARD_DRY_RUN":    "true",
		"SERIALGUARD_ROLE_NAME":  "serialguard-remediation",
		"SERIALGUARD_LOG_LEVEL":  "debug",
		"SERIALGUARD_ENFORCE_SC": "true",
	}), &stdout, &stderr)
	if err != nil {
		t.Fatalf("newLambdaBot: %v", err)
	}
	defer b.Close()
	payload := json.RawMessage(readExampleFile(t, "eventbridge-enablement.json"))
	out, err := b.Lambda(context.Background(), payload)
	if err != nil {
		t.Fatalf("Lambda: %v", err)
	}
	if s, ok := out.(bot.Summary); !ok || s.Findings != 1 || s.NeedsAction != 1 {
		t.Errorf("response %+v, want one finding that needs action", out)
	}
	batch := json.RawMessage(readExampleFile(t, "sqs-lambda-event.json"))
	out, err = b.Lambda(context.Background(), batch)
	if resp, ok := out.(events.SQSEventResponse); err != nil || !ok ||
		len(resp.BatchItemFailures) != 0 {
		t.Errorf("SQS batch: response %+v, error %v; want no failures", out, err)
	}
	var r bot.Result
	if err := json.NewDecoder(&stdout).Decode(&r); err != nil {
		t.Fatalf("stdout is not one result: %v\n%s", err, stdout.String())
	}
	if r.Decision.Action != "remediate" || !r.Remediation.DryRun {
		t.Errorf("result decision %+v dry run %t", r.Decision, r.Remediation.DryRun)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not JSON: %s", line)
		}
	}
	if !strings.Contains(stderr.String(), `"name":"SERIALGUARD_ENFORCE_SC"`) {
		t.Errorf("no warning about the misspelt SERIALGUARD_ENFORCE_SC:\n%s",
			stderr.String())
	}
}

func TestLambdaBotConfigErrors(t *testing.T) {
	offlineEnv(t)
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"log level", map[string]string{"SERIALGUARD_LOG_LEVEL": "loud"},
			"SERIALGUARD_LOG_LEVEL"},
		{"invalid value", map[string]string{"SERIALGUARD_CONCURRENCY": "0"},
			"config: concurrency:"},
		{"unparsable value", map[string]string{"SERIALGUARD_ATTACH_SCP": "maybe"},
			"config: attach_scp: SERIALGUARD_ATTACH_SCP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			_, _, err := newLambdaBot(context.Background(), lambdaEnviron(tt.env),
				&stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("newLambdaBot: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
