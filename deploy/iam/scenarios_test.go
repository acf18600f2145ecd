package iam_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"golang.org/x/time/rate"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
	"github.com/serialguard/serialguard/scp"
)

// scenario drives serialguard's code against a fake AWS, whose recorded
// calls the grants are checked against. A scenario fails when its code
// does not reach its goal, so that it cannot pass by calling nothing.
type scenario struct {
	name string
	run  func(t *testing.T, srv *awsfake.Server)
}

// scenarios cover every code path that calls AWS: the packages that
// act (remediate, scp) on their own, then the bot in each run mode,
// which adds the account context, the SCP on a decision's request, the
// notification, the queue, the log files in S3 and the Lambda function.
var scenarios = []scenario{
	{"remediate through the member role", remediateAcrossAccounts},
	{"remediate in the caller's own account", remediateSameAccount},
	{"remediate dry run", remediateDryRun},
	{"discover regions", discoverRegions},
	{"sweep the organization and an OU", sweep},
	{"apply the SCP, then change it", applySCP},
	{"enable and apply the declarative policy", applyDeclarative},
	{"bot: consume the event queue", consumeQueue},
	{"bot: backfill CloudTrail logs from S3", backfillLogs},
	{"bot: Lambda function of the central stack", lambdaFunction},
}

const (
	member     = "100000000001"
	region     = "eu-west-1"
	roleName   = "serialguard-remediation"
	externalID = "sg-iam-coverage-test" // serialguard.yaml wants 16 or more
)

func remediator(t *testing.T, srv *awsfake.Server, o remediate.Options) *remediate.Remediator {
	t.Helper()
	o.Logger = slog.New(slog.DiscardHandler)
	return remediate.New(srv.Config(t.Context()), o)
}

func roleOptions() remediate.Options {
	return remediate.Options{RoleName: roleName, ExternalID: externalID}
}

func remediateAcrossAccounts(t *testing.T, srv *awsfake.Server) {
	srv.RequireExternalID(roleName, externalID)
	srv.SetSerialConsole(member, region, true)
	res := remediator(t, srv, roleOptions()).Disable(t.Context(), member, region)
	if res.Failed() {
		t.Fatalf("Disable: %+v", res.Steps)
	}
	if on, _ := srv.SerialConsole(member, region); on {
		t.Fatal("serial console still enabled")
	}
}

func remediateSameAccount(t *testing.T, srv *awsfake.Server) {
	mgmt := srv.ManagementAccountID()
	srv.SetSerialConsole(mgmt, region, true)
	res := remediator(t, srv, remediate.Options{}).Disable(t.Context(), mgmt, region)
	if res.Failed() {
		t.Fatalf("Disable: %+v", res.Steps)
	}
}

func remediateDryRun(t *testing.T, srv *awsfake.Server) {
	srv.SetSerialConsole(member, region, true)
	o := roleOptions()
	o.DryRun = true
	res := remediator(t, srv, o).Disable(t.Context(), member, region)
	if last := res.Steps[len(res.Steps)-1]; last.Status != remediate.StatusPlanned {
		t.Fatalf("Disable dry run: %+v", res.Steps)
	}
}

func discoverRegions(t *testing.T, srv *awsfake.Server) {
	regions, err := remediator(t, srv, roleOptions()).Regions(t.Context(), member)
	if err != nil || len(regions) == 0 {
		t.Fatalf("Regions = %v, %v", regions, err)
	}
}

// sweep checks the organization, then the accounts under its root, and
// finds the one enabled region both times.
func sweep(t *testing.T, srv *awsfake.Server) {
	srv.RequireExternalID(roleName, externalID)
	srv.SetSerialConsole(member, region, true)
	o := roleOptions()
	o.Logger = slog.New(slog.DiscardHandler)
	for _, scope := range []remediate.SweepOptions{{}, {OU: srv.RootID()}} {
		scope.Regions, scope.Rate = []string{region}, rate.Inf
		s := remediate.NewSweeper(srv.Config(t.Context()), o, scope)
		var enabled atomic.Int32
		err := s.Run(t.Context(), func(_ context.Context, p remediate.PairState) {
			if !p.Checked() {
				t.Errorf("unchecked %s/%s: %v", p.Account, p.Region, p.Err)
			}
			if p.Enabled {
				enabled.Add(1)
			}
		})
		if err != nil || enabled.Load() != 1 {
			t.Fatalf("sweep %+v: %d enabled, %v; want 1", scope,
				enabled.Load(), err)
		}
	}
}

func enforcer(t *testing.T, srv *awsfake.Server, o scp.Options) *scp.Enforcer {
	t.Helper()
	o.Logger = slog.New(slog.DiscardHandler)
	return scp.NewEnforcer(srv.Config(t.Context()), o)
}

func applySCP(t *testing.T, srv *awsfake.Server) {
	for _, exempt := range [][]string{nil, {"arn:aws:iam::*:role/BreakGlass"}} {
		doc, err := scp.Render(exempt)
		if err != nil {
			t.Fatal(err)
		}
		e := enforcer(t, srv, scp.Options{Content: doc})
		if _, err := e.Apply(t.Context(), member); err != nil {
			t.Fatalf("Apply: %v", err)
		}
	}
}

func applyDeclarative(t *testing.T, srv *awsfake.Server) {
	doc, err := scp.RenderDeclarative("")
	if err != nil {
		t.Fatal(err)
	}
	e := enforcer(t, srv, scp.Options{Content: doc,
		Type: types.PolicyTypeDeclarativePolicyEc2})
	if _, err := e.EnablePolicyType(t.Context()); err != nil {
		t.Fatalf("EnablePolicyType: %v", err)
	}
	if _, err := e.Apply(t.Context(), srv.RootID()); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}
