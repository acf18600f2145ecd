package doccheck

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Problem is one missing or malformed doc comment.
type Problem struct {
	// Pos is where the undocumented declaration starts, with its file
	// name relative to the root that was checked. For a package it
	// names the package's directory and no line.
	Pos token.Position
	// What names the declaration, such as "func New", "method
	// Engine.Decide" or "package remediate".
	What string
	// Why says what is wrong.
	Why string
}

// String formats p as "file:line: what why", like a compiler message.
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s %s", p.Pos, p.What, p.Why)
}

// Check parses every Go package under root and returns, sorted by
// position, the problems of their non-test files. It skips what the go
// command skips: testdata and vendor directories, directories whose
// names start with "." or "_", and nested modules. A file that does not
// parse is an error.
func Check(root string) ([]Problem, error) {
	var probs []Problem
	walk := func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if dir != root && skipDir(dir, d.Name()) {
			return filepath.SkipDir
		}
		p, err := checkDir(root, dir)
		probs = append(probs, p...)
		return err
	}
	if err := filepath.WalkDir(root, walk); err != nil {
		return nil, fmt.Errorf("check doc comments under %s: %w", root, err)
	}
	slices.SortFunc(probs, compare)
	return probs, nil
}

// skipDir reports whether the go command ignores the directory dir,
// named name, for packages of the module being walked.
func skipDir(dir, name string) bool {
	if name == "testdata" || name == "vendor" ||
		strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// compare orders problems by file, line and column.
func compare(a, b Problem) int {
	return cmp.Or(
		strings.Compare(a.Pos.Filename, b.Pos.Filename),
		cmp.Compare(a.Pos.Line, b.Pos.Line),
		cmp.Compare(a.Pos.Column, b.Pos.Column))
}

// checkDir checks the packages of the non-test files in dir. A directory
// normally holds one; each is checked on its own.
func checkDir(root, dir string) ([]Problem, error) {
	c := &checker{fset: token.NewFileSet()}
	pkgs, err := parseDir(c.fset, root, dir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(pkgs)) {
		c.checkPackage(filepath.ToSlash(rel), filepath.Base(abs), name,
			pkgs[name])
	}
	return c.probs, nil
}

// parseDir parses the non-test Go files of dir with their comments,
// grouped by package name. File names in positions are relative to
// root.
func parseDir(fset *token.FileSet, root, dir string,
) (map[string][]*ast.File, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	pkgs := map[string][]*ast.File{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") ||
			strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parseFile(fset, root, filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		pkgs[f.Name.Name] = append(pkgs[f.Name.Name], f)
	}
	return pkgs, nil
}

// parseFile parses the Go file at path with its comments, under its
// name relative to root.
func parseFile(fset *token.FileSet, root, path string) (*ast.File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return nil, err
	}
	return parser.ParseFile(fset, filepath.ToSlash(rel), src,
		parser.ParseComments|parser.SkipObjectResolution)
}
