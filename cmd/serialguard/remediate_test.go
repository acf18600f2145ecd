package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

const (
	remMember   = "100000000001"
	remRegion   = "eu-west-1"
	remRole     = "serialguard-remediation"
	remExternal = "sg-cli-test"
)

// remediateEnv points the AWS SDK's default configuration at srv with the
// management account's keys, and nothing else from this machine.
func remediateEnv(t *testing.T, srv *awsfake.Server) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            srv.URL(),
		"AWS_ACCESS_KEY_ID":           awsfake.ManagementAccessKeyID,
		"AWS_SECRET_ACCESS_KEY":       awsfake.ManagementSecretAccessKey,
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  awsfake.DefaultRegion,
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

// runCLI runs the root command with args and returns its outputs.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(&out, &errOut)
	root.SetArgs(args)
	err = root.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

// TestRemediateVerb runs the verb as a user would, with the AWS
// configuration from the environment (AWS_ENDPOINT_URL).
func TestRemediateVerb(t *testing.T) {
	srv := awsfake.Start(t)
	srv.RequireExternalID(remRole, remExternal)
	srv.SetSerialConsole(remMember, remRegion, true)
	remediateEnv(t, srv)

	stdout, _, err := runCLI(t, "remediate", "--account", remMember,
		"--region", remRegion, "--role-name", remRole,
		"--external-id", remExternal, "-o", "json")

	if code := codeOf(err); code != exitOK {
		t.Fatalf("exit %d (%v), want 0", code, err)
	}
	var got remediate.Result
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("output is not a Result: %v\n%s", err, stdout)
	}
	var calls []string
	for _, s := range got.Steps {
		calls = append(calls, s.Call+" "+string(s.Status))
	}
	want := []string{"AssumeRole done", "GetSerialConsoleAccessStatus done",
		"DisableSerialConsoleAccess done"}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	if on, _ := srv.SerialConsole(remMember, remRegion); on {
		t.Error("serial console still enabled")
	}
}

func TestRemediateExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		seed     func(*awsfake.Server)
		dryRun   bool
		wantCode int
		wantOn   bool
		wantErr  string
	}{
		{name: "disabled", seed: enableMember, wantCode: exitOK},
		{name: "nothing to do", seed: func(*awsfake.Server) {},
			wantCode: exitOK},
		{name: "dry run", seed: enableMember, dryRun: true,
			wantCode: exitOK, wantOn: true},
		{name: "role refused", seed: func(s *awsfake.Server) {
			enableMember(s)
			s.DenyAssumeRole(remMember, true)
		}, wantCode: exitFailure, wantOn: true,
			wantErr: "disable serial console in 100000000001/eu-west-1: " +
				"assume role arn:aws:iam::100000000001:role/" + remRole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			tt.seed(srv)
			cfg := srv.Config(t.Context())
			var stdout bytes.Buffer

			err := runRemediate(t.Context(), remediateParams{
				account: remMember, region: remRegion, roleName: remRole,
				dryRun: tt.dryRun, format: "table", aws: &cfg,
				log: slog.New(slog.DiscardHandler),
			}, &stdout, &bytes.Buffer{})

			if code := codeOf(err); code != tt.wantCode {
				t.Errorf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantErr != "" &&
				(err == nil || !strings.HasPrefix(err.Error(), tt.wantErr)) {
				t.Errorf("error = %v, want prefix %q", err, tt.wantErr)
			}
			if on, _ := srv.SerialConsole(remMember, remRegion); on != tt.wantOn {
				t.Errorf("serial console enabled = %v, want %v", on, tt.wantOn)
			}
			header, _, _ := strings.Cut(stdout.String(), "\n")
			if diff := cmp.Diff([]string{"CALL", "ACCOUNT", "REGION",
				"STATUS", "DETAIL"}, strings.Fields(header)); diff != "" {
				t.Errorf("table header (-want +got):\n%s", diff)
			}
		})
	}
}

func enableMember(s *awsfake.Server) { s.SetSerialConsole(remMember, remRegion, true) }

func TestRemediateNeedsAccountAndRegion(t *testing.T) {
	_, _, err := runCLI(t, "remediate", "--account", remMember)
	if code := codeOf(err); code != exitFailure ||
		!strings.Contains(err.Error(), `"region" not set`) {
		t.Errorf("exit %d (%v), want 2 naming the missing --region", code, err)
	}
}
