package kql

import (
	"fmt"
	"strings"
)

type tokenKind int

const (
	tokEOF tokenKind = iota
	tokLParen
	tokRParen
	tokColon
	tokAnd
	tokOr
	tokNot
	tokWord   // an unquoted term
	tokString // a quoted term, unescaped
)

type token struct {
	kind tokenKind
	text string
	pos  int
}

func (t token) String() string {
	if t.kind == tokEOF {
		return "end of query"
	}
	return fmt.Sprintf("%q", t.text)
}

// maxDepth bounds nesting so that a hostile query cannot exhaust the
// stack.
const maxDepth = 100

type parser struct {
	lex lexer
	tok token
	err error
}

func (p *parser) advance() {
	if p.err != nil {
		return
	}
	p.tok, p.err = p.lex.next()
}

func (p *parser) errorf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	return &SyntaxError{Offset: p.tok.pos, Msg: fmt.Sprintf(format, args...)}
}

// expr parses or-expressions: and-expressions joined by or.
func (p *parser) expr(depth int) (node, error) {
	if depth > maxDepth {
		return nil, p.errorf("query nested deeper than %d", maxDepth)
	}
	left, err := p.and(depth)
	for err == nil && p.tok.kind == tokOr {
		p.advance()
		var right node
		right, err = p.and(depth)
		left = &orNode{left: left, right: right}
	}
	return left, err
}

func (p *parser) and(depth int) (node, error) {
	left, err := p.unary(depth)
	for err == nil && p.tok.kind == tokAnd {
		p.advance()
		var right node
		right, err = p.unary(depth)
		left = &andNode{left: left, right: right}
	}
	return left, err
}

func (p *parser) unary(depth int) (node, error) {
	switch p.tok.kind {
	case tokNot:
		if depth > maxDepth {
			return nil, p.errorf("query nested deeper than %d", maxDepth)
		}
		p.advance()
		operand, err := p.unary(depth + 1)
		return &notNode{operand: operand}, err
	case tokLParen:
		p.advance()
		inner, err := p.expr(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.errorf("expected ) but found %s", p.tok)
		}
		p.advance()
		return inner, nil
	case tokWord:
		return p.term()
	}
	return nil, p.errorf("expected a field, not or ( but found %s", p.tok)
}

// term parses field: value.
func (p *parser) term() (node, error) {
	field := p.tok
	p.advance()
	if p.tok.kind != tokColon {
		return nil, p.errorf(
			"expected : after %s (free-text search is not supported)", field)
	}
	p.advance()
	switch p.tok.kind {
	case tokString, tokWord:
		value := p.tok.text
		p.advance()
		if err := checkField(field); err != nil {
			return nil, err
		}
		return newTerm(field.text, value), p.err
	case tokLParen:
		return nil, p.errorf("value groups are not supported")
	}
	return nil, p.errorf("expected a value after : but found %s", p.tok)
}

func checkField(t token) error {
	for _, seg := range strings.Split(t.text, ".") {
		if seg == "" {
			return &SyntaxError{Offset: t.pos,
				Msg: fmt.Sprintf("field %q has an empty path segment", t.text)}
		}
	}
	return nil
}
