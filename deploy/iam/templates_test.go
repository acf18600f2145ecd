package iam_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/deploy"
	"github.com/serialguard/serialguard/deploy/cfn"
	"github.com/serialguard/serialguard/deploy/iam"
)

// TestTemplatesGrantTheSame keeps the documents and the CloudFormation
// roles that play the same part in step: the same actions, so that the
// coverage test above speaks for the templates too.
func TestTemplatesGrantTheSame(t *testing.T) {
	params := map[string]string{
		"CentralAccountId": "111122223333",
		"ExternalId":       "5f3c9e1a-7b2d-4c8e-9a6f-0d1e2b3c4a5f",
	}
	tests := []struct{ template, role, document string }{
		{deploy.MemberRole, "RemediationRole", iam.MemberRemediation},
		{deploy.Management, "OrganizationsRole", iam.Organizations},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			src, err := deploy.Source(tt.template)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := cfn.Parse(src, cfn.Options{Parameters: params})
			if err != nil {
				t.Fatalf("parse %s: %v", tt.template, err)
			}
			role, err := tmpl.GetIAMRoleWithName(tt.role)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range role.Policies {
				got = append(got, templateActions(p.PolicyDocument)...)
			}
			slices.Sort(got)
			want := slices.Sorted(maps.Keys(allowedActions(t, tt.document)))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s grants differ from %s (-want +got):\n%s",
					tt.template, tt.role, tt.document, diff)
			}
		})
	}
}

// templateActions lists the allowed actions of a parsed policy document.
func templateActions(doc any) []string {
	m, _ := doc.(map[string]any)
	sts, _ := m["Statement"].([]any)
	var out []string
	for _, s := range sts {
		st, _ := s.(map[string]any)
		if st["Effect"] == "Allow" {
			out = append(out, strs(st["Action"])...)
		}
	}
	return out
}
