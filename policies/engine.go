package policies

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/open-policy-agent/opa/v1/topdown/print"
)

// DefaultTimeout bounds one decision when Options.Timeout is zero. A
// decision takes microseconds; the bound stops a runaway custom policy.
const DefaultTimeout = time.Second

// Options configure an Engine. The zero Options give the embedded policy
// with no approvals: every enablement is remediated.
type Options struct {
	// PolicyPath replaces the embedded policy: a directory of Rego and
	// data, or a bundle (.tar.gz) as `opa build` writes it.
	PolicyPath string
	// DataPaths are YAML or JSON data files (approvals, account classes)
	// merged in order into the policy's data.
	DataPaths []string
	// Timeout bounds each decision; zero means DefaultTimeout.
	Timeout time.Duration
	// Logger receives failed decisions and the policy's print output at
	// debug level; nil discards them.
	Logger *slog.Logger
}

// Engine decides on findings with a policy prepared once. It is safe for
// concurrent use.
type Engine struct {
	query     rego.PreparedEvalQuery
	revision  string
	timeout   time.Duration
	log       *slog.Logger
	approvals []approval
	now       func() time.Time
	// readsECS is false when the policy cannot read input.ecs, which
	// then is not built.
	readsECS bool
}

// New loads, validates and compiles the policy and its data, and
// prepares the decision query. Every problem in them is an error here,
// before any finding is decided.
func New(ctx context.Context, opts Options) (*Engine, error) {
	p, err := loadPolicy(opts.PolicyPath, false, opts.DataPaths)
	if err != nil {
		return nil, err
	}
	e := &Engine{timeout: opts.Timeout, log: opts.Logger,
		approvals: p.approvals, now: time.Now}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.revision, err = p.revision(); err != nil {
		return nil, err
	}
	if e.query, e.readsECS, err = prepare(ctx, p, e.log); err != nil {
		return nil, err
	}
	e.log.Debug("policy ready", "policy", p.name, "revision", e.revision,
		"approvals", len(p.approvals))
	return e, nil
}

// prepare compiles p and prepares the decision query: once per engine,
// shared by every decision. It also reports whether p reads input.ecs.
func prepare(ctx context.Context, p *policy, log *slog.Logger,
) (rego.PreparedEvalQuery, bool, error) {
	compiler, store, err := compile(ctx, p, p.modules)
	if err != nil {
		return rego.PreparedEvalQuery{}, false, err
	}
	q, err := rego.New(
		rego.Query(DecisionPath),
		rego.Compiler(compiler),
		rego.Store(store),
		rego.Capabilities(capabilities()),
		rego.StrictBuiltinErrors(true),
		rego.EnablePrintStatements(true),
		rego.PrintHook(printHook{log}),
	).PrepareForEval(ctx)
	if err != nil {
		return q, false, fmt.Errorf("prepare %s of %s: %w",
			DecisionPath, p.name, err)
	}
	return q, readsECS(compiler.Modules), nil
}

// Revision is a short sha256 digest over the policy's modules and data;
// every decision carries it.
func (e *Engine) Revision() string { return e.revision }

// ExemptPrincipals returns the principal ARN patterns of every approval
// that has not ended yet, sorted and without duplicates, for the SCP's
// ArnNotLike exemption. An SCP knows nothing of an approval's accounts,
// regions or window, so the SCP must be rendered again when approvals
// change or end.
func (e *Engine) ExemptPrincipals() []string {
	now := e.now()
	var out []string
	for _, a := range e.approvals {
		if a.notAfter.IsZero() || !a.notAfter.Before(now) {
			out = append(out, a.principals...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Decide asks the policy what to do with in.Finding. It never fails:
// when the policy gives no usable decision, for whatever reason, the
// decision is remediate, with the reason and the error in it.
func (e *Engine) Decide(ctx context.Context, in Input) (d Decision) {
	defer func() {
		if r := recover(); r != nil {
			d = e.failClosed(in, fmt.Errorf("policy evaluation panicked: %v", r))
		}
	}()
	d, err := e.decide(ctx, in)
	if err != nil {
		return e.failClosed(in, err)
	}
	d.PolicyRevision = e.revision
	return d
}

func (e *Engine) decide(ctx context.Context, in Input) (Decision, error) {
	now := in.Now
	if now.IsZero() {
		now = e.now()
	}
	if !e.readsECS {
		in.Finding.Record = nil
	}
	input, err := inputValue(in, now)
	if err != nil {
		return Decision{}, err
	}
	rs, err := e.eval(ctx, input, now)
	if err != nil {
		return Decision{}, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return Decision{}, errUndefined
	}
	return decisionOf(rs[0].Expressions[0].Value)
}

// eval evaluates the decision query on input within the engine's
// timeout and ctx. It cancels the evaluation itself with a timer: left
// to rego, every query starts a goroutine to watch its context, a fifth
// of the CPU time of a one-rule policy's decision. The result keeps the
// decision as an AST value, for decisionOf.
func (e *Engine) eval(ctx context.Context, input ast.Value, now time.Time,
) (rego.ResultSet, error) {
	if ctx.Err() != nil {
		return nil, fmt.Errorf("evaluate %s: %w", DecisionPath,
			context.Cause(ctx))
	}
	cancel := topdown.NewCancel()
	timer := time.AfterFunc(e.timeout, cancel.Cancel)
	defer timer.Stop()
	if ctx.Done() != nil {
		defer context.AfterFunc(ctx, cancel.Cancel)()
	}
	rs, err := e.query.Eval(ctx,
		rego.EvalParsedInput(input),
		rego.EvalTime(now),
		rego.EvalExternalCancel(cancel),
		rego.EvalMetrics(metrics.NoOp()),
		rego.EvalGenerateJSON(astResult))
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("evaluate %s: %w", DecisionPath,
			context.Cause(ctx))
	case err != nil && !timer.Stop(): // the timer fired: a timeout
		return nil, fmt.Errorf("evaluate %s: %w (timeout %s)",
			DecisionPath, context.DeadlineExceeded, e.timeout)
	case err != nil:
		return nil, fmt.Errorf("evaluate %s: %w", DecisionPath, err)
	}
	return rs, nil
}

// astResult leaves a query's result as the evaluator made it, an AST
// value, instead of converting it to Go maps and slices.
func astResult(t *ast.Term, _ *rego.EvalContext) (any, error) {
	return t.Value, nil
}

var errUndefined = errors.New(DecisionPath + " is undefined for this input")

// failClosed is the decision when the policy gave none: remediate.
func (e *Engine) failClosed(in Input, err error) Decision {
	f := &in.Finding
	e.log.Warn("policy gave no decision, remediating", "event_id", f.EventID,
		"account", f.Account, "region", f.Region, "kind", f.Kind,
		"revision", e.revision, "error", err)
	return Decision{
		Action: ActionRemediate,
		Reasons: []string{fmt.Sprintf("the policy gave no usable decision "+
			"for this %s finding, so serialguard remediates (fail closed): "+
			"fix the policy or its data.", f.Kind)},
		PolicyRevision: e.revision,
		Error:          err.Error(),
	}
}

// printHook sends the policy's print output to the logger.
type printHook struct{ log *slog.Logger }

func (h printHook) Print(pc print.Context, msg string) error {
	h.log.DebugContext(pc.Context, "policy print", "location",
		pc.Location.String(), "message", msg)
	return nil
}
