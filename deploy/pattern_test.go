package deploy_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/deploy"
	"github.com/serialguard/serialguard/deploy/eventpattern"
)

// rulePatterns returns the event pattern of every rule of every template,
// by template and rule name, with the organization bus turned on.
func rulePatterns(t *testing.T) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, name := range deploy.Names() {
		tmpl := load(t, name, withOrgBus)
		for rule, r := range tmpl.GetAllEventsRuleResources() {
			out[name+" "+rule] = r.EventPattern
		}
	}
	return out
}

func TestRulePatternsAgree(t *testing.T) {
	patterns := rulePatterns(t)
	want := []string{
		"forwarder.yaml ForwardRule",
		"serialguard.yaml DefaultBusRule",
		"serialguard.yaml OrgBusRule",
	}
	got := slices.Sorted(maps.Keys(patterns))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rules mismatch (-want +got):\n%s", diff)
	}
	first := patterns[want[0]]
	for _, name := range want[1:] {
		if diff := cmp.Diff(first, patterns[name]); diff != "" {
			t.Errorf("%s and %s differ (-%s +%s):\n%s",
				want[0], name, want[0], name, diff)
		}
	}
}

// TestRulePatterns matches the rules' patterns, as the templates hold
// them, against EventBridge events.
func TestRulePatterns(t *testing.T) {
	tests := []struct {
		file string
		want bool
	}{
		{"enable-api-call.json", true},
		{"enable-console-action.json", true},
		{"enable-denied.json", true},
		{"enable-forwarded-member.json", true},
		{"disable-api-call.json", true},
		{"send-serial-console-ssh-public-key.json", true},
		{"get-status.json", false},
		{"run-instances.json", false},
		{"s3-put-bucket-policy.json", false},
		{"send-ssh-public-key.json", false},
		{"instance-state-change.json", false},
	}
	var listed []string
	for _, tt := range tests {
		listed = append(listed, tt.file)
	}
	checkFixturesListed(t, listed)

	for rule, raw := range rulePatterns(t) {
		p, err := eventpattern.New(raw)
		if err != nil {
			t.Fatalf("%s: %v", rule, err)
		}
		for _, tt := range tests {
			event, err := os.ReadFile(filepath.Join("testdata", "events", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Match(event)
			if err != nil {
				t.Fatalf("%s: %s: %v", rule, tt.file, err)
			}
			if got != tt.want {
				t.Errorf("%s matches %s: got %v, want %v", rule, tt.file, got, tt.want)
			}
		}
	}
}

// checkFixturesListed fails when an event in testdata/events is missing
// from the table, so that a new fixture cannot go untested.
func checkFixturesListed(t *testing.T, listed []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if diff := cmp.Diff(names, slices.Sorted(slices.Values(listed))); diff != "" {
		t.Errorf("fixtures and table differ (-files +table):\n%s", diff)
	}
}
