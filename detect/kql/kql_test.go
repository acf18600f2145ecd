package kql

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// elasticQuery is the query of Elastic's rule "AWS EC2 Serial Console
// Access Enabled" as published.
const elasticQuery = `data_stream.dataset: "aws.cloudtrail" and ` +
	`event.provider: "ec2.amazonaws.com" and ` +
	`event.action: "EnableSerialConsoleAccess" and event.outcome: "success"`

func doc(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad test document %s: %v", s, err)
	}
	return m
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		query string
		doc   string
		want  bool
	}{
		{"nested", `a.b: "x"`, `{"a":{"b":"x"}}`, true},
		{"dotted key", `a.b: "x"`, `{"a.b":"x"}`, true},
		{"mixed dotted and nested", `a.b.c: "x"`, `{"a":{"b.c":"x"}}`, true},
		{"dotted then nested", `a.b.c: "x"`, `{"a.b":{"c":"x"}}`, true},
		{"case sensitive", `a: "X"`, `{"a":"x"}`, false},
		{"exact not prefix", `a: "x"`, `{"a":"xy"}`, false},
		{"missing", `a: "x"`, `{"b":"x"}`, false},
		{"null", `a: "x"`, `{"a":null}`, false},
		{"object is not a value", `a: "x"`, `{"a":{"x":1}}`, false},
		{"array any element", `a: "x"`, `{"a":["y","x"]}`, true},
		{"array of objects", `a.b: "x"`, `{"a":[{"b":"y"},{"b":"x"}]}`, true},
		{"nested arrays", `a: "x"`, `{"a":[["y"],["x"]]}`, true},
		{"bool", `a: "false"`, `{"a":false}`, true},
		{"unquoted bool", `a: true`, `{"a":true}`, true},
		{"number", `a: "5"`, `{"a":5}`, true},
		{"not missing", `not a: "x"`, `{}`, true},
		{"not present", `not a: "x"`, `{"a":"x"}`, false},
		{"and", `a: "1" and b: "2"`, `{"a":"1","b":"2"}`, true},
		{"and one false", `a: "1" and b: "2"`, `{"a":"1","b":"3"}`, false},
		{"or", `a: "1" or b: "2"`, `{"b":"2"}`, true},
		{"and binds tighter", `a: "1" or b: "2" and c: "3"`, `{"a":"1"}`, true},
		{"parens", `(a: "1" or b: "2") and c: "3"`, `{"a":"1"}`, false},
		{"not binds tighter", `not a: "1" and b: "2"`, `{"b":"2"}`, true},
		{"keywords any case", `a: "1" AND NOT b: "2"`, `{"a":"1"}`, true},
		{"escaped quote", `a: "say \"hi\""`, `{"a":"say \"hi\""}`, true},
		{"no wildcard in quotes", `a: "x*"`, `{"a":"xy"}`, false},
		{"literal star", `a: "x*"`, `{"a":"x*"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.query, err)
			}
			if got := q.Match(doc(t, tt.doc)); got != tt.want {
				t.Errorf("Match(%s) = %v, want %v", tt.doc, got, tt.want)
			}
		})
	}
}

func TestElasticRuleQuery(t *testing.T) {
	q, err := Parse(elasticQuery)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	ecs := `{"data_stream":{"dataset":"aws.cloudtrail"},
		"event":{"provider":"ec2.amazonaws.com",
		"action":"EnableSerialConsoleAccess","outcome":"success"}}`
	if !q.Match(doc(t, ecs)) {
		t.Errorf("query does not match a successful enablement")
	}
	flat := `{"data_stream.dataset":"aws.cloudtrail",
		"event.provider":"ec2.amazonaws.com",
		"event.action":"EnableSerialConsoleAccess","event.outcome":"failure"}`
	if q.Match(doc(t, flat)) {
		t.Errorf("query matches a failed enablement")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		query  string
		offset int
	}{
		{``, 0},
		{`a`, 1},
		{`a:`, 2},
		{`a: "x`, 3},
		{`a: x*`, 4},
		{`a: (x or y)`, 3},
		{`a > 5`, 2},
		{`(a: x`, 5},
		{`a: x)`, 4},
		{`a: x and`, 8},
		{`a..b: x`, 0},
		{`a: x b: y`, 5},
		{`a: {b: x}`, 3},
		{`a\:b: x`, 1},
	}
	for _, tt := range tests {
		_, err := Parse(tt.query)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v, want a *SyntaxError", tt.query, err)
			continue
		}
		if se.Offset != tt.offset {
			t.Errorf("Parse(%q) offset = %d, want %d (%v)",
				tt.query, se.Offset, tt.offset, err)
		}
	}
}

func TestString(t *testing.T) {
	q := MustParse(`not a: x or (b: "q\"" and c.d: "y")`)
	want := `(not a: "x" or (b: "q\"" and c.d: "y"))`
	if got := q.String(); got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}

func TestValues(t *testing.T) {
	m := doc(t, `{"a":{"b":[1,"x"]},"a.b":"y","c":null}`)
	got := Values(m, "a.b")
	want := []any{1.0, "x", "y"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Values(a.b) mismatch (-want +got):\n%s", diff)
	}
	if got := Values(m, "nope"); got != nil {
		t.Errorf("Values(nope) = %v, want nil", got)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		elasticQuery,
		`not a: "x" or (b: y and c.d: "z")`,
		`a: "\\\""`, `((a: b))`, `a: b AND NOT c: d`, `a: *`, `:`, `"`,
	} {
		f.Add(s)
	}
	probe := map[string]any{
		"a": "x", "b": []any{"y", map[string]any{"c": "z"}},
		"c.d": "z", "data_stream": map[string]any{"dataset": "aws.cloudtrail"},
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		canon := q.String()
		q2, err := Parse(canon)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", canon, s, err)
		}
		if got := q2.String(); got != canon {
			t.Fatalf("canonical form not stable: %q then %q", canon, got)
		}
		if q.Match(probe) != q2.Match(probe) {
			t.Fatalf("%q and its canonical form %q disagree", s, canon)
		}
	})
}
