package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/policies"
)

type policyEvalParams struct {
	inputs []string
	policy policyFlags
	now    string // RFC 3339; empty means the time of the run
	format string
	stdin  io.Reader
	log    *slog.Logger
}

func newPolicyEvalCmd(g *globals) *cobra.Command {
	var p policyEvalParams
	cmd := &cobra.Command{
		Use:   "eval --input FILE|- [--policy PATH] [--data FILE]...",
		Short: "Decide on every finding in CloudTrail input, offline",
		Long: `Decide on every finding in the input, which may be any shape the detector
reads (CloudTrail files, arrays, NDJSON, EventBridge, SQS, SNS, ECS), and
print each finding with its "decision". Nothing is remediated and AWS is
not called: the account context is the account id alone.

Exit codes: 0 no decision is remediate, 1 at least one is, 2 an input
could not be read or the policy did not load.`,
		Example: `  serialguard policy eval -i examples/events/ --data examples/approvals.yaml

  # Decide as of a time, with a custom policy.
  serialguard policy eval -i examples/events/eventbridge-enablement.json \
    --policy examples/policy/ --now 2026-11-30T09:00:00Z -o json`,
		Args: cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringArrayVarP(&p.inputs, "input", "i", nil,
		"input file or directory, - for stdin (repeatable)")
	fs.StringVar(&p.now, "now", "",
		"decision time as RFC 3339 (input.now; default: now)")
	addPolicyFlags(fs, &p.policy)
	format := addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson")
	_ = cmd.MarkFlagRequired("input")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		log, err := g.logger()
		if err != nil {
			return err
		}
		p.format, p.stdin, p.log = format.String(), cmd.InOrStdin(), log
		return runPolicyEval(cmd.Context(), p, cmd.OutOrStdout(),
			cmd.ErrOrStderr())
	}
	return cmd
}

// evalResult is a finding with the decision on it, as `run` prints it
// without the remediation.
type evalResult struct {
	detect.Finding
	Decision policies.Decision `json:"decision"`
}

// runPolicyEval decides on every finding in the inputs and prints each
// with its decision.
func runPolicyEval(ctx context.Context, p policyEvalParams, stdout,
	stderr io.Writer) error {
	now, err := evalTime(p.now)
	if err != nil {
		return inputError(err)
	}
	engine, err := policies.New(ctx, policies.Options{
		PolicyPath: p.policy.path, DataPaths: p.policy.data, Logger: p.log})
	if err != nil {
		return inputError(err)
	}
	out := newResultWriter(p.format, stdout)
	remediate, bad, err := evalInputs(ctx, p, engine, now, out, stderr)
	if err == nil {
		err = out.flush()
	}
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return evalOutcome(ctx.Err(), remediate, bad)
}

// evalTime is the decision time --now gives, or the present.
func evalTime(v string) (time.Time, error) {
	if v == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return t, fmt.Errorf("--now: %q is not an RFC 3339 time", v)
	}
	return t, nil
}

// evalInputs decides on the findings of p's inputs and writes them to
// out. It counts the decisions to remediate and the bad inputs, reported
// on stderr as they come; its error is out's.
func evalInputs(ctx context.Context, p policyEvalParams,
	engine *policies.Engine, now time.Time, out *resultWriter,
	stderr io.Writer) (remediate, bad int, err error) {
	opts := detect.ScanOptions{Limits: detect.DefaultLimits()}
	for ev := range detect.ScanContext(ctx, p.inputs, p.stdin, opts) {
		if ev.Err != nil {
			bad++
			fmt.Fprintln(stderr, "serialguard:", ev.Err)
			continue
		}
		f, ok := detect.Detect(ev)
		if !ok {
			continue
		}
		d := engine.Decide(ctx, policies.Input{Finding: f,
			Account: policies.AccountContext{ID: f.Account}, Now: now})
		if d.Action == policies.ActionRemediate {
			remediate++
		}
		if err := out.write(evalResult{f, d}); err != nil {
			return remediate, bad, err
		}
	}
	return remediate, bad, nil
}

// evalOutcome is the exit error of an evaluation: interrupted or an
// input unreadable, else a decision to remediate.
func evalOutcome(cancelled error, remediate, bad int) error {
	var errs []error
	if cancelled != nil {
		errs = append(errs, fmt.Errorf("policy eval: %w", cancelled))
	}
	if bad > 0 {
		errs = append(errs, inputError(fmt.Errorf("%d inputs or records "+
			"could not be read; see above", bad)))
	}
	if remediate > 0 {
		errs = append(errs, errNeedsAction)
	}
	return worst(errs...)
}

// resultWriter prints eval results in the chosen format: JSON collects
// them into one array, NDJSON and the table stream them.
type resultWriter struct {
	format  string
	ndjson  *ndjsonWriter
	table   *tabwriter.Writer
	w       io.Writer
	results []evalResult
}

func newResultWriter(format string, w io.Writer) *resultWriter {
	rw := &resultWriter{format: format, w: w, results: []evalResult{}}
	switch format {
	case "ndjson":
		rw.ndjson = newNDJSONWriter(w)
	case "table":
		rw.table = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(rw.table, "TIME\tKIND\tACCOUNT\tREGION\tPRINCIPAL\t"+
			"ACTION\tAPPROVAL\tSCP\tREASON")
	}
	return rw
}

func (rw *resultWriter) write(r evalResult) error {
	switch rw.format {
	case "ndjson":
		return rw.ndjson.Write(r)
	case "table":
		_, err := fmt.Fprintf(rw.table, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.Time.UTC().Format(time.RFC3339), r.Kind, r.Account, r.Region,
			dash(r.Actor.PrincipalARN), r.Decision.Action,
			dash(r.Decision.ApprovalID), strconv.FormatBool(r.Decision.AttachSCP),
			firstReason(r.Decision))
		return err
	}
	rw.results = append(rw.results, r)
	return nil
}

func (rw *resultWriter) flush() error {
	switch rw.format {
	case "ndjson":
		return nil
	case "table":
		return rw.table.Flush()
	}
	return writeJSON(rw.w, rw.results)
}

func firstReason(d policies.Decision) string {
	if len(d.Reasons) == 0 {
		return "-"
	}
	return d.Reasons[0]
}
