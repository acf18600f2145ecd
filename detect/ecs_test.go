package detect

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestECS(t *testing.T) {
	rec := enable(assumedRole, set("errorCode", ""))
	want := map[string]any{
		"@timestamp":  "2026-11-30T09:04:31Z",
		"data_stream": map[string]any{"dataset": "aws.cloudtrail"},
		"event": map[string]any{
			"provider": "ec2.amazonaws.com", "action": "EnableSerialConsoleAccess",
			"id": "e1", "outcome": "success",
		},
		"user":       map[string]any{"id": "AROAEXAMPLE:jdoe", "name": "OpsAdmin"},
		"source":     map[string]any{"address": "203.0.113.24", "ip": "203.0.113.24"},
		"user_agent": map[string]any{"original": "aws-cli/2.22.4"},
		"cloud": map[string]any{
			"account": map[string]any{"id": "111122223333"}, "region": "eu-west-1",
		},
		"aws": map[string]any{"cloudtrail": map[string]any{
			"event_version": "1.10", "event_type": "AwsApiCall",
			"event_category": "Management", "read_only": false,
			"management_event": false, "recipient_account_id": "111122223333",
			"user_identity": map[string]any{
				"type":          "AssumedRole",
				"arn":           "arn:aws:sts::111122223333:assumed-role/OpsAdmin/jdoe",
				"access_key_id": "ASIAIOSFODNN7EXAMPLE",
				"session_context": map[string]any{
					"mfa_authenticated": "true",
					"creation_date":     "2026-11-30T08:58:02Z",
					"session_issuer": map[string]any{
						"type": "Role", "principal_id": "AROAEXAMPLE",
						"arn":        "arn:aws:iam::111122223333:role/ops/OpsAdmin",
						"account_id": "111122223333",
					},
				},
			},
		}},
	}
	if diff := cmp.Diff(want, ECS(rec)); diff != "" {
		t.Errorf("ECS mismatch (-want +got):\n%s", diff)
	}
}

func TestECSSourceIP(t *testing.T) {
	for addr, ip := range map[string]any{
		"203.0.113.24": "203.0.113.24", "2001:db8::1": "2001:db8::1",
		"ssm.amazonaws.com": nil, "AWS Internal": nil,
	} {
		rec := &Record{SourceIPAddress: addr}
		src := ECS(rec)["source"].(map[string]any)
		if src["address"] != addr || src["ip"] != ip {
			t.Errorf("source for %q = %v, want ip %v", addr, src, ip)
		}
	}
}

// flatten turns nested ECS maps into dotted keys, as some Elastic
// exports write them.
func flatten(m map[string]any, prefix string, out map[string]any) {
	for k, v := range m {
		if n, ok := v.(map[string]any); ok {
			flatten(n, prefix+k+".", out)
			continue
		}
		out[prefix+k] = v
	}
}

// TestECSRoundTrip reads the ECS view of every fixture record back as an
// ECS document, nested and dotted: the record it gives has the same view.
func TestECSRoundTrip(t *testing.T) {
	n := 0
	for ev := range PathEvents([]string{"testdata"}, nil, Limits{}) {
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		view := ECS(ev.Record)
		flat := map[string]any{}
		flatten(view, "", flat)
		for _, doc := range []map[string]any{view, flat} {
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := recordFromECS(b)
			if err != nil {
				t.Fatalf("%s: %v", ev.Source, err)
			}
			if diff := cmp.Diff(view, ECS(rec)); diff != "" {
				t.Errorf("%s: round trip mismatch (-want +got):\n%s",
					ev.Source, diff)
			}
		}
		n++
	}
	if n < 20 {
		t.Errorf("only %d records round-tripped", n)
	}
}

func TestECSDocumentOutcome(t *testing.T) {
	doc := `{"@timestamp":"2026-11-30T09:04:31.000Z","event.provider":
		"ec2.amazonaws.com","event.action":"EnableSerialConsoleAccess",
		"event.outcome":"failure","data_stream.dataset":"aws.cloudtrail",
		"aws.cloudtrail.error_code":"Client.UnauthorizedOperation"}`
	var got []string
	for ev := range Events("x", strings.NewReader(doc), Limits{}) {
		f, _ := Detect(ev)
		got = append(got, line(ev)+" "+string(f.Kind)+" "+f.ErrorCode)
	}
	want := []string{"x:1 EnableSerialConsoleAccess failed_attempt " +
		"Client.UnauthorizedOperation"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestECSDocumentOfOtherDataset(t *testing.T) {
	doc := `{"@timestamp":"2026-11-30T09:04:31Z","event":{"action":"x",
		"dataset":"aws.guardduty"}}`
	for ev := range Events("x", strings.NewReader(doc), Limits{}) {
		want := `x:1: decode ECS document: not a CloudTrail event: ` +
			`event.dataset is "aws.guardduty"`
		if ev.Err == nil || ev.Err.Error() != want {
			t.Errorf("Err = %v, want %s", ev.Err, want)
		}
	}
}

// TestWrapperKeys keeps the lexer's list of wrapper keys in step with
// the envelope it stands for.
func TestWrapperKeys(t *testing.T) {
	var tags []string
	typ := reflect.TypeFor[envelope]()
	for i := range typ.NumField() {
		if tag := typ.Field(i).Tag.Get("json"); tag != "" {
			tags = append(tags, strings.ToLower(tag))
		}
	}
	slices.Sort(tags)
	keys := slices.Sorted(slices.Values(wrapperKeys))
	if diff := cmp.Diff(tags, keys); diff != "" {
		t.Errorf("wrapperKeys mismatch (-envelope +list):\n%s", diff)
	}
}

func FuzzECSDocument(f *testing.F) {
	for _, name := range []string{"shapes/ecs-nested.json",
		"shapes/ecs-dotted.json"} {
		f.Add(readFixture(f, name))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := recordFromECS(b)
		if err != nil {
			return
		}
		if rec.EventName == "" {
			t.Fatal("record without an event name")
		}
		Detect(Event{Record: rec})
	})
}

// FuzzEvents decodes arbitrary bytes: nothing may panic, every event has
// a source, and every error is a *DecodeError naming it.
func FuzzEvents(f *testing.F) {
	for _, b := range fixtures(f) {
		if len(b) < 8<<10 {
			f.Add(b)
			f.Add(gzipped(f, b))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := Limits{MaxRecordBytes: 512, MaxDecompressedBytes: 1 << 16}
		for ev := range Events("f", strings.NewReader(string(b)), lim) {
			if !strings.HasPrefix(ev.Source, "f") {
				t.Fatalf("source %q does not name the input", ev.Source)
			}
			var de *DecodeError
			if ev.Err != nil && (!errors.As(ev.Err, &de) || de.Source != ev.Source) {
				t.Fatalf("error %v is not a DecodeError for %s", ev.Err, ev.Source)
			}
			if (ev.Err == nil) == (ev.Record == nil) {
				t.Fatalf("event with record %v and error %v", ev.Record, ev.Err)
			}
			Detect(ev)
		}
	})
}
