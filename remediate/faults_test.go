package remediate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

func TestDisableFaults(t *testing.T) {
	const disable, status = "DisableSerialConsoleAccess",
		"GetSerialConsoleAccessStatus"
	throttle := func(op string, times int) awsfake.Fault {
		return awsfake.Fault{Service: "ec2", Operation: op,
			Code: "RequestLimitExceeded", Times: times}
	}
	tests := []struct {
		name   string
		faults []awsfake.Fault
		// wantFailed is the call of the failed step, empty for success.
		wantFailed string
		// wantDetail are the parts the failed step's detail names.
		wantDetail []string
		wantCalls  []call
	}{{
		name:   "throttling within the retry budget",
		faults: []awsfake.Fault{throttle(disable, 2)},
		wantCalls: []call{assumeCall, ec2Call(status, ""),
			ec2Call(disable, "RequestLimitExceeded"),
			ec2Call(disable, "RequestLimitExceeded"),
			ec2Call(disable, ""), ec2Call(status, "")},
	}, {
		name:       "throttling beyond the retry budget",
		faults:     []awsfake.Fault{throttle(disable, 0)},
		wantFailed: disable,
		wantDetail: []string{"disable serial console in " + member + "/" +
			region, disable, "RequestLimitExceeded",
			"exceeded maximum number of attempts, 3"},
		wantCalls: []call{assumeCall, ec2Call(status, ""),
			ec2Call(disable, "RequestLimitExceeded"),
			ec2Call(disable, "RequestLimitExceeded"),
			ec2Call(disable, "RequestLimitExceeded")},
	}, {
		name: "5xx on the status read is retried",
		faults: []awsfake.Fault{{Service: "ec2", Operation: status,
			Code: "InternalError", Times: 1}},
		wantCalls: []call{assumeCall, ec2Call(status, "InternalError"),
			ec2Call(status, ""), ec2Call(disable, ""),
			ec2Call(status, "")},
	}, {
		name: "5xx that persists",
		faults: []awsfake.Fault{{Service: "ec2", Operation: status,
			Code: "Unavailable"}},
		wantFailed: status,
		wantDetail: []string{"read serial console status in " + member +
			"/" + region, status, "StatusCode: 503", "Unavailable"},
		wantCalls: []call{assumeCall, ec2Call(status, "Unavailable"),
			ec2Call(status, "Unavailable"), ec2Call(status, "Unavailable")},
	}, {
		name: "access denied on Disable",
		faults: []awsfake.Fault{{Service: "ec2", Operation: disable,
			Code: "UnauthorizedOperation"}},
		wantFailed: disable,
		wantDetail: []string{"disable serial console in " + member + "/" +
			region, disable, "UnauthorizedOperation"},
		wantCalls: []call{assumeCall, ec2Call(status, ""),
			ec2Call(disable, "UnauthorizedOperation")},
	}, {
		name: "Disable acknowledged without effect",
		faults: []awsfake.Fault{{Service: "ec2", Operation: disable,
			NoEffect: true}},
		wantFailed: disable,
		wantDetail: []string{"disable serial console in " + member + "/" +
			region + ": verify: GetSerialConsoleAccessStatus still " +
			"reports access enabled after DisableSerialConsoleAccess"},
		wantCalls: []call{assumeCall, ec2Call(status, ""),
			ec2Call(disable, ""), ec2Call(status, "")},
	}, {
		name: "verifying read fails",
		faults: []awsfake.Fault{{Service: "ec2", Operation: status,
			Code: "InternalError", After: 1}},
		wantFailed: disable,
		wantDetail: []string{"disable serial console in " + member + "/" +
			region + ": verify: ", status, "InternalError"},
		wantCalls: []call{assumeCall, ec2Call(status, ""),
			ec2Call(disable, ""), ec2Call(status, "InternalError"),
			ec2Call(status, "InternalError"),
			ec2Call(status, "InternalError")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			enable(f.srv)
			for _, fault := range tt.faults {
				f.srv.Inject(fault)
			}
			r := f.remediator(remediate.Options{MaxAttempts: 3})

			got := r.Disable(t.Context(), member, region)

			checkOutcome(t, got, tt.wantFailed, tt.wantDetail)
			if diff := cmp.Diff(tt.wantCalls,
				summarize(f.srv.Calls())); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// checkOutcome checks that res succeeded, or that its last step is the
// failed call and its detail names every part of wantDetail.
func checkOutcome(t *testing.T, res remediate.Result, failedCall string, wantDetail []string) {
	t.Helper()
	last := res.Steps[len(res.Steps)-1]
	if failedCall == "" {
		if res.Failed() || last.Status != remediate.StatusDone {
			t.Fatalf("steps = %+v, want success", res.Steps)
		}
		return
	}
	if !res.Failed() || last.Call != failedCall ||
		last.Status != remediate.StatusFailed {
		t.Fatalf("steps = %+v, want %s failed last", res.Steps, failedCall)
	}
	for _, part := range wantDetail {
		if !strings.Contains(last.Detail, part) {
			t.Errorf("detail %q does not name %q", last.Detail, part)
		}
	}
}

func TestDisableAssumeRoleRefused(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*awsfake.Server)
		opts  remediate.Options
	}{{
		name:  "role does not trust the caller",
		setup: func(s *awsfake.Server) { s.DenyAssumeRole(member, true) },
	}, {
		name:  "external id mismatch",
		setup: func(*awsfake.Server) {},
		opts: remediate.Options{RoleName: roleName,
			ExternalID: "not-the-external-id"},
	}, {
		name:  "external id missing",
		setup: func(*awsfake.Server) {},
		opts:  remediate.Options{RoleName: roleName, ExternalID: ""},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			enable(f.srv)
			tt.setup(f.srv)
			opts := tt.opts
			if opts.RoleName == "" {
				opts = remediate.Options{RoleName: roleName,
					ExternalID: externalID}
			}
			r := remediate.New(f.cfg, opts)

			got := r.Disable(t.Context(), member, region)

			checkOutcome(t, got, "AssumeRole", []string{
				"assume role " + roleARN + " for account " + member,
				"AccessDenied", "StatusCode: 403"})
			if n := len(mutatingEC2(f.srv)); n != 0 {
				t.Errorf("mutating EC2 calls = %d, want 0", n)
			}
			if on, _ := f.srv.SerialConsole(member, region); !on {
				t.Error("serial console changed without credentials")
			}
		})
	}
}

func TestDisableCallTimeout(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	f.srv.Inject(awsfake.Fault{Service: "ec2",
		Operation: "DisableSerialConsoleAccess", Latency: time.Minute})
	r := f.remediator(remediate.Options{CallTimeout: 100 * time.Millisecond})

	got := r.Disable(t.Context(), member, region)

	checkOutcome(t, got, "DisableSerialConsoleAccess", []string{
		"disable serial console in " + member + "/" + region,
		"DisableSerialConsoleAccess", "deadline exceeded"})
}

func TestStatus(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	f.srv.SetDeclarativePolicy(member, "eu-west-2", true)
	r := f.remediator(remediate.Options{DryRun: true})
	tests := []struct {
		region string
		want   remediate.State
	}{
		{region, remediate.State{Enabled: true, ManagedBy: "account"}},
		{"eu-west-2", remediate.State{ManagedBy: "declarative-policy"}},
		{"us-east-2", remediate.State{ManagedBy: "account"}},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			got, err := r.Status(t.Context(), member, tt.region)
			if err != nil {
				t.Fatalf("Status: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Status (-want +got):\n%s", diff)
			}
		})
	}
	if n := len(f.srv.CallsTo("AssumeRole")); n != 1 {
		t.Errorf("AssumeRole calls = %d, want 1 (cached per account)", n)
	}
}

func TestStatusErrorNamesTarget(t *testing.T) {
	f := newFixture(t)
	f.srv.Inject(awsfake.Fault{Service: "ec2", Code: "AuthFailure"})
	r := f.remediator(remediate.Options{})

	_, err := r.Status(t.Context(), member, region)

	var te *remediate.TargetError
	if !errors.As(err, &te) || te.Account != member || te.Region != region {
		t.Fatalf("Status error = %v, want a TargetError for %s/%s",
			err, member, region)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AuthFailure" {
		t.Errorf("Status error %v does not wrap the API error", err)
	}
	want := "read serial console status in " + member + "/" + region +
		": operation error EC2: GetSerialConsoleAccessStatus"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Status error = %q, want prefix %q", err, want)
	}
}
