package doccheck

import (
	"go/ast"
	"go/token"
	"strings"
)

// checker collects the problems of the files of one file set.
type checker struct {
	fset  *token.FileSet
	probs []Problem
}

// checkPackage checks the package doc comment and every top-level
// declaration of package name, whose files are in directory dir, named
// base.
func (c *checker) checkPackage(dir, base, name string, files []*ast.File) {
	c.checkPackageDoc(dir, base, name, files)
	for _, f := range files {
		for _, d := range f.Decls {
			c.checkDecl(d)
		}
	}
}

// checkPackageDoc wants one file of the package to carry a package doc
// comment in the form godoc lists: "Package name ..." for a library,
// "Command base ..." for a main package, named after its directory.
func (c *checker) checkPackageDoc(dir, base, name string, files []*ast.File) {
	what, want := "package "+name, "Package "+name
	if name == "main" {
		what, want = "command "+base, "Command "+base
	}
	p := Problem{Pos: token.Position{Filename: dir}, What: what}
	for _, f := range files {
		text := f.Doc.Text()
		if text == "" {
			continue
		}
		if startsWithWord(text, want) {
			return
		}
		p.Why = "has a package doc comment that does not start with " +
			`"` + want + `"`
	}
	if p.Why == "" {
		p.Why = "has no package doc comment"
	}
	c.probs = append(c.probs, p)
}

// startsWithWord reports whether text starts with prefix as a whole
// word: followed by the end of text, a space, or punctuation that ends
// the word such as "," or "'s".
func startsWithWord(text, prefix string) bool {
	rest, ok := strings.CutPrefix(text, prefix)
	return ok && (rest == "" || strings.ContainsRune(" \n,.:;'", rune(rest[0])))
}

// checkDecl checks one top-level declaration.
func (c *checker) checkDecl(d ast.Decl) {
	switch d := d.(type) {
	case *ast.FuncDecl:
		c.checkFunc(d)
	case *ast.GenDecl:
		c.checkGen(d)
	}
}

// checkFunc wants a doc comment on an exported function, and on an
// exported method of an exported type.
func (c *checker) checkFunc(d *ast.FuncDecl) {
	if !d.Name.IsExported() {
		return
	}
	what := "func " + d.Name.Name
	if d.Recv != nil && len(d.Recv.List) > 0 {
		recv := receiverType(d.Recv.List[0].Type)
		if !token.IsExported(recv) {
			return
		}
		what = "method " + recv + "." + d.Name.Name
	}
	c.want(d.Doc, d.Pos(), what, d.Name.Name)
}

// receiverType is the name of a method's receiver type, without its
// pointer and type parameters.
func receiverType(x ast.Expr) string {
	for {
		switch t := x.(type) {
		case *ast.StarExpr:
			x = t.X
		case *ast.ParenExpr:
			x = t.X
		case *ast.IndexExpr:
			x = t.X
		case *ast.IndexListExpr:
			x = t.X
		case *ast.Ident:
			return t.Name
		default:
			return ""
		}
	}
}

// checkGen checks the exported names of a type, const or var
// declaration. A doc comment on a parenthesised const or var group
// covers every name in it; a type needs its own, unless it is the only
// one of its declaration.
func (c *checker) checkGen(d *ast.GenDecl) {
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			doc := s.Doc
			if doc == nil && len(d.Specs) == 1 {
				doc = d.Doc
			}
			if s.Name.IsExported() {
				c.want(doc, s.Pos(), "type "+s.Name.Name, s.Name.Name)
			}
		case *ast.ValueSpec:
			c.checkValue(d, s)
		}
	}
}

// checkValue checks the exported names of one const or var spec of d.
func (c *checker) checkValue(d *ast.GenDecl, s *ast.ValueSpec) {
	doc := s.Doc
	if doc == nil {
		doc = d.Doc
	}
	for _, n := range s.Names {
		if n.IsExported() {
			c.want(doc, n.Pos(), d.Tok.String()+" "+n.Name, "")
		}
	}
}

// want records a problem for what, declared at pos, unless doc holds
// text that starts with name, after an article; an empty name is not
// checked. Directives such as //go:embed alone are no doc.
func (c *checker) want(doc *ast.CommentGroup, pos token.Pos,
	what, name string) {
	text := doc.Text()
	why := ""
	switch {
	case text == "":
		why = "has no doc comment"
	case name != "" && !startsWithName(text, name):
		why = `has a doc comment that does not start with "` + name + `"`
	default:
		return
	}
	c.probs = append(c.probs, Problem{Pos: c.fset.Position(pos),
		What: what, Why: why})
}

// startsWithName reports whether the sentence text starts with name,
// maybe after "A", "An" or "The", as godoc's summaries do.
func startsWithName(text, name string) bool {
	for _, article := range []string{"", "A ", "An ", "The "} {
		if startsWithWord(text, article+name) {
			return true
		}
	}
	return false
}
