package policies

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/serialguard/serialguard/detect"
)

var update = flag.Bool("update", false, "rewrite golden files")

const approvalsFile = "../examples/approvals.yaml"

// decideAt is the decision time of the fixtures: inside the window of
// approval CHG-4711 in examples/approvals.yaml.
var decideAt = time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)

// accountsOf gives the fixtures' accounts a context; 555566667777 is
// production through its OU only.
var accountsOf = map[string]AccountContext{
	"444455556666": {ID: "444455556666", Name: "payments-prod",
		OUPath: "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"},
	"555566667777": {ID: "555566667777", Name: "ledger-prod",
		OUPath: "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-33333333/",
		Tags:   map[string]string{"env": "prod"}},
	"777788889999": {ID: "777788889999", Name: "sandbox",
		OUPath: "o-a1b2c3d4e5/r-ab12/ou-ab12-44444444/"},
}

func newEngine(t testing.TB, opts Options) *Engine {
	t.Helper()
	e, err := New(context.Background(), opts)
	if err != nil {
		t.Fatalf("New(%+v): %v", opts, err)
	}
	return e
}

func readFindings(t testing.TB) []detect.Finding {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "findings.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	var out []detect.Finding
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var f detect.Finding
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			t.Fatalf("findings.ndjson: %v", err)
		}
		out = append(out, f)
	}
	return out
}

func fixtureInput(f detect.Finding) Input {
	return Input{Finding: f, Account: accountsOf[f.Account], Now: decideAt}
}

// goldenDecision is one line of testdata/decisions.golden.
type goldenDecision struct {
	EventID  string      `json:"event_id"`
	Kind     detect.Kind `json:"kind"`
	Account  string      `json:"account"`
	Region   string      `json:"region"`
	Decision Decision    `json:"decision"`
}

func TestDecideGolden(t *testing.T) {
	e := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	var got bytes.Buffer
	enc := json.NewEncoder(&got)
	for _, f := range readFindings(t) {
		d := e.Decide(context.Background(), fixtureInput(f))
		if d.Error != "" {
			t.Errorf("Decide(%s %s): error %q", f.Kind, f.EventID, d.Error)
		}
		d.PolicyRevision = "" // changes with every edit of the policy
		enc.Encode(goldenDecision{f.EventID, f.Kind, f.Account, f.Region, d})
	}
	golden := filepath.Join("testdata", "decisions.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("decisions differ from %s (-want +got); run go test "+
			"-update after checking them:\n%s", golden, diff)
	}
}

func TestDecideActions(t *testing.T) {
	e := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	want := map[string]struct {
		action   Action
		approval string
		scp      bool
	}{
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a01": {ActionAllow, "CHG-4711", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a02": {ActionRemediate, "", true},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a03": {ActionRemediate, "", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a04": {ActionAllow, "STD-0042", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a05": {ActionAllow, "CHG-4711", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a06": {ActionRemediate, "", true},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a07": {ActionRemediate, "", true},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a08": {ActionAlert, "", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a09": {ActionAllow, "CHG-4711", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a10": {ActionAlert, "", false},
		"3a1c9e52-8d0f-4b7a-9e21-6f4d2c8b1a11": {ActionAllow, "", false},
		"sweep 444455556666/eu-west-1":         {ActionAllow, "CHG-4711", false},
		"sweep 999900001111/us-east-1":         {ActionRemediate, "", false},
	}
	for _, f := range readFindings(t) {
		key := f.EventID
		if key == "" {
			key = "sweep " + f.Account + "/" + f.Region
		}
		d := e.Decide(context.Background(), fixtureInput(f))
		w, ok := want[key]
		if !ok {
			t.Errorf("no expectation for %s", key)
			continue
		}
		if d.Action != w.action || d.ApprovalID != w.approval ||
			d.AttachSCP != w.scp || d.Approved != (w.approval != "") {
			t.Errorf("%s %s: got %s approval %q scp %t, want %s "+
				"approval %q scp %t; reasons %q", key, f.Kind, d.Action,
				d.ApprovalID, d.AttachSCP, w.action, w.approval, w.scp,
				d.Reasons)
		}
		if d.PolicyRevision != e.Revision() || len(d.Reasons) == 0 {
			t.Errorf("%s: revision %q reasons %q", key, d.PolicyRevision,
				d.Reasons)
		}
	}
}

func TestDefaultRemediatesEveryEnablement(t *testing.T) {
	e := newEngine(t, Options{})
	for _, f := range readFindings(t) {
		if f.Kind != detect.KindEnablement {
			continue
		}
		d := e.Decide(context.Background(), fixtureInput(f))
		if d.Action != ActionRemediate || d.Approved {
			t.Errorf("%s: got %s approved %t, want remediate", f.EventID,
				d.Action, d.Approved)
		}
	}
}

func TestDecideZeroNowUsesClock(t *testing.T) {
	e := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	sweep := detect.Finding{Kind: detect.KindEnabledState,
		Account: "444455556666", Region: "eu-west-1"}
	for _, tc := range []struct {
		name string
		now  time.Time
		want Action
	}{
		{"inside window", decideAt, ActionAllow},
		{"after window", decideAt.Add(2 * time.Hour), ActionRemediate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.now = func() time.Time { return tc.now }
			d := e.Decide(context.Background(), Input{Finding: sweep})
			if d.Action != tc.want {
				t.Errorf("got %s, want %s: %q", d.Action, tc.want, d.Reasons)
			}
		})
	}
}

func TestExemptPrincipals(t *testing.T) {
	e := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"before CHG-4711 ends", decideAt, []string{
			"arn:aws:iam::111122223333:role/BreakGlass",
			"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/" +
				"eu-west-1/AWSReservedSSO_IncidentResponder_*",
			"arn:aws:iam::444455556666:role/admin/BreakGlass",
			"arn:aws:iam::777788889999:role/image-pipeline",
		}},
		{"after CHG-4711 ended", decideAt.Add(24 * time.Hour), []string{
			"arn:aws:iam::444455556666:role/admin/BreakGlass",
			"arn:aws:iam::777788889999:role/image-pipeline",
		}},
		{"at the end of CHG-5120", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
			[]string{
				"arn:aws:iam::444455556666:role/admin/BreakGlass",
				"arn:aws:iam::777788889999:role/image-pipeline",
			}},
		{"after CHG-5120 ended", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
			[]string{"arn:aws:iam::777788889999:role/image-pipeline"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.now = func() time.Time { return tc.now }
			if diff := cmp.Diff(tc.want, e.ExemptPrincipals()); diff != "" {
				t.Errorf("ExemptPrincipals() (-want +got):\n%s", diff)
			}
		})
	}
	if got := newEngine(t, Options{}).ExemptPrincipals(); len(got) != 0 {
		t.Errorf("embedded policy without data: ExemptPrincipals() = %q", got)
	}
}

func TestRevision(t *testing.T) {
	plain := newEngine(t, Options{}).Revision()
	again := newEngine(t, Options{}).Revision()
	withData := newEngine(t, Options{DataPaths: []string{approvalsFile}}).Revision()
	if plain != again {
		t.Errorf("Revision() not stable: %q then %q", plain, again)
	}
	if plain == withData {
		t.Errorf("Revision() %q ignores the data", plain)
	}
	if len(plain) != 12 || strings.Trim(plain, "0123456789abcdef") != "" {
		t.Errorf("Revision() = %q, want 12 hex digits", plain)
	}
}

// writePolicy writes a one-module policy into a new directory.
func writePolicy(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	err := os.WriteFile(filepath.Join(dir, "policy.rego"), []byte(src), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDecideFailsClosed(t *testing.T) {
	enable := readFindings(t)[0]
	for _, tc := range []struct {
		name, policy, wantErr string
	}{
		{"undefined", `package serialguard
decision := {"action": "allow"} if input.finding.kind == "nothing"`,
			"is undefined"},
		{"not an object", `package serialguard
decision := "allow"`, "is a string, want an object"},
		{"unknown action", `package serialguard
decision := {"action": "ignore", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": []}`,
			`"ignore" is not one of remediate, allow, alert`},
		{"missing key", `package serialguard
decision := {"action": "allow", "approved": false, "approval_id": "",
	"reasons": []}`, `has no "attach_scp"`},
		{"unknown key", `package serialguard
decision := {"action": "allow", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": [], "attachScp": true}`,
			`unknown key "attachScp"`},
		{"wrong type", `package serialguard
decision := {"action": "allow", "approved": "yes", "approval_id": "",
	"attach_scp": false, "reasons": []}`, "approved is a string"},
		{"reasons not strings", `package serialguard
decision := {"action": "allow", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": [1]}`, "want a list of strings"},
		{"approved without id", `package serialguard
decision := {"action": "allow", "approved": true, "approval_id": "",
	"attach_scp": false, "reasons": []}`, "approved without an approval_id"},
		{"conflict", `package serialguard
decision := {"action": "allow"} if input.finding.kind
decision := {"action": "alert"} if input.finding.region`,
			"produced conflicting values"},
		{"builtin error", `package serialguard
decision := {"action": "allow", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": [],
	"x": time.parse_rfc3339_ns("yesterday")}`, "parsing time"},
		{"timeout", `package serialguard
decision := {"action": "allow", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": [format_int(count(slow), 10)]}
slow contains [a, b, c] if {
	some a in numbers.range(1, 400)
	some b in numbers.range(1, 400)
	some c in numbers.range(1, 400)
}`, "context deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEngine(t, Options{PolicyPath: writePolicy(t, tc.policy),
				Timeout: 50 * time.Millisecond})
			d := e.Decide(context.Background(), fixtureInput(enable))
			if d.Action != ActionRemediate || d.Approved || d.AttachSCP {
				t.Errorf("got %+v, want a plain remediate", d)
			}
			if !strings.Contains(d.Error, tc.wantErr) {
				t.Errorf("Error = %q, want it to contain %q", d.Error, tc.wantErr)
			}
			if len(d.Reasons) != 1 || !strings.Contains(d.Reasons[0], "fail closed") {
				t.Errorf("Reasons = %q, want the fail-closed reason", d.Reasons)
			}
			if d.PolicyRevision != e.Revision() {
				t.Errorf("PolicyRevision = %q, want %q", d.PolicyRevision, e.Revision())
			}
		})
	}
}

func TestDecideCancelledContext(t *testing.T) {
	e := newEngine(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := e.Decide(ctx, fixtureInput(readFindings(t)[0]))
	if d.Action != ActionRemediate || !strings.Contains(d.Error, "canceled") {
		t.Errorf("got %+v, want remediate with the cancellation", d)
	}
}

func TestNewRejects(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    func(t *testing.T) Options
		wantErr string
	}{
		{"http.send", func(t *testing.T) Options {
			return Options{PolicyPath: writePolicy(t, `package serialguard
decision := http.send({"method": "get", "url": "https://example.com"}).body`)}
		}, "policy.rego:2: http.send is forbidden"},
		{"http.send as a statement", func(t *testing.T) Options {
			return Options{PolicyPath: writePolicy(t, `package serialguard
decision := x if {
	http.send({"method": "get", "url": "https://example.com"}, x)
}`)}
		}, "http.send is forbidden"},
		{"opa.runtime", func(t *testing.T) Options {
			return Options{PolicyPath: writePolicy(t, `package serialguard
decision := opa.runtime().env`)}
		}, "opa.runtime is forbidden"},
		{"no decision rule", func(t *testing.T) Options {
			return Options{PolicyPath: writePolicy(t, `package serialguard
allow := true`)}
		}, "no rule defines data.serialguard.decision"},
		{"syntax error", func(t *testing.T) Options {
			return Options{PolicyPath: writePolicy(t, `package serialguard
decision := {`)}
		}, "rego_parse_error"},
		{"strict: unused variable", func(t *testing.T) Options {
			return Options{PolicyPath: writePolicy(t, `package serialguard
decision := 1 if {
	x := 2
}`)}
		}, "assigned var x unused"},
		{"missing policy", func(*testing.T) Options {
			return Options{PolicyPath: "testdata/no-such-policy"}
		}, "no such file or directory"},
		{"missing data file", func(*testing.T) Options {
			return Options{DataPaths: []string{"testdata/no-such.yaml"}}
		}, "no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), tc.opts(t))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New() error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewNamesForbiddenBuiltin(t *testing.T) {
	dir := writePolicy(t, `package serialguard
decision := http.send({"method": "get", "url": "https://example.com"}).body`)
	_, err := New(context.Background(), Options{PolicyPath: dir})
	var fe *ForbiddenError
	if !errors.As(err, &fe) || fe.Builtin != "http.send" {
		t.Fatalf("New() error = %v, want a ForbiddenError for http.send", err)
	}
}

func TestDecideConcurrent(t *testing.T) {
	e := newEngine(t, Options{DataPaths: []string{approvalsFile}})
	findings := readFindings(t)
	want := make([]Decision, len(findings))
	for i, f := range findings {
		want[i] = e.Decide(context.Background(), fixtureInput(f))
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range findings {
				j := (i + w) % len(findings)
				got := e.Decide(context.Background(), fixtureInput(findings[j]))
				if diff := cmp.Diff(want[j], got); diff != "" {
					t.Errorf("finding %d (-alone +concurrent):\n%s", j, diff)
				}
			}
		})
	}
	wg.Wait()
}

func TestPrintGoesToLogger(t *testing.T) {
	dir := writePolicy(t, `package serialguard

decision := {"action": "alert", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": []} if {
	print("kind is", input.finding.kind)
}`)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs,
		&slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEngine(t, Options{PolicyPath: dir, Logger: log})
	e.Decide(context.Background(), fixtureInput(readFindings(t)[0]))
	if !strings.Contains(logs.String(), `msg="policy print"`) ||
		!strings.Contains(logs.String(), `message="kind is enablement"`) {
		t.Errorf("logs lack the print output:\n%s", logs.String())
	}
}

// FuzzParseDecision checks that parseDecision accepts only valid
// decisions, and that decisionOf, which the engine calls on the AST
// value, accepts and converts exactly what parseDecision does.
func FuzzParseDecision(f *testing.F) {
	f.Add(`{"action": "allow", "approved": true, "approval_id": "A",
		"attach_scp": false, "reasons": ["r"]}`)
	f.Add(`{"action": "remediate", "approved": false, "approval_id": "",
		"attach_scp": true, "reasons": []}`)
	f.Add(`{"action": "alert", "approved": false, "approval_id": "",
		"attach_scp": false, "reasons": ["r", 1]}`)
	f.Add(`{"action": "allow", "approved": true, "approval_id": "",
		"attach_scp": false, "reasons": []}`)
	f.Add(`{"action": 1}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, src string) {
		var v any
		if json.Unmarshal([]byte(src), &v) != nil {
			return
		}
		val, err := ast.InterfaceToValue(v)
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := parseDecision(v)
		got, gotErr := decisionOf(val)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("%s: parseDecision error %v, decisionOf error %v",
				src, wantErr, gotErr)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: decisionOf differs (-parseDecision +decisionOf):\n%s",
				src, diff)
		}
		if wantErr != nil {
			return
		}
		if checkAction(want.Action) != nil || want.Reasons == nil ||
			(want.Approved && want.ApprovalID == "") {
			t.Errorf("parseDecision(%s) = %+v, want a valid decision", src, want)
		}
	})
}
