package kql

import (
	"strings"
)

// node is one operator or term of a parsed query.
type node interface {
	match(doc map[string]any) bool
	format(b *strings.Builder)
}

type andNode struct{ left, right node }
type orNode struct{ left, right node }
type notNode struct{ operand node }

// termNode is field: "value". keys[i][j] holds the dotted key made of
// path segments i..j-1, precomputed so matching does not allocate.
type termNode struct {
	field string
	value string
	keys  [][]string
}

func (n *andNode) match(doc map[string]any) bool {
	return n.left.match(doc) && n.right.match(doc)
}

func (n *orNode) match(doc map[string]any) bool {
	return n.left.match(doc) || n.right.match(doc)
}

func (n *notNode) match(doc map[string]any) bool {
	return !n.operand.match(doc)
}

func (n *termNode) match(doc map[string]any) bool {
	found := false
	walk(doc, n.keys, 0, func(v any) bool {
		s, ok := scalarString(v)
		found = ok && s == n.value
		return !found
	})
	return found
}

func (n *andNode) format(b *strings.Builder) { binary(b, n.left, "and", n.right) }
func (n *orNode) format(b *strings.Builder)  { binary(b, n.left, "or", n.right) }

func (n *notNode) format(b *strings.Builder) {
	b.WriteString("not ")
	n.operand.format(b)
}

func (n *termNode) format(b *strings.Builder) {
	b.WriteString(n.field)
	b.WriteString(": ")
	quote(b, n.value)
}

// binary writes both operands in parentheses so that the canonical form
// never depends on precedence.
func binary(b *strings.Builder, left node, op string, right node) {
	b.WriteByte('(')
	left.format(b)
	b.WriteString(" " + op + " ")
	right.format(b)
	b.WriteByte(')')
}

func quote(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

func newTerm(field, value string) *termNode {
	segs := strings.Split(field, ".")
	keys := make([][]string, len(segs))
	for i := range segs {
		keys[i] = make([]string, len(segs)+1)
		for j := i + 1; j <= len(segs); j++ {
			keys[i][j] = strings.Join(segs[i:j], ".")
		}
	}
	return &termNode{field: field, value: value, keys: keys}
}
