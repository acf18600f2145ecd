package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/serialguard/serialguard/policies"
)

func writeTestFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyBundle(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "serialguard.tar.gz")
	var stderr bytes.Buffer
	err := runPolicyBundle(ctx, policyBundleParams{out: path,
		policy: policyFlags{data: []string{policyApprovals}}}, &bytes.Buffer{}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.New(ctx, policies.Options{PolicyPath: path})
	if err != nil {
		t.Fatalf("load the bundle: %v", err)
	}
	want, err := policies.New(ctx, policies.Options{DataPaths: []string{policyApprovals}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "revision "+want.Revision()) {
		t.Errorf("stderr %q, want revision %s", stderr.String(), want.Revision())
	}
	if diff := strings.Join(e.ExemptPrincipals(), " "); diff !=
		strings.Join(want.ExemptPrincipals(), " ") {
		t.Errorf("bundle exempts %q, want %q", e.ExemptPrincipals(), want.ExemptPrincipals())
	}
	if opa, err := exec.LookPath("opa"); err == nil {
		out, err := exec.Command(opa, "eval", "--bundle", path, "--format", "raw",
			"count(data.serialguard.approvals)").CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "3" {
			t.Errorf("opa eval --bundle: %v %s, want 3 approvals", err, out)
		}
	}
}

func TestPolicyBundleStdout(t *testing.T) {
	var stdout bytes.Buffer
	err := runPolicyBundle(context.Background(), policyBundleParams{out: "-"},
		&stdout, &bytes.Buffer{})
	if err != nil || !bytes.HasPrefix(stdout.Bytes(), []byte{0x1f, 0x8b}) {
		t.Errorf("bundle -o -: %v, %d bytes, want a gzip stream", err, stdout.Len())
	}
}

func TestPolicyBundleRejectsBadPolicy(t *testing.T) {
	dir := policyDir(t, map[string]string{"p.rego": "package serialguard\n\nallow := true\n"})
	out := filepath.Join(t.TempDir(), "b.tar.gz")
	err := runPolicyBundle(context.Background(), policyBundleParams{out: out,
		policy: policyFlags{path: dir}}, &bytes.Buffer{}, &bytes.Buffer{})
	if codeOf(err) != exitFailure {
		t.Errorf("exit %d (%v), want 2", codeOf(err), err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a rejected bundle left %s behind", out)
	}
}
