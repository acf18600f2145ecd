package detect

import (
	"encoding/json"
	"strings"
	"testing"
)

// lexValid reports whether b is exactly one JSON value, by the lexer.
func lexValid(b []byte) bool {
	var lx lexer
	padded := append(append([]byte{}, b...), ' ')
	end, err := lx.value(padded, 0)
	return err == nil && skipSpace(padded, end) == len(padded)
}

func TestLexerAgreesWithEncodingJSON(t *testing.T) {
	deep := strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting)
	tooDeep := "[" + deep + "]"
	for _, s := range []string{
		`{}`, `[]`, `{"a":[1,2,{"b":null}]}`, `"x"`, `0`, `-0`, `-0.5e+10`,
		`1E5`, `true`, `false`, `null`, `"\u00e9\n\"\\\/"`, `"\uD83D\uDE00"`,
		"\"\xff\xfe\"", `{"a":"}"}`, `[" ] "]`, deep, ` { "a" : 1 } `,
		``, ` `, `{`, `}`, `[1,]`, `[,1]`, `{"a":1,}`, `{"a"}`, `{a:1}`,
		`{"a":1 "b":2}`, `01`, `1.`, `.5`, `1e`, `1e+`, `-`, `+1`, `tru`,
		`nul`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"\t\"", "\"\x00\"", `[1]]`,
		`{"a":1}}`, `[1 2]`, `"abc`, tooDeep, "\ufeff{}", `NaN`, `[-]`,
	} {
		want := json.Valid([]byte(s))
		if got := lexValid([]byte(s)); got != want {
			t.Errorf("lexer says %q valid=%v, encoding/json says %v", s, got, want)
		}
	}
}

func TestLexerKeys(t *testing.T) {
	tests := []struct {
		value     string
		skippable bool
	}{
		{`{"eventName":"DescribeInstances","x":{"eventName":"Enable"}}`, true},
		{`{"eventName":"EnableSerialConsoleAccess"}`, false},
		{`{"eventName":"SendSerialConsoleSSHPublicKey"}`, false},
		{`{"eventName":"DisableSerialConsoleAccess"}`, false},
		{`{"eventName":"Enable\u0053erialConsoleAccess"}`, false},
		{`{"eventName":""}`, false},
		{`{"eventName":5}`, false},
		{`{"eventName":["x"]}`, false},
		{`{"x":1}`, false},
		{`{"EventName":"B"}`, false},
		{`{"eventName":"B","EVENTNAME":"C"}`, false},
		{`{"eventName":"B","Body":"{}"}`, false},
		{`{"eventName":"B","detail-type":"x"}`, false},
		{`{"eventName":"B","@timestamp":"x"}`, false},
		{`{"eventName":"B","ev\u0065nt":{}}`, false},
		{`{"eventName":"B","ſns":{}}`, false},
		{`["eventName","B"]`, false},
	}
	for _, tt := range tests {
		var lx lexer
		if _, err := lx.value([]byte(tt.value), 0); err != nil {
			t.Fatalf("lex %s: %v", tt.value, err)
		}
		if got := lx.keys.skippable(); got != tt.skippable {
			t.Errorf("skippable(%s) = %v, want %v", tt.value, got, tt.skippable)
		}
	}
}

func FuzzLexerAgreesWithEncodingJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,"}",{"b":null}]}`, `-0.5e+10`,
		`"\u00e9\\"`, `[1,]`, `{"a"}`, `tru`, "\"\x00\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := lexValid(b), json.Valid(b); got != want {
			t.Fatalf("lexer says %q valid=%v, encoding/json says %v",
				b, got, want)
		}
	})
}

// TestSkipPlain puts every byte value at every position of a window
// longer than skipPlain's eight-byte step, after other special bytes
// where that is possible: the first special byte is always found.
func TestSkipPlain(t *testing.T) {
	for pos := range 16 {
		for c := range 256 {
			b := []byte(strings.Repeat("aé", 8))[:16]
			b[pos] = byte(c)
			want := 16
			if !plain[c] {
				want = pos
			}
			if got := skipPlain(b, 0); got != want {
				t.Fatalf("byte %#x at %d: stopped at %d, want %d", c, pos, got, want)
			}
			if pos < 15 {
				b[pos+1] = 0
				if got := skipPlain(b, 0); !plain[c] && got != pos {
					t.Fatalf("byte %#x at %d then NUL: stopped at %d", c, pos, got)
				}
			}
		}
	}
}
