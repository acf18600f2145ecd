package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/internal/awsfake"
)

// The audit tests' organization: five accounts, three regions, and
//
//   - audApproved/eu-west-1 enabled, covered by approval APR-7;
//   - audRogue/us-east-1 enabled by an SSO role, per CloudTrail;
//   - audFenced/eu-west-1 disabled by an EC2 declarative policy;
//   - audLocked refusing AssumeRole, when a test says so.
const (
	audApproved = "100000000001"
	audRogue    = "100000000002"
	audFenced   = "100000000003"
	audLocked   = "100000000004"
)

// auditNow is the sweep time of the golden files.
var auditNow = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func auditServer(t *testing.T) *awsfake.Server {
	t.Helper()
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(5, 1)),
		awsfake.WithRegions(
			awsfake.Region{Name: "eu-west-1", OptInStatus: "opt-in-not-required"},
			awsfake.Region{Name: "us-east-1", OptInStatus: "opt-in-not-required"},
			awsfake.Region{Name: "ap-south-1", OptInStatus: "opted-in"},
			awsfake.Region{Name: "me-south-1", OptInStatus: "not-opted-in"}))
	srv.SetSerialConsole(audApproved, "eu-west-1", true)
	srv.SetSerialConsole(audRogue, "us-east-1", true)
	srv.SetDeclarativePolicy(audFenced, "eu-west-1", true)
	record, err := os.ReadFile(
		"../../remediate/testdata/enable-serial-console-access.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(record, &rec); err != nil {
		t.Fatal(err)
	}
	rec["recipientAccountId"], rec["awsRegion"] = audRogue, "us-east-1"
	rec["eventTime"] = auditNow.Add(-26 * time.Hour).Format(time.RFC3339)
	record, _ = json.Marshal(rec)
	if err := srv.AddCloudTrailEvent(audRogue, "us-east-1", record); err != nil {
		t.Fatal(err)
	}
	return srv
}

// auditApprovals writes APR-7, covering audApproved/eu-west-1 on the day
// of auditNow.
func auditApprovals(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "approvals.yaml")
	data := fmt.Sprintf(`serialguard:
  approvals:
    - id: APR-7
      ticket: CHG-7
      reason: Kernel debugging on the payments hosts.
      principals: ["arn:aws:iam::%s:role/BreakGlass"]
      accounts: ["%s"]
      regions: [eu-west-1]
      not_before: 2026-03-02T08:00:00Z
      not_after: 2026-03-02T20:00:00Z
`, audApproved, audApproved)
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// auditParamsFor returns the params of a sweep of srv at auditNow.
func auditParamsFor(t *testing.T, srv *awsfake.Server, format string) auditParams {
	t.Helper()
	cfg := srv.Config(t.Context())
	p := auditParams{format: format, botSetup: botSetup{
		cfg: bot.DefaultConfig(), aws: &cfg,
		logger: slog.New(slog.DiscardHandler),
		now:    func() time.Time { return auditNow },
	}}
	p.cfg.Data = []string{auditApprovals(t)}
	p.sweep.Concurrency = 4
	return p
}

// requestIDs vary with the order of concurrent calls.
var requestIDs = regexp.MustCompile(`RequestID: [^,]+`)

func TestAuditCSVGolden(t *testing.T) {
	srv := auditServer(t)
	srv.DenyAssumeRole(audLocked, true)
	p := auditParamsFor(t, srv, "csv")
	p.sweep.Remediate = true
	var stdout, stderr bytes.Buffer

	err := runAudit(t.Context(), p, &stdout, &stderr)

	if code := codeOf(err); code != exitFailure {
		t.Errorf("exit %d (%v), want 2 for the unchecked account", code, err)
	}
	got := requestIDs.ReplaceAllString(stdout.String(), "RequestID: <id>")
	golden(t, "testdata/audit/remediate.csv", got)
	wantSummary := "serialguard: audit: 5 accounts, 13 pairs: 12 checked, " +
		"1 unchecked; 2 enabled: 1 approved, 1 remediated, 0 failed, 0 open\n"
	if diff := cmp.Diff(wantSummary, stderr.String()); diff != "" {
		t.Errorf("summary on stderr (-want +got):\n%s", diff)
	}
}

func TestAuditExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		deny    bool
		want    int
		rogueOn bool // audRogue/us-east-1 enabled after the run
	}{
		{name: "audit only", want: exitFindings, rogueOn: true},
		{name: "remediate", args: []string{"--remediate"}, want: exitOK},
		{name: "dry run", args: []string{"--remediate", "--dry-run"},
			want: exitFindings, rogueOn: true},
		{name: "unchecked wins over open", deny: true, want: exitFailure,
			rogueOn: true},
		{name: "scoped to a clean account",
			args: []string{"--accounts", audFenced}, want: exitOK,
			rogueOn: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := auditServer(t)
			srv.DenyAssumeRole(audLocked, tt.deny)
			remediateEnv(t, srv)
			args := append([]string{"audit", "-o", "json", "--rate", "0",
				"--data", auditApprovals(t), "--log-level", "error"}, tt.args...)

			stdout, stderr, err := runCLI(t, args...)

			if code := codeOf(err); code != tt.want {
				t.Errorf("exit %d (%v), want %d\n%s", code, err, tt.want, stderr)
			}
			var rep bot.SweepReport
			if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
				t.Fatalf("stdout is not a report: %v\n%s", err, stdout)
			}
			if on, _ := srv.SerialConsole(audRogue, "us-east-1"); on != tt.rogueOn {
				t.Errorf("rogue pair enabled = %v, want %v", on, tt.rogueOn)
			}
		})
	}
}

func TestAuditScopes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string // account/region of every row
	}{
		{name: "ou", args: []string{"--ou", "ou-a1b2-00000000",
			"--regions", "us-east-1"},
			want: []string{audApproved + "/us-east-1",
				audFenced + "/us-east-1"}},
		{name: "accounts and regions", args: []string{"--accounts",
			audRogue + "," + audFenced, "--regions", "eu-west-1,ap-south-1"},
			want: []string{audRogue + "/ap-south-1", audRogue + "/eu-west-1",
				audFenced + "/ap-south-1", audFenced + "/eu-west-1"}},
		{name: "all regions of one account", args: []string{"--accounts",
			audRogue, "--regions", "all"},
			want: []string{audRogue + "/ap-south-1", audRogue + "/eu-west-1",
				audRogue + "/us-east-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := auditServer(t)
			remediateEnv(t, srv)
			args := append([]string{"audit", "-o", "ndjson", "--rate", "0",
				"--log-level", "error"}, tt.args...)

			stdout, stderr, err := runCLI(t, args...)

			if code := codeOf(err); code == exitFailure {
				t.Fatalf("exit 2: %v\n%s", err, stderr)
			}
			var got []string
			for line := range strings.Lines(stdout) {
				var p bot.SweepPair
				if err := json.Unmarshal([]byte(line), &p); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				got = append(got, p.Account+"/"+p.Region)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuditRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "account id", args: []string{"--accounts", "12345"},
			want: `--accounts: "12345" is not an account id`},
		{name: "ou id", args: []string{"--ou", "finance"},
			want: `--ou: "finance" is not an OU or root id`},
		{name: "region", args: []string{"--regions", "mars-1"},
			want: `config: regions: "mars-1" is not a region name`},
		{name: "concurrency", args: []string{"--concurrency", "0"},
			want: "--concurrency: 0 is not between 1 and 256"},
		{name: "rate", args: []string{"--rate", "fast"},
			want: `"fast" is not a rate`},
		{name: "accounts and ou", args: []string{"--accounts",
			audRogue, "--ou", "ou-a1b2-00000000"}, want: "none of the others"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			remediateEnv(t, srv)

			_, _, err := runCLI(t, append([]string{"audit"}, tt.args...)...)

			if code := codeOf(err); code != exitFailure {
				t.Errorf("exit %d, want 2", code)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if n := len(srv.Calls()); n != 0 {
				t.Errorf("%d AWS calls made with bad flags", n)
			}
		})
	}
}

func TestAuditTableEndsWithSummary(t *testing.T) {
	srv := auditServer(t)
	srv.DenyAssumeRole(audLocked, true)
	p := auditParamsFor(t, srv, "table")
	var stdout bytes.Buffer

	_ = runAudit(t.Context(), p, &stdout, &bytes.Buffer{})

	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	want := []string{"ACCOUNT", "NAME", "REGION", "STATE", "MANAGED_BY",
		"ACTION", "APPROVAL", "ENABLED_BY", "STEPS"}
	if diff := cmp.Diff(want, strings.Fields(lines[0])); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	last := lines[len(lines)-1]
	if last != "5 accounts, 13 pairs: 12 checked, 1 unchecked; 2 enabled: "+
		"1 approved, 0 remediated, 0 failed, 1 open" {
		t.Errorf("last line = %q, want the summary", last)
	}
	if !strings.Contains(stdout.String(), "unchecked "+audLocked+"/-: ") {
		t.Errorf("the table does not name the unchecked account:\n%s", stdout.String())
	}
}

func TestAuditProgressCountsPairs(t *testing.T) {
	var stderr bytes.Buffer
	var opts bot.SweepOptions
	bar := newAuditProgress(true, &stderr, &opts)
	opts.Planned(2)
	opts.Visited(bot.SweepPair{})
	opts.Visited(bot.SweepPair{})
	if got := bar.bar.State().CurrentNum; got != 2 {
		t.Errorf("progress at %d, want 2", got)
	}
	if got := bar.bar.GetMax(); got != 2 {
		t.Errorf("progress max %d, want 2", got)
	}
	bar.finish()
	if newAuditProgress(false, &stderr, &bot.SweepOptions{}) != nil {
		t.Error("a progress bar without a terminal")
	}
}
