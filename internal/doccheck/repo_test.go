package doccheck

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestModuleDocumented fails for every package and exported name of
// this module that lacks its doc comment.
func TestModuleDocumented(t *testing.T) {
	root := moduleRoot(t)
	probs, err := Check(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range probs {
		t.Error(p)
	}
}

// moduleRoot returns the directory of the go.mod above the test's
// working directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := os.Stat(filepath.Join(dir, "go.mod"))
		if err == nil {
			return dir
		}
		if !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the working directory")
		}
		dir = parent
	}
}
