package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
)

// The organization of the sweep tests: six accounts in the default
// regions, with serial console access
//
//   - enabled and approved by APR-1 in approved/eu-west-1;
//   - enabled without approval in rogue/us-east-1 and rogue/ap-south-1;
//   - enabled by an EC2 declarative policy attached to pinned;
//   - disabled by a declarative policy in fenced/eu-central-1;
//   - disabled everywhere else.
const (
	approved = "100000000001"
	rogue    = "100000000002"
	pinned   = "100000000003"
	fenced   = "100000000004"
)

// sweepFixture starts the fake with that organization and returns it
// with the bot's clock.
func sweepFixture(t *testing.T) (*awsfake.Server, *awsfake.Clock) {
	t.Helper()
	org := awsfake.Org(6, 1)
	org.PolicyTypes = append(org.PolicyTypes, awsfake.DeclarativeType)
	srv := awsfake.Start(t, awsfake.WithOrganization(org))
	srv.SetSerialConsole(approved, "eu-west-1", true)
	srv.SetSerialConsole(rogue, "us-east-1", true)
	srv.SetSerialConsole(rogue, "ap-south-1", true)
	srv.SetDeclarativePolicy(fenced, "eu-central-1", true)
	pinSerialConsole(t, srv, pinned)
	srv.ResetCalls()
	return srv, newFakeClock()
}

// pinSerialConsole attaches an EC2 declarative policy that keeps serial
// console access enabled in account, through Organizations.
func pinSerialConsole(t *testing.T, srv *awsfake.Server, account string) {
	t.Helper()
	c := organizations.NewFromConfig(srv.Config(t.Context()))
	out, err := c.CreatePolicy(t.Context(), &organizations.CreatePolicyInput{
		Name:        aws.String("serial-console-on"),
		Description: aws.String("keeps the serial console on"),
		Type:        orgtypes.PolicyTypeDeclarativePolicyEc2,
		Content: aws.String(`{"ec2_attributes":{"serial_console_access":` +
			`{"status":{"@@assign":"enabled"}}}}`),
	})
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	_, err = c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{
		PolicyId: out.Policy.PolicySummary.Id, TargetId: aws.String(account),
	})
	if err != nil {
		t.Fatalf("AttachPolicy: %v", err)
	}
}

// approvals writes a data file with APR-1, covering approved/eu-west-1
// until notAfter.
func approvals(t *testing.T, notAfter time.Time) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "approvals.yaml")
	data := fmt.Sprintf(`serialguard:
  approvals:
    - id: APR-1
      ticket: CHG-1
      principals: ["arn:aws:iam::%s:role/BreakGlass"]
      accounts: ["%s"]
      regions: [eu-west-1]
      not_after: %s
`, approved, approved, notAfter.UTC().Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// sweep runs one sweep with the bot, without a rate limit.
func sweep(t *testing.T, b *Bot, opts SweepOptions) SweepReport {
	t.Helper()
	opts.Rate = rate.Inf
	rep, err := b.Sweep(t.Context(), opts)
	if err != nil {
		t.Fatalf("Sweep: %v", err)
	}
	return rep
}

// row is what the tests compare of an enabled pair.
type row struct {
	Pair       string
	ManagedBy  string
	Action     policies.Action
	ApprovalID string
	Disable    remediate.Status // status of the Disable step, if any
	Open       bool
}

func enabledRows(rep SweepReport) []row {
	var out []row
	for _, p := range rep.Pairs {
		if !p.Enabled {
			continue
		}
		r := row{Pair: p.Account + "/" + p.Region, ManagedBy: p.ManagedBy,
			Action: p.Decision.Action, ApprovalID: p.Decision.ApprovalID,
			Open: p.Open()}
		if p.Remediation != nil {
			for _, s := range p.Remediation.Steps {
				if s.Call == remediate.CallDisable {
					r.Disable = s.Status
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// pinnedRows are the rows of the declarative policy's pairs: every
// region of the pinned account, remediation skipped when asked for.
func pinnedRows(t *testing.T, srv *awsfake.Server, disable remediate.Status) []row {
	t.Helper()
	var out []row
	for _, region := range srv.EnabledRegions() {
		out = append(out, row{Pair: pinned + "/" + region,
			ManagedBy: "declarative-policy", Action: "remediate",
			Disable: disable, Open: true})
	}
	return out
}

func TestSweepAuditOnlyDecidesEveryEnabledPair(t *testing.T) {
	srv, clk := sweepFixture(t)
	b := newTestBot(t, srv, clk, func(c *Config) {
		c.Data = []string{approvals(t, clk.Now().Add(time.Hour))}
	})

	rep := sweep(t, b, SweepOptions{})

	want := []row{
		{Pair: approved + "/eu-west-1", ManagedBy: "account",
			Action: "allow", ApprovalID: "APR-1"},
		{Pair: rogue + "/ap-south-1", ManagedBy: "account",
			Action: "remediate", Open: true},
		{Pair: rogue + "/us-east-1", ManagedBy: "account",
			Action: "remediate", Open: true},
	}
	want = append(want, pinnedRows(t, srv, "")...)
	if diff := cmp.Diff(want, enabledRows(rep)); diff != "" {
		t.Errorf("enabled pairs (-want +got):\n%s", diff)
	}
	regions := len(srv.EnabledRegions())
	wantSum := SweepSummary{Accounts: 6, Pairs: 6 * regions,
		Checked: 6 * regions, Enabled: 3 + regions, Approved: 1,
		Open: 2 + regions}
	if diff := cmp.Diff(wantSum, rep.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	for _, c := range srv.MutatingCalls() {
		if c.Service != "sts" {
			t.Errorf("an audit called %s in %s/%s", c.Operation, c.Account,
				c.Region)
		}
	}
	if !rep.NeedsAction() || rep.Incomplete() {
		t.Errorf("NeedsAction, Incomplete = %v, %v; want true, false",
			rep.NeedsAction(), rep.Incomplete())
	}
	if got := fencedRow(rep); got.ManagedBy != "declarative-policy" ||
		got.Enabled || got.Decision != nil {
		t.Errorf("fenced pair = %+v, want disabled by the policy, undecided", got)
	}
}

func fencedRow(rep SweepReport) SweepPair {
	for _, p := range rep.Pairs {
		if p.Account == fenced && p.Region == "eu-central-1" {
			return p
		}
	}
	return SweepPair{}
}

func TestSweepRemediates(t *testing.T) {
	tests := []struct {
		name    string
		dryRun  bool
		disable remediate.Status
		state   bool // the rogue pairs' state after the sweep
	}{
		{name: "for real", disable: remediate.StatusDone},
		{name: "dry run", dryRun: true, disable: remediate.StatusPlanned,
			state: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, clk := sweepFixture(t)
			b := newTestBot(t, srv, clk, func(c *Config) {
				c.Data = []string{approvals(t, clk.Now().Add(time.Hour))}
				c.DryRun = tt.dryRun
			})

			rep := sweep(t, b, SweepOptions{Remediate: true})

			open := tt.disable != remediate.StatusDone
			want := []row{
				{Pair: approved + "/eu-west-1", ManagedBy: "account",
					Action: "allow", ApprovalID: "APR-1"},
				{Pair: rogue + "/ap-south-1", ManagedBy: "account",
					Action: "remediate", Disable: tt.disable, Open: open},
				{Pair: rogue + "/us-east-1", ManagedBy: "account",
					Action: "remediate", Disable: tt.disable, Open: open},
			}
			want = append(want, pinnedRows(t, srv, remediate.StatusSkipped)...)
			if diff := cmp.Diff(want, enabledRows(rep)); diff != "" {
				t.Errorf("enabled pairs (-want +got):\n%s", diff)
			}
			for _, region := range []string{"us-east-1", "ap-south-1"} {
				if on, _ := srv.SerialConsole(rogue, region); on != tt.state {
					t.Errorf("%s/%s enabled = %v after the sweep, want %v",
						rogue, region, on, tt.state)
				}
			}
			if on, _ := srv.SerialConsole(approved, "eu-west-1"); !on {
				t.Error("the approved pair was disabled")
			}
			wantDisables := map[string]int{}
			if !tt.dryRun {
				wantDisables = map[string]int{rogue + "/us-east-1": 1,
					rogue + "/ap-south-1": 1}
			}
			if diff := cmp.Diff(wantDisables, disables(srv)); diff != "" {
				t.Errorf("Disable calls (-want +got):\n%s", diff)
			}
			// One status read per pair: Disable, which reads it again,
			// never ran where a declarative policy manages the setting.
			reads := 0
			for _, c := range srv.CallsTo("GetSerialConsoleAccessStatus") {
				if c.Account == pinned {
					reads++
				}
			}
			if want := len(srv.EnabledRegions()); reads != want {
				t.Errorf("%d status reads in %s, want %d: Disable ran "+
					"under a declarative policy", reads, pinned, want)
			}
		})
	}
}

func TestSweepApprovalExpiresBetweenSweeps(t *testing.T) {
	srv, clk := sweepFixture(t)
	b := newTestBot(t, srv, clk, func(c *Config) {
		c.Data = []string{approvals(t, clk.Now().Add(time.Hour))}
	})
	scope := SweepOptions{Remediate: true}
	scope.Accounts = []string{approved}

	first := sweep(t, b, scope)
	clk.Advance(2 * time.Hour)
	second := sweep(t, b, scope)

	got := [][]row{enabledRows(first), enabledRows(second)}
	want := [][]row{
		{{Pair: approved + "/eu-west-1", ManagedBy: "account",
			Action: "allow", ApprovalID: "APR-1"}},
		{{Pair: approved + "/eu-west-1", ManagedBy: "account",
			Action: "remediate", Disable: remediate.StatusDone}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("enabled pairs of the two sweeps (-want +got):\n%s", diff)
	}
	if p := pairOf(second, approved, "eu-west-1"); p.Decision == nil ||
		!strings.Contains(strings.Join(p.Decision.Reasons, " "),
			"approval APR-1 expired") {
		t.Errorf("second decision = %+v, want a reason naming the expired "+
			"approval", p.Decision)
	}
	if on, _ := srv.SerialConsole(approved, "eu-west-1"); on {
		t.Error("access is still enabled after the approval expired")
	}
	if first.Summary.Remediated != 0 || second.Summary.Remediated != 1 {
		t.Errorf("remediated %d then %d, want 0 then 1",
			first.Summary.Remediated, second.Summary.Remediated)
	}
}

func pairOf(rep SweepReport, account, region string) SweepPair {
	for _, p := range rep.Pairs {
		if p.Account == account && p.Region == region {
			return p
		}
	}
	return SweepPair{}
}

func TestSweepReportsUncheckedAndGoesOn(t *testing.T) {
	srv, clk := sweepFixture(t)
	srv.DenyAssumeRole(rogue, true)
	b := newTestBot(t, srv, clk, nil)

	rep := sweep(t, b, SweepOptions{Remediate: true})

	var unchecked []SweepPair
	for _, p := range rep.Pairs {
		if !p.Checked {
			unchecked = append(unchecked, p)
		}
	}
	if len(unchecked) != 1 || unchecked[0].Account != rogue ||
		!strings.Contains(unchecked[0].Error, "AssumeRole") ||
		!strings.Contains(unchecked[0].Error, rogue) {
		t.Fatalf("unchecked = %+v, want one row for %s naming AssumeRole",
			unchecked, rogue)
	}
	regions := len(srv.EnabledRegions())
	if got, want := rep.Summary.Checked, 5*regions; got != want {
		t.Errorf("checked %d pairs, want %d", got, want)
	}
	if !rep.Incomplete() {
		t.Error("Incomplete() = false with an unchecked account")
	}
	if got := disables(srv); got[approved+"/eu-west-1"] != 1 {
		t.Errorf("Disable calls = %v, want the unapproved pair disabled "+
			"in spite of the unchecked account", got)
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) {
	return 0, errors.New("no space left on device")
}

// TestSweepLogsWhatItCouldNotHandle checks that a remediating sweep
// reports an enabled pair it acted on but could not record: the audit
// log failed, which the report alone does not show.
func TestSweepLogsWhatItCouldNotHandle(t *testing.T) {
	srv, clk := sweepFixture(t)
	var logs bytes.Buffer
	cfg := DefaultConfig()
	cfg.AuditLog = "-"
	b, err := New(t.Context(), cfg, Options{
		AWS:    srv.Config(t.Context()),
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Stdout: failingWriter{},
		Now:    clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	scope := SweepOptions{Remediate: true}
	scope.Accounts = []string{rogue}

	sweep(t, b, scope)

	var got []string
	for line := range strings.Lines(logs.String()) {
		var rec struct {
			Level, Msg, Account, Region, Error string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Level == "ERROR" {
			got = append(got, fmt.Sprintf("%s %s/%s: %t", rec.Msg,
				rec.Account, rec.Region,
				strings.Contains(rec.Error, "no space left on device")))
		}
	}
	want := []string{
		"finding not handled " + rogue + "/ap-south-1: true",
		"finding not handled " + rogue + "/us-east-1: true",
	}
	if diff := cmp.Diff(want, got, sortStrings); diff != "" {
		t.Errorf("error logs (-want +got):\n%s", diff)
	}
}
