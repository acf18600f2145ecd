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

	"github.com/serialguard/serialguard/detect"
)

func detectRun(t *testing.T, p detectParams) (stdout, stderr string, code int) {
	t.Helper()
	if p.format == "" {
		p.format = "json"
	}
	if p.stdin == nil {
		p.stdin = strings.NewReader("")
	}
	var out, errOut bytes.Buffer
	err := runDetect(context.Background(), p, &out, &errOut)
	return out.String(), errOut.String(), codeOf(err)
}

func TestDetectExamplesTable(t *testing.T) {
	out, errOut, code := detectRun(t, detectParams{paths: []string{examples},
		format: "table"})
	golden(t, "testdata/detect/examples.table", out)
	if code != exitFindings || errOut != "" {
		t.Errorf("exit %d, stderr %q; want 1 and nothing", code, errOut)
	}
}

func TestDetectExamplesJSON(t *testing.T) {
	out, _, _ := detectRun(t, detectParams{paths: []string{examples}})
	var findings []detect.Finding
	if err := json.Unmarshal([]byte(out), &findings); err != nil {
		t.Fatalf("output is not a JSON array of findings: %v\n%s", err, out)
	}
	got := map[detect.Kind]int{}
	for _, f := range findings {
		got[f.Kind]++
	}
	want := map[detect.Kind]int{detect.KindEnablement: 3,
		detect.KindConsoleUse: 1, detect.KindFailedAttempt: 1,
		detect.KindDisablement: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kinds mismatch (-want +got):\n%s", diff)
	}
	if strings.Contains(out, "EXAMPLEKEY") {
		t.Error("output holds the SSH public key of console-use.json")
	}
}

func TestDetectNDJSON(t *testing.T) {
	out, _, _ := detectRun(t, detectParams{paths: []string{examples},
		format: "ndjson", kinds: []detect.Kind{detect.KindEnablement}})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var f detect.Finding
		if err := json.Unmarshal([]byte(l), &f); err != nil ||
			f.Kind != detect.KindEnablement {
			t.Errorf("line %s: kind %q, error %v", l, f.Kind, err)
		}
	}
}

func TestDetectExitCodes(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{\"Records\":[{\"eventName\":"), 0o644); err != nil {
		t.Fatal(err)
	}
	ex := func(name string) string { return filepath.Join(examples, name) }
	tests := []struct {
		name   string
		paths  []string
		kinds  []detect.Kind
		stdin  string
		code   int
		stdout string // a substring
		stderr string // a substring
	}{
		{"enablement", []string{ex("eventbridge-enablement.json")}, nil, "",
			exitFindings, `"kind": "enablement"`, ""},
		{"console use", []string{ex("console-use.json")}, nil, "",
			exitFindings, `"kind": "console_use"`, ""},
		{"failed attempt alone", []string{ex("failed-attempt.json")}, nil, "",
			exitOK, `"kind": "failed_attempt"`, ""},
		{"disablement alone", []string{ex("disablement.json")}, nil, "",
			exitOK, `"kind": "disablement"`, ""},
		{"filtered out", []string{examples}, []detect.Kind{
			detect.KindFailedAttempt, detect.KindDisablement}, "", exitOK,
			`"kind": "disablement"`, ""},
		{"nothing", []string{"-"}, nil, `{"eventName":"DescribeVpcs"}`, exitOK,
			"[]\n", ""},
		{"stdin", []string{"-"}, nil, readExampleFile(t, "console-use.json"),
			exitFindings, `"source": "stdin:1"`, ""},
		{"bad file beats findings", []string{bad, ex("eventbridge-enablement.json")},
			nil, "", exitFailure, `"kind": "enablement"`,
			"bad.json#Records[0]: unexpected EOF; rest of input skipped"},
		{"missing file", []string{"no-such-file.json"}, nil, "", exitFailure,
			"[]", "no-such-file.json: lstat: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := detectRun(t, detectParams{paths: tt.paths,
				kinds: tt.kinds, stdin: strings.NewReader(tt.stdin)})
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if !strings.Contains(out, tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, errOut)
			}
		})
	}
}

func TestDetectCommand(t *testing.T) {
	tests := []struct {
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"detect", "-o", "ndjson"}, readExampleFile(t, "console-use.json"),
			exitFindings, `"source":"stdin:1"`, ""},
		{[]string{"detect", "-o", "json", "--kind", "enablement",
			"--kind", "failed_attempt", examples}, "", exitFindings,
			`"kind": "failed_attempt"`, ""},
		{[]string{"detect", "--kind", "enablement,bogus"}, "", exitFailure, "",
			`--kind: "bogus" is not one of enablement, failed_attempt, ` +
				`console_use, disablement`},
		{[]string{"detect", "-o", "yaml"}, "", exitFailure, "", `"yaml"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errOut bytes.Buffer
			root := newRootCmd(&out, &errOut)
			root.SetArgs(tt.args)
			root.SetIn(strings.NewReader(tt.stdin))
			err := root.ExecuteContext(context.Background())
			if code := codeOf(err); code != tt.code {
				t.Errorf("exit %d, want %d (%v)", code, tt.code, err)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, out.String())
			}
			if err != nil && !strings.Contains(err.Error(), tt.stderr) {
				t.Errorf("error %q lacks %q", err, tt.stderr)
			}
		})
	}
}

func TestPrincipalLabel(t *testing.T) {
	tests := []struct {
		actor detect.Actor
		want  string
	}{
		{detect.Actor{PrincipalARN: "arn:aws:iam::111122223333:role/a/b/Ops",
			SessionName: "jdoe", Account: "111122223333"}, "role/Ops (jdoe)"},
		{detect.Actor{PrincipalARN: "arn:aws-us-gov:iam::444455556666:user/al",
			Account: "444455556666"}, "444455556666:user/al"},
		{detect.Actor{PrincipalARN: "arn:aws:iam::111122223333:root",
			Account: "111122223333"}, "root"},
		{detect.Actor{Type: "AWSService", InvokedBy: "ssm.amazonaws.com"},
			"ssm.amazonaws.com"},
		{detect.Actor{Type: "IdentityCenterUser"}, "IdentityCenterUser"},
		{detect.Actor{}, "-"},
	}
	for _, tt := range tests {
		f := detect.Finding{Account: "111122223333", Actor: tt.actor}
		if got := principalLabel(&f); got != tt.want {
			t.Errorf("principalLabel(%+v) = %q, want %q", tt.actor, got, tt.want)
		}
	}
}
