package doccheck

import (
	"go/token"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheck(t *testing.T) {
	probs, err := Check(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		"bad: package bad has a package doc comment that does not start " +
			`with "Package bad"`,
		"bad/bad.go:6:7: const Loose has no doc comment",
		"bad/bad.go:9:2: const A has no doc comment",
		"bad/bad.go:11:2: const C has no doc comment",
		"bad/bad.go:14:5: var X has no doc comment",
		"bad/bad.go:14:11: var Z has no doc comment",
		"bad/bad.go:16:6: type T has no doc comment",
		"bad/bad.go:18:1: method T.Method has no doc comment",
		"bad/bad.go:20:1: method T.Documented has no doc comment",
		"bad/bad.go:24:2: type U has no doc comment",
		"bad/bad.go:25:2: type V has no doc comment",
		"bad/bad.go:28:6: type G has no doc comment",
		"bad/bad.go:30:1: method G.Get has no doc comment",
		"bad/bad.go:32:1: func Fn has no doc comment",
		"bad/bad.go:35:5: var Src has no doc comment",
		"bad/bad.go:38:1: func Empty has no doc comment",
		"bad/bad.go:41:1: func Wrong has a doc comment that does not " +
			`start with "Wrong"`,
		"bad/bad.go:44:6: type W has a doc comment that does not " +
			`start with "W"`,
		"bad/bad.go:47:1: func New has a doc comment that does not " +
			`start with "New"`,
		"cmd/misnamed: command misnamed has a package doc comment that " +
			`does not start with "Command misnamed"`,
		"cmd/misnamed/main.go:7:1: func Run has no doc comment",
		"nodoc: package nodoc has no package doc comment",
		"nodoc/nodoc.go:3:1: func Fn has no doc comment",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check() mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckParseError(t *testing.T) {
	dir := t.TempDir()
	src := "// Package broken does not parse.\npackage broken\nfunc {\n"
	err := os.WriteFile(filepath.Join(dir, "broken.go"), []byte(src), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	probs, err := Check(dir)
	if err == nil {
		t.Fatalf("Check() = %v, nil; want a parse error", probs)
	}
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		name string
		p    Problem
		want string
	}{
		{
			name: "declaration",
			p: Problem{
				Pos:  token.Position{Filename: "x/y.go", Line: 3, Column: 1},
				What: "func New",
				Why:  "has no doc comment",
			},
			want: "x/y.go:3:1: func New has no doc comment",
		},
		{
			name: "package",
			p: Problem{Pos: token.Position{Filename: "x"},
				What: "package x", Why: "has no package doc comment"},
			want: "x: package x has no package doc comment",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
