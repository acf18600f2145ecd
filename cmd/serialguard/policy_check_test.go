package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	forbidden := policyDir(t, map[string]string{"p.rego": `package serialguard

decision := http.send({"method": "get", "url": "https://example.com"}).body
`})
	badData := filepath.Join(t.TempDir(), "approvals.yaml")
	writeTestFile(t, badData, "serialguard:\n  approvals:\n    - id: CHG-1\n"+
		"      principals: [\"arn:aws:iam::111122223333:role/X\"]\n"+
		"      not_after: next week\n")
	for _, tc := range []struct {
		name    string
		params  policyCheckParams
		want    int
		wantOut string
		wantErr string
	}{
		{"embedded", policyCheckParams{}, exitOK, "embedded policy: ok\n", ""},
		{"embedded with approvals", policyCheckParams{data: []string{policyApprovals}},
			exitOK, "embedded policy: ok\n", ""},
		{"example policy", policyCheckParams{path: "../../examples/policy"},
			exitOK, "../../examples/policy: ok\n", ""},
		{"http.send", policyCheckParams{path: forbidden}, exitFailure, "",
			"p.rego:3: http.send is forbidden"},
		{"bad approvals", policyCheckParams{data: []string{badData}}, exitFailure, "",
			`approvals.yaml: approvals[0] (id CHG-1): not_after: ` +
				`"next week" is not an RFC 3339 time`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout bytes.Buffer
			err := runPolicyCheck(context.Background(), tc.params, &stdout, &bytes.Buffer{})
			if got := codeOf(err); got != tc.want {
				t.Errorf("exit %d (%v), want %d", got, err, tc.want)
			}
			if stdout.String() != tc.wantOut {
				t.Errorf("output %q, want %q", stdout.String(), tc.wantOut)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("error %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}
