package scp_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
	"github.com/serialguard/serialguard/scp"
)

func TestApplyRetries(t *testing.T) {
	fault := func(op, code string, times int) awsfake.Fault {
		return awsfake.Fault{Service: "organizations", Operation: op,
			Code: code, Times: times}
	}
	tests := []struct {
		name      string
		fault     awsfake.Fault
		wantErr   []string // parts of the error; none for success
		wantCalls []string
	}{{
		name:  "concurrent modification within the budget",
		fault: fault("CreatePolicy", "ConcurrentModificationException", 2),
		wantCalls: []string{"ListPolicies",
			"CreatePolicy:ConcurrentModificationException",
			"CreatePolicy:ConcurrentModificationException",
			"CreatePolicy", "ListPoliciesForTarget", "AttachPolicy"},
	}, {
		name:  "concurrent modification beyond the budget",
		fault: fault("AttachPolicy", "ConcurrentModificationException", 0),
		wantErr: []string{"attach policy p-awsf0001 to " + ou,
			"AttachPolicy", "ConcurrentModificationException",
			"exceeded maximum number of attempts, 3"},
		wantCalls: []string{"ListPolicies", "CreatePolicy",
			"ListPoliciesForTarget",
			"AttachPolicy:ConcurrentModificationException",
			"AttachPolicy:ConcurrentModificationException",
			"AttachPolicy:ConcurrentModificationException"},
	}, {
		name:  "throttling within the budget",
		fault: fault("ListPolicies", "TooManyRequestsException", 2),
		wantCalls: []string{"ListPolicies:TooManyRequestsException",
			"ListPolicies:TooManyRequestsException", "ListPolicies",
			"CreatePolicy", "ListPoliciesForTarget", "AttachPolicy"},
	}, {
		name:  "throttling beyond the budget",
		fault: fault("ListPolicies", "TooManyRequestsException", 0),
		wantErr: []string{"list policies: ", "ListPolicies",
			"TooManyRequestsException",
			"exceeded maximum number of attempts, 3"},
		wantCalls: []string{"ListPolicies:TooManyRequestsException",
			"ListPolicies:TooManyRequestsException",
			"ListPolicies:TooManyRequestsException"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.Inject(tt.fault)
			e := f.enforcer(t, scp.Options{MaxAttempts: 3})

			steps, err := e.Apply(t.Context(), ou)

			checkErr(t, err, tt.wantErr)
			if err != nil {
				last := steps[len(steps)-1]
				if last.Status != remediate.StatusFailed ||
					last.Detail != err.Error() {
					t.Errorf("last step = %+v, want failed with the error", last)
				}
			}
			if diff := cmp.Diff(tt.wantCalls, f.orgCalls()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// checkErr checks that err is nil when want is empty, else names want.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("error = %v, want none", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("error = nil, want one naming %q", want)
	}
	for _, part := range want {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not name %q", err, part)
		}
	}
}

func TestApplyQuotaErrors(t *testing.T) {
	declarative := scp.Options{Type: types.PolicyTypeDeclarativePolicyEc2,
		Content: []byte(`{"ec2_attributes":{}}`)}
	tests := []struct {
		name   string
		seed   func(*testing.T, *fixture)
		opts   scp.Options
		wantTo []string
	}{{
		name: "five SCPs on the target",
		seed: attachOthers(4),
		wantTo: []string{"attach policy p-awsf0005 to " + member,
			"quota: " + member + " already has the most " +
				"SERVICE_CONTROL_POLICY attachments AWS allows (5 SCPs per " +
				"target, FullAWSAccess included): detach one or merge policies",
			"ConstraintViolationException"},
	}, {
		name: "policy count",
		seed: refuseCreate("POLICY_NUMBER_LIMIT_EXCEEDED"),
		wantTo: []string{"create policy " + scp.DefaultSCPName,
			"quota: the organization has the most SERVICE_CONTROL_POLICY " +
				"policies AWS allows"},
	}, {
		name: "SCP content size",
		seed: refuseCreate("POLICY_CONTENT_LIMIT_EXCEEDED"),
		wantTo: []string{"quota: the document is larger than AWS allows " +
			"for a SERVICE_CONTROL_POLICY (5120 characters): exempt fewer " +
			"principals or use wider patterns"},
	}, {
		name: "declarative content size",
		seed: refuseCreate("POLICY_CONTENT_LIMIT_EXCEEDED"),
		opts: declarative,
		wantTo: []string{"quota: the document is larger than AWS allows " +
			"for a DECLARATIVE_POLICY_EC2 (10000 characters): shorten the " +
			"exception message"},
	}, {
		name: "other reason",
		seed: refuseCreate("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE"),
		wantTo: []string{"constraint violated " +
			"(ORGANIZATION_NOT_IN_ALL_FEATURES_MODE)"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.seed(t, f)
			e := f.enforcer(t, tt.opts)

			_, err := e.Apply(t.Context(), member)

			checkErr(t, err, tt.wantTo)
			var cv *types.ConstraintViolationException
			if !errors.As(err, &cv) {
				t.Errorf("error %v does not wrap the modeled exception", err)
			}
		})
	}
}

// refuseCreate makes CreatePolicy fail with a ConstraintViolationException
// for reason.
func refuseCreate(reason string) func(*testing.T, *fixture) {
	return func(_ *testing.T, f *fixture) {
		f.srv.Inject(awsfake.Fault{Service: "organizations",
			Operation: "CreatePolicy", Code: "ConstraintViolationException",
			Reason: reason})
	}
}

// attachOthers attaches n other SCPs to the member account.
func attachOthers(n int) func(*testing.T, *fixture) {
	return func(t *testing.T, f *fixture) {
		t.Helper()
		client := organizations.NewFromConfig(f.cfg)
		for i := range n {
			out, err := client.CreatePolicy(t.Context(),
				&organizations.CreatePolicyInput{
					Name:        aws.String(fmt.Sprintf("other-%d", i)),
					Description: aws.String("unrelated"),
					Content: aws.String(
						`{"Version":"2012-10-17","Statement":[]}`),
					Type: types.PolicyTypeServiceControlPolicy,
				})
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.AttachPolicy(t.Context(),
				&organizations.AttachPolicyInput{
					PolicyId: out.Policy.PolicySummary.Id,
					TargetId: aws.String(member),
				})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestApplyWithoutOrganizationsAccess(t *testing.T) {
	f := newFixture(t)
	f.cfg.Credentials = aws.NewCredentialsCache(
		stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.cfg),
			"arn:aws:iam::"+member+":role/some-member-role"))
	e := f.enforcer(t, scp.Options{})

	_, err := e.Apply(t.Context(), ou)

	checkErr(t, err, []string{"list policies: use credentials of the " +
		"organization's management account or of a delegated " +
		"administrator", "AccessDeniedException"})
}

// TestDeclarativePolicyEndToEnd enables the declarative policy type,
// applies the policy to the root, and finds the member account's serial
// console managed by it: remediation then leaves it alone.
func TestDeclarativePolicyEndToEnd(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	doc, err := scp.RenderDeclarative("Serial console access is disabled")
	if err != nil {
		t.Fatal(err)
	}
	e := f.enforcer(t, scp.Options{Content: doc,
		Type: types.PolicyTypeDeclarativePolicyEc2})

	_, err = e.Apply(ctx, root)
	checkErr(t, err, []string{"attach policy p-awsf0001 to " + root,
		"policy type DECLARATIVE_POLICY_EC2 is not enabled in the " +
			"organization's root: enable it with --enable-policy-type",
		"PolicyTypeNotEnabledException"})

	steps, err := e.EnablePolicyType(ctx)
	if err != nil {
		t.Fatalf("EnablePolicyType: %v", err)
	}
	wantEnable := []remediate.Step{
		{Call: "ListRoots", Account: root, Status: remediate.StatusDone,
			Detail: "root " + root},
		{Call: "EnablePolicyType", Account: root,
			Status: remediate.StatusDone,
			Detail: "enabled DECLARATIVE_POLICY_EC2 in " + root},
	}
	if diff := cmp.Diff(wantEnable, steps); diff != "" {
		t.Errorf("EnablePolicyType steps (-want +got):\n%s", diff)
	}
	if _, err := e.Apply(ctx, root); err != nil {
		t.Fatalf("Apply after enabling: %v", err)
	}

	state, err := remediate.New(f.cfg, remediate.Options{}).Status(ctx,
		f.srv.ManagementAccountID(), "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	want := remediate.State{ManagedBy: remediate.ManagedByDeclarativePolicy}
	if state != want {
		t.Errorf("state under the policy = %+v, want %+v", state, want)
	}
}

func TestEnablePolicyTypeIsIdempotent(t *testing.T) {
	f := newFixture(t)
	e := f.enforcer(t, scp.Options{})

	steps, err := e.EnablePolicyType(t.Context())

	if err != nil {
		t.Fatalf("EnablePolicyType: %v", err)
	}
	want := remediate.Step{Call: "EnablePolicyType", Account: root,
		Status: remediate.StatusSkipped,
		Detail: "SERVICE_CONTROL_POLICY is already ENABLED in " + root}
	if diff := cmp.Diff(want, steps[len(steps)-1]); diff != "" {
		t.Errorf("last step (-want +got):\n%s", diff)
	}
	if n := f.mutations(); n != 0 {
		t.Errorf("made %d mutating calls, want 0", n)
	}
}

func TestEnablePolicyTypeDryRun(t *testing.T) {
	f := newFixture(t)
	doc, _ := scp.RenderDeclarative("")
	e := f.enforcer(t, scp.Options{Content: doc, DryRun: true,
		Type: types.PolicyTypeDeclarativePolicyEc2})

	steps, err := e.EnablePolicyType(t.Context())

	if err != nil {
		t.Fatalf("EnablePolicyType: %v", err)
	}
	last := steps[len(steps)-1]
	if last.Status != remediate.StatusPlanned ||
		last.Detail != "would enable DECLARATIVE_POLICY_EC2 in "+root {
		t.Errorf("last step = %+v, want the enable planned", last)
	}
	if n := f.mutations(); n != 0 {
		t.Errorf("made %d mutating calls, want 0", n)
	}
}
