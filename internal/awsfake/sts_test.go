package awsfake_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/serialguard/serialguard/internal/awsfake"
)

const roleName = "SerialGuardRemediation"

// assumed returns a config whose credentials come from AssumeRole into
// the account, as the remediator builds them.
func assumed(t *testing.T, srv *awsfake.Server, account,
	externalID string) aws.Config {
	t.Helper()
	cfg := srv.Config(t.Context())
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg),
		"arn:aws:iam::"+account+":role/"+roleName,
		func(o *stscreds.AssumeRoleOptions) {
			if externalID != "" {
				o.ExternalID = aws.String(externalID)
			}
			o.RoleSessionName = "serialguard"
		})
	cfg.Credentials = aws.NewCredentialsCache(provider)
	return cfg
}

func TestAssumeRoleActsInTargetAccount(t *testing.T) {
	srv := awsfake.Start(t)
	srv.RequireExternalID(roleName, "ext-123")
	ctx := t.Context()
	cfg := assumed(t, srv, member, "ext-123")

	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:sts::" + member + ":assumed-role/" + roleName +
		"/serialguard"
	if aws.ToString(id.Account) != member || aws.ToString(id.Arn) != wantARN {
		t.Errorf("caller = %s %s; want %s %s", aws.ToString(id.Account),
			aws.ToString(id.Arn), member, wantARN)
	}

	client := ec2.NewFromConfig(cfg, func(o *ec2.Options) {
		o.Region = "eu-west-1"
	})
	if _, err := client.DisableSerialConsoleAccess(ctx, nil); err != nil {
		t.Fatal(err)
	}
	calls := srv.CallsTo("DisableSerialConsoleAccess")
	if len(calls) != 1 || calls[0].Account != member {
		t.Errorf("Disable calls = %+v, want one in %s", calls, member)
	}
	assume := srv.CallsTo("AssumeRole")
	if len(assume) != 1 || assume[0].Account != member ||
		assume[0].Params["ExternalId"] != "ext-123" {
		t.Errorf("AssumeRole calls = %+v, want one into %s with ExternalId",
			assume, member)
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(*awsfake.Server)
		account    string
		externalID string
	}{
		{"wrong external id", func(s *awsfake.Server) {
			s.RequireExternalID(roleName, "right")
		}, member, "wrong"},
		{"missing external id", func(s *awsfake.Server) {
			s.RequireExternalID(roleName, "right")
		}, member, ""},
		{"denied account", func(s *awsfake.Server) {
			s.DenyAssumeRole(member, true)
		}, member, ""},
		{"not a member", func(*awsfake.Server) {}, "999999999999", ""},
		{"suspended", func(s *awsfake.Server) {
			s.AddAccount(awsfake.Account{ID: member, Status: "SUSPENDED"})
		}, member, ""},
		{"injected", func(s *awsfake.Server) {
			s.Inject(awsfake.Fault{Operation: "AssumeRole", Account: member,
				Code: "AccessDenied"})
		}, member, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			tt.setup(srv)
			cfg := assumed(t, srv, tt.account, tt.externalID)
			_, err := ec2.NewFromConfig(cfg).GetSerialConsoleAccessStatus(
				t.Context(), nil)
			if code := apiCode(err); code != "AccessDenied" {
				t.Fatalf("code %q, want AccessDenied (err %v)", code, err)
			}
			role := "arn:aws:iam::" + tt.account + ":role/" + roleName
			if !strings.Contains(err.Error(), "sts:AssumeRole on resource: "+role) {
				t.Errorf("error %q does not name the role %s", err, role)
			}
			if n := len(srv.CallsTo("GetSerialConsoleAccessStatus")); n != 0 {
				t.Errorf("EC2 reached %d times without credentials", n)
			}
		})
	}
}

func TestCallerIdentityManagement(t *testing.T) {
	srv := awsfake.Start(t)
	id, err := sts.NewFromConfig(srv.Config(context.Background())).
		GetCallerIdentity(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(id.Account), srv.ManagementAccountID(); got != want {
		t.Errorf("account = %s, want %s", got, want)
	}
}
