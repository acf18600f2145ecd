package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/policies"
)

type policyTestParams struct {
	path      string // empty: the embedded policy
	coverage  bool
	threshold float64
	verbose   bool
}

func newPolicyTestCmd(_ *globals) *cobra.Command {
	var p policyTestParams
	cmd := &cobra.Command{
		Use:   "test [PATH]",
		Short: "Run a policy's Rego tests, as opa test does",
		Long: `Run the Rego tests (rules named test_*) of the policy at PATH, a directory
or bundle, or of the embedded policy. Exit 1 when a test fails or coverage
is below --threshold. Coverage counts the policy's modules, not its tests.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.path = pathArg(args)
			return runPolicyTest(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&p.coverage, "coverage", false, "report test coverage")
	fs.Float64Var(&p.threshold, "threshold", 0,
		"fail when coverage is below this percentage (implies --coverage)")
	fs.BoolVarP(&p.verbose, "verbose", "v", false,
		"print every test, its output and uncovered lines")
	return cmd
}

func runPolicyTest(ctx context.Context, p policyTestParams, stdout,
	_ io.Writer) error {
	if p.threshold < 0 || p.threshold > 100 {
		return inputError(fmt.Errorf("--threshold: %v is not a percentage",
			p.threshold))
	}
	report, err := policies.RunTests(ctx, p.path, policies.TestOptions{
		Coverage: p.coverage || p.threshold > 0, Trace: p.verbose})
	if err != nil {
		return inputError(err)
	}
	ch := make(chan *tester.Result, len(report.Results))
	for _, r := range report.Results {
		ch <- r
	}
	close(ch)
	pretty := tester.PrettyReporter{Output: stdout, Verbose: p.verbose}
	if err := pretty.Report(ch); err != nil {
		return fmt.Errorf("report tests: %w", err)
	}
	if len(report.Results) == 0 {
		fmt.Fprintln(stdout, "no tests found")
		return errNeedsAction
	}
	if report.Coverage != nil {
		printCoverage(stdout, report.Coverage, p.verbose ||
			report.Coverage.Coverage < p.threshold)
	}
	if !report.Passed() || (report.Coverage != nil &&
		report.Coverage.Coverage < p.threshold) {
		return errNeedsAction
	}
	return nil
}

// printCoverage prints the coverage of the policy and, when detail is
// set, each file's uncovered lines.
func printCoverage(w io.Writer, r *cover.Report, detail bool) {
	fmt.Fprintf(w, "coverage: %.1f%% of %d lines (tests excluded)\n",
		r.Coverage, r.CoveredLines+r.NotCoveredLines)
	if !detail {
		return
	}
	for _, name := range slices.Sorted(maps.Keys(r.Files)) {
		f := r.Files[name]
		var lines []string
		for _, rng := range f.NotCovered {
			// Ranges on one line differ only in their columns.
			if l := lineRange(rng); !slices.Contains(lines, l) {
				lines = append(lines, l)
			}
		}
		uncovered := ""
		if len(lines) > 0 {
			uncovered = ", not covered: " + strings.Join(lines, ", ")
		}
		fmt.Fprintf(w, "  %s: %.1f%%%s\n", name, f.Coverage, uncovered)
	}
}

func lineRange(r cover.Range) string {
	if r.Start.Row == r.End.Row {
		return fmt.Sprint(r.Start.Row)
	}
	return fmt.Sprintf("%d-%d", r.Start.Row, r.End.Row)
}
