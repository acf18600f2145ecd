package policies

import (
	"strings"
	"testing"

	"github.com/gobwas/glob"
)

func TestValidatePattern(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		ok      bool
	}{
		{"arn:aws:iam::111122223333:role/BreakGlass", true},
		{"arn:aws:iam::111122223333:role/ops/*", true},
		{"arn:aws*:iam::*:role/Break?lass", true},
		{"arn:aws:sts::111122223333:federated-user/alice", true},
		{"arn:aws:iam::111122223333:root", true},
		{"", false},
		{"*", false},
		{"role/BreakGlass", false},
		{"arn:aws:iam::111122223333", false},
		{"arn:aws:iam::111122223333:role/a:b", false},
		{"arn:aws:iam::111122223333:role/**", false},
		{"arn:aws:iam::111122223333:role/[ab]", false},
		{"arn:aws:iam::111122223333:role/{a,b}", false},
		{`arn:aws:iam::111122223333:role/\*`, false},
		{"arn:aws:iam::111122223333:role/Break Glass", false},
		{"arn:aws:iam::111122223333:role/Bréak", false},
	} {
		err := validatePattern(tc.pattern)
		if (err == nil) != tc.ok {
			t.Errorf("validatePattern(%q) = %v, want ok %t", tc.pattern, err, tc.ok)
		}
	}
}

// arnLike is IAM's ArnLike as AWS documents it: both ARNs split into six
// colon-separated parts, the last one taking the rest, each part
// matched on its own with "*" any run of characters and "?" exactly one.
func arnLike(pattern, arn string) bool {
	p, a := strings.SplitN(pattern, ":", 6), strings.SplitN(arn, ":", 6)
	if len(p) != 6 || len(a) != 6 {
		return false
	}
	for i := range p {
		if !wildcard(p[i], a[i]) {
			return false
		}
	}
	return true
}

func wildcard(p, s string) bool {
	if p == "" {
		return s == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(p[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcard(p[1:], s[1:])
	}
	return s != "" && s[0] == p[0] && wildcard(p[1:], s[1:])
}

// FuzzPatternMatchesArnLike checks that every pattern validatePattern
// accepts means the same to the policy's glob.match (gobwas/glob with
// ":" as delimiter, as OPA runs it) and to IAM's ArnLike, for principal
// ARNs, which have no ":" in their last part.
func FuzzPatternMatchesArnLike(f *testing.F) {
	for _, s := range [][2]string{
		{"arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/ops/x"},
		{"arn:aws:iam::*:role/Break?lass", "arn:aws:iam::444455556666:role/BreakGlass"},
		{"arn:aws*:iam::1:user/a", "arn:aws-us-gov:iam::1:user/a"},
		{"arn:*:*:*:*:*", "arn:aws:iam::1:root"},
		{"arn:aws:iam::1:role/*x*", "arn:aws:iam::1:role/axb"},
		{"arn:aws:iam::1:role/a?", "arn:aws:iam::1:role/ab/c"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, arn string) {
		if validatePattern(pattern) != nil || strings.Count(arn, ":") != 5 ||
			!isASCII(arn) {
			return // principal ARNs are ASCII
		}
		g, err := glob.Compile(pattern, ':')
		if err != nil {
			t.Fatalf("valid pattern %q does not compile: %v", pattern, err)
		}
		if got, want := g.Match(arn), arnLike(pattern, arn); got != want {
			t.Errorf("glob.match(%q, [\":\"], %q) = %t, ArnLike = %t",
				pattern, arn, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] > '~' {
			return false
		}
	}
	return true
}
