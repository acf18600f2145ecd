package deploy_test

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCfnLint runs AWS's template linter, which knows every resource
// type's schema, when it is installed. Informational findings count too.
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not installed")
	}
	if testing.Short() {
		t.Skip("cfn-lint takes seconds; skipped with -short")
	}
	files, err := filepath.Glob(filepath.Join("cloudformation", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	args := append([]string{"--include-checks", "I", "--format", "parseable",
		"--"}, files...)
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
