package kql

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Values returns every value found at a dotted field path of doc, with
// arrays flattened, in document order. A path segment may match a nested
// object or a key that itself contains dots, so {"a":{"b":1}} and
// {"a.b":1} both hold 1 at "a.b". Values returns nil for a missing field.
func Values(doc map[string]any, path string) []any {
	var out []any
	walk(doc, newTerm(path, "").keys, 0, func(v any) bool {
		out = append(out, v)
		return true
	})
	return out
}

// walk calls fn with each scalar reached by the path segments from i on;
// it stops early when fn returns false and reports whether it ran to the
// end.
func walk(v any, keys [][]string, i int, fn func(any) bool) bool {
	if i == len(keys) {
		return leaves(v, fn)
	}
	switch v := v.(type) {
	case map[string]any:
		for j := i + 1; j <= len(keys); j++ {
			child, ok := v[keys[i][j]]
			if ok && !walk(child, keys, j, fn) {
				return false
			}
		}
	case []any:
		for _, e := range v {
			if !walk(e, keys, i, fn) {
				return false
			}
		}
	}
	return true
}

// leaves flattens arrays at the end of a path.
func leaves(v any, fn func(any) bool) bool {
	arr, ok := v.([]any)
	if !ok {
		return fn(v)
	}
	for _, e := range arr {
		if !leaves(e, fn) {
			return false
		}
	}
	return true
}

// scalarString renders a scalar the way Elasticsearch compares a query
// term with a keyword, boolean or numeric field. Objects and null never
// match a term.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	}
	return "", false
}

// keywords are the operators; a bare term spelled like one is an
// operator, never a field or a value.
func keyword(s string) (tokenKind, bool) {
	switch strings.ToLower(s) {
	case "and":
		return tokAnd, true
	case "or":
		return tokOr, true
	case "not":
		return tokNot, true
	}
	return 0, false
}
