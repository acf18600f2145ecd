package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/remediate"
)

func init() { verbs = append(verbs, newRunCmd) }

// runParams are the run verb's inputs once its flags are parsed.
type runParams struct {
	cfg     bot.Config
	sources []string
	format  string
	since   time.Time
	until   time.Time
	// aws is the base AWS configuration; nil loads it from the
	// environment as the AWS CLI does.
	aws      *aws.Config
	logger   *slog.Logger
	stdin    io.Reader
	progress bool // draw a progress bar on stderr for S3 backfills
}

// runFlags are the run verb's flags as parsed.
type runFlags struct {
	config       string
	since, until string
	keys         bot.Config // the configuration keys given as flags
	out          *outputFormat
}

func newRunCmd(g *globals) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] SOURCE...",
		Short: "Detect, decide and remediate: files, stdin, SQS, S3",
		Long:  runLong,
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.params(cmd, g, args)
			if err != nil {
				return err
			}
			return runRun(cmd.Context(), p, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.out = addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson")
	fs.StringVar(&f.config, "config", "",
		"YAML configuration file (default $"+bot.ConfigEnv+")")
	fs.StringVar(&f.since, "since", "",
		"S3: read events from this time (RFC 3339, YYYY-MM-DD, or a duration ago)")
	fs.StringVar(&f.until, "until", "",
		"S3: read events up to this time (same forms as --since)")
	addConfigFlags(fs, &f.keys)
	return cmd
}

// params builds the configuration, defaults < file < environment <
// flags, and the rest of run's inputs.
func (f *runFlags) params(cmd *cobra.Command, g *globals, args []string) (runParams, error) {
	log, err := g.logger()
	if err != nil {
		return runParams{}, err
	}
	warnUnknownEnv(cmd.Context(), log, os.Environ())
	p := runParams{cfg: bot.DefaultConfig(), sources: args,
		format: f.out.value, logger: log, stdin: cmd.InOrStdin(),
		progress: isTerminal(cmd.ErrOrStderr())}
	err = p.cfg.Load(f.config, os.LookupEnv)
	if err == nil {
		err = p.cfg.Override(&f.keys, changedKeys(cmd.Flags())...)
	}
	if err == nil {
		p.since, p.until, err = parseWindow(f.since, f.until, time.Now())
	}
	return p, inputError(err)
}

// addConfigFlags registers the configuration keys run takes as flags:
// each flag is its key with dashes.
func addConfigFlags(fs *pflag.FlagSet, c *bot.Config) {
	d := bot.DefaultConfig()
	fs.BoolVar(&c.DryRun, "dry-run", d.DryRun,
		"plan remediation and SCP calls without making them; no notification")
	fs.StringVar(&c.Region, "region", "", "region of the bot's own AWS clients")
	fs.StringVar(&c.RoleName, "role-name", d.RoleName,
		"role to assume in each account; empty acts with the base credentials")
	fs.StringVar(&c.ExternalID, "external-id", "", "external id for AssumeRole")
	fs.StringVar(&c.Policy, "policy", "",
		"Rego file or directory replacing the embedded policy")
	fs.StringArrayVar(&c.Data, "data", nil,
		"approvals or account classes, JSON or YAML (repeatable)")
	fs.StringVar(&c.SNSTopicARN, "sns-topic-arn", "",
		"SNS topic notified of every finding the policy did not allow")
	fs.BoolVar(&c.AttachSCP, "attach-scp", false,
		"attach the SCP where a decision asks for it")
	fs.StringVar(&c.AuditLog, "audit-log", "",
		"append every result as a JSON line to this file")
	fs.IntVar(&c.Concurrency, "concurrency", d.Concurrency,
		"events handled and S3 objects read at once")
	fs.StringVar(&c.Listen, "listen", "",
		"serve /healthz and /metrics on this address, such as :9090")
}

// changedKeys lists the configuration keys of the flags set on the
// command line.
func changedKeys(fs *pflag.FlagSet) []string {
	var keys []string
	fs.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "config", "since", "until", "output", "log-level", "log-format":
			return
		}
		keys = append(keys, strings.ReplaceAll(f.Name, "-", "_"))
	})
	return keys
}

// parseWindow reads --since and --until: RFC 3339, a date (UTC), or a
// duration before now.
func parseWindow(since, until string, now time.Time) (s, u time.Time, err error) {
	if s, err = parseTime(since, now); err != nil {
		return s, u, fmt.Errorf("--since: %w", err)
	}
	if u, err = parseTime(until, now); err != nil {
		return s, u, fmt.Errorf("--until: %w", err)
	}
	if !s.IsZero() && !u.IsZero() && u.Before(s) {
		return s, u, fmt.Errorf("--until %s is before --since %s",
			u.Format(time.RFC3339), s.Format(time.RFC3339))
	}
	return s, u, nil
}

func parseTime(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf(
		"%q is not RFC 3339, YYYY-MM-DD or a positive duration", v)
}

// runRun handles every source: files and stdin in order, then the S3
// backfills, then the SQS queues until ctx ends.
func runRun(ctx context.Context, p runParams, stdout, stderr io.Writer) error {
	src, err := parseSources(p.sources)
	if err != nil {
		return inputError(err)
	}
	if p.cfg.AuditLog == "-" {
		return inputError(errors.New("config: audit_log: \"-\" would mix " +
			"with the results on stdout; name a file"))
	}
	awsCfg, err := runAWSConfig(ctx, p)
	if err != nil {
		return inputError(err)
	}
	b, err := bot.New(ctx, p.cfg, bot.Options{
		AWS: awsCfg, Logger: p.logger, Stdout: stdout,
	})
	if err != nil {
		return inputError(err)
	}
	defer b.Close()

	out := newRunOutput(p.format, stdout, stderr, len(src.queues) > 0)
	err = serveWhile(ctx, p.cfg.Listen, b.Metrics().Handler(), p.logger,
		func() error { return runSources(ctx, b, awsCfg, p, src, out, stderr) })
	return worst(err, out.finish())
}

// runSources feeds every source to b.
func runSources(ctx context.Context, b *bot.Bot, awsCfg aws.Config,
	p runParams, src sources, out *runOutput, stderr io.Writer) error {
	if len(src.paths) > 0 {
		events := detect.Scan(src.paths, p.stdin, detect.ScanOptions{
			Workers: p.cfg.Concurrency,
		})
		if err := b.Run(ctx, events, out); err != nil {
			return err
		}
	}
	for _, s := range src.buckets {
		bar := newProgress(p.progress, stderr, "s3://"+s.bucket+"/"+s.prefix)
		err := b.Backfill(ctx, bot.NewS3Client(awsCfg), bot.Backfill{
			Bucket: s.bucket, Prefix: s.prefix,
			Since: p.since, Until: p.until, Progress: bar,
		}, out)
		bar.finish()
		if err != nil {
			return err
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, q := range src.queues {
		g.Go(func() error {
			return b.Consume(gctx, bot.NewSQSClient(awsCfg, q), q, out)
		})
	}
	return g.Wait()
}

// runAWSConfig is the base AWS configuration: the given one, or the
// environment's. The region defaults to bot.DefaultRegion. A dry run
// without credentials drops the provider, so that remediation plans
// without state at once instead of searching for credentials per event.
func runAWSConfig(ctx context.Context, p runParams) (aws.Config, error) {
	var cfg aws.Config
	if p.aws != nil {
		cfg = p.aws.Copy()
	} else {
		var err error
		cfg, err = config.LoadDefaultConfig(ctx,
			config.WithLogger(sdkLogger(p.logger)))
		if err != nil {
			return aws.Config{}, fmt.Errorf("aws config: %w", err)
		}
	}
	if p.cfg.Region != "" {
		cfg.Region = p.cfg.Region
	}
	if cfg.Region == "" {
		cfg.Region = bot.DefaultRegion
	}
	if p.cfg.DryRun {
		if err := remediate.CheckCredentials(ctx, cfg); err != nil {
			p.logger.InfoContext(ctx, "dry run without AWS credentials: "+
				"planning every call without reading state", "error", err)
			cfg.Credentials = nil
		}
	}
	return cfg, nil
}

// warnUnknownEnv logs the SERIALGUARD_* variables that set nothing, such
// as a misspelt key.
func warnUnknownEnv(ctx context.Context, log *slog.Logger, environ []string) {
	for _, name := range bot.UnknownEnv(environ, logLevelEnv,
		bot.EnvPrefix+"LOG_FORMAT") {
		log.WarnContext(ctx, "environment variable sets no configuration "+
			"key; ignored", "name", name)
	}
}

// sdkLogger passes the AWS SDK's own messages, such as its fallback
// from IMDSv2, to log at debug level.
func sdkLogger(log *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		log.Debug(fmt.Sprintf(format, v...), "component", "aws-sdk",
			"classification", string(c))
	})
}

// serveWhile serves h on addr while run runs; an empty addr serves
// nothing.
func serveWhile(ctx context.Context, addr string, h http.Handler,
	log *slog.Logger, run func() error) error {
	if addr == "" {
		return run()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return inputError(fmt.Errorf("config: listen: %w", err))
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.ErrorContext(ctx, "metrics server", "error", err)
		}
	}()
	log.InfoContext(ctx, "serving /healthz and /metrics", "addr", ln.Addr().String())
	err = run()
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return errors.Join(err, srv.Shutdown(shutdown))
}

const runLong = `Run the bot over its sources: detect serial console events, decide each
finding with the policy, disable access again where the decision says
remediate, attach the SCP where it asks and attach_scp allows, notify SNS,
and print one result per finding.

A SOURCE is:
  PATH or DIR           CloudTrail events in any shape (gzip too); "-" is stdin
  s3://BUCKET/PREFIX    CloudTrail log files; prune by date with --since/--until
  sqs://QUEUE_URL       consume until SIGINT/SIGTERM, e.g.
                        sqs://https://sqs.eu-west-1.amazonaws.com/111122223333/q
                        (the https:// may be left out)

Configuration comes from defaults, then --config (YAML), then SERIALGUARD_*
environment variables (SERIALGUARD_DRY_RUN, SERIALGUARD_ROLE_NAME, ...),
then flags. AWS credentials and region come from the environment as for the
AWS CLI; a dry run needs none.

Exit codes: 0 nothing needs action, 1 an unapproved enablement was found
(decision remediate), 2 a bad input or a failed step (reported on stderr;
the other inputs are still handled).`

// sources are run's arguments by kind.
type sources struct {
	paths   []string // files, directories and "-"
	buckets []bucketSource
	queues  []string // queue URLs
}

type bucketSource struct{ bucket, prefix string }

// parseSources sorts the arguments into paths, buckets and queues.
func parseSources(args []string) (sources, error) {
	var s sources
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "s3://"):
			bucket, prefix, _ := strings.Cut(strings.TrimPrefix(a, "s3://"), "/")
			if bucket == "" {
				return s, fmt.Errorf("source %s: no bucket", a)
			}
			s.buckets = append(s.buckets, bucketSource{bucket, prefix})
		case strings.HasPrefix(a, "sqs://"):
			q, err := queueURL(strings.TrimPrefix(a, "sqs://"))
			if err != nil {
				return s, fmt.Errorf("source %s: %w", a, err)
			}
			s.queues = append(s.queues, q)
		default:
			s.paths = append(s.paths, a)
		}
	}
	return s, nil
}

// queueURL completes "host/ACCOUNT/QUEUE" with https:// and checks it.
func queueURL(v string) (string, error) {
	if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
		v = "https://" + v
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", err
	}
	if u.Host == "" || strings.Count(strings.Trim(u.Path, "/"), "/") != 1 {
		return "", errors.New("want a queue URL: https://HOST/ACCOUNT/QUEUE")
	}
	return v, nil
}

// runOutput prints results in the chosen format and reports errors on
// stderr as they come. It is a bot.Sink.
type runOutput struct {
	format string
	stdout io.Writer
	stderr io.Writer
	stream bool // print table rows as they come (SQS)

	nd          *ndjsonWriter
	results     []bot.Result // for json, and tables of finite sources
	needsAction bool
	errors      int
	werr        error // the first write error
}

func newRunOutput(format string, stdout, stderr io.Writer, stream bool) *runOutput {
	return &runOutput{format: format, stdout: stdout, stderr: stderr,
		stream: stream, nd: newNDJSONWriter(stdout)}
}

// Result prints or keeps r.
func (o *runOutput) Result(r bot.Result) {
	o.needsAction = o.needsAction || r.NeedsAction()
	switch {
	case o.format == "ndjson":
		o.keepErr(o.nd.Write(r))
	case o.format == "table" && o.stream:
		o.keepErr(writeResultTable(o.stdout, []bot.Result{r}, len(o.results) == 0))
		o.results = append(o.results[:0], r)
	default:
		o.results = append(o.results, r)
	}
}

// Error reports err on stderr: one input or finding that failed.
func (o *runOutput) Error(err error) {
	o.errors++
	fmt.Fprintln(o.stderr, "serialguard:", err)
}

func (o *runOutput) keepErr(err error) {
	if o.werr == nil && err != nil {
		o.werr = fmt.Errorf("write results: %w", err)
	}
}

// finish prints what was kept and returns the verb's outcome.
func (o *runOutput) finish() error {
	switch {
	case o.format == "json":
		if o.results == nil {
			o.results = []bot.Result{}
		}
		o.keepErr(writeJSON(o.stdout, o.results))
	case o.format == "table" && !o.stream:
		o.keepErr(writeResultTable(o.stdout, o.results, true))
	}
	var failed error
	if o.errors > 0 {
		failed = inputError(fmt.Errorf("%d inputs or findings failed; "+
			"see above", o.errors))
	}
	var action error
	if o.needsAction {
		action = errNeedsAction
	}
	return worst(o.werr, failed, action)
}

// writeResultTable prints results as a table: kind, account, region,
// principal, action, then the steps as CALL:STATUS.
func writeResultTable(w io.Writer, results []bot.Result, header bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if header {
		fmt.Fprintln(tw, "KIND\tACCOUNT\tREGION\tPRINCIPAL\tACTION\tSTEPS")
	}
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Kind, dash(r.Account),
			dash(r.Region), principal(&r), r.Decision.Action, steps(&r))
	}
	return tw.Flush()
}

// principal names who acted, briefly.
func principal(r *bot.Result) string {
	switch a := r.Actor; {
	case a.PrincipalARN != "":
		return a.PrincipalARN
	case a.InvokedBy != "":
		return a.InvokedBy
	default:
		return dash(a.Type)
	}
}

// steps lists the remediation and notification steps as CALL:STATUS.
func steps(r *bot.Result) string {
	all := r.Remediation.Steps
	if r.Notification != nil {
		all = append(all[:len(all):len(all)], *r.Notification)
	}
	parts := make([]string, len(all))
	for i, s := range all {
		parts[i] = s.Call + ":" + string(s.Status)
	}
	return dash(strings.Join(parts, ","))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// progress draws a progress bar of an S3 backfill on stderr. It is a
// bot.Progress; a nil *progress draws nothing.
type progress struct{ bar *progressbar.ProgressBar }

func newProgress(show bool, stderr io.Writer, what string) *progress {
	if !show {
		return nil
	}
	return &progress{bar: progressbar.NewOptions(0,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) Found(n int) {
	if p != nil {
		p.bar.AddMax(n)
	}
}

func (p *progress) Read() {
	if p != nil {
		_ = p.bar.Add(1)
	}
}

func (p *progress) finish() {
	if p != nil {
		_ = p.bar.Finish()
	}
}
