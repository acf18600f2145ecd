package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/internal/awsfake"
)

// offlineEnv leaves the AWS SDK no credentials and no region, as on a
// machine that never saw AWS.
func offlineEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "",
		"AWS_SECRET_ACCESS_KEY":       "",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "",
		"AWS_DEFAULT_REGION":          "",
		"AWS_PROFILE":                 "",
		"AWS_ENDPOINT_URL":            "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		bot.ConfigEnv:                 "",
	} {
		t.Setenv(k, v)
	}
}

// runResults decodes the -o json output of run.
func runResults(t *testing.T, out string) []bot.Result {
	t.Helper()
	var results []bot.Result
	if err := json.Unmarshal([]byte(out), &results); err != nil {
		t.Fatalf("output is not a JSON array of results: %v\n%s", err, out)
	}
	return results
}

// TestRunExamplesDryRun is the README's first command: every bundled
// event decided with the embedded policy, the calls planned, no AWS
// account at hand.
func TestRunExamplesDryRun(t *testing.T) {
	offlineEnv(t)
	out, errOut, err := runCLI(t, "run", "--dry-run", "-o", "json",
		"--log-level", "warn", examples)
	if code := codeOf(err); code != exitFindings {
		t.Fatalf("exit %d (%v), want 1\nstderr:\n%s", code, err, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	actions := map[string]int{}
	for _, r := range runResults(t, out) {
		actions[string(r.Kind)+":"+string(r.Decision.Action)]++
		if !r.Remediation.DryRun {
			t.Errorf("%s: remediation not a dry run", r.EventID)
		}
		if r.Decision.Action != "remediate" {
			continue
		}
		var planned []string
		for _, s := range r.Remediation.Steps {
			if s.Status == "planned" {
				planned = append(planned, s.Call)
			}
		}
		want := []string{"AssumeRole", "GetSerialConsoleAccessStatus",
			"DisableSerialConsoleAccess"}
		if diff := cmp.Diff(want, planned); diff != "" {
			t.Errorf("%s: planned calls (-want +got):\n%s", r.Source, diff)
		}
	}
	want := map[string]int{"enablement:remediate": 3, "console_use:alert": 1,
		"failed_attempt:alert": 1, "disablement:allow": 1}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("findings by kind and action (-want +got):\n%s", diff)
	}
}

// runFile writes content to a file in a temporary directory.
func runFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunExitCodes(t *testing.T) {
	offlineEnv(t)
	use := runFile(t, "use.json", readExampleFile(t, "console-use.json"))
	enable := runFile(t, "enable.json", readExampleFile(t, "eventbridge-enablement.json"))
	bad := runFile(t, "bad.ndjson", "{\"eventName\": \n")
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantKinds []string
		wantErr   string
	}{
		{"nothing needs action", []string{use}, exitOK, []string{"console_use"}, ""},
		{"unapproved enablement", []string{use, enable}, exitFindings,
			[]string{"console_use", "enablement"}, ""},
		{"bad input still handles the rest", []string{bad, enable}, exitFailure,
			[]string{"enablement"}, bad},
		{"missing file", []string{filepath.Join(t.TempDir(), "none.json")},
			exitFailure, nil, "none.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"run", "--dry-run", "-o", "json",
				"--log-level", "error"}, tt.args...)
			out, errOut, err := runCLI(t, args...)
			if code := codeOf(err); code != tt.wantCode {
				t.Errorf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			var kinds []string
			for _, r := range runResults(t, out) {
				kinds = append(kinds, string(r.Kind))
			}
			if diff := cmp.Diff(tt.wantKinds, kinds); diff != "" {
				t.Errorf("kinds (-want +got):\n%s", diff)
			}
			if tt.wantErr != "" && !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q does not name %s", errOut, tt.wantErr)
			}
		})
	}
}

func TestRunFormats(t *testing.T) {
	offlineEnv(t)
	enable := runFile(t, "enable.json", readExampleFile(t, "eventbridge-enablement.json"))
	use := runFile(t, "use.json", readExampleFile(t, "console-use.json"))

	out, _, _ := runCLI(t, "run", "--dry-run", "-o", "ndjson", enable, use)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("ndjson: %d lines, want 2:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Errorf("ndjson line %q: %v", l, err)
		}
	}

	out, _, _ = runCLI(t, "run", "--dry-run", "-o", "table", enable, use)
	want := []string{
		"KIND ACCOUNT REGION PRINCIPAL ACTION STEPS",
		"enablement 111122223333 eu-west-1 arn:aws:iam::111122223333:role/OpsAdmin " +
			"remediate AssumeRole:planned,GetSerialConsoleAccessStatus:planned," +
			"DisableSerialConsoleAccess:planned",
		"console_use 111122223333 eu-west-1 arn:aws:iam::111122223333:role/OpsAdmin " +
			"alert -",
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		got = append(got, strings.Join(strings.Fields(l), " "))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

// TestRunConfigPrecedence shows which source of role_name wins, through
// the role the planned AssumeRole names.
func TestRunConfigPrecedence(t *testing.T) {
	offlineEnv(t)
	enable := runFile(t, "enable.json", readExampleFile(t, "eventbridge-enablement.json"))
	config := runFile(t, "serialguard.yaml", "role_name: from-file\nconcurrency: 2\n")
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"default", "", nil, "role/serialguard-remediation"},
		{"file", "", []string{"--config", config}, "role/from-file"},
		{"env over file", "from-env", []string{"--config", config}, "role/from-env"},
		{"flag over env", "from-env", []string{"--config", config,
			"--role-name", "from-flag"}, "role/from-flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv(bot.EnvName("role_name"), tt.env)
			}
			args := append([]string{"run", "--dry-run", "-o", "json"}, tt.args...)
			out, errOut, _ := runCLI(t, append(args, enable)...)
			results := runResults(t, out)
			if len(results) != 1 || len(results[0].Remediation.Steps) == 0 {
				t.Fatalf("results %+v\nstderr: %s", results, errOut)
			}
			if got := results[0].Remediation.Steps[0].Detail; !strings.Contains(got, tt.want) {
				t.Errorf("AssumeRole step %q, want it to name %s", got, tt.want)
			}
		})
	}
}

func TestRunConfigErrors(t *testing.T) {
	offlineEnv(t)
	enable := runFile(t, "enable.json", readExampleFile(t, "eventbridge-enablement.json"))
	typo := runFile(t, "typo.yaml", "dry_run: true\nrole_nmae: x\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown key", nil, []string{"--config", typo}, "role_nmae"},
		{"bad flag value", nil, []string{"--concurrency", "0"},
			"config: concurrency: 0 is not between 1 and 256"},
		{"bad env value", map[string]string{"SERIALGUARD_DEDUP_WINDOW": "soon"},
			nil, "config: dedup_window: SERIALGUARD_DEDUP_WINDOW"},
		{"audit log on stdout", nil, []string{"--audit-log", "-"},
			"config: audit_log:"},
		{"bad window", nil, []string{"--since", "yesterday"}, "--since"},
		{"bad source", nil, []string{"sqs://"}, "sqs://"},
		{"bad listen address", nil, []string{"--listen", "127.0.0.1:http:x"},
			"config: listen:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string{"run", "--dry-run"}, tt.args...)
			_, _, err := runCLI(t, append(args, enable)...)
			if codeOf(err) != exitFailure || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got exit %d, %v; want 2 and an error containing %q",
					codeOf(err), err, tt.want)
			}
		})
	}
}

// lineWriter calls after once it has seen n lines.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	n     int
	after func()
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.after != nil && bytes.Count(w.buf.Bytes(), []byte("\n")) >= w.n {
		w.after()
		w.after = nil
	}
	return len(p), nil
}

// TestRunSQS consumes a queue until the first result, then stops as on
// SIGTERM.
func TestRunSQS(t *testing.T) {
	srv := awsfake.Start(t)
	remediateEnv(t, srv)
	srv.SetSerialConsole("111122223333", "eu-west-1", true)
	srv.AddAccount(awsfake.Account{ID: "111122223333", Name: "prod"})
	url, err := srv.CreateQueue(srv.ManagementAccountID(), "us-east-1", "q", nil)
	if err != nil {
		t.Fatal(err)
	}
	body := readExampleFile(t, "eventbridge-enablement.json")
	if _, err := srv.SendMessage(url, body); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout := &lineWriter{n: 1, after: cancel}
	var stderr bytes.Buffer
	root := newRootCmd(stdout, &stderr)
	root.SetArgs([]string{"run", "-o", "ndjson", "--log-level", "error", "sqs://" + url})
	err = root.ExecuteContext(ctx)
	if code := codeOf(err); code != exitFindings {
		t.Fatalf("exit %d (%v), want 1\nstderr:\n%s", code, err, stderr.String())
	}
	var r bot.Result
	if err := json.Unmarshal(stdout.buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if on, _ := srv.SerialConsole("111122223333", "eu-west-1"); on || r.NeedsAction() == false {
		t.Errorf("after the run: enabled %t, result %+v", on, r.Decision)
	}
	if left := srv.QueueMessages(url); len(left) != 0 {
		t.Errorf("%d messages left in the queue, want 0", len(left))
	}
}

func TestRunS3(t *testing.T) {
	srv := awsfake.Start(t)
	remediateEnv(t, srv)
	srv.AddAccount(awsfake.Account{ID: "111122223333", Name: "prod"})
	const dir = "AWSLogs/o-exampleorgid/111122223333/CloudTrail/us-west-2/2026/11/30/"
	name := "111122223333_CloudTrail_us-west-2_20261130T1005Z_EXAMPLEuniqueid.json.gz"
	data, err := os.ReadFile(filepath.Join(examples, dir, name))
	if err != nil {
		t.Fatal(err)
	}
	srv.PutObject("trail", dir+name, data)
	srv.PutObject("trail", strings.Replace(dir, "11/30", "11/20", 1)+name, data)
	out, errOut, err := runCLI(t, "run", "--dry-run", "-o", "json",
		"--log-level", "error", "--since", "2026-11-29", "--until", "2026-11-30T23:00:00Z",
		"s3://trail/AWSLogs/o-exampleorgid/")
	if code := codeOf(err); code != exitFindings {
		t.Fatalf("exit %d (%v), want 1\nstderr:\n%s", code, err, errOut)
	}
	results := runResults(t, out)
	if len(results) != 1 || !strings.HasPrefix(results[0].Source, "s3://trail/"+dir) {
		t.Errorf("results %+v, want the enablement of the 11/30 file", results)
	}
	if got := len(srv.CallsTo("GetObject")); got != 1 {
		t.Errorf("GetObject calls = %d, want 1: the 11/20 file is out of range", got)
	}
}

func TestParseSources(t *testing.T) {
	got, err := parseSources([]string{"a.json", "-", "s3://b/AWSLogs/",
		"s3://b", "sqs://sqs.eu-west-1.amazonaws.com/111122223333/q",
		"sqs://http://127.0.0.1:8080/111122223333/q"})
	if err != nil {
		t.Fatal(err)
	}
	want := sources{
		paths:   []string{"a.json", "-"},
		buckets: []bucketSource{{"b", "AWSLogs/"}, {"b", ""}},
		queues: []string{"https://sqs.eu-west-1.amazonaws.com/111122223333/q",
			"http://127.0.0.1:8080/111122223333/q"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(sources{}, bucketSource{})); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"s3://", "sqs://", "sqs://host/q", "sqs://host/a/b/c"} {
		if _, err := parseSources([]string{bad}); err == nil {
			t.Errorf("parseSources(%q): got nil error", bad)
		}
	}
}

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		since, until string
		want         [2]time.Time
		wantErr      bool
	}{
		{"", "", [2]time.Time{}, false},
		{"2026-03-01", "2026-03-02T06:00:00Z", [2]time.Time{
			time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
			time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)}, false},
		{"72h", "", [2]time.Time{now.Add(-72 * time.Hour), {}}, false},
		{"2026-03-02", "2026-03-01", [2]time.Time{}, true},
		{"-1h", "", [2]time.Time{}, true},
		{"last week", "", [2]time.Time{}, true},
	}
	for _, tt := range tests {
		s, u, err := parseWindow(tt.since, tt.until, now)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseWindow(%q, %q): error %v", tt.since, tt.until, err)
			continue
		}
		if !tt.wantErr && (!s.Equal(tt.want[0]) || !u.Equal(tt.want[1])) {
			t.Errorf("parseWindow(%q, %q) = %s, %s; want %s, %s",
				tt.since, tt.until, s, u, tt.want[0], tt.want[1])
		}
	}
}

func FuzzRunSources(f *testing.F) {
	f.Add("sqs://sqs.eu-west-1.amazonaws.com/111122223333/q", "72h")
	f.Add("s3://bucket/AWSLogs/o-a1b2c3d4e5/", "2026-03-01")
	f.Add("sqs://http://[::1]:80/a/b", "2026-03-01T00:00:00+02:00")
	f.Fuzz(func(t *testing.T, arg, when string) {
		src, err := parseSources([]string{arg})
		if err == nil {
			for _, q := range src.queues {
				if !strings.HasPrefix(q, "https://") && !strings.HasPrefix(q, "http://") {
					t.Errorf("queue URL %q from %q has no scheme", q, arg)
				}
			}
			if n := len(src.paths) + len(src.buckets) + len(src.queues); n != 1 {
				t.Errorf("%q gave %d sources", arg, n)
			}
		}
		now := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
		if s, _, err := parseWindow(when, "", now); err == nil && s.After(now) &&
			!strings.Contains(when, "-") && !strings.Contains(when, ":") {
			t.Errorf("--since %q is after now", when)
		}
	})
}

// endlessInput is standard input that never ends: NDJSON records of an
// event no rule looks at. Once limit bytes are read, it cancels the run,
// as Ctrl-C does.
type endlessInput struct {
	limit  int64
	cancel context.CancelFunc
	read   atomic.Int64
}

const describeRecord = `{"eventVersion":"1.08","eventTime":` +
	`"2026-03-01T00:00:00Z","eventSource":"ec2.amazonaws.com",` +
	`"eventName":"DescribeInstances","awsRegion":"eu-west-1",` +
	`"recipientAccountId":"111122223333"}` + "\n"

func (in *endlessInput) Read(p []byte) (int, error) {
	n := 0
	for n+len(describeRecord) <= len(p) {
		n += copy(p[n:], describeRecord)
	}
	if in.read.Add(int64(n)) >= in.limit {
		in.cancel()
	}
	return n, nil
}

// TestRunStopsWhenCancelled cancels a run in the middle of input with
// nothing to handle: it must stop reading at once.
func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdin := &endlessInput{limit: 1 << 20, cancel: cancel}
	p := runParams{sources: []string{"-"}, format: "json", stdin: stdin,
		botSetup: botSetup{cfg: bot.DefaultConfig(),
			aws:    &aws.Config{Region: "eu-west-1"},
			logger: slog.New(slog.DiscardHandler)}}
	p.cfg.DryRun = true
	var stdout, stderr bytes.Buffer

	err := runRun(ctx, p, &stdout, &stderr)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("runRun: got %v, want context.Canceled", err)
	}
	if n := stdin.read.Load(); n > 16<<20 {
		t.Errorf("read %d bytes, want to stop soon after 1 MiB", n)
	}
	if got := runResults(t, stdout.String()); len(got) != 0 {
		t.Errorf("results %+v, want none", got)
	}
}
