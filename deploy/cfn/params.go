package cfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// resolver holds what intrinsic functions resolve against, and the
// problems found while resolving them.
type resolver struct {
	opts      Options
	params    map[string]cloudformation.Parameter
	values    map[string]any // parameter values, typed
	used      map[string]bool
	resources map[string]map[string]any
	condExprs map[string]any
	conds     map[string]bool
	errs      []error
}

func newResolver(raw map[string]any, opts Options) (*resolver, error) {
	r := &resolver{
		opts:      opts,
		values:    map[string]any{},
		used:      map[string]bool{},
		resources: map[string]map[string]any{},
		conds:     map[string]bool{},
	}
	if err := r.readSections(raw); err != nil {
		return nil, err
	}
	r.setParameters()
	r.checkStructure()
	r.evalConditions()
	if err := errors.Join(r.errs...); err != nil {
		return nil, err
	}
	return r, nil
}

// readSections reads the parts of the template that resolution needs.
func (r *resolver) readSections(raw map[string]any) error {
	if err := remarshal(raw["Parameters"], &r.params); err != nil {
		return fmt.Errorf("read parameters: %w", err)
	}
	if err := remarshal(raw["Resources"], &r.resources); err != nil {
		return fmt.Errorf("read resources: %w", err)
	}
	if len(r.resources) == 0 {
		return errors.New("read resources: the template has none")
	}
	if err := remarshal(raw["Conditions"], &r.condExprs); err != nil {
		return fmt.Errorf("read conditions: %w", err)
	}
	return nil
}

func remarshal(in, out any) error {
	if in == nil {
		return nil
	}
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}

// setParameters gives every parameter its value and checks it against the
// parameter's constraints, as CloudFormation does before it creates
// anything.
func (r *resolver) setParameters() {
	for _, name := range slices.Sorted(maps.Keys(r.opts.Parameters)) {
		if _, ok := r.params[name]; !ok {
			r.fail("parameter %s: given a value but not declared", name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.params)) {
		p := r.params[name]
		s, ok := r.opts.Parameters[name]
		if !ok && p.Default == nil {
			r.fail("parameter %s: no value and no default", name)
			continue
		}
		if !ok {
			s = scalarString(p.Default)
		}
		v, err := typedValue(p, s)
		if err == nil {
			err = checkConstraints(p, s)
		}
		if err != nil {
			r.fail("parameter %s: %w", name, err)
			continue
		}
		r.values[name] = v
	}
}

// typedValue converts a parameter's string value to what Ref gives.
func typedValue(p cloudformation.Parameter, s string) (any, error) {
	switch {
	case p.Type == "Number":
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("value %q is not a number", s)
		}
		return n, nil
	case p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<"):
		var list []any
		for _, e := range strings.Split(s, ",") {
			list = append(list, strings.TrimSpace(e))
		}
		return list, nil
	case p.Type == "":
		return nil, errors.New("no Type")
	}
	return s, nil
}

func checkConstraints(p cloudformation.Parameter, s string) error {
	if len(p.AllowedValues) > 0 && !slices.ContainsFunc(p.AllowedValues,
		func(v any) bool { return scalarString(v) == s }) {
		return fmt.Errorf("value %q is not among the AllowedValues", s)
	}
	if p.AllowedPattern != nil {
		re, err := regexp.Compile(`^(?:` + *p.AllowedPattern + `)$`)
		if err != nil {
			return fmt.Errorf("AllowedPattern: %w", err)
		}
		if !re.MatchString(s) {
			return fmt.Errorf("value %q does not match the AllowedPattern %s",
				s, *p.AllowedPattern)
		}
	}
	if err := checkLength(p, s); err != nil {
		return err
	}
	return checkRange(p, s)
}

func checkLength(p cloudformation.Parameter, s string) error {
	n := utf8.RuneCountInString(s)
	if p.MinLength != nil && n < *p.MinLength {
		return fmt.Errorf("value is %d characters long, below MinLength %d",
			n, *p.MinLength)
	}
	if p.MaxLength != nil && n > *p.MaxLength {
		return fmt.Errorf("value is %d characters long, above MaxLength %d",
			n, *p.MaxLength)
	}
	return nil
}

func checkRange(p cloudformation.Parameter, s string) error {
	if p.MinValue == nil && p.MaxValue == nil {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("value %q is not a number", s)
	}
	if p.MinValue != nil && n < *p.MinValue {
		return fmt.Errorf("value %s is below MinValue %v", s, *p.MinValue)
	}
	if p.MaxValue != nil && n > *p.MaxValue {
		return fmt.Errorf("value %s is above MaxValue %v", s, *p.MaxValue)
	}
	return nil
}

// scalarString formats a YAML scalar as CloudFormation reads it.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = scalarString(e)
		}
		return strings.Join(parts, ",")
	}
	return fmt.Sprint(v)
}

func (r *resolver) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}
