package deploy_test

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/iam"

	"github.com/serialguard/serialguard/deploy"
)

// document is an IAM policy document found in a template.
type document struct {
	where string // template, resource and part, for messages
	trust bool   // a role's trust policy
	doc   any
}

// allDocuments parses every template in every variant and collects its
// policy documents: role trust and inline policies, stand-alone policies,
// and the resource policies of queues, topics and event buses.
func allDocuments(t *testing.T) []document {
	t.Helper()
	var docs []document
	for _, v := range variants {
		for _, name := range deploy.Names() {
			tmpl := load(t, name, v.central)
			docs = append(docs, documents(name+" ("+v.name+")", tmpl)...)
		}
	}
	if len(docs) == 0 {
		t.Fatal("no policy documents found")
	}
	return docs
}

func documents(file string, tmpl *cloudformation.Template) []document {
	var docs []document
	add := func(res, part string, trust bool, doc any) {
		docs = append(docs, document{file + " " + res + " " + part, trust, doc})
	}
	for name, r := range tmpl.GetAllIAMRoleResources() {
		add(name, "trust policy", true, r.AssumeRolePolicyDocument)
		for _, p := range r.Policies {
			add(name, "policy "+p.PolicyName, false, p.PolicyDocument)
		}
	}
	for name, p := range tmpl.GetAllIAMRolePolicyResources() {
		add(name, "policy", false, p.PolicyDocument)
	}
	for name, p := range tmpl.GetAllIAMManagedPolicyResources() {
		add(name, "policy", false, p.PolicyDocument)
	}
	for name, p := range tmpl.GetAllSQSQueuePolicyResources() {
		add(name, "queue policy", false, p.PolicyDocument)
	}
	for name, p := range tmpl.GetAllSNSTopicPolicyResources() {
		add(name, "topic policy", false, p.PolicyDocument)
	}
	for name, b := range tmpl.GetAllEventsEventBusResources() {
		if b.Policy != nil {
			add(name, "bus policy", false, b.Policy)
		}
	}
	return docs
}

// statements returns the statements of a policy document.
func statements(t *testing.T, doc any) []map[string]any {
	t.Helper()
	m, ok := doc.(map[string]any)
	if !ok || m["Version"] != "2012-10-17" {
		t.Fatalf("policy document %v: want an object with Version 2012-10-17", doc)
	}
	var out []map[string]any
	switch st := m["Statement"].(type) {
	case map[string]any:
		out = append(out, st)
	case []any:
		for _, s := range st {
			sm, ok := s.(map[string]any)
			if !ok {
				t.Fatalf("statement %v is not an object", s)
			}
			out = append(out, sm)
		}
	}
	if len(out) == 0 {
		t.Fatalf("policy document %v has no statements", doc)
	}
	return out
}

func statementBySid(t *testing.T, doc any, sid string) map[string]any {
	t.Helper()
	for _, st := range statements(t, doc) {
		if st["Sid"] == sid {
			return st
		}
	}
	t.Fatalf("no statement %s in %v", sid, doc)
	return nil
}

// strs reads a string or a list of strings.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// matches reports whether an IAM action pattern covers action: "*" and
// "?" are wildcards and case does not matter, as in IAM.
func matches(pattern, action string) bool {
	re := regexp.QuoteMeta(pattern)
	re = strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(re)
	return regexp.MustCompile(`(?i)^` + re + `$`).MatchString(action)
}

// grant is one action allowed on one resource.
type grant struct{ Action, Resource string }

// roleGrants lists what a role's inline policies allow, sorted.
func roleGrants(t *testing.T, r *iam.Role) []grant {
	t.Helper()
	var out []grant
	for _, p := range r.Policies {
		out = append(out, grants(t, p.PolicyDocument)...)
	}
	slices.SortFunc(out, func(a, b grant) int {
		return cmp.Or(cmp.Compare(a.Action, b.Action),
			cmp.Compare(a.Resource, b.Resource))
	})
	return out
}

func grants(t *testing.T, doc any) []grant {
	t.Helper()
	var out []grant
	for _, st := range statements(t, doc) {
		if st["Effect"] != "Allow" {
			continue
		}
		for _, a := range strs(st["Action"]) {
			for _, r := range strs(st["Resource"]) {
				out = append(out, grant{a, r})
			}
		}
	}
	return out
}

func TestMatches(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"ec2:EnableSerialConsoleAccess", "ec2:EnableSerialConsoleAccess", true},
		{"EC2:enableserialconsoleaccess", "ec2:EnableSerialConsoleAccess", true},
		{"ec2:*", "ec2:EnableSerialConsoleAccess", true},
		{"*", "ec2:EnableSerialConsoleAccess", true},
		{"ec2:Enable*", "ec2:EnableSerialConsoleAccess", true},
		{"ec2:?nableSerialConsoleAccess", "ec2:EnableSerialConsoleAccess", true},
		{"ec2:Get*", "ec2:EnableSerialConsoleAccess", false},
		{"ec2:DisableSerialConsoleAccess", "ec2:EnableSerialConsoleAccess", false},
		{"ec2:[E]nable*", "ec2:EnableSerialConsoleAccess", false},
	}
	for _, tt := range tests {
		if got := matches(tt.pattern, tt.action); got != tt.want {
			t.Errorf("matches(%q, %q): got %v, want %v",
				tt.pattern, tt.action, got, tt.want)
		}
	}
}
