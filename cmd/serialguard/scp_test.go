package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

const scpApprovals = "testdata/scp/approvals.yaml"

func TestSCPRender(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{{
		name: "SCP from approvals",
		args: []string{"--data", scpApprovals},
		want: `{"Version":"2012-10-17","Statement":[{"Sid":` +
			`"DenySerialConsoleEnable","Effect":"Deny","Action":` +
			`"ec2:EnableSerialConsoleAccess","Resource":"*","Condition":` +
			`{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::*:role/` +
			`aws-reserved/sso.amazonaws.com/*/` +
			`AWSReservedSSO_IncidentResponder_*","arn:aws:iam::` +
			`777788889999:role/image-pipeline"]}}}]}` + "\n",
	}, {
		name: "SCP without approvals",
		args: nil,
		want: `{"Version":"2012-10-17","Statement":[{"Sid":` +
			`"DenySerialConsoleEnable","Effect":"Deny","Action":` +
			`"ec2:EnableSerialConsoleAccess","Resource":"*"}]}` + "\n",
	}, {
		name: "declarative as text",
		args: []string{"--declarative", "--exception-message", "Ask SecOps",
			"-o", "text"},
		want: `{
  "ec2_attributes": {
    "exception_message": {
      "@@assign": "Ask SecOps"
    },
    "serial_console_access": {
      "status": {
        "@@assign": "disabled"
      }
    }
  }
}
`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := runCLI(t, append([]string{"scp", "render"},
				tt.args...)...)
			if err != nil {
				t.Fatalf("scp render: %v", err)
			}
			if diff := cmp.Diff(tt.want, stdout); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSCPRenderUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--exception-message", "x"}, "needs --declarative"},
		{[]string{"--declarative", "--data", scpApprovals},
			"do not apply to --declarative"},
		{[]string{"--data", "testdata/scp/missing.yaml"}, "missing.yaml"},
	}
	for _, tt := range tests {
		_, _, err := runCLI(t, append([]string{"scp", "render"}, tt.args...)...)
		if code := codeOf(err); code != exitFailure ||
			!strings.Contains(err.Error(), tt.want) {
			t.Errorf("scp render %v: exit %d (%v), want 2 naming %q",
				tt.args, code, err, tt.want)
		}
	}
}

// scpApply runs `scp apply` against srv and decodes its JSON output.
func scpApply(t *testing.T, srv *awsfake.Server, args ...string) (remediate.Result, error) {
	t.Helper()
	remediateEnv(t, srv)
	args = append([]string{"scp", "apply", "-o", "json"}, args...)
	stdout, _, err := runCLI(t, args...)
	var res remediate.Result
	if jerr := json.Unmarshal([]byte(stdout), &res); jerr != nil {
		t.Fatalf("output is not a Result: %v\n%s", jerr, stdout)
	}
	return res, err
}

func stepCalls(res remediate.Result) []string {
	var out []string
	for _, s := range res.Steps {
		out = append(out, s.Call+" "+string(s.Status))
	}
	return out
}

func TestSCPApply(t *testing.T) {
	srv := awsfake.Start(t)

	res, err := scpApply(t, srv, "--target", remMember, "--data", scpApprovals)
	if err != nil {
		t.Fatalf("first apply: %v", err)
	}
	want := []string{"DescribeOrganization done", "ListPolicies done",
		"CreatePolicy done", "ListPoliciesForTarget done", "AttachPolicy done"}
	if diff := cmp.Diff(want, stepCalls(res)); diff != "" {
		t.Errorf("first apply steps (-want +got):\n%s", diff)
	}

	srv.ResetCalls()
	res, err = scpApply(t, srv, "--target", remMember, "--data", scpApprovals)
	if err != nil {
		t.Fatalf("second apply: %v", err)
	}
	want = []string{"DescribeOrganization done", "ListPolicies done",
		"DescribePolicy done", "UpdatePolicy skipped",
		"ListPoliciesForTarget done", "AttachPolicy skipped"}
	if diff := cmp.Diff(want, stepCalls(res)); diff != "" {
		t.Errorf("second apply steps (-want +got):\n%s", diff)
	}
	if calls := srv.MutatingCalls(); len(calls) != 0 {
		t.Errorf("second apply made mutating calls: %+v", calls)
	}
}

func TestSCPApplyRefusesManagementAccount(t *testing.T) {
	srv := awsfake.Start(t)

	_, err := scpApply(t, srv, "--target", srv.ManagementAccountID())

	if code := codeOf(err); code != exitFailure ||
		!strings.Contains(err.Error(), "SCPs do not apply to the management account") {
		t.Errorf("exit %d (%v), want 2 explaining the refusal", code, err)
	}
}

func TestSCPApplyDeclarativeEnablesType(t *testing.T) {
	srv := awsfake.Start(t)
	root := srv.RootID()

	_, err := scpApply(t, srv, "--target", root, "--declarative")
	if code := codeOf(err); code != exitFailure ||
		!strings.Contains(err.Error(), "--enable-policy-type") {
		t.Fatalf("without the type: exit %d (%v), want 2 naming "+
			"--enable-policy-type", code, err)
	}

	res, err := scpApply(t, srv, "--target", root, "--declarative",
		"--enable-policy-type", "--name", "sc-off")
	if err != nil {
		t.Fatalf("apply with --enable-policy-type: %v", err)
	}
	want := []string{"ListRoots done", "EnablePolicyType done",
		"ListPolicies done", "CreatePolicy done",
		"ListPoliciesForTarget done", "AttachPolicy done"}
	if diff := cmp.Diff(want, stepCalls(res)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if on, by := srv.SerialConsole(remMember, remRegion); on ||
		by != awsfake.ManagedByDeclarative {
		t.Errorf("member state = %v, %s; want disabled by the policy", on, by)
	}
}
