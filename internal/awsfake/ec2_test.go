package awsfake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

const member = "100000000001"

// ec2In returns an EC2 client of the management account in a region.
func ec2In(t *testing.T, srv *awsfake.Server, region string) *ec2.Client {
	t.Helper()
	return ec2.NewFromConfig(srv.Config(t.Context()), func(o *ec2.Options) {
		o.Region = region
	})
}

// apiCode returns the error code of a smithy.APIError, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSerialConsoleRoundTrip(t *testing.T) {
	srv := awsfake.Start(t)
	ctx := t.Context()
	client := ec2In(t, srv, "eu-west-1")
	mgmt := srv.ManagementAccountID()

	status := func() (bool, ec2types.ManagedBy) {
		t.Helper()
		out, err := client.GetSerialConsoleAccessStatus(ctx,
			&ec2.GetSerialConsoleAccessStatusInput{})
		if err != nil {
			t.Fatalf("GetSerialConsoleAccessStatus: %v", err)
		}
		return aws.ToBool(out.SerialConsoleAccessEnabled), out.ManagedBy
	}
	if on, by := status(); on || by != ec2types.ManagedByAccount {
		t.Fatalf("initial status = %v, %q; want false, account", on, by)
	}
	en, err := client.EnableSerialConsoleAccess(ctx,
		&ec2.EnableSerialConsoleAccessInput{})
	if err != nil || !aws.ToBool(en.SerialConsoleAccessEnabled) {
		t.Fatalf("Enable = %v, %v; want true, nil",
			aws.ToBool(en.SerialConsoleAccessEnabled), err)
	}
	if on, _ := srv.SerialConsole(mgmt, "eu-west-1"); !on {
		t.Error("server state after Enable: got disabled, want enabled")
	}
	if on, _ := srv.SerialConsole(mgmt, "eu-west-2"); on {
		t.Error("eu-west-2 changed by an eu-west-1 call")
	}
	dis, err := client.DisableSerialConsoleAccess(ctx,
		&ec2.DisableSerialConsoleAccessInput{})
	if err != nil || aws.ToBool(dis.SerialConsoleAccessEnabled) {
		t.Fatalf("Disable = %v, %v; want false, nil",
			aws.ToBool(dis.SerialConsoleAccessEnabled), err)
	}
	if on, _ := status(); on {
		t.Error("status after Disable: got enabled")
	}
	want := []string{"GetSerialConsoleAccessStatus",
		"EnableSerialConsoleAccess", "DisableSerialConsoleAccess",
		"GetSerialConsoleAccessStatus"}
	var got []string
	for _, c := range srv.Calls() {
		got = append(got, c.Operation)
		if c.Account != mgmt || c.Region != "eu-west-1" || c.Service != "ec2" {
			t.Errorf("call %+v: want ec2 in %s/eu-west-1", c, mgmt)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

func TestDeclarativePolicySeeded(t *testing.T) {
	srv := awsfake.Start(t)
	ctx := t.Context()
	mgmt := srv.ManagementAccountID()
	srv.SetSerialConsole(mgmt, "us-east-1", true)
	srv.SetDeclarativePolicy(mgmt, "us-east-1", true)
	client := ec2In(t, srv, "us-east-1")

	out, err := client.GetSerialConsoleAccessStatus(ctx,
		&ec2.GetSerialConsoleAccessStatusInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(out.SerialConsoleAccessEnabled) ||
		out.ManagedBy != ec2types.ManagedByDeclarativePolicy {
		t.Errorf("status = %v, %q; want false, declarative-policy",
			aws.ToBool(out.SerialConsoleAccessEnabled), out.ManagedBy)
	}
	for name, call := range map[string]func() error{
		"enable": func() error {
			_, err := client.EnableSerialConsoleAccess(ctx, nil)
			return err
		},
		"disable": func() error {
			_, err := client.DisableSerialConsoleAccess(ctx, nil)
			return err
		},
	} {
		if code := apiCode(call()); code != awsfake.DeclarativePolicyErrorCode {
			t.Errorf("%s under declarative policy: code %q, want %q",
				name, code, awsfake.DeclarativePolicyErrorCode)
		}
	}
}

func TestDryRun(t *testing.T) {
	srv := awsfake.Start(t)
	client := ec2In(t, srv, "us-east-1")
	_, err := client.DisableSerialConsoleAccess(t.Context(),
		&ec2.DisableSerialConsoleAccessInput{DryRun: aws.Bool(true)})
	if code := apiCode(err); code != "DryRunOperation" {
		t.Errorf("dry run: code %q, want DryRunOperation (err %v)", code, err)
	}
}

func TestDescribeRegions(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithRegions(
		awsfake.Region{Name: "us-east-1", OptInStatus: "opt-in-not-required"},
		awsfake.Region{Name: "eu-west-1", OptInStatus: "opt-in-not-required"},
		awsfake.Region{Name: "af-south-1", OptInStatus: "not-opted-in"},
		awsfake.Region{Name: "eu-south-1", OptInStatus: "opted-in"},
	))
	tests := []struct {
		name string
		in   ec2.DescribeRegionsInput
		want []string
	}{
		{"enabled only", ec2.DescribeRegionsInput{},
			[]string{"us-east-1", "eu-west-1", "eu-south-1"}},
		{"all regions", ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)},
			[]string{"us-east-1", "eu-west-1", "af-south-1", "eu-south-1"}},
		{"opt-in filter", ec2.DescribeRegionsInput{
			AllRegions: aws.Bool(true),
			Filters: []ec2types.Filter{{
				Name:   aws.String("opt-in-status"),
				Values: []string{"opted-in", "opt-in-not-required"},
			}},
		}, []string{"us-east-1", "eu-west-1", "eu-south-1"}},
		{"name wildcard", ec2.DescribeRegionsInput{
			Filters: []ec2types.Filter{{
				Name: aws.String("region-name"), Values: []string{"eu-*"},
			}},
		}, []string{"eu-west-1", "eu-south-1"}},
		{"region names", ec2.DescribeRegionsInput{
			RegionNames: []string{"af-south-1", "eu-west-1"},
		}, []string{"eu-west-1", "af-south-1"}},
	}
	client := ec2In(t, srv, "us-east-1")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.DescribeRegions(t.Context(), &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range out.Regions {
				got = append(got, aws.ToString(r.RegionName))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("regions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNotOptedInRegionRefusesEC2(t *testing.T) {
	srv := awsfake.Start(t)
	_, err := ec2In(t, srv, "af-south-1").GetSerialConsoleAccessStatus(
		t.Context(), nil)
	if code := apiCode(err); code != "AuthFailure" {
		t.Errorf("call in a not-opted-in region: code %q, want AuthFailure", code)
	}
}

func TestThrottlingRetries(t *testing.T) {
	tests := []struct {
		name     string
		times    int
		wantCode string
	}{
		{"absorbed by retries", awsfake.MaxAttempts - 1, ""},
		{"exhausts retries", awsfake.MaxAttempts, "RequestLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			srv.Inject(awsfake.Fault{
				Service: "ec2", Operation: "GetSerialConsoleAccessStatus",
				Code: "RequestLimitExceeded", Times: tt.times,
			})
			_, err := ec2In(t, srv, "us-east-1").GetSerialConsoleAccessStatus(
				t.Context(), nil)
			if code := apiCode(err); code != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", code, tt.wantCode, err)
			}
			calls := srv.CallsTo("GetSerialConsoleAccessStatus")
			if len(calls) != min(tt.times+1, awsfake.MaxAttempts) {
				t.Errorf("attempts = %d, want %d", len(calls),
					min(tt.times+1, awsfake.MaxAttempts))
			}
			if calls[0].ErrorCode != "RequestLimitExceeded" {
				t.Errorf("first call ErrorCode %q, want RequestLimitExceeded",
					calls[0].ErrorCode)
			}
		})
	}
}

func TestFaultMatchesAccountAndRegion(t *testing.T) {
	srv := awsfake.Start(t)
	srv.Inject(awsfake.Fault{
		Region: "eu-west-1", Code: "InternalError", Status: 500,
	})
	ctx := t.Context()
	if _, err := ec2In(t, srv, "us-east-1").GetSerialConsoleAccessStatus(
		ctx, nil); err != nil {
		t.Errorf("us-east-1 hit by an eu-west-1 fault: %v", err)
	}
	_, err := ec2In(t, srv, "eu-west-1").GetSerialConsoleAccessStatus(ctx, nil)
	if code := apiCode(err); code != "InternalError" {
		t.Errorf("eu-west-1: code %q, want InternalError", code)
	}
}

func TestUnknownActionAndKey(t *testing.T) {
	srv := awsfake.Start(t)
	ctx := t.Context()
	_, err := ec2In(t, srv, "us-east-1").DescribeInstances(ctx, nil)
	if code := apiCode(err); code != "InvalidAction" {
		t.Errorf("unimplemented action: code %q, want InvalidAction", code)
	}
	cfg := srv.Config(ctx)
	cfg.Credentials = aws.CredentialsProviderFunc(
		func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIANOTKNOWN", SecretAccessKey: "x"}, nil
		})
	_, err = ec2.NewFromConfig(cfg).GetSerialConsoleAccessStatus(ctx, nil)
	if code := apiCode(err); code != "AuthFailure" {
		t.Errorf("unknown key: code %q, want AuthFailure", code)
	}
}

func TestLatencyHonoursContext(t *testing.T) {
	tests := []struct {
		name  string
		opts  []awsfake.Option
		fault awsfake.Fault
	}{
		{name: "fault", fault: awsfake.Fault{
			Operation: "GetSerialConsoleAccessStatus", Latency: 1 << 40}},
		{name: "server", opts: []awsfake.Option{awsfake.WithLatency(1 << 40)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t, tt.opts...)
			srv.Inject(tt.fault)
			checkCancelled(t, srv)
		})
	}
}

// checkCancelled cancels a call while the server delays it and checks
// that the server stops waiting and records the cancellation.
func checkCancelled(t *testing.T, srv *awsfake.Server) {
	t.Helper()
	front, started := frontOf(t, srv)
	cfg := srv.Config(t.Context())
	cfg.BaseEndpoint = aws.String(front.URL)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := ec2.NewFromConfig(cfg).GetSerialConsoleAccessStatus(ctx, nil)
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	front.Close() // hangs unless the server stopped waiting
	calls := srv.CallsTo("GetSerialConsoleAccessStatus")
	if len(calls) != 1 || calls[0].ErrorCode != "RequestCanceled" {
		t.Errorf("calls = %+v, want one with ErrorCode RequestCanceled", calls)
	}
}

func TestSeededMemberState(t *testing.T) {
	srv := awsfake.Start(t)
	srv.SetSerialConsole(member, "eu-west-1", true)
	on, by := srv.SerialConsole(member, "eu-west-1")
	if !on || by != awsfake.ManagedByAccount {
		t.Errorf("SerialConsole = %v, %q; want true, account", on, by)
	}
}
