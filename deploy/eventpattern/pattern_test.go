package eventpattern_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/deploy/eventpattern"
)

// event is a trimmed EventBridge envelope of a CloudTrail record.
const event = `{
  "version": "0",
  "id": "6f1e3c57-7f4c-4b8e-9d0a-2b1f1c9e0a11",
  "detail-type": "AWS API Call via CloudTrail",
  "source": "aws.ec2",
  "account": "111122223333",
  "time": "2025-03-04T10:15:02Z",
  "region": "eu-west-1",
  "resources": [],
  "detail": {
    "eventVersion": "1.10",
    "eventSource": "ec2.amazonaws.com",
    "eventName": "EnableSerialConsoleAccess",
    "readOnly": false,
    "errorCode": null,
    "mfa": 0,
    "userIdentity": {"type": "AssumedRole", "accountId": "111122223333"},
    "resources": [
      {"type": "AWS::EC2::Instance", "ARN": "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"},
      {"type": "AWS::EC2::Volume", "ARN": "arn:aws:ec2:eu-west-1:111122223333:volume/vol-2"}
    ],
    "tags": ["red", "blue"],
    "empty": []
  }
}`

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		want    bool
	}{
		{"exact string", `{"source":["aws.ec2"]}`, true},
		{"any of the values", `{"source":["aws.s3","aws.ec2"]}`, true},
		{"no value equal", `{"source":["aws.s3"]}`, false},
		{"strings are case-sensitive", `{"source":["AWS.EC2"]}`, false},
		{"key with a dash", `{"detail-type":["AWS API Call via CloudTrail"]}`, true},
		{"nested object",
			`{"detail":{"eventName":["EnableSerialConsoleAccess"]}}`, true},
		{"every field must match",
			`{"source":["aws.ec2"],"detail":{"eventName":["RunInstances"]}}`, false},
		{"two levels deep",
			`{"detail":{"userIdentity":{"type":["AssumedRole"]}}}`, true},
		{"absent field", `{"detail":{"errorMessage":["x"]}}`, false},
		{"absent parent", `{"nothing":{"here":["x"]}}`, false},
		{"array element", `{"detail":{"tags":["blue"]}}`, true},
		{"array without the value", `{"detail":{"tags":["green"]}}`, false},
		{"array of objects is flattened",
			`{"detail":{"resources":{"type":["AWS::EC2::Volume"]}}}`, true},
		{"flattened fields match independently",
			`{"detail":{"resources":{"type":["AWS::EC2::Instance"],` +
				`"ARN":[{"suffix":"vol-2"}]}}}`, true},
		{"object where a value is wanted",
			`{"detail":{"userIdentity":["AssumedRole"]}}`, false},
		{"value where an object is wanted",
			`{"source":{"name":["aws.ec2"]}}`, false},
		{"false", `{"detail":{"readOnly":[false]}}`, true},
		{"true", `{"detail":{"readOnly":[true]}}`, false},
		{"null", `{"detail":{"errorCode":[null]}}`, true},
		{"null is not absent", `{"detail":{"errorMessage":[null]}}`, false},
		{"number", `{"detail":{"mfa":[0]}}`, true},
		{"number by value", `{"detail":{"mfa":[0.0]}}`, true},
		{"number is not a string", `{"detail":{"mfa":["0"]}}`, false},
		{"string is not a number", `{"account":[111122223333]}`, false},
		{"prefix", `{"detail":{"eventName":[{"prefix":"Enable"}]}}`, true},
		{"prefix does not match", `{"detail":{"eventName":[{"prefix":"Get"}]}}`, false},
		{"empty prefix", `{"region":[{"prefix":""}]}`, true},
		{"suffix", `{"detail":{"eventSource":[{"suffix":".amazonaws.com"}]}}`, true},
		{"prefix is not a number match", `{"detail":{"mfa":[{"prefix":"0"}]}}`, false},
		{"exists", `{"detail":{"eventName":[{"exists":true}]}}`, true},
		{"exists on absent", `{"detail":{"errorMessage":[{"exists":true}]}}`, false},
		{"exists on null", `{"detail":{"errorCode":[{"exists":true}]}}`, true},
		{"exists on object", `{"detail":{"userIdentity":[{"exists":true}]}}`, false},
		{"exists on empty array", `{"detail":{"empty":[{"exists":true}]}}`, false},
		{"not exists on absent",
			`{"detail":{"errorMessage":[{"exists":false}]}}`, true},
		{"not exists on present",
			`{"detail":{"eventName":[{"exists":false}]}}`, false},
		{"not exists under absent parent",
			`{"nothing":{"here":[{"exists":false}]}}`, true},
		{"value or absent",
			`{"detail":{"errorMessage":["x",{"exists":false}]}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := eventpattern.Parse([]byte(tt.pattern))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.pattern, err)
			}
			got, err := p.Match([]byte(event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if got != tt.want {
				t.Errorf("%s matches the event: got %v, want %v",
					tt.pattern, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name        string
		pattern     string
		wantErr     string
		unsupported bool
	}{
		{"not JSON", `{"source":`, "decode event pattern", false},
		{"trailing data", `{"source":["a"]} {}`, "data after the JSON value", false},
		{"not an object", `["aws.ec2"]`, "top level: got an array", false},
		{"empty pattern", `{}`, "empty object", false},
		{"empty nested object", `{"detail":{}}`, "detail: empty object", false},
		{"bare string", `{"source":"aws.ec2"}`,
			"source: got a string, want an array or an object", false},
		{"bare number", `{"detail":{"n":5}}`, "detail.n: got a number", false},
		{"empty array", `{"source":[]}`, "empty array matches nothing", false},
		{"nested array", `{"source":[["a"]]}`, "source[0]: nested arrays", false},
		{"two operators", `{"a":[{"prefix":"x","suffix":"y"}]}`,
			"has 2 keys, want 1", false},
		{"empty operator", `{"a":[{}]}`, "has 0 keys, want 1", false},
		{"unknown operator", `{"a":[{"startswith":"x"}]}`,
			`unknown operator "startswith"`, false},
		{"prefix of a number", `{"a":[{"prefix":1}]}`,
			`"prefix": got a number, want a string`, false},
		{"exists with a string", `{"a":[{"exists":"yes"}]}`,
			`"exists": got a string, want true or false`, false},
		{"number out of range", `{"a":[1e400]}`, "out of range", false},
		{"anything-but", `{"a":[{"anything-but":"x"}]}`, `"anything-but"`, true},
		{"numeric", `{"a":[{"numeric":[">",0]}]}`, `"numeric"`, true},
		{"cidr", `{"a":[{"cidr":"10.0.0.0/8"}]}`, `"cidr"`, true},
		{"equals-ignore-case", `{"a":[{"equals-ignore-case":"x"}]}`,
			`"equals-ignore-case"`, true},
		{"wildcard", `{"a":[{"wildcard":"x*"}]}`, `"wildcard"`, true},
		{"prefix ignoring case", `{"a":[{"prefix":{"equals-ignore-case":"x"}}]}`,
			`"prefix" with an object`, true},
		{"or", `{"$or":[{"a":["x"]},{"b":["y"]}]}`, `"$or"`, true},
		{"error deep inside",
			`{"detail":{"userIdentity":{"type":[{"wildcard":"A*"}]}}}`,
			"detail.userIdentity.type[0]", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eventpattern.Parse([]byte(tt.pattern))
			if err == nil {
				t.Fatalf("Parse(%s): got no error, want %q", tt.pattern, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Parse(%s): got %q, want it to contain %q",
					tt.pattern, err, tt.wantErr)
			}
			if got := errors.Is(err, eventpattern.ErrUnsupported); got != tt.unsupported {
				t.Errorf("errors.Is(%q, ErrUnsupported): got %v, want %v",
					err, got, tt.unsupported)
			}
		})
	}
}

func TestMatchErrors(t *testing.T) {
	p, err := eventpattern.Parse([]byte(`{"source":["aws.ec2"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []string{``, `{"source":`, `{} {}`} {
		if _, err := p.Match([]byte(ev)); err == nil {
			t.Errorf("Match(%q): got no error", ev)
		}
	}
	for _, ev := range []string{`[]`, `"aws.ec2"`, `null`, `5`} {
		got, err := p.Match([]byte(ev))
		if err != nil || got {
			t.Errorf("Match(%q): got %v, %v; want false, nil", ev, got, err)
		}
	}
}

// TestNew checks the values a YAML or JSON decoder hands over: float64
// and int numbers, and json.Number.
func TestNew(t *testing.T) {
	p, err := eventpattern.New(map[string]any{
		"source": []any{"aws.ec2"},
		"detail": map[string]any{
			"a": []any{float64(1), 2, int64(3), json.Number("4"), nil, true},
		},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	want := `{"detail":{"a":[1,2,3,4,null,true]},"source":["aws.ec2"]}`
	if diff := cmp.Diff(want, p.String()); diff != "" {
		t.Errorf("String() mismatch (-want +got):\n%s", diff)
	}
	for _, n := range []any{float64(3), 3, json.Number("3.0")} {
		ev := map[string]any{"source": "aws.ec2", "detail": map[string]any{"a": n}}
		if !p.MatchValue(ev) {
			t.Errorf("MatchValue with a=%#v: got false, want true", n)
		}
	}
	if _, err := eventpattern.New(map[string]any{"a": []any{struct{}{}}}); err == nil {
		t.Error("New with a struct value: got no error")
	}
}

func TestCanonical(t *testing.T) {
	in := `{"source": ["b", "a"], "detail": {"z": [{"exists": false}],
		"y": [{"prefix": "p"}, {"suffix": "s"}, null, -0.5e1, "\u00e9\"\\"]}}`
	want := `{"detail":{"y":[{"prefix":"p"},{"suffix":"s"},null,-5,"é\"\\"],` +
		`"z":[{"exists":false}]},"source":["b","a"]}`
	p, err := eventpattern.Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("canonical form mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkMatch(b *testing.B) {
	p, err := eventpattern.Parse([]byte(`{"source":["aws.ec2"],` +
		`"detail-type":["AWS API Call via CloudTrail"],` +
		`"detail":{"eventSource":["ec2.amazonaws.com"],` +
		`"eventName":["EnableSerialConsoleAccess","DisableSerialConsoleAccess"]}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		if ok, err := p.Match([]byte(event)); !ok || err != nil {
			b.Fatalf("Match: %v, %v", ok, err)
		}
	}
}
