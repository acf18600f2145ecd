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
// gains a field that findingValue does not build yet.
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
		got, err := ast.JSON(findingValue(&f))
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
