package detect

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// enable returns a successful EnableSerialConsoleAccess by ui, changed by
// the options.
func enable(ui string, opts ...func(map[string]any)) *Record {
	m := map[string]any{
		"eventVersion": "1.10", "eventTime": "2026-11-30T09:04:31Z",
		"eventSource": "ec2.amazonaws.com", "eventName": "EnableSerialConsoleAccess",
		"awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.24",
		"userAgent": "aws-cli/2.22.4", "eventID": "e1", "eventType": "AwsApiCall",
		"recipientAccountId": "111122223333", "eventCategory": "Management",
		"requestParameters": map[string]any{"EnableSerialConsoleAccessRequest": ""},
	}
	if err := json.Unmarshal([]byte(ui), new(any)); err != nil {
		panic(err)
	}
	m["userIdentity"] = json.RawMessage(ui)
	for _, o := range opts {
		o(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	rec := new(Record)
	if err := json.Unmarshal(b, rec); err != nil {
		panic(err)
	}
	return rec
}

func set(key string, v any) func(map[string]any) {
	return func(m map[string]any) { m[key] = v }
}

const assumedRole = `{"type":"AssumedRole","principalId":"AROAEXAMPLE:jdoe",
	"arn":"arn:aws:sts::111122223333:assumed-role/OpsAdmin/jdoe",
	"accountId":"111122223333","accessKeyId":"ASIAIOSFODNN7EXAMPLE",
	"sessionContext":{"sessionIssuer":{"type":"Role",
	"principalId":"AROAEXAMPLE","userName":"OpsAdmin","accountId":"111122223333",
	"arn":"arn:aws:iam::111122223333:role/ops/OpsAdmin"},
	"attributes":{"creationDate":"2026-11-30T08:58:02Z","mfaAuthenticated":"true"}}}`

func TestDetectIdentities(t *testing.T) {
	tests := []struct {
		name    string
		rec     *Record
		account string
		actor   Actor
	}{
		{"root", enable(`{"type":"Root","principalId":"111122223333",
			"arn":"arn:aws:iam::111122223333:root","accountId":"111122223333",
			"accessKeyId":"ASIAEXAMPLE"}`), "111122223333", Actor{Type: "Root",
			ARN: "arn:aws:iam::111122223333:root", Account: "111122223333",
			PrincipalARN: "arn:aws:iam::111122223333:root", AccessKeyID: "ASIAEXAMPLE"}},
		{"iam user", enable(`{"type":"IAMUser","principalId":"AIDAEXAMPLE",
			"arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333",
			"accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"alice"}`),
			"111122223333", Actor{Type: "IAMUser", UserName: "alice",
				ARN:          "arn:aws:iam::111122223333:user/alice",
				PrincipalARN: "arn:aws:iam::111122223333:user/alice",
				Account:      "111122223333", AccessKeyID: "AKIAIOSFODNN7EXAMPLE"}},
		{"assumed role", enable(assumedRole), "111122223333", Actor{
			Type: "AssumedRole", UserName: "OpsAdmin", SessionName: "jdoe",
			ARN:          "arn:aws:sts::111122223333:assumed-role/OpsAdmin/jdoe",
			PrincipalARN: "arn:aws:iam::111122223333:role/ops/OpsAdmin",
			Account:      "111122223333", AccessKeyID: "ASIAIOSFODNN7EXAMPLE"}},
		{"cross-account role", enable(strings.ReplaceAll(assumedRole,
			"111122223333", "444455556666")), "111122223333", Actor{
			Type: "AssumedRole", UserName: "OpsAdmin", SessionName: "jdoe",
			ARN:          "arn:aws:sts::444455556666:assumed-role/OpsAdmin/jdoe",
			PrincipalARN: "arn:aws:iam::444455556666:role/ops/OpsAdmin",
			Account:      "444455556666", AccessKeyID: "ASIAIOSFODNN7EXAMPLE"}},
		{"assumed role without session context", enable(`{"type":"AssumedRole",
			"principalId":"AROAEXAMPLE:jdoe","accountId":"111122223333",
			"arn":"arn:aws-us-gov:sts::111122223333:assumed-role/OpsAdmin/jdoe"}`),
			"111122223333", Actor{Type: "AssumedRole", SessionName: "jdoe",
				ARN:          "arn:aws-us-gov:sts::111122223333:assumed-role/OpsAdmin/jdoe",
				PrincipalARN: "arn:aws-us-gov:iam::111122223333:role/OpsAdmin",
				Account:      "111122223333"}},
		{"aws-us-gov", enable(strings.ReplaceAll(assumedRole, "arn:aws:",
			"arn:aws-us-gov:")), "111122223333", Actor{
			Type: "AssumedRole", UserName: "OpsAdmin", SessionName: "jdoe",
			ARN:          "arn:aws-us-gov:sts::111122223333:assumed-role/OpsAdmin/jdoe",
			PrincipalARN: "arn:aws-us-gov:iam::111122223333:role/ops/OpsAdmin",
			Account:      "111122223333", AccessKeyID: "ASIAIOSFODNN7EXAMPLE"}},
		{"aws-cn", enable(strings.ReplaceAll(assumedRole, "arn:aws:",
			"arn:aws-cn:")), "111122223333", Actor{
			Type: "AssumedRole", UserName: "OpsAdmin", SessionName: "jdoe",
			ARN:          "arn:aws-cn:sts::111122223333:assumed-role/OpsAdmin/jdoe",
			PrincipalARN: "arn:aws-cn:iam::111122223333:role/ops/OpsAdmin",
			Account:      "111122223333", AccessKeyID: "ASIAIOSFODNN7EXAMPLE"}},
		{"role", enable(`{"type":"Role","principalId":"AROAEXAMPLE",
			"arn":"arn:aws:iam::111122223333:role/Deployer",
			"accountId":"111122223333"}`), "111122223333", Actor{Type: "Role",
			ARN:          "arn:aws:iam::111122223333:role/Deployer",
			PrincipalARN: "arn:aws:iam::111122223333:role/Deployer",
			Account:      "111122223333"}},
		{"federated user", enable(`{"type":"FederatedUser",
			"principalId":"111122223333:bob","accountId":"111122223333",
			"arn":"arn:aws:sts::111122223333:federated-user/bob",
			"sessionContext":{"sessionIssuer":{"type":"IAMUser",
			"arn":"arn:aws:iam::111122223333:user/broker","userName":"broker"}}}`),
			"111122223333", Actor{Type: "FederatedUser", SessionName: "bob",
				ARN:          "arn:aws:sts::111122223333:federated-user/bob",
				PrincipalARN: "arn:aws:sts::111122223333:federated-user/bob",
				Account:      "111122223333"}},
		{"aws account", enable(`{"type":"AWSAccount",
			"principalId":"AIDAEXAMPLE","accountId":"444455556666"}`),
			"111122223333", Actor{Type: "AWSAccount", Account: "444455556666"}},
		{"aws service", enable(`{"type":"AWSService",
			"invokedBy":"ssm.amazonaws.com"}`), "111122223333",
			Actor{Type: "AWSService", InvokedBy: "ssm.amazonaws.com"}},
		{"identity center user", enable(`{"type":"IdentityCenterUser",
			"accountId":"111122223333","onBehalfOf":{"userId":"9067-EXAMPLE"}}`),
			"111122223333", Actor{Type: "IdentityCenterUser",
				Account: "111122223333"}},
		{"unknown", enable(`{"type":"Unknown","principalId":"x",
			"userName":"carol"}`), "111122223333",
			Actor{Type: "Unknown", UserName: "carol"}},
		{"no recipient account", enable(`{"type":"IAMUser",
			"arn":"arn:aws:iam::444455556666:user/dave",
			"accountId":"444455556666"}`, set("recipientAccountId", nil)),
			"444455556666", Actor{Type: "IAMUser", Account: "444455556666",
				ARN:          "arn:aws:iam::444455556666:user/dave",
				PrincipalARN: "arn:aws:iam::444455556666:user/dave"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := Detect(Event{Record: tt.rec, Source: "s"})
			if !ok || f.Kind != KindEnablement {
				t.Fatalf("Detect = %q, %v; want an enablement", f.Kind, ok)
			}
			if f.Account != tt.account || f.Region != "eu-west-1" {
				t.Errorf("target = %s/%s, want %s/eu-west-1",
					f.Account, f.Region, tt.account)
			}
			if diff := cmp.Diff(tt.actor, f.Actor); diff != "" {
				t.Errorf("actor mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDetectKinds(t *testing.T) {
	const user = `{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}`
	sendKey := func(m map[string]any) {
		m["eventName"] = "SendSerialConsoleSSHPublicKey"
		m["eventSource"] = "ec2-instance-connect.amazonaws.com"
		m["requestParameters"] = map[string]any{"instanceId": "i-0abc",
			"monitorMode": false, "serialPort": 0,
			"sSHPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEXAMPLE"}
	}
	tests := []struct {
		name string
		rec  *Record
		kind Kind // empty: no finding
	}{
		{"enablement", enable(user), KindEnablement},
		{"errorCode empty is success", enable(user, set("errorCode", "")),
			KindEnablement},
		{"denied", enable(user, set("errorCode", "Client.UnauthorizedOperation"),
			set("errorMessage", "You are not authorized to perform this "+
				"operation."), set("responseElements", nil)), KindFailedAttempt},
		{"errorMessage alone is failure", enable(user,
			set("errorMessage", "Request limit exceeded.")), KindFailedAttempt},
		{"other source", enable(user, set("eventSource", "ec2.example.com")), ""},
		{"enable of another name", enable(user,
			set("eventName", "enableSerialConsoleAccess")), ""},
		{"console use", enable(user, sendKey), KindConsoleUse},
		{"refused console use", enable(user, sendKey,
			set("errorCode", "SerialConsoleAccessDisabled")), KindFailedAttempt},
		{"send key from ec2", enable(user, sendKey,
			set("eventSource", "ec2.amazonaws.com")), ""},
		{"disablement", enable(user, set("eventName",
			"DisableSerialConsoleAccess")), KindDisablement},
		{"failed disablement", enable(user, set("eventName",
			"DisableSerialConsoleAccess"), set("errorCode", "AccessDenied")), ""},
		{"status read", enable(user, set("eventName",
			"GetSerialConsoleAccessStatus")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := Detect(Event{Record: tt.rec})
			if got := map[bool]Kind{true: f.Kind}[ok]; got != tt.kind {
				t.Fatalf("kind = %q, want %q", got, tt.kind)
			}
			if ok && (f.RuleID == ElasticRuleID) != (tt.kind == KindEnablement) {
				t.Errorf("rule_id = %q for a %s", f.RuleID, f.Kind)
			}
		})
	}
}

func TestDetectSkipsErrors(t *testing.T) {
	if _, ok := Detect(Event{Err: os.ErrNotExist}); ok {
		t.Error("Detect reported a finding for an error event")
	}
	if _, ok := Detect(Event{}); ok {
		t.Error("Detect reported a finding for an empty event")
	}
}

// TestStratusCapture reads the Stratus Red Team detonation of
// aws.lateral-movement.ec2-serial-console-send-ssh-public-key: one
// EnableSerialConsoleAccess, then three SendSerialConsoleSSHPublicKey,
// one for each of three instances, all successful. Each key push opens
// its own connection window, so each is a console_use finding.
func TestStratusCapture(t *testing.T) {
	b := readFixture(t, "stratus-ec2-serial-console-send-ssh-public-key.json")
	const role = "arn:aws:iam::844015365555:role/aws-reserved/" +
		"sso.amazonaws.com/AWSReservedSSO_account-admin_599c9e90e350d2ff"
	var got []Finding
	for ev := range Events("stratus.json", strings.NewReader(string(b)),
		Limits{}) {
		if f, ok := Detect(ev); ok {
			got = append(got, f)
		}
	}
	want := []Finding{
		{Kind: KindEnablement, RuleID: ElasticRuleID, Source: "stratus.json#[0]",
			EventID: "37ba412b-f943-44f2-ae48-4527f6e789d9"},
		{Kind: KindConsoleUse, InstanceID: "i-EFCb4e480CAbc4CF9",
			EventID: "787b2464-f27b-4d4c-91bc-6396f2297d0e",
			Source:  "stratus.json#[1]"},
		{Kind: KindConsoleUse, InstanceID: "i-B2ABDCa5b78E0f1dd",
			EventID: "e49972cb-b394-43e2-aab5-602f1fb56f85",
			Source:  "stratus.json#[2]"},
		{Kind: KindConsoleUse, InstanceID: "i-D46eD8FCdefED5aAE",
			EventID: "f4dc86c9-6b22-4643-a0e8-fcb97fcfae68",
			Source:  "stratus.json#[3]"},
	}
	only := cmpopts.IgnoreFields(Finding{}, "EventName", "Time", "Account",
		"Region", "Actor", "SourceIP", "UserAgent", "Record")
	if diff := cmp.Diff(want, got, only); diff != "" {
		t.Fatalf("findings mismatch (-want +got):\n%s", diff)
	}
	for _, f := range got {
		if f.Account != "844015365555" || f.Region != "cniso-east-3r" ||
			f.Actor.PrincipalARN != role {
			t.Errorf("%s: account %s, region %s, principal %s", f.Kind,
				f.Account, f.Region, f.Actor.PrincipalARN)
		}
		// The capture's session ARN was anonymised to one path segment;
		// the session name comes from the principal ID instead.
		if f.Actor.SessionName != "randomca0L529zwNAY@gmail.com" {
			t.Errorf("session name = %q", f.Actor.SessionName)
		}
	}
}

func TestFindingsHoldNoSSHKey(t *testing.T) {
	b := readFixture(t, "stratus-ec2-serial-console-send-ssh-public-key.json")
	const key = "AAAAC3NzaC1lZDI1NTE5AAAAIOtAlK45MAEWZ7MUY2QEmi3M6W"
	uses := 0
	for ev := range Events("s", strings.NewReader(string(b)), Limits{}) {
		f, ok := Detect(ev)
		if !ok || f.Kind != KindConsoleUse {
			continue
		}
		uses++
		out, err := json.Marshal([]any{f, f.Record, ECS(f.Record)})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), key) {
			t.Errorf("finding holds the SSH public key: %s", out)
		}
		if !strings.Contains(string(ev.Record.RequestParameters), key) {
			t.Errorf("Detect changed the event's own record")
		}
	}
	if uses == 0 {
		t.Fatal("no console_use finding to check")
	}
}

// corpusDir holds real CloudTrail data shared by the project, outside
// the repository; tests that read it skip when it is absent.
const corpusDir = "../../shared/corpus"

func corpusFiles(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*.json"))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*.json"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	return files
}

func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	records, findings := 0, map[Kind]int{}
	for ev := range PathEvents(files, nil, Limits{}) {
		if ev.Err != nil {
			t.Errorf("decode: %v", ev.Err)
			continue
		}
		records++
		f, ok := Detect(ev)
		if !ok {
			continue
		}
		findings[f.Kind]++
		if strings.Contains(ev.Source, "invictus") && f.Kind == KindEnablement {
			t.Errorf("%s: enablement in the invictus data set", ev.Source)
		}
	}
	if records != 3210 {
		t.Errorf("decoded %d records, want 3210", records)
	}
	want := map[Kind]int{KindEnablement: 1, KindConsoleUse: 3}
	if diff := cmp.Diff(want, findings); diff != "" {
		t.Errorf("findings per kind (-want +got):\n%s", diff)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkModesAgree(t, b, Limits{})
	}
}

// TestPrefilterMatchesQuery proves that switching on the event name
// before evaluating Elastic's query changes no result: over every corpus
// and fixture record, and over each turned into an
// EnableSerialConsoleAccess from EC2 with and without an error, the
// query alone and Detect agree on what is an enablement.
func TestPrefilterMatchesQuery(t *testing.T) {
	var recs []*Record
	for ev := range PathEvents([]string{"testdata", corpusDir}, nil, Limits{}) {
		if ev.Record != nil {
			recs = append(recs, ev.Record)
		}
	}
	checked := 0
	for _, r := range recs {
		named := *r
		named.EventName = eventEnable
		fromEC2 := named
		fromEC2.EventSource = sourceEC2
		failed := fromEC2
		failed.ErrorCode = "Client.UnauthorizedOperation"
		for _, rec := range []*Record{r, &named, &fromEC2, &failed} {
			full := enablementRule.Match(ECS(rec))
			f, ok := Detect(Event{Record: rec})
			if got := ok && f.Kind == KindEnablement; got != full {
				t.Fatalf("event %s: query says %v, Detect says %v",
					rec.EventID, full, got)
			}
			checked++
		}
	}
	t.Logf("checked %d records", checked)
}
