package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	policyEvents    = "testdata/policy/events.json"
	policyApprovals = "../../examples/approvals.yaml"
)

func TestPolicyEvalJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runPolicyEval(context.Background(), policyEvalParams{
		inputs: []string{policyEvents},
		policy: policyFlags{data: []string{policyApprovals}},
		format: "json",
	}, &stdout, &stderr)
	if got := codeOf(err); got != exitFindings {
		t.Errorf("exit %d (%v), want 1: mallory's enablement is remediated", got, err)
	}
	var results []struct {
		Kind     string `json:"kind"`
		EventID  string `json:"event_id"`
		Decision struct {
			Action     string   `json:"action"`
			ApprovalID string   `json:"approval_id"`
			Reasons    []string `json:"reasons"`
			Revision   string   `json:"policy_revision"`
		} `json:"decision"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, stdout.Bytes())
	}
	var got []string
	for _, r := range results {
		got = append(got, r.Kind+" "+r.Decision.Action+" "+r.Decision.ApprovalID)
		if len(r.Decision.Reasons) == 0 || r.Decision.Revision == "" {
			t.Errorf("%s: decision without reasons or revision", r.EventID)
		}
	}
	want := []string{
		"enablement allow CHG-4711",
		"enablement remediate ",
		"failed_attempt alert ",
		"console_use allow CHG-4711",
		"disablement allow ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.Bytes())
	}
}

func TestPolicyEvalFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"ndjson", func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 5 {
				t.Fatalf("%d lines, want 5", len(lines))
			}
			for _, l := range lines {
				var m map[string]any
				if err := json.Unmarshal([]byte(l), &m); err != nil || m["decision"] == nil {
					t.Errorf("line %s: %v, want an object with a decision", l, err)
				}
			}
		}},
		{"table", func(t *testing.T, out string) {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 6 || !strings.HasPrefix(lines[0], "TIME") {
				t.Fatalf("want a header and 5 rows:\n%s", out)
			}
			if !strings.Contains(lines[2], "remediate") ||
				!strings.Contains(lines[2], "arn:aws:iam::777788889999:user/mallory") {
				t.Errorf("row 2 = %q, want mallory remediated", lines[2])
			}
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var stdout bytes.Buffer
			err := runPolicyEval(context.Background(), policyEvalParams{
				inputs: []string{policyEvents},
				policy: policyFlags{data: []string{policyApprovals}},
				format: tc.format,
			}, &stdout, &bytes.Buffer{})
			if codeOf(err) != exitFindings {
				t.Errorf("exit %d, want 1", codeOf(err))
			}
			tc.check(t, stdout.String())
		})
	}
}

// oneRecord writes record i of the test events as a bare record.
func oneRecord(t *testing.T, i int) string {
	t.Helper()
	var doc struct{ Records []json.RawMessage }
	b, err := os.ReadFile(policyEvents)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "record.json")
	if err := os.WriteFile(path, doc.Records[i], 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyEvalExitCodes(t *testing.T) {
	approved := oneRecord(t, 0)
	garbage := filepath.Join(t.TempDir(), "garbage.json")
	if err := os.WriteFile(garbage, []byte(`{"Records": [{"eventName": 1}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		params     policyEvalParams
		stdin      string
		want       int
		wantStderr string
	}{
		{"approved only", policyEvalParams{inputs: []string{approved},
			policy: policyFlags{data: []string{policyApprovals}}}, "", exitOK, ""},
		{"no approvals: remediate", policyEvalParams{inputs: []string{approved}},
			"", exitFindings, ""},
		{"stdin", policyEvalParams{inputs: []string{"-"},
			policy: policyFlags{data: []string{policyApprovals}}},
			readString(t, approved), exitOK, ""},
		{"bad item", policyEvalParams{inputs: []string{garbage, approved},
			policy: policyFlags{data: []string{policyApprovals}}}, "",
			exitFailure, "garbage.json"},
		{"bad --now", policyEvalParams{inputs: []string{approved},
			now: "tomorrow"}, "", exitFailure, ""},
		{"missing data file", policyEvalParams{inputs: []string{approved},
			policy: policyFlags{data: []string{"nope.yaml"}}}, "", exitFailure, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			tc.params.format, tc.params.stdin = "ndjson", strings.NewReader(tc.stdin)
			err := runPolicyEval(context.Background(), tc.params,
				&bytes.Buffer{}, &stderr)
			if got := codeOf(err); got != tc.want {
				t.Errorf("exit %d (%v), want %d", got, err, tc.want)
			}
			n := strings.Count(stderr.String(), tc.wantStderr)
			if tc.wantStderr != "" && n != 1 {
				t.Errorf("stderr %q names %q %d times, want once",
					stderr.String(), tc.wantStderr, n)
			}
		})
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPolicyEvalCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	root := newRootCmd(&stdout, &stderr)
	root.SetArgs([]string{"policy", "eval", "--input", policyEvents,
		"--data", policyApprovals, "--now", "2026-03-02T16:00:00Z", "-o", "ndjson"})
	err := root.ExecuteContext(context.Background())
	if got := codeOf(err); got != exitFindings {
		t.Errorf("exit %d (%v), want 1", got, err)
	}
	if n := strings.Count(stdout.String(), "\n"); n != 5 {
		t.Errorf("%d lines of output, want 5:\n%s", n, stdout.Bytes())
	}
	root = newRootCmd(&stdout, &stderr)
	root.SetArgs([]string{"policy", "eval", "-o", "json"})
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Error("policy eval without --input: no error")
	}
}
