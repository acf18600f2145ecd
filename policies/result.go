package policies

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// decisionKeys are the keys a decision object must have, and all it may.
var decisionKeys = []string{"action", "approval_id", "approved",
	"attach_scp", "reasons"}

// Keys of the decision object, as AST terms.
var (
	kAction     = ast.StringTerm("action")
	kApproved   = ast.StringTerm("approved")
	kApprovalID = ast.StringTerm("approval_id")
	kAttachSCP  = ast.StringTerm("attach_scp")
	kReasons    = ast.StringTerm("reasons")
)

// decisionOf converts the policy's answer, an AST value, to a Decision:
// directly when it is well formed, else through parseDecision, which
// says what is wrong with it.
func decisionOf(v any) (Decision, error) {
	if obj, ok := v.(ast.Object); ok {
		if d, ok := wellFormed(obj); ok {
			return d, nil
		}
	}
	val, ok := v.(ast.Value)
	if !ok {
		return Decision{}, fmt.Errorf("%s is %T, want an AST value",
			DecisionPath, v)
	}
	x, err := ast.JSON(val)
	if err != nil {
		return Decision{}, fmt.Errorf("convert %s: %w", DecisionPath, err)
	}
	return parseDecision(x)
}

// wellFormed converts obj when parseDecision would accept it, without
// converting it to Go maps first.
func wellFormed(obj ast.Object) (Decision, bool) {
	action, ok1 := member[ast.String](obj, kAction)
	approved, ok2 := member[ast.Boolean](obj, kApproved)
	id, ok3 := member[ast.String](obj, kApprovalID)
	scp, ok4 := member[ast.Boolean](obj, kAttachSCP)
	reasons, ok5 := member[*ast.Array](obj, kReasons)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 ||
		obj.Len() != len(decisionKeys) {
		return Decision{}, false
	}
	d := Decision{Action: Action(action), Approved: bool(approved),
		ApprovalID: string(id), AttachSCP: bool(scp),
		Reasons: make([]string, reasons.Len())}
	for i := range d.Reasons {
		s, ok := reasons.Elem(i).Value.(ast.String)
		if !ok {
			return Decision{}, false
		}
		d.Reasons[i] = string(s)
	}
	if checkAction(d.Action) != nil || (d.Approved && d.ApprovalID == "") {
		return Decision{}, false
	}
	return d, true
}

// member returns obj[key] when it is a T.
func member[T ast.Value](obj ast.Object, key *ast.Term) (T, bool) {
	var v T
	t := obj.Get(key)
	if t == nil {
		return v, false
	}
	v, ok := t.Value.(T)
	return v, ok
}

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
