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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/detect"
)

func init() { verbs = append(verbs, newRunCmd) }

// runParams are the run verb's inputs once its flags are parsed.
type runParams struct {
	botSetup
	sources  []string
	format   string
	since    time.Time
	until    time.Time
	stdin    io.Reader
	progress bool // draw a progress bar on stderr for S3 backfills
}

// runConfigKeys are the configuration keys run takes as flags.
var runConfigKeys = []string{"dry_run", "region", "role_name",
	"external_id", "policy", "data", "sns_topic_arn", "attach_scp",
	"audit_log", "concurrency", "listen"}

// runFlags are the run verb's flags as parsed.
type runFlags struct {
	config       configFlags
	since, until string
	out          *outputFormat
}

func newRunCmd(g *globals) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:     "run [flags] SOURCE...",
		Short:   "Detect, decide and remediate: files, stdin, S3, SQS",
		Long:    runLong,
		Example: runExample,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := f.params(cmd, g, args)
			if err != nil {
				return err
			}
			return runRun(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	f.out = addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson")
	addConfigFlags(fs, &f.config, runConfigKeys...)
	fs.StringVar(&f.since, "since", "", "S3: read events from this time "+
		"(RFC 3339, YYYY-MM-DD, or a duration ago such as 72h)")
	fs.StringVar(&f.until, "until", "",
		"S3: read events up to this time (same forms as --since)")
	return cmd
}

// params resolves the configuration and the rest of run's inputs.
func (f *runFlags) params(cmd *cobra.Command, g *globals,
	args []string) (runParams, error) {
	log, err := g.logger()
	if err != nil {
		return runParams{}, err
	}
	p := runParams{sources: args, format: f.out.value,
		stdin: cmd.InOrStdin(), progress: isTerminal(cmd.ErrOrStderr())}
	p.logger = log
	p.cfg, err = f.config.resolve(cmd.Context(), cmd.Flags(), log)
	if err != nil {
		return runParams{}, err
	}
	p.since, p.until, err = parseWindow(f.since, f.until, time.Now())
	return p, inputError(err)
}

// parseWindow reads --since and --until: RFC 3339, a date (UTC), or a
// duration before now.
func parseWindow(since, until string, now time.Time) (s, u time.Time,
	err error) {
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

// parseTime reads one bound of the window; empty is open (zero).
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
	b, awsCfg, err := openBot(ctx, p.botSetup, stdout)
	if err != nil {
		return err
	}
	out := newRunOutput(p.format, stdout, stderr, len(src.queues) > 0)
	err = serveWhile(ctx, p.cfg.Listen, b.Metrics().Handler(), p.logger,
		func() error {
			return runSources(ctx, b, awsCfg, p, src, out, stderr)
		})
	return worst(err, out.finish(), b.Close())
}

// runSources feeds every source to b. A file or stdin scan stops as soon
// as ctx ends, even in the middle of an input.
func runSources(ctx context.Context, b *bot.Bot, awsCfg aws.Config,
	p runParams, src sources, out *runOutput, stderr io.Writer) error {
	if len(src.paths) > 0 {
		events := detect.ScanContext(ctx, src.paths, p.stdin,
			detect.ScanOptions{Workers: p.cfg.Concurrency})
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

const runLong = `Run the bot over its sources: detect serial console events,
decide each finding with the policy, disable access again where the
decision says remediate, attach the SCP where it asks and attach_scp
allows, notify SNS, and print one result per finding.

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

SIGINT or SIGTERM stops reading files, stdin and S3 at once (exit 2); a
queue consumer finishes the messages in hand and exits as usual.

Exit codes: 0 nothing needs action, 1 an unapproved enablement was found
(decision remediate), 2 a bad input or a failed step (reported on stderr;
the other inputs are still handled).`

const runExample = `  # Decide the bundled sample events and plan the calls; no AWS needed.
  serialguard run --dry-run examples/events/

  # Backfill three days of an organization trail's log files.
  serialguard run --since 72h -o ndjson s3://org-trail/AWSLogs/o-a1b2c3d4e5/

  # Consume the EventBridge queue, serving /metrics on :9090.
  serialguard run --config serialguard.yaml --listen :9090 \
    sqs://sqs.eu-west-1.amazonaws.com/111122223333/serialguard`

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
	rows        int          // table rows streamed
	needsAction bool
	errors      int
	werr        error // the first write error
}

func newRunOutput(format string, stdout, stderr io.Writer,
	stream bool) *runOutput {
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
		o.keepErr(writeResultTable(o.stdout, []bot.Result{r}, o.rows == 0))
		o.rows++
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
			dash(r.Region), principal(&r), r.Decision.Action,
			dash(stepsCell(r.Steps())))
	}
	return tw.Flush()
}

// principal names who acted: the principal ARN approvals match, or the
// service, or the identity type.
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
