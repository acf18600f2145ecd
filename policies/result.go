package policies

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// decisionKeys are the keys a decision object must have, and all it may.
var decisionKeys = []string{"action", "approval_id", "approved",
	"attach_scp", "reasons"}

// parseDecision checks the shape of the policy's answer and converts it:
// an object with exactly decisionKeys, a known action, typed fields.
func parseDecision(v any) (Decision, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Decision{}, fmt.Errorf("%s is %s, want an object",
			DecisionPath, typeName(v))
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(decisionKeys, k) {
			return Decision{}, fmt.Errorf("%s has unknown key %q",
				DecisionPath, k)
		}
	}
	var d Decision
	errs := []error{
		field(m, "action", func(s string) error {
			d.Action = Action(s)
			return checkAction(d.Action)
		}),
		field(m, "approved", func(b bool) error { d.Approved = b; return nil }),
		field(m, "approval_id", func(s string) error {
			d.ApprovalID = s
			return nil
		}),
		field(m, "attach_scp", func(b bool) error { d.AttachSCP = b; return nil }),
		field(m, "reasons", func(l []any) error {
			d.Reasons, ok = stringList(l)
			if !ok {
				return errors.New("want a list of strings")
			}
			return nil
		}),
	}
	if err := errors.Join(errs...); err != nil {
		return Decision{}, err
	}
	if d.Approved && d.ApprovalID == "" {
		return Decision{}, fmt.Errorf("%s is approved without an "+
			"approval_id", DecisionPath)
	}
	return d, nil
}

// field applies set to m[key] when it has type T.
func field[T any](m map[string]any, key string, set func(T) error) error {
	x, ok := m[key]
	if !ok {
		return fmt.Errorf("%s has no %q", DecisionPath, key)
	}
	v, ok := x.(T)
	if !ok {
		return fmt.Errorf("%s.%s is %s", DecisionPath, key, typeName(x))
	}
	if err := set(v); err != nil {
		return fmt.Errorf("%s.%s: %w", DecisionPath, key, err)
	}
	return nil
}

func checkAction(a Action) error {
	switch a {
	case ActionRemediate, ActionAllow, ActionAlert:
		return nil
	}
	return fmt.Errorf("%q is not one of remediate, allow, alert", a)
}

func stringList(l []any) ([]string, bool) {
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
