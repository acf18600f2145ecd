package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/time/rate"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/remediate"
)

func init() { verbs = append(verbs, newAuditCmd) }

// auditParams are the audit verb's inputs once its flags are parsed.
type auditParams struct {
	botSetup
	sweep  bot.SweepOptions
	format string
	// progress draws a progress bar on stderr.
	progress bool
}

// auditConfigKeys are the configuration keys audit takes as flags.
var auditConfigKeys = []string{"dry_run", "region", "role_name",
	"external_id", "management_role_arn", "regions", "policy", "data"}

// auditFlags are the audit verb's flags as parsed.
type auditFlags struct {
	config configFlags
	sweep  bot.SweepOptions
	rate   sweepRate
	out    *outputFormat
}

func newAuditCmd(g *globals) *cobra.Command {
	f := auditFlags{rate: sweepRate(remediate.DefaultSweepRate)}
	cmd := &cobra.Command{
		Use: "audit [--accounts IDS | --ou OU_ID] [--regions R,...|all] " +
			"[--remediate]",
		Short:   "Check every account and region of the organization, and reconcile",
		Long:    auditLong,
		Example: auditExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := f.params(cmd, g)
			if err != nil {
				return err
			}
			return runAudit(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.out = addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson",
		"csv")
	addConfigFlags(fs, &f.config, auditConfigKeys...)
	addSweepFlags(fs, &f)
	cmd.MarkFlagsMutuallyExclusive("accounts", "ou")
	return cmd
}

// addSweepFlags registers the flags that scope and pace the sweep.
func addSweepFlags(fs *pflag.FlagSet, f *auditFlags) {
	fs.StringSliceVar(&f.sweep.Accounts, "accounts", nil,
		"check these account ids only, comma-separated (default: every "+
			"ACTIVE account of the organization)")
	fs.StringVar(&f.sweep.OU, "ou", "",
		"check the ACTIVE accounts under this OU or root, recursively")
	fs.BoolVar(&f.sweep.Remediate, "remediate", false,
		"disable access where the policy decides remediate (default: "+
			"report only)")
	fs.IntVar(&f.sweep.Concurrency, "concurrency",
		remediate.DefaultSweepConcurrency, "pairs checked at once, 1 to "+
			"256; 16 keep up 100 requests/s at 160 ms per call")
	fs.Var(&f.rate, "rate", "AWS requests per second across all "+
		"workers, retries included, as N or N/s; 0 for no limit")
}

// params resolves the configuration and the rest of audit's inputs.
// --regions all, from any source, means every enabled region.
func (f *auditFlags) params(cmd *cobra.Command, g *globals) (auditParams,
	error) {
	log, err := g.logger()
	if err != nil {
		return auditParams{}, err
	}
	p := auditParams{sweep: f.sweep, format: f.out.value,
		progress: isTerminal(cmd.ErrOrStderr())}
	p.logger, p.sweep.Rate = log, rate.Limit(f.rate)
	p.cfg, err = f.config.resolve(cmd.Context(), cmd.Flags(), log)
	if len(p.cfg.Regions) == 1 && p.cfg.Regions[0] == "all" {
		p.cfg.Regions = nil
	}
	return p, err
}

// sweepRate is the --rate flag: requests per second, "N" or "N/s".
type sweepRate float64

func (r *sweepRate) String() string {
	return strconv.FormatFloat(float64(*r), 'f', -1, 64) + "/s"
}

func (r *sweepRate) Type() string { return "N/s" }

func (r *sweepRate) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "/s"), 64)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a rate: want N or N/s, N >= 0", s)
	}
	*r = sweepRate(v)
	return nil
}

var (
	auditAccountRE = regexp.MustCompile(`^\d{12}$`)
	auditParentRE  = regexp.MustCompile(
		`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$`)
)

// checkSweep rejects sweep flags AWS would refuse, before any call. The
// configuration, --regions included, is checked by bot.New.
func checkSweep(opts *bot.SweepOptions) error {
	var errs []error
	for _, a := range opts.Accounts {
		if !auditAccountRE.MatchString(a) {
			errs = append(errs, fmt.Errorf("--accounts: %q is not an "+
				"account id (12 digits)", a))
		}
	}
	if opts.OU != "" && !auditParentRE.MatchString(opts.OU) {
		errs = append(errs, fmt.Errorf("--ou: %q is not an OU or root id",
			opts.OU))
	}
	if c := opts.Concurrency; c < 1 || c > 256 {
		errs = append(errs, fmt.Errorf("--concurrency: %d is not between "+
			"1 and 256", c))
	}
	return errors.Join(errs...)
}

// runAudit sweeps the organization, prints the report and decides the
// exit code: 2 when a pair could not be checked or a step failed, else 1
// when an enabled pair the policy did not allow remains, else 0.
func runAudit(ctx context.Context, p auditParams, stdout,
	stderr io.Writer) error {
	if err := checkSweep(&p.sweep); err != nil {
		return inputError(err)
	}
	b, _, err := openBot(ctx, p.botSetup, stdout)
	if err != nil {
		return err
	}
	if p.sweep.Rate == 0 {
		p.sweep.Rate = rate.Inf
	}
	bar := newAuditProgress(p.progress, stderr, &p.sweep)
	rep, err := b.Sweep(ctx, p.sweep)
	bar.finish()
	werr := writeAudit(stdout, stderr, p.format, &rep)
	return worst(err, werr, b.Close(), auditOutcome(&rep))
}

// auditOutcome is the exit error of a complete report.
func auditOutcome(rep *bot.SweepReport) error {
	s := rep.Summary
	switch {
	case rep.Incomplete():
		return &exitError{code: exitFailure, err: fmt.Errorf("audit: %d "+
			"pairs unchecked, %d pairs with a failed step; see the report",
			s.Unchecked, s.Failed)}
	case rep.NeedsAction():
		return errNeedsAction
	}
	return nil
}

// writeAudit prints the report in format. The summary ends the table and
// is part of the JSON document; with ndjson and csv it goes to stderr, so
// that stdout holds only rows.
func writeAudit(stdout, stderr io.Writer, format string, rep *bot.SweepReport) error {
	var err error
	switch format {
	case "json":
		err = writeJSON(stdout, rep)
	case "ndjson":
		err = writeAuditNDJSON(stdout, rep.Pairs)
	case "csv":
		err = writeAuditCSV(stdout, rep.Pairs)
	default:
		err = writeAuditTable(stdout, rep)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if format == "ndjson" || format == "csv" {
		_, err = fmt.Fprintln(stderr, "serialguard: audit:",
			summaryLine(rep.Summary))
	}
	return err
}

func writeAuditNDJSON(w io.Writer, pairs []bot.SweepPair) error {
	nd := newNDJSONWriter(w)
	for i := range pairs {
		if err := nd.Write(&pairs[i]); err != nil {
			return err
		}
	}
	return nil
}

// auditColumns are the CSV header; auditRecord fills a row.
var auditColumns = []string{"account", "account_name", "region", "checked",
	"enabled", "managed_by", "action", "approved", "approval_id",
	"reasons", "enabled_by", "enabled_at", "remediation", "error"}

func writeAuditCSV(w io.Writer, pairs []bot.SweepPair) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(auditColumns); err != nil {
		return err
	}
	for i := range pairs {
		if err := cw.Write(auditRecord(&pairs[i])); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func auditRecord(p *bot.SweepPair) []string {
	var action, approved, approval, reasons, at string
	if d := p.Decision; d != nil {
		action, approval = string(d.Action), d.ApprovalID
		approved = strconv.FormatBool(d.Approved)
		reasons = strings.Join(d.Reasons, " | ")
	}
	if !p.EnabledAt.IsZero() {
		at = p.EnabledAt.UTC().Format(time.RFC3339)
	}
	return []string{p.Account, p.AccountName, p.Region,
		strconv.FormatBool(p.Checked), strconv.FormatBool(p.Enabled),
		p.ManagedBy, action, approved, approval, reasons, p.EnabledBy, at,
		stepsCell(p.Steps()), p.Error}
}

// writeAuditTable prints one line per pair, then the summary.
func writeAuditTable(w io.Writer, rep *bot.SweepReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tREGION\tSTATE\tMANAGED_BY\tACTION\t"+
		"APPROVAL\tENABLED_BY\tSTEPS")
	for i := range rep.Pairs {
		p := &rep.Pairs[i]
		var action, approval string
		if p.Decision != nil {
			action, approval = string(p.Decision.Action), p.Decision.ApprovalID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Account,
			dash(p.AccountName), dash(p.Region), pairState(p),
			dash(p.ManagedBy), dash(action), dash(approval),
			dash(p.EnabledBy), dash(stepsCell(p.Steps())))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i := range rep.Pairs {
		if p := &rep.Pairs[i]; !p.Checked {
			fmt.Fprintf(w, "unchecked %s/%s: %s\n", p.Account,
				dash(p.Region), p.Error)
		}
	}
	_, err := fmt.Fprintln(w, "\n"+summaryLine(rep.Summary))
	return err
}

func pairState(p *bot.SweepPair) string {
	switch {
	case !p.Checked:
		return "unchecked"
	case p.Enabled:
		return "enabled"
	}
	return "disabled"
}

func summaryLine(s bot.SweepSummary) string {
	return fmt.Sprintf("%d accounts, %d pairs: %d checked, %d unchecked; "+
		"%d enabled: %d approved, %d remediated, %d failed, %d open",
		s.Accounts, s.Pairs, s.Checked, s.Unchecked, s.Enabled, s.Approved,
		s.Remediated, s.Failed, s.Open)
}

const auditLong = `Check EC2 serial console access in every account and region of the
organization, decide on every enabled pair with the policy, and with
--remediate disable access again where the decision says remediate.

Accounts come from Organizations ListAccounts (ACTIVE only), or from
--ou (ListAccountsForParent and ListOrganizationalUnitsForParent, walked
recursively), or --accounts. Regions come from DescribeRegions in each
account (opted-in regions only), or --regions. Each pair is read with
GetSerialConsoleAccessStatus through the role --role-name assumed in the
account; for an enabled pair, CloudTrail's LookupEvents (last 90 days)
tells who enabled it, when it can.

Every enabled pair is an enabled_state finding, decided as of the sweep:
an approval whose window has ended no longer covers it. By default audit
only reports. --remediate acts on the decisions as the bot does for an
event (DisableSerialConsoleAccess, verified; the SCP and SNS when the
configuration asks); --dry-run with it plans the calls instead. A pair
whose setting an EC2 declarative policy manages is reported and never
disabled: change the policy.

--rate (default 100/s) bounds the requests of all workers together,
retries included: 1,000 accounts x 17 regions take about 21,000
requests, three and a half minutes. --concurrency (default 16) bounds
the pairs checked at once; 16 keep 100 requests/s going at up to 160 ms
per call. Throttled calls are retried with backoff, up to 10 attempts.

Configuration comes from defaults, then --config (YAML), then SERIALGUARD_*
environment variables, then flags; AWS credentials and region come from
the environment as for the AWS CLI.

Output: one row per pair (-o table, json, ndjson, csv) and a summary
(accounts, pairs checked, unchecked, enabled, approved, remediated,
failed, open); with ndjson and csv the summary goes to stderr.

Exit codes: 0 nothing needs action; 1 an enabled pair the policy did not
allow remains (open); 2 a pair could not be checked, a step failed, or a
usage or runtime error. 2 wins over 1: an unchecked pair may hide an
enabled one.`

const auditExample = `  # Report every account and region as CSV.
  serialguard audit --data approvals.yaml -o csv > audit.csv

  # Plan the remediation of one OU in two regions.
  serialguard audit --ou ou-ab12-11111111 --regions eu-west-1,us-east-1 \
    --data approvals.yaml --remediate --dry-run`
