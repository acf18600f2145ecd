package policies

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// Check loads the policy at path (the embedded one when empty) with its
// tests and the data files, and compiles it as New would: strict, with
// the restricted capabilities, with a rule at DecisionPath. It returns
// every problem found, or nil for a policy New accepts.
func Check(ctx context.Context, path string, dataPaths []string) error {
	p, err := loadPolicy(path, true, dataPaths)
	if err != nil {
		return err
	}
	_, _, err = compile(ctx, p, p.modules)
	return err
}

// Format returns the Rego v1 source src, named name in errors, laid out
// as `opa fmt` lays it out.
func Format(name string, src []byte) ([]byte, error) {
	return format.SourceWithOpts(name, src, format.Opts{RegoVersion: ast.RegoV1})
}
