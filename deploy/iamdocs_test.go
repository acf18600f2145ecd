package deploy_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/deploy"
	"github.com/serialguard/serialguard/deploy/iam"
)

func iamDocument(t *testing.T, name string) any {
	t.Helper()
	data, err := iam.Documents.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return doc
}

// TestRolesMatchIAMDocuments: the roles the templates create grant what
// the stand-alone policy documents in deploy/iam grant, statement for
// statement.
func TestRolesMatchIAMDocuments(t *testing.T) {
	tests := []struct{ file, role, doc string }{
		{deploy.MemberRole, "RemediationRole", iam.MemberRemediation},
		{deploy.Management, "OrganizationsRole", iam.Organizations},
	}
	for _, tt := range tests {
		t.Run(tt.doc, func(t *testing.T) {
			role, err := load(t, tt.file, nil).GetIAMRoleWithName(tt.role)
			if err != nil {
				t.Fatal(err)
			}
			if len(role.Policies) != 1 {
				t.Fatalf("%s has %d policies, want 1", tt.role, len(role.Policies))
			}
			want := iamDocument(t, tt.doc)
			if diff := cmp.Diff(want, role.Policies[0].PolicyDocument); diff != "" {
				t.Errorf("%s and %s differ (-%s +template):\n%s",
					tt.role, tt.doc, tt.doc, diff)
			}
		})
	}
}

// TestFunctionWithinBotDocument: the function's role needs no action
// that bot.json, the policy of serialguard's principal in every run mode,
// does not list. bot.json grants more (S3, for reading CloudTrail logs in
// the backfill mode), which the Lambda function never does.
func TestFunctionWithinBotDocument(t *testing.T) {
	allowed := map[string]bool{}
	for _, g := range grants(t, iamDocument(t, iam.Bot)) {
		allowed[g.Action] = true
	}
	role, err := load(t, deploy.Central, nil).GetIAMRoleWithName("FunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, g := range roleGrants(t, role) {
		if !allowed[g.Action] && !slices.Contains(extra, g.Action) {
			extra = append(extra, g.Action)
		}
	}
	if len(extra) > 0 {
		t.Errorf("FunctionRole allows %v, which %s does not", extra, iam.Bot)
	}
}
