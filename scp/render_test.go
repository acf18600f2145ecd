package scp_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/scp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		golden string
		exempt []string
	}{
		{"scp-no-exemptions.json", nil},
		{"scp-exemptions.json", []string{
			"arn:aws:iam::111122223333:role/BreakGlass",
			"arn:aws:iam::*:role/serialguard-approved-*",
			"arn:aws:iam::111122223333:role/BreakGlass",
			"arn:aws-us-gov:iam::444455556666:user/ops?",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := scp.Render(tt.exempt)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			golden(t, tt.golden, got)
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	a := []string{"arn:aws:iam::111122223333:role/A",
		"arn:aws:iam::111122223333:role/B", "arn:aws:iam::*:role/C"}
	b := []string{a[2], a[0], a[1], a[0]}
	got1, err1 := scp.Render(a)
	got2, err2 := scp.Render(b)
	if err1 != nil || err2 != nil {
		t.Fatalf("Render: %v, %v", err1, err2)
	}
	if string(got1) != string(got2) {
		t.Errorf("order changed the output:\n%s\n%s", got1, got2)
	}
}

func TestRenderRejects(t *testing.T) {
	tests := []struct{ name, pattern, want string }{
		{"not an arn", "BreakGlass", "is not an ARN pattern"},
		{"too few fields", "arn:aws:iam::111122223333", "is not an ARN pattern"},
		{"empty resource", "arn:aws:iam::111122223333:", "is not an ARN pattern"},
		{"everyone", "arn:*:*:*:*:*", "matches every principal"},
		{"everyone short", "arn:*:*::*:*", "matches every principal"},
		{"space", "arn:aws:iam::1:role/a b", "white space"},
		{"newline", "arn:aws:iam::1:role/a\n", "white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scp.Render([]string{tt.pattern})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render(%q) error = %v, want %q", tt.pattern,
					err, tt.want)
			}
		})
	}
}

func TestRenderSizeLimit(t *testing.T) {
	var exempt []string
	for i := range 200 {
		exempt = append(exempt, fmt.Sprintf(
			"arn:aws:iam::%012d:role/approved-role", i))
	}
	_, err := scp.Render(exempt)
	var se *scp.SizeError
	if !errors.As(err, &se) || se.Limit != scp.MaxSCPSize ||
		se.Size <= scp.MaxSCPSize {
		t.Fatalf("Render(200 patterns) error = %v, want a SizeError", err)
	}
	want := fmt.Sprintf("SCP is %d characters, over the quota of 5120",
		se.Size)
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	// The largest set that fits still renders, at or under the limit.
	for len(exempt) > 0 {
		exempt = exempt[:len(exempt)-1]
		doc, err := scp.Render(exempt)
		if err == nil {
			if n := len([]rune(string(doc))); n > scp.MaxSCPSize {
				t.Errorf("rendered %d characters, over the limit", n)
			}
			return
		}
	}
	t.Fatal("no pattern count fits")
}

// TestRenderNeverDeniesStatusReads evaluates the SCP's actions as IAM
// does, wildcards included: status reads stay allowed for audits.
func TestRenderNeverDeniesStatusReads(t *testing.T) {
	doc, err := scp.Render([]string{"arn:aws:iam::*:role/BreakGlass"})
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Statement []struct {
			Effect    string
			Action    any
			NotAction any
		}
	}
	if err := json.Unmarshal(doc, &parsed); err != nil {
		t.Fatal(err)
	}
	denied := map[string]bool{}
	for _, st := range parsed.Statement {
		if st.NotAction != nil {
			t.Errorf("statement uses NotAction, which denies by omission")
		}
		if st.Effect != "Deny" {
			continue
		}
		for _, a := range actions(st.Action) {
			for _, op := range []string{"ec2:GetSerialConsoleAccessStatus",
				"ec2:EnableSerialConsoleAccess",
				"ec2:DisableSerialConsoleAccess"} {
				if iamMatch(a, op) {
					denied[op] = true
				}
			}
		}
	}
	want := map[string]bool{"ec2:EnableSerialConsoleAccess": true}
	if diff := cmp.Diff(want, denied); diff != "" {
		t.Errorf("denied actions (-want +got):\n%s", diff)
	}
}

func actions(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// iamMatch matches an IAM action pattern, case-insensitive, with * and ?.
func iamMatch(pattern, action string) bool {
	re := "(?i)^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").
		Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(action)
}

func TestRenderDeclarativeGolden(t *testing.T) {
	tests := []struct{ golden, msg string }{
		{"declarative.json", ""},
		{"declarative-message.json", "Serial console access is " +
			"disabled by policy <SEC-42>: see https://wiki.example.com/sc"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := scp.RenderDeclarative(tt.msg)
			if err != nil {
				t.Fatalf("RenderDeclarative: %v", err)
			}
			golden(t, tt.golden, got)
		})
	}
}

func TestRenderDeclarativeRejects(t *testing.T) {
	if _, err := scp.RenderDeclarative("bad \xff"); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
	_, err := scp.RenderDeclarative(strings.Repeat("x", scp.MaxDeclarativeSize))
	var se *scp.SizeError
	if !errors.As(err, &se) || se.Limit != scp.MaxDeclarativeSize {
		t.Errorf("oversized message error = %v, want a SizeError", err)
	}
}

func TestNormalize(t *testing.T) {
	a := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"x"}]}`
	b := "{\n  \"Statement\": [ { \"Action\": \"x\", \"Effect\": \"Deny\" } ],\n" +
		"  \"Version\": \"2012-10-17\"\n}\n"
	na, errA := scp.Normalize([]byte(a))
	nb, errB := scp.Normalize([]byte(b))
	if errA != nil || errB != nil {
		t.Fatalf("Normalize: %v, %v", errA, errB)
	}
	if string(na) != string(nb) {
		t.Errorf("layouts differ after Normalize:\n%s\n%s", na, nb)
	}
	for _, bad := range []string{"", "{", `{"a":1} {"b":2}`, "[1,]",
		`{"a":1}}`, `{"a":1} ]`, `{} x`} {
		if _, err := scp.Normalize([]byte(bad)); err == nil {
			t.Errorf("Normalize(%q) accepted", bad)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, name := range []string{"scp-exemptions.json", "declarative.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"a":[1,2.50,"\u003c"]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		n, err := scp.Normalize(doc)
		if err != nil {
			return
		}
		again, err := scp.Normalize(n)
		if err != nil || string(again) != string(n) {
			t.Errorf("Normalize is not idempotent: %q -> %q (%v)", n, again, err)
		}
	})
}

func FuzzRender(f *testing.F) {
	f.Add("arn:aws:iam::111122223333:role/BreakGlass", "arn:aws:iam::*:role/x")
	f.Add("arn:*:*:*:*:*", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		doc, err := scp.Render([]string{a, b})
		if err != nil {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(doc, &v); err != nil {
			t.Fatalf("Render produced invalid JSON %q: %v", doc, err)
		}
		if n := len([]rune(string(doc))); n > scp.MaxSCPSize {
			t.Errorf("Render produced %d characters", n)
		}
	})
}
