package eventpattern_test

import (
	"encoding/json"
	"testing"

	"github.com/serialguard/serialguard/deploy/eventpattern"
)

// FuzzParse checks that parsing never panics and that a parsed pattern's
// canonical form parses back to the same pattern.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"source":["aws.ec2"]}`,
		`{"detail":{"eventName":[{"prefix":"Enable"},"x",1,null,true]}}`,
		`{"detail":{"a":[{"exists":false}],"b":[{"suffix":"s"}]}}`,
		`{"a":[{"anything-but":"x"}]}`,
		`{"$or":[]}`,
		`{"a":[1e400]}`,
		`{"a":["\ud800"]}`,
		`{}`,
		`[`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := eventpattern.Parse(data)
		if err != nil {
			return
		}
		canon, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("json.Marshal(%s): %v", data, err)
		}
		again, err := eventpattern.Parse(canon)
		if err != nil {
			t.Fatalf("Parse(canonical %s): %v", canon, err)
		}
		if got := again.String(); got != string(canon) {
			t.Fatalf("canonical form not stable: %s then %s", canon, got)
		}
		if _, err := p.Match([]byte(event)); err != nil {
			t.Fatalf("Match: %v", err)
		}
	})
}

// FuzzMatch checks that matching any input never panics and fails only
// on input that is not JSON.
func FuzzMatch(f *testing.F) {
	p, err := eventpattern.Parse([]byte(`{"source":["aws.ec2"],` +
		`"detail":{"eventName":["EnableSerialConsoleAccess"],` +
		`"errorCode":[{"exists":false}],"x":{"y":[{"prefix":"p"},0]}}}`))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{event, `{}`, `[]`, `{"detail":[{"x":[[{"y":0}]]}]}`, `{`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := p.Match(data)
		valid := json.Valid(data)
		if err != nil && valid {
			t.Fatalf("Match(%q): %v on valid JSON", data, err)
		}
		if err == nil && !valid {
			t.Fatalf("Match(%q): no error on invalid JSON", data)
		}
	})
}
