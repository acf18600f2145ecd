package kql

import (
	"fmt"
	"strings"
)

// lexer splits a query into tokens.
type lexer struct {
	src string
	pos int
}

func (l *lexer) next() (token, error) {
	for l.pos < len(l.src) && isSpace(l.src[l.pos]) {
		l.pos++
	}
	start := l.pos
	if l.pos == len(l.src) {
		return token{kind: tokEOF, pos: start}, nil
	}
	switch c := l.src[l.pos]; c {
	case '(':
		l.pos++
		return token{kind: tokLParen, text: "(", pos: start}, nil
	case ')':
		l.pos++
		return token{kind: tokRParen, text: ")", pos: start}, nil
	case ':':
		l.pos++
		return token{kind: tokColon, text: ":", pos: start}, nil
	case '"':
		return l.quoted()
	}
	return l.word()
}

// quoted reads a "..." term; a backslash escapes the next character.
func (l *lexer) quoted() (token, error) {
	start := l.pos
	var b strings.Builder
	for l.pos++; l.pos < len(l.src); l.pos++ {
		c := l.src[l.pos]
		switch c {
		case '"':
			l.pos++
			return token{kind: tokString, text: b.String(), pos: start}, nil
		case '\\':
			l.pos++
			if l.pos == len(l.src) {
				return token{}, l.errorAt(start, "unterminated quoted value")
			}
			c = l.src[l.pos]
		}
		b.WriteByte(c)
	}
	return token{}, l.errorAt(start, "unterminated quoted value")
}

// word reads an unquoted term: a field name, a keyword or a literal value.
func (l *lexer) word() (token, error) {
	start := l.pos
	for ; l.pos < len(l.src); l.pos++ {
		c := l.src[l.pos]
		if isSpace(c) || c == '(' || c == ')' || c == ':' || c == '"' {
			break
		}
		if msg := unsupported(c); msg != "" {
			return token{}, l.errorAt(l.pos, msg)
		}
	}
	text := l.src[start:l.pos]
	if kind, ok := keyword(text); ok {
		return token{kind: kind, text: text, pos: start}, nil
	}
	return token{kind: tokWord, text: text, pos: start}, nil
}

// unsupported names the KQL feature a character would start, so that a
// query using it fails loudly instead of matching something else.
func unsupported(c byte) string {
	switch c {
	case '*', '?':
		return fmt.Sprintf("wildcard %q is not supported", c)
	case '<', '>', '=':
		return "range queries are not supported"
	case '{', '}':
		return "nested queries are not supported"
	case '\\':
		return "escapes in unquoted terms are not supported"
	}
	return ""
}

func (l *lexer) errorAt(pos int, msg string) error {
	return &SyntaxError{Offset: pos, Msg: msg}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}
