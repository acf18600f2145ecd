package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

const (
	unformatted = "package p\nallow if {input.x==1\n}\n"
	formatted   = "package p\n\nallow if input.x == 1\n"
)

func TestPolicyFmt(t *testing.T) {
	dir := policyDir(t, map[string]string{"a.rego": formatted,
		"b.rego": unformatted, "notes.txt": "not rego"})
	run := func(p policyFmtParams) (string, int) {
		t.Helper()
		var stdout bytes.Buffer
		err := runPolicyFmt(context.Background(), p, &stdout, &bytes.Buffer{})
		return stdout.String(), codeOf(err)
	}
	b := filepath.Join(dir, "b.rego")

	out, code := run(policyFmtParams{path: dir})
	if code != exitOK || out != formatted+formatted {
		t.Errorf("fmt DIR: exit %d, output %q", code, out)
	}
	out, code = run(policyFmtParams{path: dir, check: true})
	if code != exitFindings || out != b+"\n" {
		t.Errorf("fmt --check: exit %d, output %q, want b.rego listed", code, out)
	}
	out, code = run(policyFmtParams{path: dir, write: true})
	if code != exitOK || out != b+"\n" || readString(t, b) != formatted {
		t.Errorf("fmt --write: exit %d, output %q, file %q", code, out, readString(t, b))
	}
	if out, code = run(policyFmtParams{path: dir, check: true}); code != exitOK || out != "" {
		t.Errorf("fmt --check after --write: exit %d, output %q", code, out)
	}
}

func TestPolicyFmtStdin(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		check    bool
		want     int
		wantOut  string
	}{
		{"format", unformatted, false, exitOK, formatted},
		{"check formatted", formatted, true, exitOK, ""},
		{"check unformatted", unformatted, true, exitFindings, "stdin\n"},
		{"syntax error", "package", false, exitFailure, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := runPolicyFmt(context.Background(), policyFmtParams{
				check: tc.check, stdin: strings.NewReader(tc.in)},
				&stdout, &bytes.Buffer{})
			if got := codeOf(err); got != tc.want || stdout.String() != tc.wantOut {
				t.Errorf("exit %d (%v) output %q, want %d %q", got, err,
					stdout.String(), tc.want, tc.wantOut)
			}
		})
	}
}

func TestPolicyFmtErrors(t *testing.T) {
	for _, p := range []policyFmtParams{
		{path: filepath.Join(t.TempDir(), "missing")},
		{write: true, stdin: strings.NewReader(formatted)},
	} {
		err := runPolicyFmt(context.Background(), p, &bytes.Buffer{}, &bytes.Buffer{})
		if codeOf(err) != exitFailure {
			t.Errorf("%+v: exit %d (%v), want 2", p, codeOf(err), err)
		}
	}
}

func TestPolicyFmtEmbeddedIsFormatted(t *testing.T) {
	var stdout bytes.Buffer
	err := runPolicyFmt(context.Background(), policyFmtParams{
		path: "../../policies/serialguard", check: true}, &stdout, &bytes.Buffer{})
	if err != nil || stdout.Len() != 0 {
		t.Errorf("policies/serialguard is not formatted: %v %s", err, stdout.Bytes())
	}
}
