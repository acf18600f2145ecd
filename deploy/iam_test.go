package deploy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/deploy"
)

// TestAllowsAreExact checks that no statement allows more than it names:
// no wildcard in an allowed action, no NotAction or NotResource, and no
// "*" principal without a condition.
func TestAllowsAreExact(t *testing.T) {
	for _, d := range allDocuments(t) {
		for _, st := range statements(t, d.doc) {
			if st["Effect"] != "Allow" {
				continue
			}
			for _, key := range []string{"NotAction", "NotResource", "NotPrincipal"} {
				if _, ok := st[key]; ok {
					t.Errorf("%s: an Allow statement uses %s", d.where, key)
				}
			}
			actions := strs(st["Action"])
			if len(actions) == 0 {
				t.Errorf("%s: an Allow statement without Action", d.where)
			}
			for _, a := range actions {
				if strings.ContainsAny(a, "*?") {
					t.Errorf("%s: allows the wildcard action %q", d.where, a)
				}
			}
			if st["Principal"] == "*" && st["Condition"] == nil {
				t.Errorf("%s: allows any principal without a condition", d.where)
			}
		}
	}
}

// TestEnableNeverAllowed: nothing serialguard deploys may switch serial
// console access on.
func TestEnableNeverAllowed(t *testing.T) {
	for _, d := range allDocuments(t) {
		for _, st := range statements(t, d.doc) {
			if st["Effect"] != "Allow" {
				continue
			}
			for _, a := range strs(st["Action"]) {
				if matches(a, "ec2:EnableSerialConsoleAccess") {
					t.Errorf("%s: %q allows ec2:EnableSerialConsoleAccess",
						d.where, a)
				}
			}
		}
	}
}

// TestStatusNeverDenied: audits need GetSerialConsoleAccessStatus, so no
// deny may cover it.
func TestStatusNeverDenied(t *testing.T) {
	const status = "ec2:GetSerialConsoleAccessStatus"
	for _, d := range allDocuments(t) {
		for _, st := range statements(t, d.doc) {
			if st["Effect"] != "Deny" {
				continue
			}
			for _, a := range strs(st["Action"]) {
				if matches(a, status) {
					t.Errorf("%s: %q denies %s", d.where, a, status)
				}
			}
			if not := strs(st["NotAction"]); len(not) > 0 &&
				!containsMatch(not, status) {
				t.Errorf("%s: NotAction %v denies %s", d.where, not, status)
			}
		}
	}
}

func containsMatch(patterns []string, action string) bool {
	for _, p := range patterns {
		if matches(p, action) {
			return true
		}
	}
	return false
}

// TestCrossAccountTrustNeedsExternalID: every role another account may
// assume checks the external id and the exact calling role.
func TestCrossAccountTrustNeedsExternalID(t *testing.T) {
	const caller = "arn:aws:iam::111122223333:role/serialguard-central"
	found := 0
	for _, d := range allDocuments(t) {
		if !d.trust {
			continue
		}
		for _, st := range statements(t, d.doc) {
			p, _ := st["Principal"].(map[string]any)
			if _, ok := p["AWS"]; !ok {
				continue
			}
			found++
			cond, _ := st["Condition"].(map[string]any)
			want := map[string]any{
				"StringEquals": map[string]any{"sts:ExternalId": externalID},
				"ArnEquals":    map[string]any{"aws:PrincipalArn": caller},
			}
			if diff := cmp.Diff(want, cond); diff != "" {
				t.Errorf("%s: trust condition mismatch (-want +got):\n%s",
					d.where, diff)
			}
		}
	}
	if found == 0 {
		t.Error("no cross-account trust found")
	}
}

// TestRoleGrants pins what each role may do: exactly what the code calls.
func TestRoleGrants(t *testing.T) {
	memberARN := "arn:aws:iam::*:role/serialguard-remediation"
	tests := []struct {
		file, role string
		want       []grant
	}{
		{deploy.Central, "FunctionRole", []grant{
			{"logs:CreateLogStream", "${LogGroup.Arn}"},
			{"logs:PutLogEvents", "${LogGroup.Arn}"},
			{"sns:Publish", "${Topic}"},
			{"sqs:DeleteMessage", "${Queue.Arn}"},
			{"sqs:GetQueueAttributes", "${Queue.Arn}"},
			{"sqs:ReceiveMessage", "${Queue.Arn}"},
			{"sts:AssumeRole", memberARN},
			{"sts:AssumeRole", managementRoleARN},
		}},
		{deploy.MemberRole, "RemediationRole", []grant{
			{"cloudtrail:LookupEvents", "*"},
			{"ec2:DescribeRegions", "*"},
			{"ec2:DisableSerialConsoleAccess", "*"},
			{"ec2:GetSerialConsoleAccessStatus", "*"},
		}},
		{deploy.Management, "OrganizationsRole", organizationsGrants()},
		{deploy.Forwarder, "ForwarderRole", []grant{
			{"events:PutEvents", centralBusARN},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			role, err := load(t, tt.file, nil).GetIAMRoleWithName(tt.role)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, roleGrants(t, role)); diff != "" {
				t.Errorf("grants mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func organizationsGrants() []grant {
	var out []grant
	for _, a := range []string{
		"AttachPolicy", "CreatePolicy", "DescribeAccount",
		"DescribeOrganization", "DescribePolicy", "EnablePolicyType",
		"ListAccounts", "ListAccountsForParent",
		"ListOrganizationalUnitsForParent", "ListParents", "ListPolicies",
		"ListPoliciesForTarget", "ListRoots",
		"UpdatePolicy",
	} {
		out = append(out, grant{"organizations:" + a, "*"})
	}
	return out
}

// TestGrantConditions pins the conditions that narrow "*" resources and
// role name patterns.
func TestGrantConditions(t *testing.T) {
	tests := []struct {
		file, role, sid string
		want            map[string]any
	}{
		{deploy.Central, "FunctionRole", "AssumeMemberRoles", map[string]any{
			"StringEquals": map[string]any{"aws:ResourceOrgID": organizationID},
		}},
		{deploy.Management, "OrganizationsRole", "ManageSerialConsolePolicies",
			map[string]any{"StringEquals": map[string]any{
				"organizations:PolicyType": []any{
					"SERVICE_CONTROL_POLICY", "DECLARATIVE_POLICY_EC2"},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.sid, func(t *testing.T) {
			role, err := load(t, tt.file, nil).GetIAMRoleWithName(tt.role)
			if err != nil {
				t.Fatal(err)
			}
			var got any
			for _, p := range role.Policies {
				for _, st := range statements(t, p.PolicyDocument) {
					if st["Sid"] == tt.sid {
						got = st["Condition"]
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("condition mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSharedDefaults: the names that tie the stacks together default to
// the same values in every template.
func TestSharedDefaults(t *testing.T) {
	def := func(file, param string) any {
		return load(t, file, nil).Parameters[param].Default
	}
	pairs := []struct{ a, b any }{
		{def(deploy.Central, "FunctionRoleName"), def(deploy.MemberRole, "CentralRoleName")},
		{def(deploy.Central, "FunctionRoleName"), def(deploy.Management, "CentralRoleName")},
		{def(deploy.Central, "MemberRoleName"), def(deploy.MemberRole, "MemberRoleName")},
		{"arn:aws:iam::777788889999:role/" + def(deploy.Management,
			"ManagementRoleName").(string), managementRoleARN},
	}
	for _, p := range pairs {
		if p.a != p.b || p.a == nil {
			t.Errorf("defaults differ: %v and %v", p.a, p.b)
		}
	}
	ext := load(t, deploy.Central, nil).Parameters["ExternalId"]
	for _, file := range []string{deploy.MemberRole, deploy.Management} {
		got := load(t, file, nil).Parameters["ExternalId"]
		got.Description = ext.Description
		if diff := cmp.Diff(ext, got); diff != "" {
			t.Errorf("%s ExternalId constraints differ (-central +%s):\n%s",
				file, file, diff)
		}
	}
}
