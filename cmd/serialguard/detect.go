package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/detect"
)

func init() { verbs = append(verbs, newDetectCmd) }

// detectKinds are the finding kinds the detect verb reports.
var detectKinds = []detect.Kind{detect.KindEnablement,
	detect.KindFailedAttempt, detect.KindConsoleUse, detect.KindDisablement}

// detectParams are the detect verb's inputs once its flags are parsed.
type detectParams struct {
	paths  []string // files, directories, "-" for stdin
	format string   // table, json or ndjson
	kinds  []detect.Kind
	stdin  io.Reader
	limits detect.Limits
}

func newDetectCmd(_ *globals) *cobra.Command {
	var (
		p     detectParams
		kinds []string
		out   *outputFormat
	)
	cmd := &cobra.Command{
		Use:   "detect [PATH|DIR|-]...",
		Short: "Find serial console events in CloudTrail logs and events",
		Long:  detectLong,
		Example: `  serialguard detect examples/events/
  serialguard detect --kind enablement,console_use -o ndjson AWSLogs/
  aws s3 cp s3://org-trail/trail.json.gz - | serialguard detect -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if p.kinds, err = parseKinds(kinds); err != nil {
				return inputError(err)
			}
			p.paths, p.format = args, out.value
			if len(p.paths) == 0 {
				p.paths = []string{"-"}
			}
			p.stdin, p.limits = cmd.InOrStdin(), detect.DefaultLimits()
			return runDetect(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	out = addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson")
	fs.StringSliceVar(&kinds, "kind", nil, "report only these kinds: "+
		kindList()+" (repeatable or comma-separated)")
	return cmd
}

const detectLong = `Find serial console events in CloudTrail logs and events.

detect reads files, directories (walked, skipping CloudTrail-Digest) and
standard input ("-", the default). Each input may be a CloudTrail log file
as delivered to S3, gzip or plain, a bare record, a JSON array or NDJSON of
records, an EventBridge event, an SQS message or SNS notification wrapping
one, or an Elastic (ECS) document; the shape is read from the content.

It reports four kinds of findings:
  enablement      EnableSerialConsoleAccess that succeeded, exactly as
                  Elastic's rule "AWS EC2 Serial Console Access Enabled"
                  (e9fe3645-f588-43d6-99f5-437b3ef56f25) matches it
  failed_attempt  EnableSerialConsoleAccess or SendSerialConsoleSSHPublicKey
                  that was refused
  console_use     SendSerialConsoleSSHPublicKey that succeeded: a serial
                  console connection to an instance
  disablement     DisableSerialConsoleAccess that succeeded

A record or file that cannot be read is reported on stderr with its name
and record index or line, and the rest is still read.

Exit codes: 0 no enablement and no console use reported, 1 at least one,
2 an input could not be read (even if findings were reported).`

// parseKinds reads --kind values; none means every kind.
func parseKinds(values []string) ([]detect.Kind, error) {
	var kinds []detect.Kind
	for _, v := range values {
		k := detect.Kind(strings.TrimSpace(v))
		if !slices.Contains(detectKinds, k) {
			return nil, fmt.Errorf("--kind: %q is not one of %s", v, kindList())
		}
		kinds = append(kinds, k)
	}
	return kinds, nil
}

func kindList() string {
	names := make([]string, len(detectKinds))
	for i, k := range detectKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// runDetect scans the inputs and prints the findings. Unreadable inputs
// are reported on stderr as they come.
func runDetect(ctx context.Context, p detectParams, stdout,
	stderr io.Writer) error {
	out := newFindingWriter(p.format, stdout)
	opts := detect.ScanOptions{Limits: p.limits}
	var failed int
	var needsAction bool
	for ev := range detect.ScanContext(ctx, p.paths, p.stdin, opts) {
		if ev.Err != nil {
			failed++
			fmt.Fprintln(stderr, "serialguard:", ev.Err)
			continue
		}
		f, ok := detect.Detect(ev)
		if !ok || (len(p.kinds) > 0 && !slices.Contains(p.kinds, f.Kind)) {
			continue
		}
		needsAction = needsAction || f.Kind == detect.KindEnablement ||
			f.Kind == detect.KindConsoleUse
		if err := out.write(f); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	}
	return detectOutcome(out.close(), ctx.Err(), failed, needsAction)
}

func detectOutcome(werr, cancelled error, failed int, needsAction bool) error {
	if werr != nil {
		werr = fmt.Errorf("write findings: %w", werr)
	}
	if cancelled != nil {
		cancelled = fmt.Errorf("detect: %w", cancelled)
	}
	var bad, action error
	if failed > 0 {
		bad = inputError(fmt.Errorf("%d inputs or records could not be read; "+
			"see above", failed))
	}
	if needsAction {
		action = errNeedsAction
	}
	return worst(werr, cancelled, bad, action)
}

// findingWriter prints findings as they come in one of the formats: a
// JSON array is streamed element by element, a table is aligned and
// printed at the end.
type findingWriter struct {
	format string
	w      io.Writer
	n      int
	table  *tabwriter.Writer
	nd     *ndjsonWriter
}

func newFindingWriter(format string, w io.Writer) *findingWriter {
	fw := &findingWriter{format: format, w: w, nd: newNDJSONWriter(w)}
	if format == "table" {
		fw.table = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(fw.table,
			"TIME (UTC)\tKIND\tACCOUNT\tREGION\tPRINCIPAL\tSOURCE IP\tEVENT ID")
	}
	return fw
}

func (fw *findingWriter) write(f detect.Finding) error {
	defer func() { fw.n++ }()
	switch fw.format {
	case "table":
		_, err := fmt.Fprintf(fw.table, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			f.Time.UTC().Format("2006-01-02 15:04:05"), f.Kind, dash(f.Account),
			dash(f.Region), principalLabel(&f), dash(f.SourceIP),
			dash(f.EventID))
		return err
	case "ndjson":
		return fw.nd.Write(f)
	}
	b, err := json.MarshalIndent(f, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if fw.n == 0 {
		sep = "[\n  "
	}
	_, err = fmt.Fprintf(fw.w, "%s%s", sep, b)
	return err
}

func (fw *findingWriter) close() error {
	switch {
	case fw.format == "table":
		return fw.table.Flush()
	case fw.format == "json" && fw.n == 0:
		_, err := io.WriteString(fw.w, "[]\n")
		return err
	case fw.format == "json":
		_, err := io.WriteString(fw.w, "\n]\n")
		return err
	}
	return nil
}

// principalLabel names who acted, narrowly: the principal's resource
// without its path, with the session name of an assumed role and, when
// the caller's account is not the target account, the caller's account.
func principalLabel(f *detect.Finding) string {
	a := f.Actor
	label := a.PrincipalARN
	switch {
	case label == "" && a.InvokedBy != "":
		return a.InvokedBy
	case label == "":
		return dash(a.Type)
	}
	if parts := strings.SplitN(label, ":", 6); len(parts) == 6 {
		label = withoutPath(parts[5])
	}
	if a.SessionName != "" {
		label += " (" + a.SessionName + ")"
	}
	if a.Account != "" && a.Account != f.Account {
		label = a.Account + ":" + label
	}
	return label
}

// withoutPath turns role/a/b/Name into role/Name.
func withoutPath(resource string) string {
	kind, rest, ok := strings.Cut(resource, "/")
	if !ok {
		return resource
	}
	return kind + "/" + rest[strings.LastIndex(rest, "/")+1:]
}
