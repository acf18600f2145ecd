package policies

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/serialguard/serialguard/detect"
)

const examplePolicy = "../examples/policy"

// TestExamplePolicyCopiesDefault keeps the example in step with the
// default policy it extends: its copies must be the default's files.
func TestExamplePolicyCopiesDefault(t *testing.T) {
	for _, name := range []string{"accounts.rego", "approvals.rego", "decision.rego"} {
		want, err := embedded.ReadFile(embeddedRoot + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(examplePolicy, embeddedRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("examples/policy/serialguard/%s differs from "+
				"policies/serialguard/%[1]s: copy it over", name)
		}
	}
}

func TestExamplePolicyTests(t *testing.T) {
	r, err := RunTests(context.Background(), examplePolicy, TestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Passed() {
		for _, res := range r.Results {
			t.Errorf("%s: %s", res.Name, res)
		}
	}
}

// TestExamplePolicyReadsMFA decides on CloudTrail records, so that the
// example reads MFA where detect.ECS puts it.
func TestExamplePolicyReadsMFA(t *testing.T) {
	e := newEngine(t, Options{PolicyPath: examplePolicy,
		DataPaths: []string{approvalsFile}})
	for _, tc := range []struct {
		mfa  string
		want Action
	}{{"true", ActionAllow}, {"false", ActionRemediate}, {"", ActionRemediate}} {
		rec := breakGlassRecord(tc.mfa)
		f := detect.Finding{Kind: detect.KindEnablement,
			EventID: rec.EventID, Time: rec.EventTime,
			Account: rec.RecipientAccountID, Region: rec.AWSRegion,
			Actor: detect.Actor{Type: "AssumedRole",
				PrincipalARN: "arn:aws:iam::111122223333:role/BreakGlass"},
			Record: rec}
		d := e.Decide(context.Background(), Input{Finding: f, Now: decideAt})
		if d.Action != tc.want {
			t.Errorf("mfaAuthenticated %q: got %s, want %s: %q", tc.mfa,
				d.Action, tc.want, d.Reasons)
		}
	}
}

func breakGlassRecord(mfa string) *detect.Record {
	ui := detect.UserIdentity{Type: "AssumedRole",
		ARN:       "arn:aws:sts::111122223333:assumed-role/BreakGlass/alice",
		AccountID: "111122223333"}
	if mfa != "" {
		ui.SessionContext = &detect.SessionContext{
			SessionIssuer: detect.SessionIssuer{Type: "Role",
				ARN: "arn:aws:iam::111122223333:role/BreakGlass"},
			Attributes: detect.SessionAttributes{MFAAuthenticated: mfa}}
	}
	return &detect.Record{EventTime: time.Date(2026, 3, 2, 14, 5, 0, 0, time.UTC),
		EventSource: "ec2.amazonaws.com", EventName: "EnableSerialConsoleAccess",
		EventID: "6b0e1f3a-2c4d-4e5f-8a9b-0c1d2e3f4a5b", AWSRegion: "eu-west-1",
		RecipientAccountID: "444455556666", UserIdentity: ui}
}
