package remediate_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

func TestSameAccountMode(t *testing.T) {
	f := newFixture(t)
	mgmt := f.srv.ManagementAccountID()
	f.srv.SetSerialConsole(mgmt, region, true)
	r := f.sameAccount(remediate.Options{})

	got := r.Disable(t.Context(), mgmt, region)

	wantFirst := remediate.Step{Call: "GetCallerIdentity", Account: mgmt,
		Region: region, Status: remediate.StatusDone,
		Detail: "the base credentials belong to " + mgmt}
	if got.Failed() || got.Steps[0] != wantFirst {
		t.Fatalf("steps = %+v, want %+v first and success",
			got.Steps, wantFirst)
	}
	if on, _ := f.srv.SerialConsole(mgmt, region); on {
		t.Error("serial console still enabled")
	}
}

func TestSameAccountModeRefusesOtherAccount(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	r := f.sameAccount(remediate.Options{})

	got := r.Disable(t.Context(), member, region)

	checkOutcome(t, got, "GetCallerIdentity", []string{
		"disable serial console in " + member + "/" + region,
		"the credentials belong to account " +
			f.srv.ManagementAccountID() + ", not " + member,
		"configure a role name"})
	if n := len(mutatingEC2(f.srv)); n != 0 {
		t.Errorf("mutating EC2 calls = %d, want 0", n)
	}
}

func TestPartition(t *testing.T) {
	tests := []struct{ region, want string }{
		{"eu-west-1", "aws"},
		{"us-east-1", "aws"},
		{"cn-north-1", "aws-cn"},
		{"cn-northwest-1", "aws-cn"},
		{"us-gov-west-1", "aws-us-gov"},
		{"us-iso-east-1", "aws-iso"},
		{"us-isob-east-1", "aws-iso-b"},
		{"eu-isoe-west-1", "aws-iso-e"},
		{"", "aws"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			if got := remediate.Partition(tt.region); got != tt.want {
				t.Errorf("Partition(%q) = %q, want %q", tt.region, got,
					tt.want)
			}
		})
	}
}

func TestRoleARNFollowsPartition(t *testing.T) {
	tests := []struct {
		name, region, partition, want string
	}{
		{"derived gov", "us-gov-west-1", "",
			"arn:aws-us-gov:iam::" + member + ":role/" + roleName},
		{"derived china", "cn-north-1", "",
			"arn:aws-cn:iam::" + member + ":role/" + roleName},
		{"configured", "eu-west-1", "aws-us-gov",
			"arn:aws-us-gov:iam::" + member + ":role/" + roleName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, awsfake.WithRegions(
				awsfake.Region{Name: tt.region,
					OptInStatus: "opt-in-not-required"}))
			r := f.remediator(remediate.Options{Partition: tt.partition})

			got := r.Disable(t.Context(), member, tt.region)

			if got.Failed() {
				t.Fatalf("steps = %+v", got.Steps)
			}
			calls := f.srv.CallsTo("AssumeRole")
			if len(calls) != 1 || calls[0].Params["RoleArn"] != tt.want {
				t.Errorf("AssumeRole calls = %+v, want RoleArn %s",
					calls, tt.want)
			}
		})
	}
}

func TestRegions(t *testing.T) {
	f := newFixture(t, awsfake.WithRegions(
		awsfake.Region{Name: "us-east-1", OptInStatus: "opt-in-not-required"},
		awsfake.Region{Name: "eu-west-1", OptInStatus: "opt-in-not-required"},
		awsfake.Region{Name: "af-south-1", OptInStatus: "opted-in"},
		awsfake.Region{Name: "me-south-1", OptInStatus: "not-opted-in"},
	))
	r := f.remediator(remediate.Options{})

	got, err := r.Regions(t.Context(), member)

	if err != nil {
		t.Fatalf("Regions: %v", err)
	}
	want := []string{"af-south-1", "eu-west-1", "us-east-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Regions (-want +got):\n%s", diff)
	}
	calls := f.srv.CallsTo("DescribeRegions")
	if len(calls) != 1 || calls[0].Account != member {
		t.Fatalf("DescribeRegions calls = %+v, want one in %s", calls, member)
	}
	wantParams := map[string]string{
		"Filter.1.Name":    "opt-in-status",
		"Filter.1.Value.1": "opt-in-not-required",
		"Filter.1.Value.2": "opted-in",
	}
	if diff := cmp.Diff(wantParams, calls[0].Params); diff != "" {
		t.Errorf("DescribeRegions params (-want +got):\n%s", diff)
	}
}

func TestRegionsNeedsARegion(t *testing.T) {
	f := newFixture(t)
	f.cfg.Region = ""
	r := f.remediator(remediate.Options{})

	_, err := r.Regions(t.Context(), member)

	want := "discover regions in " + member + "/: no region configured"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Regions error = %v, want prefix %q", err, want)
	}
}

// TestConcurrentDisable runs many targets at once: each account's role is
// assumed once, and every enabled region ends disabled.
func TestConcurrentDisable(t *testing.T) {
	f := newFixture(t, awsfake.WithOrganization(awsfake.Org(6, 1)))
	accounts := []string{"100000000001", "100000000002", "100000000003",
		"100000000004", "100000000005"}
	regions := []string{"eu-west-1", "eu-west-2", "us-east-1", "us-west-2"}
	for _, a := range accounts {
		for _, rg := range regions {
			f.srv.SetSerialConsole(a, rg, true)
		}
	}
	r := f.remediator(remediate.Options{})

	var wg sync.WaitGroup
	results := make(chan remediate.Result, len(accounts)*len(regions))
	for _, a := range accounts {
		for _, rg := range regions {
			wg.Go(func() { results <- r.Disable(t.Context(), a, rg) })
		}
	}
	wg.Wait()
	close(results)

	for res := range results {
		if res.Failed() {
			t.Errorf("Disable failed: %+v", res.Steps)
		}
	}
	perAccount := map[string]int{}
	for _, c := range f.srv.CallsTo("AssumeRole") {
		perAccount[c.Account]++
	}
	for _, a := range accounts {
		if perAccount[a] != 1 {
			t.Errorf("AssumeRole into %s: %d calls, want 1", a, perAccount[a])
		}
		for _, rg := range regions {
			if on, _ := f.srv.SerialConsole(a, rg); on {
				t.Errorf("%s/%s still enabled", a, rg)
			}
		}
	}
}

func TestLogsStepsWithoutSecrets(t *testing.T) {
	f := newFixture(t)
	enable(f.srv)
	r := f.remediator(remediate.Options{})

	r.Disable(t.Context(), member, region)

	recs := f.logs.records(t)
	if len(recs) != 3 {
		t.Fatalf("log records = %d, want one per step (3)", len(recs))
	}
	for i, rec := range recs {
		for _, key := range []string{"account", "region", "call",
			"dry_run", "status"} {
			if _, ok := rec[key]; !ok {
				t.Errorf("record %d lacks key %q: %v", i, key, rec)
			}
		}
	}
	got := fmt.Sprint(recs[2]["call"], " ", recs[2]["status"])
	if got != "DisableSerialConsoleAccess done" {
		t.Errorf("last record = %q, want the Disable step done", got)
	}
	logs := f.logs.String()
	for _, secret := range []string{awsfake.ManagementSecretAccessKey,
		awsfake.ManagementAccessKeyID, "awsfake-secret-",
		"awsfake-session-", externalID} {
		if strings.Contains(logs, secret) {
			t.Errorf("log contains secret %q", secret)
		}
	}
}

func TestTargetErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  *remediate.TargetError
		want string
	}{{
		name: "with a cause",
		err: &remediate.TargetError{Action: "disable serial console",
			Account: member, Region: region, Err: errors.New("denied")},
		want: "disable serial console in " + member + "/" + region +
			": denied",
	}, {
		name: "without a cause",
		err: &remediate.TargetError{Action: "disable serial console",
			Account: member, Region: region},
		want: "disable serial console in " + member + "/" + region,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}
