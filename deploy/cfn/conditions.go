package cfn

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// evalConditions evaluates every condition of the template for the
// parameter values, so that Fn::If and conditional resources can use them.
func (r *resolver) evalConditions() {
	for _, name := range slices.Sorted(maps.Keys(r.condExprs)) {
		if _, err := r.condition(name, nil); err != nil {
			r.fail("condition %s: %w", name, err)
		}
	}
}

// condition evaluates a named condition once; seen holds the conditions
// being evaluated, to report cycles.
func (r *resolver) condition(name string, seen []string) (bool, error) {
	if v, ok := r.conds[name]; ok {
		return v, nil
	}
	expr, ok := r.condExprs[name]
	if !ok {
		return false, fmt.Errorf("no condition %s", name)
	}
	if slices.Contains(seen, name) {
		return false, fmt.Errorf("cycle %s -> %s",
			strings.Join(seen, " -> "), name)
	}
	v, err := r.evalCond(expr, append(seen, name))
	if err != nil {
		return false, err
	}
	r.conds[name] = v
	return v, nil
}

func (r *resolver) evalCond(expr any, seen []string) (bool, error) {
	// goformation reads the short form "!Condition Name" as the bare
	// string "Name".
	if name, ok := expr.(string); ok {
		return r.condition(name, seen)
	}
	fn, arg, ok := single(expr)
	if !ok {
		return false, fmt.Errorf("got %v, want a condition function", expr)
	}
	if fn == "Condition" {
		name, ok := arg.(string)
		if !ok {
			return false, fmt.Errorf("%s: got %v, want a name", fn, arg)
		}
		return r.condition(name, seen)
	}
	args, ok := arg.([]any)
	if !ok {
		return false, fmt.Errorf("%s: got %v, want a list", fn, arg)
	}
	switch fn {
	case "Fn::Equals":
		return r.equals(args)
	case "Fn::Not":
		if len(args) != 1 {
			return false, fmt.Errorf("Fn::Not: got %d arguments, want 1", len(args))
		}
		v, err := r.evalCond(args[0], seen)
		return !v, err
	case "Fn::And", "Fn::Or":
		return r.combine(fn, args, seen)
	}
	return false, fmt.Errorf("%s: not a condition function", fn)
}

func (r *resolver) equals(args []any) (bool, error) {
	if len(args) != 2 {
		return false, fmt.Errorf("Fn::Equals: got %d arguments, want 2", len(args))
	}
	var vals [2]string
	for i, a := range args {
		if fn, name, ok := single(a); ok && fn == "Ref" {
			v, err := r.paramOrPseudo(fmt.Sprint(name))
			if err != nil {
				return false, fmt.Errorf("Fn::Equals: %w", err)
			}
			a = v
		}
		if _, ok := a.(map[string]any); ok {
			return false, fmt.Errorf("Fn::Equals: %v: only Ref is supported", a)
		}
		vals[i] = scalarString(a)
	}
	return vals[0] == vals[1], nil
}

func (r *resolver) combine(fn string, args []any, seen []string) (bool, error) {
	if len(args) < 2 || len(args) > 10 {
		return false, fmt.Errorf("%s: got %d conditions, want 2 to 10",
			fn, len(args))
	}
	and := fn == "Fn::And"
	for _, a := range args {
		v, err := r.evalCond(a, seen)
		if err != nil {
			return false, err
		}
		if v != and {
			return v, nil
		}
	}
	return and, nil
}

// single splits a one-key object such as {"Ref": "X"} into key and value.
func single(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		return k, v, true
	}
	return "", nil, false
}
