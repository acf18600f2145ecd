package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/serialguard/serialguard/detect"
)

// opaCLI returns the path of the upstream OPA CLI, or skips the test.
func opaCLI(t *testing.T) string {
	t.Helper()
	opa, err := exec.LookPath("opa")
	if err != nil {
		t.Skip("no opa on PATH: go install github.com/open-policy-agent/opa@v1.22.4")
	}
	return opa
}

func runOPA(t *testing.T, opa string, args ...string) []byte {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(opa, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("opa %q: %v\n%s%s", args, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// TestOPATest runs `opa test` over this directory, as a user would run it
// over policies/: every Rego test passes, and the Go test data in it is
// harmless to OPA's loader.
func TestOPATest(t *testing.T) {
	runOPA(t, opaCLI(t), "test", ".")
}

// TestOPAEvalAgrees asks `opa eval` for the decision on every fixture,
// with the example approvals, and wants the engine's decision.
func TestOPAEvalAgrees(t *testing.T) {
	opa := opaCLI(t)
	e := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	dir := t.TempDir()
	for _, f := range append(readFindings(t), exampleFindings(t)...) {
		in := fixtureInput(f)
		inputPath := filepath.Join(dir, "input.json")
		writeInput(t, inputPath, in)
		out := runOPA(t, opa, "eval", "--format", "json",
			"--data", embeddedRoot, "--data", approvalsFile,
			"--input", inputPath, DecisionPath)
		var res struct {
			Result []struct {
				Expressions []struct{ Value Decision } `json:"expressions"`
			} `json:"result"`
		}
		if err := json.Unmarshal(out, &res); err != nil || len(res.Result) != 1 {
			t.Fatalf("opa eval output %s: %v", out, err)
		}
		got := res.Result[0].Expressions[0].Value
		want := e.Decide(context.Background(), in)
		want.PolicyRevision = ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s %s: opa eval differs (-engine +opa):\n%s",
				f.Kind, f.EventID, diff)
		}
	}
}

// exampleFindings are the findings in examples/events, when there are
// any, decoded by the detector as serialguard decodes them.
func exampleFindings(t *testing.T) []detect.Finding {
	t.Helper()
	const dir = "../examples/events"
	if entries, err := os.ReadDir(dir); err != nil || len(entries) == 0 {
		return nil
	}
	var out []detect.Finding
	for ev := range detect.PathEvents([]string{dir}, nil, detect.DefaultLimits()) {
		if f, ok := detect.Detect(ev); ok {
			out = append(out, f)
		}
	}
	return out
}

// writeInput writes the input document the engine evaluates as JSON.
func writeInput(t *testing.T, path string, in Input) {
	t.Helper()
	v, err := inputValue(in, in.Now)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ast.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
