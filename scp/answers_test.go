package scp_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/scp"
)

// TestApplyRejectsIncompleteAnswers answers Organizations calls with
// objects that lack the members Apply reads: Apply must fail naming the
// call, never panic.
func TestApplyRejectsIncompleteAnswers(t *testing.T) {
	found := `{"Policies":[{"Id":"p-1","Name":"` + scp.DefaultSCPName + `"}]}`
	tests := []struct {
		name    string
		target  string
		answers map[string]string // by operation; "{}" otherwise
		want    string
	}{{
		name:   "DescribeOrganization without organization",
		target: member,
		want:   "describe organization: the answer has no organization",
	}, {
		name:   "CreatePolicy without policy",
		target: ou,
		want: "create policy " + scp.DefaultSCPName +
			": the answer has no policy id",
	}, {
		name:    "DescribePolicy without policy",
		target:  ou,
		answers: map[string]string{"ListPolicies": found},
		want:    "describe policy p-1: the answer has no policy",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := awsfake.Start(t).Config(t.Context())
			cfg.BaseEndpoint = aws.String(answering(t, tt.answers))
			e := scp.NewEnforcer(cfg, scp.Options{Content: []byte(`{}`),
				Logger: slog.New(slog.DiscardHandler)})

			_, err := e.Apply(t.Context(), tt.target)

			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Apply error = %v, want %q", err, tt.want)
			}
		})
	}
}

// answering serves Organizations JSON answers by operation, "{}" for an
// operation answers does not name, and returns the server's URL.
func answering(t *testing.T, answers map[string]string) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			target := r.Header.Get("X-Amz-Target")
			op := target[strings.LastIndex(target, ".")+1:]
			body, ok := answers[op]
			if !ok {
				body = "{}"
			}
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = io.WriteString(w, body)
		}))
	t.Cleanup(hs.Close)
	return hs.URL
}
