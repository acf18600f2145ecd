// Package kql evaluates the subset of the Kibana Query Language that
// Elastic's CloudTrail detection rules use: field: "value" terms joined by
// and, or and not, with parentheses.
//
// Matching follows Elasticsearch's semantics for keyword fields: a term is
// exact and case-sensitive, a field path walks nested objects and dotted
// keys alike, arrays are flattened so that any element may match, and a
// missing field never matches. Wildcards, ranges, value groups and nested
// queries are rejected when parsing rather than silently misread.
package kql

import (
	"fmt"
	"strings"
)

// Query is a parsed KQL expression, safe for concurrent use.
type Query struct {
	root node
}

// SyntaxError reports where a query could not be parsed.
type SyntaxError struct {
	// Offset is the byte offset in the query where the problem starts.
	Offset int
	Msg    string
}

// Error returns the message of a SyntaxError.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("kql: %s at offset %d", e.Msg, e.Offset)
}

// Parse compiles a query. Keywords and, or and not are case-insensitive;
// not binds tighter than and, which binds tighter than or.
func Parse(query string) (*Query, error) {
	p := &parser{lex: lexer{src: query}}
	p.advance()
	root, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %s", p.tok)
	}
	return &Query{root: root}, nil
}

// MustParse is Parse for queries fixed at compile time; it panics on a
// syntax error, so use it only for package-level constants.
func MustParse(query string) *Query {
	q, err := Parse(query)
	if err != nil {
		panic(err)
	}
	return q
}

// Match reports whether doc satisfies the query. Nested values may be
// map[string]any, []any or scalars as encoding/json decodes them.
func (q *Query) Match(doc map[string]any) bool {
	return q.root.match(doc)
}

// String returns the query in a canonical form that Parse accepts and
// that parses to the same query.
func (q *Query) String() string {
	var b strings.Builder
	q.root.format(&b)
	return b.String()
}
