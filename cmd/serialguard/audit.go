package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/time/rate"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/remediate"
)

func init() { verbs = append(verbs, newAuditCmd) }

// auditParams are the audit verb's inputs once its flags are parsed.
type auditParams struct {
	cfg    bot.Config
	sweep  bot.SweepOptions
	format string
	// progress draws a progress bar on stderr.
	progress bool
	logger   *slog.Logger
	// aws replaces the environment's AWS configuration, and now the
	// clock of the sweep and its decisions (tests).
	aws *aws.Config
	now func() time.Time
}

// auditConfigFlags maps the audit flags that set configuration keys to
// those keys; the other flags belong to the sweep.
var auditConfigFlags = map[string]string{
	"dry-run": "dry_run", "region": "region", "role-name": "role_name",
	"external-id": "external_id", "management-role-arn": "management_role_arn",
	"regions": "regions", "policy": "policy", "data": "data",
}

func newAuditCmd(g *globals) *cobra.Command {
	var (
		p          auditParams
		configPath string
		flags      bot.Config
		rateFlag   = sweepRate(remediate.DefaultSweepRate)
		out        *outputFormat
	)
	cmd := &cobra.Command{
		Use:   "audit [--accounts IDS | --ou OU_ID] [--regions R,...|all] [--remediate]",
		Short: "Check every account and region of the organization, and reconcile",
		Long:  auditLong,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if p.logger, err = g.logger(); err != nil {
				return err
			}
			p.cfg = bot.DefaultConfig()
			if err := loadAuditConfig(&p.cfg, configPath, &flags,
				cmd.Flags()); err != nil {
				return inputError(err)
			}
			p.sweep.Rate, p.format = rate.Limit(rateFlag), out.value
			p.progress = isTerminal(cmd.ErrOrStderr())
			return runAudit(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	out = addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson", "csv")
	fs.StringVar(&configPath, "config", "",
		"YAML configuration file (default $"+bot.ConfigEnv+")")
	fs.StringSliceVar(&p.sweep.Accounts, "accounts", nil,
		"check these account ids only, comma-separated (default: every "+
			"ACTIVE account of the organization)")
	fs.StringVar(&p.sweep.OU, "ou", "",
		"check the ACTIVE accounts under this OU or root, recursively")
	fs.BoolVar(&p.sweep.Remediate, "remediate", false,
		"disable access where the policy decides remediate (default: "+
			"report only)")
	fs.IntVar(&p.sweep.Concurrency, "concurrency",
		remediate.DefaultSweepConcurrency, "pairs checked at once, 1 to 256; "+
			"16 fills --rate 100/s up to 160 ms per call")
	fs.Var(&rateFlag, "rate", "AWS requests per second across all "+
		"workers, retries included, as N or N/s; 0 for no limit")
	addAuditConfigFlags(fs, &flags)
	cmd.MarkFlagsMutuallyExclusive("accounts", "ou")
	return cmd
}

// addAuditConfigFlags registers the configuration keys audit takes as
// flags.
func addAuditConfigFlags(fs *pflag.FlagSet, c *bot.Config) {
	d := bot.DefaultConfig()
	fs.StringSliceVar(&c.Regions, "regions", nil,
		`check these regions in every account, comma-separated; "all" (the `+
			`default) discovers the regions each account has enabled`)
	fs.BoolVar(&c.DryRun, "dry-run", d.DryRun,
		"with --remediate, plan the calls without making them")
	fs.StringVar(&c.Region, "region", "",
		"region of the base AWS clients and of DescribeRegions")
	fs.StringVar(&c.RoleName, "role-name", d.RoleName,
		"role to assume in each account; empty acts with the base credentials")
	fs.StringVar(&c.ExternalID, "external-id", "", "external id for AssumeRole")
	fs.StringVar(&c.ManagementRoleARN, "management-role-arn", "",
		"role assumed for Organizations calls (default: the base credentials)")
	fs.StringVar(&c.Policy, "policy", "",
		"Rego file or directory replacing the embedded policy")
	fs.StringArrayVar(&c.Data, "data", nil,
		"approvals or account classes, JSON or YAML (repeatable)")
}

// loadAuditConfig resolves the configuration: defaults, the file, the
// environment, then the configuration flags set on the command line.
func loadAuditConfig(c *bot.Config, path string, flags *bot.Config, fs *pflag.FlagSet) error {
	if err := c.Load(path, os.LookupEnv); err != nil {
		return err
	}
	var keys []string
	fs.Visit(func(f *pflag.Flag) {
		if key, ok := auditConfigFlags[f.Name]; ok {
			keys = append(keys, key)
		}
	})
	if err := c.Override(flags, keys...); err != nil {
		return err
	}
	if len(c.Regions) == 1 && c.Regions[0] == "all" {
		c.Regions = nil
	}
	return nil
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
	auditRegionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)
)

// checkAuditParams rejects flag values AWS would refuse, before any call.
func checkAuditParams(p *auditParams) error {
	var errs []error
	for _, a := range p.sweep.Accounts {
		if !auditAccountRE.MatchString(a) {
			errs = append(errs, fmt.Errorf("--accounts: %q is not an "+
				"account id (12 digits)", a))
		}
	}
	if p.sweep.OU != "" && !auditParentRE.MatchString(p.sweep.OU) {
		errs = append(errs, fmt.Errorf("--ou: %q is not an OU or root id",
			p.sweep.OU))
	}
	for _, r := range p.cfg.Regions {
		if !auditRegionRE.MatchString(r) {
			errs = append(errs, fmt.Errorf("--regions: %q is not a region "+
				`name or "all"`, r))
		}
	}
	if c := p.sweep.Concurrency; c < 1 || c > 256 {
		errs = append(errs, fmt.Errorf("--concurrency: %d is not between "+
			"1 and 256", c))
	}
	return errors.Join(errs...)
}

// runAudit sweeps the organization, prints the report and decides the
// exit code: 2 when a pair could not be checked or a step failed, else 1
// when an enabled pair the policy did not allow remains, else 0.
func runAudit(ctx context.Context, p auditParams, stdout, stderr io.Writer) error {
	if err := checkAuditParams(&p); err != nil {
		return inputError(err)
	}
	if p.cfg.AuditLog == "-" {
		return inputError(errors.New("config: audit_log: \"-\" would mix " +
			"with the report on stdout; name a file"))
	}
	b, err := newAuditBot(ctx, p, stdout)
	if err != nil {
		return err
	}
	defer b.Close()

	if p.sweep.Rate == 0 {
		p.sweep.Rate = rate.Inf
	}
	bar := newAuditProgress(p.progress, stderr, &p.sweep)
	rep, err := b.Sweep(ctx, p.sweep)
	bar.finish()
	if err != nil {
		err = &exitError{code: exitFailure, err: err}
	}
	werr := writeAudit(stdout, stderr, p.format, &rep)
	return worst(err, werr, auditOutcome(&rep))
}

// newAuditBot builds the bot the sweep runs in.
func newAuditBot(ctx context.Context, p auditParams, stdout io.Writer) (*bot.Bot, error) {
	awsCfg, err := runAWSConfig(ctx, runParams{cfg: p.cfg, aws: p.aws,
		logger: p.logger})
	if err != nil {
		return nil, inputError(err)
	}
	b, err := bot.New(ctx, p.cfg, bot.Options{
		AWS: awsCfg, Logger: p.logger, Stdout: stdout, Now: p.now,
	})
	if err != nil {
		return nil, inputError(err)
	}
	return b, nil
}

// auditOutcome is the exit error of a complete report.
func auditOutcome(rep *bot.SweepReport) error {
	s := rep.Summary
	switch {
	case rep.Incomplete():
		return &exitError{code: exitFailure, err: fmt.Errorf("audit: %d "+
			"pairs unchecked and %d steps failed, see the report",
			s.Unchecked, s.Failed)}
	case rep.NeedsAction():
		return errNeedsAction
	}
	return nil
}

// auditProgress draws the sweep's progress on stderr. A nil
// *auditProgress draws nothing.
type auditProgress struct{ bar *progressbar.ProgressBar }

// newAuditProgress hooks a progress bar into opts when show is true.
func newAuditProgress(show bool, stderr io.Writer, opts *bot.SweepOptions) *auditProgress {
	if !show {
		return nil
	}
	p := &auditProgress{bar: progressbar.NewOptions(0,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription("audit"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
	opts.Planned = p.bar.AddMax
	opts.Visited = func(bot.SweepPair) { _ = p.bar.Add(1) }
	return p
}

func (p *auditProgress) finish() {
	if p != nil {
		_ = p.bar.Finish()
	}
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
		pairSteps(p), p.Error}
}

// pairSteps lists the remediation and notification steps as CALL:STATUS.
func pairSteps(p *bot.SweepPair) string {
	var parts []string
	if p.Remediation != nil {
		for _, s := range p.Remediation.Steps {
			parts = append(parts, s.Call+":"+string(s.Status))
		}
	}
	if n := p.Notification; n != nil {
		parts = append(parts, n.Call+":"+string(n.Status))
	}
	return strings.Join(parts, ",")
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
			dash(p.EnabledBy), dash(pairSteps(p)))
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
the pairs checked at once: 16 keep 100 requests/s going up to 160 ms per
call, which covers calls across regions; benchmarked without a rate
limit (5-20 ms per call, 10% throttled), 16 workers make 850-1,000
calls/s on 2 cores. Throttled calls are retried with backoff, up to 10
attempts.

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
