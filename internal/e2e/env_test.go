package e2e

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr string // substring; "" means no error
		notRun  bool   // want ErrNotEnabled
	}{
		{
			name:   "no account",
			env:    map[string]string{EnvRegion: "eu-west-1"},
			notRun: true,
		},
		{
			name: "account only",
			env:  map[string]string{EnvAccount: "111122223333"},
			want: Config{Account: "111122223333", Region: "us-east-1"},
		},
		{
			name: "role with external id in govcloud",
			env: map[string]string{
				EnvAccount:    "444455556666",
				EnvRegion:     "us-gov-west-1",
				EnvRole:       "security/SerialGuardRemediation",
				EnvExternalID: "sg-e2e:2026",
			},
			want: Config{
				Account:    "444455556666",
				Region:     "us-gov-west-1",
				Role:       "security/SerialGuardRemediation",
				ExternalID: "sg-e2e:2026",
			},
		},
		{
			name:    "short account",
			env:     map[string]string{EnvAccount: "12345"},
			wantErr: EnvAccount + ` "12345": want a 12-digit account id`,
		},
		{
			name:    "account arn",
			env:     map[string]string{EnvAccount: "arn:aws:iam::111122223333:root"},
			wantErr: "want a 12-digit account id",
		},
		{
			name: "availability zone as region",
			env: map[string]string{
				EnvAccount: "111122223333",
				EnvRegion:  "eu-west-1a",
			},
			wantErr: EnvRegion + ` "eu-west-1a": want a region name`,
		},
		{
			name: "role arn as role",
			env: map[string]string{
				EnvAccount: "111122223333",
				EnvRole:    "arn:aws:iam::111122223333:role/X",
			},
			wantErr: EnvRole,
		},
		{
			name: "role name over 64 characters",
			env: map[string]string{
				EnvAccount: "111122223333",
				EnvRole:    "path/" + strings.Repeat("r", 65),
			},
			wantErr: EnvRole,
		},
		{
			name: "external id without role",
			env: map[string]string{
				EnvAccount:    "111122223333",
				EnvExternalID: "sg-e2e",
			},
			wantErr: EnvExternalID + " is set without " + EnvRole,
		},
		{
			name: "external id over 1224 characters",
			env: map[string]string{
				EnvAccount:    "111122223333",
				EnvRole:       "SerialGuard",
				EnvExternalID: strings.Repeat("x", 1225),
			},
			wantErr: EnvExternalID + ": want 2 to 1224 characters",
		},
		{
			name: "malformed external id is not echoed",
			env: map[string]string{
				EnvAccount:    "111122223333",
				EnvRole:       "SerialGuard",
				EnvExternalID: "secret value",
			},
			wantErr: EnvExternalID + ": want 2 to 1224 characters",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromEnv(func(k string) string { return tt.env[k] })
			switch {
			case tt.notRun:
				if !errors.Is(err, ErrNotEnabled) {
					t.Fatalf("FromEnv() error = %v, want ErrNotEnabled", err)
				}
			case tt.wantErr != "":
				checkErr(t, err, tt.wantErr, tt.env[EnvExternalID])
			case err != nil:
				t.Fatalf("FromEnv() error = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FromEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// checkErr checks that err contains want and does not echo secret.
func checkErr(t *testing.T, err error, want, secret string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("FromEnv() error = %v, want it to contain %q", err, want)
	}
	if errors.Is(err, ErrNotEnabled) {
		t.Errorf("FromEnv() error = %v: a malformed run must fail, "+
			"not skip", err)
	}
	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Errorf("FromEnv() error = %v: it echoes the external id", err)
	}
}
