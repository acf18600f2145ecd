package policies

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/tester"
)

// defaultTestTimeout bounds each Rego test, as `opa test` does.
const defaultTestTimeout = 5 * time.Second

// TestOptions configure RunTests.
type TestOptions struct {
	// Coverage records which lines of the policy the tests evaluate.
	Coverage bool
	// Trace keeps the evaluation trace of each test, for verbose output.
	Trace bool
	// Timeout bounds each test; zero means 5 seconds.
	Timeout time.Duration
}

// TestReport is the outcome of a policy's Rego tests.
type TestReport struct {
	Results []*tester.Result
	// Coverage covers the policy's modules, its tests left out; nil
	// unless TestOptions.Coverage was set.
	Coverage *cover.Report
}

// Passed reports whether tests ran and none failed or erred.
func (r *TestReport) Passed() bool {
	for _, res := range r.Results {
		if !res.Pass() && !res.Skip {
			return false
		}
	}
	return len(r.Results) > 0
}

// RunTests runs the Rego tests (rules named test_*) of the policy at path,
// the embedded one when path is empty, as `opa test` does, under the
// capabilities the engine allows.
func RunTests(ctx context.Context, path string, opts TestOptions) (*TestReport, error) {
	p, err := loadPolicy(path, true, nil)
	if err != nil {
		return nil, err
	}
	if err := forbiddenCalls(p.modules); err != nil {
		return nil, fmt.Errorf("check %s: %w", p.name, err)
	}
	store, err := newStore(ctx, p.data)
	if err != nil {
		return nil, fmt.Errorf("load data of %s: %w", p.name, err)
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("open store for %s: %w", p.name, err)
	}
	defer store.Abort(ctx, txn)

	cov := cover.New()
	runner := newRunner(p, store, opts)
	if opts.Coverage {
		runner = runner.SetCoverageQueryTracer(cov)
	}
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		return nil, fmt.Errorf("run tests of %s: %w", p.name, err)
	}
	report := &TestReport{}
	for res := range ch {
		report.Results = append(report.Results, res)
	}
	if opts.Coverage {
		report.Coverage = policyCoverage(cov, p.policyModules())
	}
	return report, nil
}

// newRunner runs p's tests as `opa test` does, but with the capabilities
// the engine allows.
func newRunner(p *policy, store storage.Store, opts TestOptions) *tester.Runner {
	return tester.NewRunner().
		SetCompiler(ast.NewCompiler().
			WithCapabilities(capabilities()).
			WithEnablePrintStatements(true)).
		SetStore(store).
		SetModules(p.modules).
		CapturePrintOutput(true).
		EnableTracing(opts.Trace).
		SetTimeout(cmp.Or(opts.Timeout, defaultTestTimeout))
}

// policyCoverage reports coverage of the policy modules only: cover
// counts every file a test evaluated, tests included.
func policyCoverage(cov *cover.Cover, modules map[string]*ast.Module) *cover.Report {
	r := cov.Report(modules)
	for _, name := range slices.Collect(maps.Keys(r.Files)) {
		if _, ok := modules[name]; !ok {
			delete(r.Files, name)
		}
	}
	r.CoveredLines, r.NotCoveredLines, r.Coverage = 0, 0, 0
	for _, f := range r.Files {
		r.CoveredLines += f.CoveredLines
		r.NotCoveredLines += f.NotCoveredLines
	}
	if total := r.CoveredLines + r.NotCoveredLines; total > 0 {
		r.Coverage = 100 * float64(r.CoveredLines) / float64(total)
	}
	return &r
}
