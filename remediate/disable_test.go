package remediate_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

func step(c string, s remediate.Status, detail string) remediate.Step {
	return remediate.Step{Call: c, Account: member, Region: region,
		Status: s, Detail: detail}
}

var assumed = step(remediate.CallAssumeRole, remediate.StatusDone,
	"assumed "+roleARN)

func TestDisableByState(t *testing.T) {
	tests := []struct {
		name      string
		seed      func(*awsfake.Server)
		dryRun    bool
		wantSteps []remediate.Step
		wantCalls []call
		wantOn    bool
	}{{
		name: "enabled is disabled and verified",
		seed: enable,
		wantSteps: []remediate.Step{assumed,
			step("GetSerialConsoleAccessStatus", remediate.StatusDone,
				"enabled, managed by account"),
			step("DisableSerialConsoleAccess", remediate.StatusDone,
				"disabled, verified by GetSerialConsoleAccessStatus"),
		},
		wantCalls: []call{assumeCall,
			ec2Call("GetSerialConsoleAccessStatus", ""),
			ec2Call("DisableSerialConsoleAccess", ""),
			ec2Call("GetSerialConsoleAccessStatus", ""),
		},
	}, {
		name: "disabled is skipped",
		seed: func(*awsfake.Server) {},
		wantSteps: []remediate.Step{assumed,
			step("GetSerialConsoleAccessStatus", remediate.StatusDone,
				"disabled, managed by account"),
			step("DisableSerialConsoleAccess", remediate.StatusSkipped,
				"already disabled"),
		},
		wantCalls: []call{assumeCall,
			ec2Call("GetSerialConsoleAccessStatus", "")},
	}, {
		name: "declarative policy is skipped without Disable",
		seed: func(s *awsfake.Server) {
			s.SetDeclarativePolicy(member, region, true)
		},
		wantSteps: []remediate.Step{assumed,
			step("GetSerialConsoleAccessStatus", remediate.StatusDone,
				"disabled, managed by declarative-policy"),
			step("DisableSerialConsoleAccess", remediate.StatusSkipped,
				"already disabled by an EC2 declarative policy"),
		},
		wantCalls: []call{assumeCall,
			ec2Call("GetSerialConsoleAccessStatus", "")},
	}, {
		name:   "dry run reads and plans",
		seed:   enable,
		dryRun: true,
		wantSteps: []remediate.Step{assumed,
			step("GetSerialConsoleAccessStatus", remediate.StatusDone,
				"enabled, managed by account"),
			step("DisableSerialConsoleAccess", remediate.StatusPlanned,
				"would disable: enabled, managed by account"),
		},
		wantCalls: []call{assumeCall,
			ec2Call("GetSerialConsoleAccessStatus", "")},
		wantOn: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.seed(f.srv)
			r := f.remediator(remediate.Options{DryRun: tt.dryRun})

			got := r.Disable(t.Context(), member, region)

			want := remediate.Result{DryRun: tt.dryRun, Steps: tt.wantSteps}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Disable result (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantCalls,
				summarize(f.srv.Calls())); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if on, _ := f.srv.SerialConsole(member, region); on != tt.wantOn {
				t.Errorf("serial console enabled = %v, want %v", on, tt.wantOn)
			}
		})
	}
}

func enable(s *awsfake.Server) { s.SetSerialConsole(member, region, true) }

func TestDisableAssumesRoleWithExternalID(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	r := f.remediator(remediate.Options{SessionName: "sg-test"})

	r.Disable(t.Context(), member, region)

	calls := f.srv.CallsTo("AssumeRole")
	if len(calls) != 1 {
		t.Fatalf("AssumeRole calls = %d, want 1", len(calls))
	}
	want := map[string]string{
		"RoleArn":         roleARN,
		"ExternalId":      externalID,
		"RoleSessionName": "sg-test",
		"DurationSeconds": "900",
	}
	if diff := cmp.Diff(want, calls[0].Params); diff != "" {
		t.Errorf("AssumeRole params (-want +got):\n%s", diff)
	}
}

func TestDisableIsIdempotent(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	r := f.remediator(remediate.Options{})
	ctx := t.Context()

	if res := r.Disable(ctx, member, region); res.Failed() {
		t.Fatalf("first Disable failed: %+v", res.Steps)
	}
	f.srv.ResetCalls()
	res := r.Disable(ctx, member, region)
	res2 := r.Disable(ctx, member, region)

	if res.Failed() || res2.Failed() {
		t.Fatalf("repeat Disable failed: %+v %+v", res.Steps, res2.Steps)
	}
	want := []call{ec2Call("GetSerialConsoleAccessStatus", ""),
		ec2Call("GetSerialConsoleAccessStatus", "")}
	if diff := cmp.Diff(want, summarize(f.srv.Calls())); diff != "" {
		t.Errorf("repeat calls, cached role and no mutation "+
			"(-want +got):\n%s", diff)
	}
}

func TestDisableDryRunWithoutCredentials(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	f.cfg.Credentials = nil
	r := f.remediator(remediate.Options{DryRun: true})

	got := r.Disable(t.Context(), member, region)

	if len(got.Steps) != 3 {
		t.Fatalf("steps = %+v, want AssumeRole, status, Disable", got.Steps)
	}
	wantCalls := []string{"AssumeRole", "GetSerialConsoleAccessStatus",
		"DisableSerialConsoleAccess"}
	for i, s := range got.Steps {
		if s.Call != wantCalls[i] || s.Status != remediate.StatusPlanned {
			t.Errorf("step %d = %s %s, want %s planned",
				i, s.Call, s.Status, wantCalls[i])
		}
		if !strings.Contains(s.Detail, "no usable AWS credentials") ||
			!strings.Contains(s.Detail, "state not read") {
			t.Errorf("step %d detail %q does not say why state is "+
				"unknown", i, s.Detail)
		}
	}
	if !strings.Contains(got.Steps[0].Detail, "would assume "+roleARN) {
		t.Errorf("AssumeRole detail %q does not name the role",
			got.Steps[0].Detail)
	}
	if calls := f.srv.Calls(); len(calls) != 0 {
		t.Errorf("calls = %v, want none", summarize(calls))
	}
}

func TestDisableWithoutCredentialsFails(t *testing.T) {
	f := newFixture(t)
	f.cfg.Credentials = nil
	r := f.remediator(remediate.Options{})

	got := r.Disable(t.Context(), member, region)

	want := []remediate.Step{step("AssumeRole", remediate.StatusFailed,
		"disable serial console in 100000000001/eu-west-1: "+
			"no usable AWS credentials: none configured")}
	if diff := cmp.Diff(want, got.Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if !got.Failed() {
		t.Error("Failed() = false, want true")
	}
}

func TestDisableRejectsBadTarget(t *testing.T) {
	tests := []struct{ name, account, region, want string }{
		{"short account", "1234", region, `account id "1234" is not 12 digits`},
		{"region", member, "eu-west", `region "eu-west" is not a region name`},
		{"empty region", member, "", `region "" is not a region name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			r := f.remediator(remediate.Options{})

			got := r.Disable(t.Context(), tt.account, tt.region)

			if len(got.Steps) != 1 || !got.Failed() ||
				!strings.HasSuffix(got.Steps[0].Detail, tt.want) {
				t.Errorf("steps = %+v, want one failed step ending %q",
					got.Steps, tt.want)
			}
			if calls := f.srv.Calls(); len(calls) != 0 {
				t.Errorf("calls = %v, want none", summarize(calls))
			}
		})
	}
}

// TestDisableLeavesPolicyEnabledAlone: where a declarative policy turns
// access on, the account cannot turn it off; the step says to change the
// policy and no Disable is attempted.
func TestDisableLeavesPolicyEnabledAlone(t *testing.T) {
	f := newFixture(t)
	attachDeclarative(t, f, `{"ec2_attributes":{"serial_console_access":`+
		`{"status":{"@@assign":"enabled"}}}}`)
	r := f.remediator(remediate.Options{})

	got := r.Disable(t.Context(), member, region)

	want := []remediate.Step{assumed,
		step("GetSerialConsoleAccessStatus", remediate.StatusDone,
			"enabled, managed by declarative-policy"),
		step("DisableSerialConsoleAccess", remediate.StatusSkipped,
			"enabled by an EC2 declarative policy, which the account "+
				"cannot override: change the policy"),
	}
	if diff := cmp.Diff(want, got.Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if n := len(mutatingEC2(f.srv)); n != 0 {
		t.Errorf("mutating EC2 calls = %d, want 0", n)
	}
}

// attachDeclarative attaches an EC2 declarative policy with content to
// the member account, through Organizations as an administrator would.
func attachDeclarative(t *testing.T, f *fixture, content string) {
	t.Helper()
	ctx := t.Context()
	org := organizations.NewFromConfig(f.cfg)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
		RootId:     roots.Roots[0].Id,
		PolicyType: orgtypes.PolicyTypeDeclarativePolicyEc2,
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("serial-console"), Description: aws.String("test"),
		Content: aws.String(content),
		Type:    orgtypes.PolicyTypeDeclarativePolicyEc2,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(member),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.ResetCalls()
}
