package policies

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunTestsEmbedded(t *testing.T) {
	r, err := RunTests(context.Background(), "", TestOptions{Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range r.Results {
		if !res.Pass() {
			t.Errorf("%s.%s: %s", res.Package, res.Name, res)
		}
	}
	if !r.Passed() || len(r.Results) < 20 {
		t.Errorf("Passed() = %t with %d results", r.Passed(), len(r.Results))
	}
	if r.Coverage.Coverage < 95 {
		t.Errorf("coverage %.1f%%, want at least 95%%", r.Coverage.Coverage)
	}
	for name := range r.Coverage.Files {
		if strings.HasSuffix(name, "_test.rego") {
			t.Errorf("coverage counts test module %s", name)
		}
	}
}

func TestRunTestsReportsFailures(t *testing.T) {
	dir := writePolicy(t, `package serialguard
decision := {"action": "alert"}
`)
	writeFile(t, filepath.Join(dir, "policy_test.rego"), `package serialguard_test
import data.serialguard
test_alerts if serialguard.decision.action == "alert"
test_remediates if serialguard.decision.action == "remediate"
`)
	r, err := RunTests(context.Background(), dir, TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, res := range r.Results {
		if !res.Pass() {
			failed = append(failed, res.Name)
		}
	}
	if r.Passed() || len(failed) != 1 || failed[0] != "test_remediates" {
		t.Errorf("Passed() = %t, failed %q; want test_remediates to fail",
			r.Passed(), failed)
	}
}

func TestRunTestsRefusesForbidden(t *testing.T) {
	dir := writePolicy(t, `package serialguard
decision := {"n": rand.intn("x", 10)}
`)
	_, err := RunTests(context.Background(), dir, TestOptions{})
	var fe *ForbiddenError
	if !errors.As(err, &fe) || fe.Builtin != "rand.intn" {
		t.Errorf("got %v, want a ForbiddenError for rand.intn", err)
	}
}

func TestCheck(t *testing.T) {
	forbidden := writePolicy(t, `package serialguard
decision := http.send({"method": "get", "url": "https://example.com"}).body
`)
	for _, tc := range []struct {
		name, path string
		data       []string
		want       string
	}{
		{"embedded", "", nil, ""},
		{"embedded with approvals", "", []string{approvalsFile}, ""},
		{"http.send", forbidden, nil, "policy.rego:2: http.send is forbidden"},
		{"no policy", filepath.Join(t.TempDir(), "nothing"), nil,
			"no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(context.Background(), tc.path, tc.data)
			if tc.want == "" && err != nil {
				t.Errorf("Check() = %v, want nil", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("Check() = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	src := []byte("package p\nallow if {input.x==1\n}\n")
	got, err := Format("p.rego", src)
	if err != nil {
		t.Fatal(err)
	}
	want := "package p\n\nallow if input.x == 1\n"
	if string(got) != want {
		t.Errorf("Format() = %q, want %q", got, want)
	}
	if _, err := Format("bad.rego", []byte("package")); err == nil {
		t.Error("Format() of a broken module: no error")
	}
	for _, name := range []string{"accounts.rego", "approvals.rego",
		"approvals_test.rego", "decision.rego", "decision_test.rego"} {
		src, err := embedded.ReadFile("serialguard/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Format(name, src); err != nil || !bytes.Equal(got, src) {
			t.Errorf("embedded %s is not formatted (err %v)", name, err)
		}
	}
}

func TestBundleDecidesAsEmbedded(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bundle.tar.gz")
	var buf bytes.Buffer
	rev, err := WriteBundle(ctx, &buf, "", []string{approvalsFile})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	embedded := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	if rev != embedded.Revision() {
		t.Errorf("bundle revision %q, engine revision %q", rev, embedded.Revision())
	}
	bundled := newEngine(t, Options{PolicyPath: path})
	for _, f := range readFindings(t) {
		want := embedded.Decide(ctx, fixtureInput(f))
		got := bundled.Decide(ctx, fixtureInput(f))
		want.PolicyRevision, got.PolicyRevision = "", ""
		if got.Action != want.Action || strings.Join(got.Reasons, "|") !=
			strings.Join(want.Reasons, "|") || got.Error != "" {
			t.Errorf("%s: bundle decided %+v, embedded %+v", f.EventID, got, want)
		}
	}
}
