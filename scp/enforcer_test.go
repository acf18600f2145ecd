package scp_test

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
	"github.com/serialguard/serialguard/scp"
)

const (
	member = "100000000001"
	ou     = "ou-a1b2-00000000"
	root   = "r-a1b2"
)

// fixture is a fake organization and the configuration of its
// management account.
type fixture struct {
	srv *awsfake.Server
	cfg aws.Config
}

func newFixture(t *testing.T, opts ...awsfake.Option) *fixture {
	t.Helper()
	srv := awsfake.Start(t, opts...)
	return &fixture{srv: srv, cfg: srv.Config(t.Context())}
}

// enforcer returns an Enforcer of the SCP exempting approved, unless o
// carries its own content.
func (f *fixture) enforcer(t *testing.T, o scp.Options, approved ...string) *scp.Enforcer {
	t.Helper()
	if o.Content == nil {
		doc, err := scp.Render(approved)
		if err != nil {
			t.Fatal(err)
		}
		o.Content = doc
	}
	o.Logger = slog.New(slog.DiscardHandler)
	return scp.NewEnforcer(f.cfg, o)
}

// orgCalls returns the Organizations calls as "Operation" or
// "Operation:ErrorCode".
func (f *fixture) orgCalls() []string {
	out := []string{}
	for _, c := range f.srv.Calls() {
		if c.Service != "organizations" {
			continue
		}
		s := c.Operation
		if c.ErrorCode != "" {
			s += ":" + c.ErrorCode
		}
		out = append(out, s)
	}
	return out
}

// mutations counts the mutating Organizations calls.
func (f *fixture) mutations() int {
	n := 0
	for _, c := range f.srv.MutatingCalls() {
		if c.Service == "organizations" {
			n++
		}
	}
	return n
}

func orgStep(call string, status remediate.Status, detail string) remediate.Step {
	return remediate.Step{Call: call, Account: member, Status: status,
		Detail: detail}
}

func TestApplyCreatesAndAttaches(t *testing.T) {
	f := newFixture(t)
	e := f.enforcer(t, scp.Options{}, "arn:aws:iam::*:role/BreakGlass")

	got, err := e.Apply(t.Context(), member)

	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	name := scp.DefaultSCPName
	want := []remediate.Step{
		orgStep("DescribeOrganization", remediate.StatusDone,
			"organization o-a1b2c3d4e5, management account 100000000000"),
		orgStep("ListPolicies", remediate.StatusDone,
			"no SERVICE_CONTROL_POLICY named "+name),
		orgStep("CreatePolicy", remediate.StatusDone,
			"created p-awsf0001 named "+name),
		orgStep("ListPoliciesForTarget", remediate.StatusDone,
			"p-awsf0001 is not attached to "+member),
		orgStep("AttachPolicy", remediate.StatusDone,
			"attached p-awsf0001 to "+member),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	doc, _ := scp.Render([]string{"arn:aws:iam::*:role/BreakGlass"})
	create := f.srv.CallsTo("CreatePolicy")[0].Params
	wantCreate := map[string]string{
		"Name": name, "Type": "SERVICE_CONTROL_POLICY",
		"Content":     string(doc),
		"Description": "Managed by serialguard: keeps EC2 serial console access shut",
	}
	if diff := cmp.Diff(wantCreate, create); diff != "" {
		t.Errorf("CreatePolicy params (-want +got):\n%s", diff)
	}
	attach := f.srv.CallsTo("AttachPolicy")[0].Params
	wantAttach := map[string]string{"PolicyId": "p-awsf0001",
		"TargetId": member}
	if diff := cmp.Diff(wantAttach, attach); diff != "" {
		t.Errorf("AttachPolicy params (-want +got):\n%s", diff)
	}
}

func TestApplyIsIdempotent(t *testing.T) {
	f := newFixture(t)
	e := f.enforcer(t, scp.Options{}, "arn:aws:iam::*:role/BreakGlass")
	ctx := t.Context()
	if _, err := e.Apply(ctx, member); err != nil {
		t.Fatalf("first Apply: %v", err)
	}
	f.srv.ResetCalls()

	for i := range 2 {
		got, err := e.Apply(ctx, member)
		if err != nil {
			t.Fatalf("Apply %d: %v", i+2, err)
		}
		last := got[len(got)-1]
		if last.Call != "AttachPolicy" || last.Status != remediate.StatusSkipped {
			t.Errorf("Apply %d last step = %+v, want AttachPolicy skipped",
				i+2, last)
		}
	}

	if n := f.mutations(); n != 0 {
		t.Errorf("repeat Apply made %d mutating calls, want 0: %v",
			n, f.orgCalls())
	}
	want := []string{"DescribeOrganization", "ListPolicies", "DescribePolicy",
		"ListPoliciesForTarget"}
	want = append(want, want...)
	if diff := cmp.Diff(want, f.orgCalls()); diff != "" {
		t.Errorf("repeat calls (-want +got):\n%s", diff)
	}
}

func TestApplyUpdatesChangedContent(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	old := f.enforcer(t, scp.Options{}, "arn:aws:iam::*:role/A")
	if _, err := old.Apply(ctx, ou); err != nil {
		t.Fatalf("first Apply: %v", err)
	}
	f.srv.ResetCalls()
	e := f.enforcer(t, scp.Options{}, "arn:aws:iam::*:role/A",
		"arn:aws:iam::*:role/B")

	_, err := e.Apply(ctx, ou)

	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want := []string{"ListPolicies", "DescribePolicy", "UpdatePolicy",
		"ListPoliciesForTarget"}
	if diff := cmp.Diff(want, f.orgCalls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	doc, _ := scp.Render([]string{"arn:aws:iam::*:role/A",
		"arn:aws:iam::*:role/B"})
	params := f.srv.CallsTo("UpdatePolicy")[0].Params
	if params["Content"] != string(doc) || params["PolicyId"] != "p-awsf0001" {
		t.Errorf("UpdatePolicy params = %v", params)
	}
}

// TestApplyFindsPolicyOnLaterPage puts the policy behind a full page of
// others, so that finding it takes pagination.
func TestApplyFindsPolicyOnLaterPage(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	client := organizations.NewFromConfig(f.cfg)
	for i := range 25 {
		_, err := client.CreatePolicy(ctx, &organizations.CreatePolicyInput{
			Name:        aws.String(fmt.Sprintf("other-%02d", i)),
			Description: aws.String("unrelated"),
			Content:     aws.String(`{"Version":"2012-10-17","Statement":[]}`),
			Type:        types.PolicyTypeServiceControlPolicy,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	e := f.enforcer(t, scp.Options{})
	if _, err := e.Apply(ctx, root); err != nil {
		t.Fatalf("first Apply: %v", err)
	}
	f.srv.ResetCalls()

	if _, err := e.Apply(ctx, root); err != nil {
		t.Fatalf("second Apply: %v", err)
	}

	want := []string{"ListPolicies", "ListPolicies", "DescribePolicy",
		"ListPoliciesForTarget"}
	if diff := cmp.Diff(want, f.orgCalls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestApplyDryRun(t *testing.T) {
	f := newFixture(t)
	e := f.enforcer(t, scp.Options{DryRun: true})

	got, err := e.Apply(t.Context(), member)

	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	want := []remediate.Step{
		orgStep("DescribeOrganization", remediate.StatusDone,
			"organization o-a1b2c3d4e5, management account 100000000000"),
		orgStep("ListPolicies", remediate.StatusDone,
			"no SERVICE_CONTROL_POLICY named "+scp.DefaultSCPName),
		orgStep("CreatePolicy", remediate.StatusPlanned,
			"would create SERVICE_CONTROL_POLICY "+scp.DefaultSCPName),
		orgStep("AttachPolicy", remediate.StatusPlanned,
			"would attach "+scp.DefaultSCPName+" to "+member),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if n := f.mutations(); n != 0 {
		t.Errorf("dry run made %d mutating calls", n)
	}
}

func TestApplyDryRunPlansUpdate(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if _, err := f.enforcer(t, scp.Options{}).Apply(ctx, member); err != nil {
		t.Fatal(err)
	}
	f.srv.ResetCalls()
	e := f.enforcer(t, scp.Options{DryRun: true}, "arn:aws:iam::*:role/New")

	got, err := e.Apply(ctx, member)

	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	update := got[3]
	if update.Call != "UpdatePolicy" || update.Status != remediate.StatusPlanned {
		t.Errorf("step 4 = %+v, want UpdatePolicy planned", update)
	}
	if n := f.mutations(); n != 0 {
		t.Errorf("dry run made %d mutating calls", n)
	}
}

func TestApplyDryRunWithoutCredentials(t *testing.T) {
	f := newFixture(t)
	f.cfg.Credentials = nil
	e := f.enforcer(t, scp.Options{DryRun: true})

	got, err := e.Apply(t.Context(), member)

	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("steps = %+v, want CreatePolicy and AttachPolicy planned", got)
	}
	for _, s := range got {
		if s.Status != remediate.StatusPlanned ||
			!strings.Contains(s.Detail, "no usable AWS credentials") {
			t.Errorf("step %+v: want planned, saying there are no credentials", s)
		}
	}
	if calls := f.srv.Calls(); len(calls) != 0 {
		t.Errorf("made %d calls, want none", len(calls))
	}
}

func TestApplyRefusesManagementAccount(t *testing.T) {
	f := newFixture(t)
	e := f.enforcer(t, scp.Options{})

	_, err := e.Apply(t.Context(), f.srv.ManagementAccountID())

	if !errors.Is(err, scp.ErrManagementAccount) {
		t.Fatalf("Apply error = %v, want ErrManagementAccount", err)
	}
	want := "apply policy " + scp.DefaultSCPName + " to 100000000000: it is " +
		"the management account of o-a1b2c3d4e5: SCPs do not apply to the " +
		"management account"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want prefix %q", err, want)
	}
	if diff := cmp.Diff([]string{"DescribeOrganization"},
		f.orgCalls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestApplyRejectsBadInput(t *testing.T) {
	tests := []struct {
		name, target string
		kind         types.PolicyType
		content      string
		want         string
	}{
		{"bad target", "12345", "", `{}`,
			`target "12345" is not an account id`},
		{"no content", member, "", "", "no policy content"},
		{"invalid JSON", member, "", "{", "parse policy document"},
		{"trailing data", member, "", "{}}", "data after the JSON value"},
		{"SCP too large", member, "", `{"a":"` +
			strings.Repeat("x", scp.MaxSCPSize) + `"}`,
			"SCP is 5128 characters, over the quota of 5120"},
		{"declarative too large", member,
			types.PolicyTypeDeclarativePolicyEc2, `{"a":"` +
				strings.Repeat("é", scp.MaxDeclarativeSize) + `"}`,
			"declarative policy is 10008 characters, over the quota"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			o := scp.Options{Type: tt.kind, Content: []byte(tt.content),
				Logger: slog.New(slog.DiscardHandler)}

			_, err := scp.NewEnforcer(f.cfg, o).Apply(t.Context(), tt.target)

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Apply error = %v, want %q", err, tt.want)
			}
			if calls := f.srv.Calls(); len(calls) != 0 {
				t.Errorf("made %d calls, want none", len(calls))
			}
		})
	}
}
