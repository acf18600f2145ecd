package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// op says what a matcher compares.
type op int

const (
	opString op = iota
	opNumber
	opBool
	opNull
	opPrefix
	opSuffix
	opExists
)

// matcher is one element of a pattern array.
type matcher struct {
	op  op
	s   string  // opString, opPrefix, opSuffix; the literal for opNumber
	n   float64 // opNumber
	yes bool    // opBool, opExists
}

// operators lists what EventBridge accepts inside a pattern array and
// this package does not, to tell "unsupported" from "invalid".
var operators = map[string]bool{
	"anything-but":       true,
	"numeric":            true,
	"cidr":               true,
	"equals-ignore-case": true,
	"wildcard":           true,
}

func compileMatcher(v any) (matcher, error) {
	switch v := v.(type) {
	case nil:
		return matcher{op: opNull}, nil
	case string:
		return matcher{op: opString, s: v}, nil
	case bool:
		return matcher{op: opBool, yes: v}, nil
	case map[string]any:
		return compileOperator(v)
	case []any:
		return matcher{}, errors.New("nested arrays are not allowed")
	}
	return compileNumber(v)
}

func compileNumber(v any) (matcher, error) {
	n, ok := number(v)
	if !ok {
		if _, isNum := v.(json.Number); isNum {
			return matcher{}, fmt.Errorf("number %s out of range", v)
		}
		return matcher{}, fmt.Errorf("got %s, want a value or an operator",
			kindOf(v))
	}
	if math.IsInf(n, 0) || math.IsNaN(n) {
		return matcher{}, fmt.Errorf("number %v out of range", v)
	}
	return matcher{op: opNumber, n: n,
		s: strconv.FormatFloat(n, 'g', -1, 64)}, nil
}

func compileOperator(obj map[string]any) (matcher, error) {
	if len(obj) != 1 {
		return matcher{}, fmt.Errorf("operator object has %d keys, want 1",
			len(obj))
	}
	for name, arg := range obj {
		return compileOp(name, arg)
	}
	return matcher{}, errors.New("empty operator object")
}

func compileOp(name string, arg any) (matcher, error) {
	switch name {
	case "prefix", "suffix":
		return compileAffix(name, arg)
	case "exists":
		yes, ok := arg.(bool)
		if !ok {
			return matcher{}, fmt.Errorf(
				"operator \"exists\": got %s, want true or false", kindOf(arg))
		}
		return matcher{op: opExists, yes: yes}, nil
	}
	if operators[name] {
		return matcher{}, fmt.Errorf("operator %q: %w", name, ErrUnsupported)
	}
	return matcher{}, fmt.Errorf("unknown operator %q", name)
}

func compileAffix(name string, arg any) (matcher, error) {
	s, ok := arg.(string)
	if !ok {
		if _, isObj := arg.(map[string]any); isObj {
			return matcher{}, fmt.Errorf("operator %q with an object: %w",
				name, ErrUnsupported)
		}
		return matcher{}, fmt.Errorf("operator %q: got %s, want a string",
			name, kindOf(arg))
	}
	if name == "prefix" {
		return matcher{op: opPrefix, s: s}, nil
	}
	return matcher{op: opSuffix, s: s}, nil
}

// matchAll reports whether the matcher accepts the leaf values found at
// its field: "exists" looks at all of them, the others at any one.
func (m matcher) matchAll(values []any) bool {
	if m.op == opExists {
		return m.yes == (len(values) > 0)
	}
	for _, v := range values {
		if m.matchOne(v) {
			return true
		}
	}
	return false
}

func (m matcher) matchOne(v any) bool {
	switch m.op {
	case opString, opPrefix, opSuffix:
		s, ok := v.(string)
		return ok && m.matchString(s)
	case opNumber:
		n, ok := number(v)
		return ok && n == m.n
	case opBool:
		b, ok := v.(bool)
		return ok && b == m.yes
	case opNull:
		return v == nil
	}
	return false
}

func (m matcher) matchString(s string) bool {
	switch m.op {
	case opPrefix:
		return strings.HasPrefix(s, m.s)
	case opSuffix:
		return strings.HasSuffix(s, m.s)
	}
	return s == m.s
}

func (m matcher) write(b *bytes.Buffer) {
	switch m.op {
	case opString:
		writeString(b, m.s)
	case opNumber:
		b.WriteString(m.s)
	case opBool:
		b.WriteString(strconv.FormatBool(m.yes))
	case opNull:
		b.WriteString("null")
	case opExists:
		b.WriteString(`{"exists":` + strconv.FormatBool(m.yes) + `}`)
	case opPrefix:
		b.WriteString(`{"prefix":`)
		writeString(b, m.s)
		b.WriteByte('}')
	case opSuffix:
		b.WriteString(`{"suffix":`)
		writeString(b, m.s)
		b.WriteByte('}')
	}
}

// number converts the numeric types that JSON and YAML decoders produce.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}
