package bot

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
)

// finding runs the rules over one EventBridge fixture.
func finding(t testing.TB, body string) detect.Finding {
	t.Helper()
	for ev := range detect.Events("test", strings.NewReader(body), detect.Limits{}) {
		f, ok := detect.Detect(ev)
		if !ok {
			t.Fatalf("no finding in %s (err %v)", body, ev.Err)
		}
		return f
	}
	t.Fatal("no event")
	return detect.Finding{}
}

// stepList is the steps of a result as CALL:STATUS.
func stepList(r Result) []string {
	var out []string
	for _, s := range r.Steps() {
		out = append(out, s.Call+":"+string(s.Status))
	}
	return out
}

// TestHandleDryRunWithoutCredentials is the README's first command:
// no AWS account, every call planned.
func TestHandleDryRunWithoutCredentials(t *testing.T) {
	log := filepath.Join(t.TempDir(), "audit.ndjson")
	cfg := DefaultConfig()
	cfg.DryRun, cfg.AuditLog = true, log
	b, err := New(context.Background(), cfg, Options{
		AWS:    aws.Config{Region: DefaultRegion},
		Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	f := finding(t, eventBridge(t, "eventbridge-enable.json",
		"111122223333", "eu-west-1", "e-1"))
	res, err := b.Handle(context.Background(), f)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{"AssumeRole:planned", "GetSerialConsoleAccessStatus:planned",
		"DisableSerialConsoleAccess:planned"}
	if diff := cmp.Diff(want, stepList(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if res.Decision.Action != policies.ActionRemediate || !res.NeedsAction() {
		t.Errorf("decision = %+v, want remediate", res.Decision)
	}
	checkAuditLine(t, log, res)
}

// checkAuditLine checks the audit log holds res as one JSON line with
// the contract's keys.
func checkAuditLine(t *testing.T, path string, res Result) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 1 {
		t.Fatalf("audit log has %d lines, want 1", len(lines))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"kind", "rule_id", "event_id", "time",
		"account", "region", "actor", "source_ip", "user_agent",
		"decision", "remediation", "timings"} {
		if _, ok := got[key]; !ok {
			t.Errorf("audit record has no %q: %s", key, lines[0])
		}
	}
	if got["event_id"] != res.EventID {
		t.Errorf("audit record event_id = %v, want %s", got["event_id"], res.EventID)
	}
	rem := got["remediation"].(map[string]any)
	if rem["dry_run"] != res.Remediation.DryRun {
		t.Errorf("audit record dry_run = %v, want %t", rem["dry_run"], res.Remediation.DryRun)
	}
}

func TestHandleRemediatesOnceAndAttachesSCP(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.SetSerialConsole("100000000001", "eu-west-1", true)
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.AttachSCP = true
		c.Data = []string{"testdata/approvals.yaml"}
	})
	ctx := context.Background()
	first := finding(t, eventBridge(t, "eventbridge-enable.json",
		"100000000001", "eu-west-1", "e-1"))
	res, err := b.Handle(ctx, first)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if !res.Decision.AttachSCP {
		t.Fatalf("decision %+v does not ask for the SCP: the account context "+
			"(OU path from Organizations) was not used", res.Decision)
	}
	want := []string{"AssumeRole:done", "GetSerialConsoleAccessStatus:done",
		"DisableSerialConsoleAccess:done", "DescribeOrganization:done",
		"ListPolicies:done", "CreatePolicy:done", "ListPoliciesForTarget:done",
		"AttachPolicy:done"}
	if diff := cmp.Diff(want, stepList(res)); diff != "" {
		t.Errorf("first delivery steps (-want +got):\n%s", diff)
	}

	srv.ResetCalls()
	res, err = b.Handle(ctx, first)
	if err != nil {
		t.Fatalf("Handle again: %v", err)
	}
	for _, c := range srv.MutatingCalls() {
		t.Errorf("second delivery made mutating call %s in %s",
			c.Operation, c.Account)
	}
	if diff := cmp.Diff("DisableSerialConsoleAccess:skipped", stepList(res)[2]); diff != "" {
		t.Errorf("second delivery (-want +got):\n%s", diff)
	}
}

func TestHandleSCPNotAllowed(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.Data = []string{"testdata/approvals.yaml"}
	})
	res, err := b.Handle(context.Background(), finding(t, eventBridge(t,
		"eventbridge-enable.json", "100000000001", "eu-west-1", "e-1")))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	last := res.Remediation.Steps[len(res.Remediation.Steps)-1]
	if last.Call != CallAttachSCP || last.Status != "skipped" ||
		!strings.Contains(last.Detail, "attach_scp is false") {
		t.Errorf("last step = %+v, want AttachPolicy skipped naming attach_scp", last)
	}
	if n := len(srv.CallsTo("CreatePolicy")) + len(srv.CallsTo("AttachPolicy")); n != 0 {
		t.Errorf("%d Organizations writes with attach_scp false", n)
	}
}

func TestHandleApprovedChangeIsLeftAlone(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.SetSerialConsole("100000000004", "eu-west-1", true)
	topic := srv.CreateTopic("100000000000", "us-east-1", "serialguard")
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.Data = []string{"testdata/approvals.yaml"}
		c.SNSTopicARN = topic
	})
	f := finding(t, eventBridge(t, "eventbridge-enable.json",
		"100000000004", "eu-west-1", "e-1"))
	f.Actor.PrincipalARN = "arn:aws:iam::100000000004:role/BreakGlass"
	res, err := b.Handle(context.Background(), f)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if res.Decision.Action != policies.ActionAllow || res.Decision.ApprovalID != "CHG-1" {
		t.Errorf("decision = %+v, want allow by CHG-1", res.Decision)
	}
	if got := stepList(res); len(got) != 0 {
		t.Errorf("steps = %v, want none", got)
	}
	if on, _ := srv.SerialConsole("100000000004", "eu-west-1"); !on {
		t.Error("an approved enablement was disabled")
	}
	if n := len(srv.Notifications()); n != 0 {
		t.Errorf("%d notifications for an allowed finding, want 0", n)
	}
}

func TestFailureNamesTheEventOrThePair(t *testing.T) {
	failed := remediate.Step{Call: remediate.CallDisable,
		Status: remediate.StatusFailed, Detail: "AccessDenied"}
	tests := []struct {
		name string
		res  Result
		want string
	}{
		{"event", Result{Finding: detect.Finding{Source: "trail.json#[3]",
			EventID: "e-1", Account: "111122223333", Region: "eu-west-1"}},
			"trail.json#[3]: event e-1: DisableSerialConsoleAccess: " +
				"AccessDenied"},
		{"sweep", Result{Finding: detect.Finding{Source: SweepSource,
			Account: "111122223333", Region: "eu-west-1"}},
			"sweep: 111122223333/eu-west-1: DisableSerialConsoleAccess: " +
				"AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.res.Remediation.Steps = []remediate.Step{failed}
			err := failure(&tt.res)
			if err == nil || err.Error() != tt.want {
				t.Errorf("failure() = %v, want %s", err, tt.want)
			}
		})
	}
	if err := failure(&Result{}); err != nil {
		t.Errorf("failure() without a failed step = %v, want nil", err)
	}
}
