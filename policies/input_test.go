package policies

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/serialguard/serialguard/detect"
)

// TestInputFindingIsFindingJSON holds input.finding to its contract: the
// finding's JSON encoding, key for key. It fails when detect.Finding
// gains a field that inputTerms.finding does not build yet.
func TestInputFindingIsFindingJSON(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	findings := append(readFindings(t),
		detect.Finding{},
		detect.Finding{Kind: detect.KindConsoleUse, InstanceID: "i-1",
			Time: time.Date(2026, 3, 2, 15, 4, 5, 123456789, paris),
			Actor: detect.Actor{Type: "Root", ARN: "arn:aws:iam::1:root",
				PrincipalARN: "arn:aws:iam::1:root", InvokedBy: "x"}},
	)
	for _, f := range findings {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		got, err := ast.JSON(new(inputTerms).finding(&f))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("input.finding of %s %s (-json +input):\n%s",
				f.Kind, f.EventID, diff)
		}
	}
}

func TestInputDocument(t *testing.T) {
	now := time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)
	f := readFindings(t)[0]
	for _, tc := range []struct {
		name    string
		account AccountContext
		want    map[string]any
	}{
		{"account id from the finding", AccountContext{}, map[string]any{
			"id": "444455556666", "name": "", "ou_path": "",
			"tags": map[string]any{},
		}},
		{"full context", AccountContext{ID: "444455556666", Name: "prod",
			OUPath: "o-a/r-b/", Tags: map[string]string{"env": "prod"}},
			map[string]any{"id": "444455556666", "name": "prod",
				"ou_path": "o-a/r-b/", "tags": map[string]any{"env": "prod"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := inputValue(Input{Finding: f, Account: tc.account}, now)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ast.JSON(v)
			if err != nil {
				t.Fatal(err)
			}
			doc := got.(map[string]any)
			if diff := cmp.Diff(tc.want, doc["account"]); diff != "" {
				t.Errorf("input.account (-want +got):\n%s", diff)
			}
			if doc["now"] != "2026-03-02T16:00:00Z" {
				t.Errorf("input.now = %v", doc["now"])
			}
			if _, ok := doc["ecs"]; ok {
				t.Errorf("input.ecs is set for a finding without a record")
			}
		})
	}
}

func TestInputECS(t *testing.T) {
	rec := &detect.Record{
		EventTime:          time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC),
		EventSource:        "ec2.amazonaws.com",
		EventName:          "EnableSerialConsoleAccess",
		RecipientAccountID: "444455556666",
		UserIdentity: detect.UserIdentity{Type: "AssumedRole",
			SessionContext: &detect.SessionContext{
				Attributes: detect.SessionAttributes{MFAAuthenticated: "true"}}},
	}
	v, err := inputValue(Input{Finding: detect.Finding{Record: rec}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"input.ecs.event.action": `"EnableSerialConsoleAccess"`,
		"input.ecs.aws.cloudtrail.user_identity.session_context." +
			"mfa_authenticated": `"true"`,
	} {
		got, err := v.Find(ast.MustParseRef(path)[1:])
		if err != nil || got.String() != want {
			t.Errorf("%s = %v (%v), want %s", path, got, err, want)
		}
	}
}

func TestReadsECS(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      bool
	}{
		{"finding only", `x := input.finding.kind`, false},
		{"nested finding ref", `x := input.finding.actor[input.finding.kind]`, false},
		{"ecs", `x := input.ecs.event.action`, true},
		{"ecs in a call", `x := object.get(input.ecs, "event", {})`, true},
		{"ecs by import", "import input.ecs as e\nx := e.event", true},
		{"whole input", `x := input`, true},
		{"whole input in a call", `x := object.get(input, ["ecs"], 1)`, true},
		{"computed key", `x := input[input.finding.kind]`, true},
		{"iteration", `x contains k if some k, _ in input`, true},
		{"with", "x if {\n\ty with input.ecs as {}\n}\ny := 1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ast.CompileModules(map[string]string{
				"p.rego": "package p\n" + tc.src,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := readsECS(c.Modules); got != tc.want {
				t.Errorf("readsECS(%q) = %t, want %t", tc.src, got, tc.want)
			}
		})
	}
}

// TestEngineBuildsECSWhenRead: the default policy never reads input.ecs,
// so the engine spares building it; the MFA example reads it.
func TestEngineBuildsECSWhenRead(t *testing.T) {
	for _, tc := range []struct {
		policy string
		want   bool
	}{{"", false}, {examplePolicy, true}} {
		e := newEngine(t, Options{PolicyPath: tc.policy})
		if e.readsECS != tc.want {
			t.Errorf("policy %q: readsECS = %t, want %t", tc.policy,
				e.readsECS, tc.want)
		}
	}
}
