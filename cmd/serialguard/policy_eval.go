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
print each finding with its "decision". Exit 1 when any decision is
remediate.`,
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

func runPolicyEval(ctx context.Context, p policyEvalParams, stdout,
	stderr io.Writer) error {
	now := time.Now().UTC()
	if p.now != "" {
		t, err := time.Parse(time.RFC3339, p.now)
		if err != nil {
			return inputError(fmt.Errorf("--now: %q is not an RFC 3339 time",
				p.now))
		}
		now = t
	}
	engine, err := policies.New(ctx, policies.Options{
		PolicyPath: p.policy.path, DataPaths: p.policy.data, Logger: p.log})
	if err != nil {
		return inputError(err)
	}
	out := newResultWriter(p.format, stdout)
	var remediate, bad int
	for ev := range detect.PathEvents(p.inputs, p.stdin, detect.DefaultLimits()) {
		if ev.Err != nil {
			bad++
			fmt.Fprintf(stderr, "serialguard: %s: %v\n", ev.Source, ev.Err)
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
			return fmt.Errorf("write output: %w", err)
		}
	}
	if err := out.flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return evalOutcome(remediate, bad)
}

func evalOutcome(remediate, bad int) error {
	var errs []error
	if bad > 0 {
		errs = append(errs, inputError(fmt.Errorf("%d input item(s) "+
			"could not be read", bad)))
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
			orDash(r.Actor.PrincipalARN), r.Decision.Action,
			orDash(r.Decision.ApprovalID), strconv.FormatBool(r.Decision.AttachSCP),
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

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func firstReason(d policies.Decision) string {
	if len(d.Reasons) == 0 {
		return "-"
	}
	return d.Reasons[0]
}
