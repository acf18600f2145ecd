package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyTestEmbedded(t *testing.T) {
	var stdout bytes.Buffer
	err := runPolicyTest(context.Background(), policyTestParams{
		coverage: true, threshold: 95}, &stdout, &bytes.Buffer{})
	if err != nil {
		t.Fatalf("policy test --threshold 95: %v\n%s", err, stdout.Bytes())
	}
	out := stdout.String()
	if !strings.Contains(out, "PASS: ") || strings.Contains(out, "FAIL") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(out, "coverage: 100.0% of") {
		t.Errorf("output lacks full coverage:\n%s", out)
	}
}

// policyDir writes Rego files into a new directory.
func policyDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPolicyTestExitCodes(t *testing.T) {
	const policy = `package serialguard

decision := {"action": "alert"} if input.x

decision := {"action": "allow"} if not input.x
`
	passing := policyDir(t, map[string]string{"p.rego": policy,
		"p_test.rego": `package serialguard_test

test_alert if data.serialguard.decision.action == "alert" with input.x as true
`})
	failing := policyDir(t, map[string]string{"p.rego": policy,
		"p_test.rego": `package serialguard_test

test_remediate if data.serialguard.decision.action == "remediate" with input.x as true
`})
	broken := policyDir(t, map[string]string{"p.rego": "package serialguard\n\ndecision := {"})
	for _, tc := range []struct {
		name    string
		params  policyTestParams
		want    int
		wantOut string
	}{
		{"passing", policyTestParams{path: passing}, exitOK, "PASS: 1/1"},
		{"failing", policyTestParams{path: failing}, exitFindings, "FAIL: 1/1"},
		{"under threshold", policyTestParams{path: passing, threshold: 90},
			exitFindings, "p.rego: 66.7%, not covered: 5"},
		{"verbose", policyTestParams{path: passing, verbose: true, coverage: true},
			exitOK, "test_alert: PASS"},
		{"no tests", policyTestParams{path: policyDir(t, map[string]string{
			"p.rego": policy})}, exitFindings, "no tests found"},
		{"broken policy", policyTestParams{path: broken}, exitFailure, ""},
		{"bad threshold", policyTestParams{threshold: 120}, exitFailure, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := runPolicyTest(context.Background(), tc.params, &stdout,
				&bytes.Buffer{})
			if got := codeOf(err); got != tc.want {
				t.Errorf("exit %d (%v), want %d\n%s", got, err, tc.want, stdout.Bytes())
			}
			if !strings.Contains(stdout.String(), tc.wantOut) {
				t.Errorf("output lacks %q:\n%s", tc.wantOut, stdout.Bytes())
			}
		})
	}
}
