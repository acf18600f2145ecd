package policies

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// DecisionPath is the one rule serialguard asks for a decision.
const DecisionPath = "data.serialguard.decision"

var decisionRef = ast.MustParseRef(DecisionPath)

// ForbiddenError reports a call to a built-in function that serialguard
// policies may not use.
type ForbiddenError struct {
	Builtin  string
	Location *ast.Location
}

// Error returns the message of a ForbiddenError.
func (e *ForbiddenError) Error() string {
	return fmt.Sprintf("%s: %s is forbidden: a serialguard policy may not "+
		"reach the network or the environment, or decide at random",
		e.Location, e.Builtin)
}

// compile compiles modules with p's data as New prepares them: strict,
// with print statements, with the restricted capabilities. It names every
// call to a forbidden built-in and requires a rule at DecisionPath.
func compile(ctx context.Context, p *policy, modules map[string]*ast.Module,
) (*ast.Compiler, storage.Store, error) {
	if err := forbiddenCalls(modules); err != nil {
		return nil, nil, fmt.Errorf("check %s: %w", p.name, err)
	}
	store, err := newStore(ctx, p.data)
	if err != nil {
		return nil, nil, fmt.Errorf("load data of %s: %w", p.name, err)
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("open store for %s: %w", p.name, err)
	}
	defer store.Abort(ctx, txn)
	c := ast.NewCompiler().
		WithCapabilities(capabilities()).
		WithStrict(true).
		WithEnablePrintStatements(true).
		WithPathConflictsCheck(storage.NonEmpty(ctx, store, txn))
	if c.Compile(modules); c.Failed() {
		return nil, nil, fmt.Errorf("compile %s: %w", p.name, c.Errors)
	}
	if len(c.GetRulesExact(decisionRef)) == 0 {
		return nil, nil, fmt.Errorf("compile %s: no rule defines %s",
			p.name, DecisionPath)
	}
	return c, store, nil
}

// forbiddenCalls finds calls to forbidden built-ins in modules, in a
// stable order, before the compiler reports them as merely undefined.
func forbiddenCalls(modules map[string]*ast.Module) error {
	var errs []error
	check := func(op ast.Ref, loc *ast.Location) {
		if name := op.String(); slices.Contains(forbidden, name) {
			errs = append(errs, &ForbiddenError{Builtin: name, Location: loc})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		ast.WalkExprs(modules[name], func(e *ast.Expr) bool {
			if e.IsCall() {
				check(e.Operator(), e.Location)
			}
			return false
		})
		ast.WalkTerms(modules[name], func(t *ast.Term) bool {
			if call, ok := t.Value.(ast.Call); ok && len(call) > 0 {
				if op, ok := call[0].Value.(ast.Ref); ok {
					check(op, t.Location)
				}
			}
			return false
		})
	}
	return errors.Join(errs...)
}

// newStore returns an in-memory store holding data.
func newStore(ctx context.Context, data map[string]any) (storage.Store, error) {
	store := inmem.NewWithOpts(inmem.OptReturnASTValuesOnRead(true))
	err := storage.WriteOne(ctx, store, storage.AddOp, storage.RootPath, data)
	if err != nil {
		return nil, err
	}
	return store, nil
}
