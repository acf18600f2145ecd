package e2e

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/serialguard/serialguard/remediate"
)

// checkResult checks a remediation of c's account and region that found
// access enabled: no step failed, every step names the target, and the
// last step is DisableSerialConsoleAccess, done or, in a dry run,
// planned.
func checkResult(res remediate.Result, c Config, dryRun bool) error {
	if res.DryRun != dryRun {
		return fmt.Errorf("result dry_run %t, want %t", res.DryRun, dryRun)
	}
	for i, s := range res.Steps {
		if s.Status == remediate.StatusFailed {
			return fmt.Errorf("step %d %s failed: %s", i, s.Call, s.Detail)
		}
		if s.Account != c.Account || s.Region != c.Region {
			return fmt.Errorf("step %d %s acts in %s/%s, want %s/%s",
				i, s.Call, s.Account, s.Region, c.Account, c.Region)
		}
	}
	if len(res.Steps) == 0 {
		return errors.New("no steps")
	}
	want := remediate.StatusDone
	if dryRun {
		want = remediate.StatusPlanned
	}
	last := res.Steps[len(res.Steps)-1]
	if last.Call != remediate.CallDisable || last.Status != want {
		return fmt.Errorf("last step %s %s (%s), want %s %s", last.Call,
			last.Status, last.Detail, remediate.CallDisable, want)
	}
	return nil
}

func TestCheckResult(t *testing.T) {
	c := Config{Account: "111122223333", Region: "eu-west-1"}
	step := func(call string, s remediate.Status) remediate.Step {
		return remediate.Step{Call: call, Account: c.Account,
			Region: c.Region, Status: s}
	}
	read := step(remediate.CallGetStatus, remediate.StatusDone)
	assume := step(remediate.CallAssumeRole, remediate.StatusDone)
	elsewhere := step(remediate.CallGetStatus, remediate.StatusDone)
	elsewhere.Region = "us-east-1"

	tests := []struct {
		name    string
		res     remediate.Result
		dryRun  bool
		wantErr string // substring; "" means no error
	}{
		{
			name: "disabled",
			res: remediate.Result{Steps: []remediate.Step{assume, read,
				step(remediate.CallDisable, remediate.StatusDone)}},
		},
		{
			name: "dry run planned",
			res: remediate.Result{DryRun: true, Steps: []remediate.Step{
				assume, read,
				step(remediate.CallDisable, remediate.StatusPlanned)}},
			dryRun: true,
		},
		{
			name: "dry run that disabled",
			res: remediate.Result{DryRun: true, Steps: []remediate.Step{
				assume, read,
				step(remediate.CallDisable, remediate.StatusDone)}},
			dryRun:  true,
			wantErr: "want DisableSerialConsoleAccess planned",
		},
		{
			name: "not a dry run",
			res: remediate.Result{Steps: []remediate.Step{assume, read,
				step(remediate.CallDisable, remediate.StatusPlanned)}},
			dryRun:  true,
			wantErr: "result dry_run false, want true",
		},
		{
			name: "assume role failed",
			res: remediate.Result{Steps: []remediate.Step{
				step(remediate.CallAssumeRole, remediate.StatusFailed)}},
			wantErr: "step 0 AssumeRole failed",
		},
		{
			name: "found it disabled",
			res: remediate.Result{Steps: []remediate.Step{assume, read,
				step(remediate.CallDisable, remediate.StatusSkipped)}},
			wantErr: "last step DisableSerialConsoleAccess skipped",
		},
		{
			name:    "other region",
			res:     remediate.Result{Steps: []remediate.Step{elsewhere}},
			wantErr: "acts in 111122223333/us-east-1, want 111122223333/eu-west-1",
		},
		{
			name:    "disable not last",
			res:     remediate.Result{Steps: []remediate.Step{assume, read}},
			wantErr: "last step GetSerialConsoleAccessStatus done",
		},
		{name: "no steps", wantErr: "no steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkResult(tt.res, c, tt.dryRun)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("checkResult() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("checkResult() = %v, want it to contain %q",
					err, tt.wantErr)
			}
		})
	}
}
