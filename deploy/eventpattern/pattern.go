// Package eventpattern matches events against Amazon EventBridge event
// patterns, so that tests can check the rules of serialguard's
// CloudFormation templates against real event envelopes without AWS.
//
// It implements the part of the pattern language those rules use, as
// EventBridge documents it; where the documentation is silent (numbers,
// null and "exists"), the choices below are this package's:
//
//   - a pattern is a JSON object; every field in it must match;
//   - a field's value is either an object, matched against the event's
//     object at that field, or an array of values, any of which may match;
//   - array values are exact strings (case-sensitive), numbers (compared by
//     value), true, false and null, or one of the operator objects
//     {"prefix": "s"}, {"suffix": "s"}, {"exists": true|false};
//   - where the event holds an array, the field matches if any element
//     does, and arrays of objects are flattened, as EventBridge does;
//   - a field absent from the event matches only {"exists": false}, and
//     "exists" looks at leaf values only: an object or an empty array is
//     not a value.
//
// The other operators (anything-but, numeric, cidr, equals-ignore-case,
// wildcard, $or) are rejected with an error wrapping ErrUnsupported, so a
// template that starts using them fails its tests instead of passing them
// with the wrong meaning.
package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrUnsupported marks a valid EventBridge construct this matcher does not
// implement.
var ErrUnsupported = errors.New("not supported by this matcher")

// Pattern is a parsed event pattern. It is immutable and safe for
// concurrent use.
type Pattern struct {
	fields []field // sorted by key
}

// field is one key of a pattern object: either a nested pattern or a list
// of leaf matchers.
type field struct {
	key    string
	nested *Pattern
	values []matcher
}

// Parse parses an event pattern from its JSON text.
func Parse(data []byte) (*Pattern, error) {
	v, err := decodeOne(data)
	if err != nil {
		return nil, fmt.Errorf("decode event pattern: %w", err)
	}
	return New(v)
}

// decodeOne decodes data, which must hold exactly one JSON value, with
// numbers as json.Number.
func decodeOne(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// New builds a pattern from a decoded JSON or YAML value, such as the
// EventPattern property of a parsed CloudFormation template.
func New(v any) (*Pattern, error) {
	return compile("", v)
}

func compile(path string, v any) (*Pattern, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("event pattern at %s: got %s, want an object",
			where(path), kindOf(v))
	}
	if len(obj) == 0 {
		return nil, fmt.Errorf("event pattern at %s: empty object", where(path))
	}
	p := &Pattern{fields: make([]field, 0, len(obj))}
	for key, val := range obj {
		f, err := compileField(join(path, key), key, val)
		if err != nil {
			return nil, err
		}
		p.fields = append(p.fields, f)
	}
	slices.SortFunc(p.fields, func(a, b field) int {
		return strings.Compare(a.key, b.key)
	})
	return p, nil
}

func compileField(path, key string, v any) (field, error) {
	if strings.HasPrefix(key, "$") {
		return field{}, fmt.Errorf("event pattern at %s: %q: %w",
			path, key, ErrUnsupported)
	}
	f := field{key: key}
	switch v := v.(type) {
	case map[string]any:
		nested, err := compile(path, v)
		f.nested = nested
		return f, err
	case []any:
		values, err := compileValues(path, v)
		f.values = values
		return f, err
	}
	return f, fmt.Errorf("event pattern at %s: got %s, want an array or an object",
		path, kindOf(v))
}

func compileValues(path string, list []any) ([]matcher, error) {
	if len(list) == 0 {
		return nil, fmt.Errorf("event pattern at %s: empty array matches nothing",
			path)
	}
	out := make([]matcher, 0, len(list))
	for i, v := range list {
		m, err := compileMatcher(v)
		if err != nil {
			return nil, fmt.Errorf("event pattern at %s[%d]: %w", path, i, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// Match reports whether the JSON event matches the pattern. It fails only
// when the event is not JSON.
func (p *Pattern) Match(event []byte) (bool, error) {
	v, err := decodeOne(event)
	if err != nil {
		return false, fmt.Errorf("decode event: %w", err)
	}
	return p.MatchValue(v), nil
}

// MatchValue reports whether a decoded JSON event matches the pattern.
// Numbers may be float64 or json.Number. An event that is not an object
// matches nothing.
func (p *Pattern) MatchValue(event any) bool {
	if _, ok := event.(map[string]any); !ok {
		return false
	}
	return p.match([]any{event})
}

// match reports whether every field matches the values found under its
// key in any of the nodes.
func (p *Pattern) match(nodes []any) bool {
	for _, f := range p.fields {
		found := lookup(nodes, f.key)
		if f.nested != nil {
			if !f.nested.match(found) {
				return false
			}
			continue
		}
		if !matchAny(f.values, leaves(found)) {
			return false
		}
	}
	return true
}

// lookup collects the values under key in every object among nodes,
// flattening arrays.
func lookup(nodes []any, key string) []any {
	var out []any
	for _, n := range nodes {
		if obj, ok := n.(map[string]any); ok {
			if v, ok := obj[key]; ok {
				out = flatten(out, v)
			}
		}
	}
	return out
}

func flatten(out []any, v any) []any {
	list, ok := v.([]any)
	if !ok {
		return append(out, v)
	}
	for _, e := range list {
		out = flatten(out, e)
	}
	return out
}

// leaves drops the objects among values: patterns match leaf values only.
func leaves(values []any) []any {
	out := values[:0:0]
	for _, v := range values {
		if _, ok := v.(map[string]any); !ok {
			out = append(out, v)
		}
	}
	return out
}

func matchAny(ms []matcher, values []any) bool {
	for _, m := range ms {
		if m.matchAll(values) {
			return true
		}
	}
	return false
}

// MarshalJSON returns the pattern in canonical form: keys sorted, values
// in their original order. Parsing the result gives an equal pattern.
func (p *Pattern) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	p.write(&b)
	return b.Bytes(), nil
}

// String returns the canonical JSON form of the pattern.
func (p *Pattern) String() string {
	var b bytes.Buffer
	p.write(&b)
	return b.String()
}

func (p *Pattern) write(b *bytes.Buffer) {
	b.WriteByte('{')
	for i, f := range p.fields {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, f.key)
		b.WriteByte(':')
		if f.nested != nil {
			f.nested.write(b)
			continue
		}
		b.WriteByte('[')
		for j, m := range f.values {
			if j > 0 {
				b.WriteByte(',')
			}
			m.write(b)
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
}

func writeString(b *bytes.Buffer, s string) {
	// Marshalling a string cannot fail.
	data, _ := json.Marshal(s)
	b.Write(data)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func where(path string) string {
	if path == "" {
		return "top level"
	}
	return path
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	if _, ok := number(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}
