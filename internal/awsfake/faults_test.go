package awsfake_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// TestFaultAfter makes four status reads without retries and checks which
// of them each fault answers.
func TestFaultAfter(t *testing.T) {
	const op = "GetSerialConsoleAccessStatus"
	tests := []struct {
		name   string
		faults []awsfake.Fault
		want   []string // the error code of each call, "" for success
	}{{
		name: "third call only",
		faults: []awsfake.Fault{{Operation: op, Code: "InternalError",
			After: 2, Times: 1}},
		want: []string{"", "", "InternalError", ""},
	}, {
		name: "from the second call on",
		faults: []awsfake.Fault{{Operation: op, Code: "InternalError",
			After: 1}},
		want: []string{"", "InternalError", "InternalError", "InternalError"},
	}, {
		name: "calls an earlier fault answers do not count",
		faults: []awsfake.Fault{
			{Operation: op, Code: "Unavailable", Times: 2},
			{Operation: op, Code: "InternalError", After: 1},
		},
		want: []string{"Unavailable", "Unavailable", "", "InternalError"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			cfg := srv.Config(t.Context())
			cfg.RetryMaxAttempts = 1
			client := ec2.NewFromConfig(cfg)

			var got []string
			for range len(tt.want) {
				_, err := client.GetSerialConsoleAccessStatus(t.Context(), nil)
				got = append(got, apiCode(err))
			}

			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("error codes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFaultNoEffect acknowledges a Disable without applying it, as when
// someone enables access again right after, and refuses NoEffect where
// the operation cannot honour it.
func TestFaultNoEffect(t *testing.T) {
	srv := awsfake.Start(t)
	srv.SetSerialConsole(member, "us-east-1", true)
	srv.Inject(awsfake.Fault{Account: member,
		Operation: "DisableSerialConsoleAccess", NoEffect: true, Times: 1})
	srv.Inject(awsfake.Fault{Operation: "DescribeRegions", NoEffect: true})
	client := ec2.NewFromConfig(assumed(t, srv, member, ""))
	ctx := t.Context()

	out, err := client.DisableSerialConsoleAccess(ctx, nil)

	if err != nil || aws.ToBool(out.SerialConsoleAccessEnabled) {
		t.Fatalf("Disable = %v, %v; want acknowledged as disabled", out, err)
	}
	if on, _ := srv.SerialConsole(member, "us-east-1"); !on {
		t.Error("state after a Disable without effect: disabled, want enabled")
	}
	if _, err := client.DisableSerialConsoleAccess(ctx, nil); err != nil {
		t.Fatalf("second Disable: %v", err)
	}
	if on, _ := srv.SerialConsole(member, "us-east-1"); on {
		t.Error("state after the second Disable: enabled, want disabled")
	}
	_, err = client.DescribeRegions(ctx, nil)
	if code := apiCode(err); code != "InternalFailure" {
		t.Errorf("NoEffect on DescribeRegions: code %q, want InternalFailure",
			code)
	}
}
