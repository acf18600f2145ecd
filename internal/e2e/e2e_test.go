package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/serialguard/serialguard/remediate"
)

// sessionName names the test's own assumed-role sessions in CloudTrail,
// apart from the remediator's.
const sessionName = "serialguard-e2e"

// restoreTimeout bounds restoring the original setting, which runs after
// the test's context is cancelled.
const restoreTimeout = 2 * time.Minute

// TestRemediation enables serial console access in the configured
// account and region, then runs the bot's remediation path, as a dry run
// and for real, and checks the live setting after each.
func TestRemediation(t *testing.T) {
	a := setup(t)
	t.Run("dry_run", func(t *testing.T) {
		a.set(t, true)
		res := a.remediator(t, true).Disable(t.Context(), a.Account, a.Region)
		if err := checkResult(res, a.Config, true); err != nil {
			t.Fatalf("dry run: %v", err)
		}
		if !a.enabled(t) {
			t.Error("dry run: serial console access got disabled, " +
				"want it left enabled")
		}
	})
	t.Run("disable", func(t *testing.T) {
		a.set(t, true)
		res := a.remediator(t, false).Disable(t.Context(), a.Account, a.Region)
		if err := checkResult(res, a.Config, false); err != nil {
			t.Fatalf("disable: %v", err)
		}
		if a.enabled(t) {
			t.Error("disable: serial console access is still enabled")
		}
	})
}

// account is the live account and region under test.
type account struct {
	Config
	base aws.Config  // the default chain's configuration
	ec2  *ec2.Client // the test's own client, acting in Account
}

// setup skips unless the test is configured and credentials resolve,
// fails on a malformed configuration, and restores the original setting
// when the test ends.
func setup(t *testing.T) *account {
	t.Helper()
	c, err := FromEnv(os.Getenv)
	if errors.Is(err, ErrNotEnabled) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	base := loadBase(t, c.Region)
	a := &account{Config: c, base: base, ec2: connect(t, c, base)}

	s := a.state(t)
	if s.ManagedBy == remediate.ManagedByDeclarativePolicy {
		t.Skipf("serial console access in %s/%s is managed by an EC2 "+
			"declarative policy: the account cannot change it",
			c.Account, c.Region)
	}
	t.Logf("%s/%s: serial console access %s before the test",
		c.Account, c.Region, s)
	t.Cleanup(func() { a.restore(t, s.Enabled) })
	return a
}

// loadBase loads the default credential chain and skips the test when it
// yields no credentials.
func loadBase(t *testing.T, region string) aws.Config {
	t.Helper()
	ctx := t.Context()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region))
	if err != nil {
		t.Skipf("load the AWS configuration: %v", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		t.Skipf("no AWS credentials resolve from the default chain: %v", err)
	}
	return cfg
}

// connect returns an EC2 client acting in c.Account: through c.Role when
// set, else with the base credentials. It fails the test unless STS
// confirms the account, so that nothing changes in another one.
func connect(t *testing.T, c Config, base aws.Config) *ec2.Client {
	t.Helper()
	cfg := base.Copy()
	if c.Role != "" {
		arn := remediate.RoleARN(remediate.Partition(c.Region), c.Account,
			c.Role)
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(
			sts.NewFromConfig(base), arn, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = sessionName
				if c.ExternalID != "" {
					o.ExternalID = aws.String(c.ExternalID)
				}
			}))
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(t.Context(),
		&sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("identify the credentials for %s: %v", c.Account, err)
	}
	if got := aws.ToString(out.Account); got != c.Account {
		t.Fatalf("GetCallerIdentity: the credentials act in account %s, "+
			"want %s: set %s to act in another account", got, c.Account,
			EnvRole)
	}
	return ec2.NewFromConfig(cfg)
}

// remediator returns the bot's remediator for the configured role.
func (a *account) remediator(t *testing.T, dryRun bool) *remediate.Remediator {
	return remediate.New(a.base, remediate.Options{
		RoleName:   a.Role,
		ExternalID: a.ExternalID,
		DryRun:     dryRun,
		Logger:     slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
}

// state reads the live setting with the test's own client.
func (a *account) state(t *testing.T) remediate.State {
	t.Helper()
	s, err := readState(t.Context(), a.ec2)
	if err != nil {
		t.Fatalf("read serial console access in %s/%s: %v",
			a.Account, a.Region, err)
	}
	return s
}

// enabled reports whether serial console access is enabled now.
func (a *account) enabled(t *testing.T) bool {
	t.Helper()
	return a.state(t).Enabled
}

// set switches serial console access to enabled and checks that the
// change took.
func (a *account) set(t *testing.T, enabled bool) {
	t.Helper()
	if err := write(t.Context(), a.ec2, enabled); err != nil {
		t.Fatalf("%s/%s: %v", a.Account, a.Region, err)
	}
}

// restore puts back the setting found before the test. It runs as a
// cleanup, after the test's context is cancelled, so it has its own.
func (a *account) restore(t *testing.T, enabled bool) {
	ctx, cancel := context.WithTimeout(context.Background(), restoreTimeout)
	defer cancel()
	if err := write(ctx, a.ec2, enabled); err != nil {
		t.Errorf("restore the original setting in %s/%s: %v",
			a.Account, a.Region, err)
		return
	}
	t.Logf("%s/%s: serial console access restored to enabled=%t",
		a.Account, a.Region, enabled)
}

// write calls EnableSerialConsoleAccess or DisableSerialConsoleAccess,
// then reads the state back to confirm it.
func write(ctx context.Context, c *ec2.Client, enabled bool) error {
	var err error
	call := remediate.CallDisable
	if enabled {
		call = "EnableSerialConsoleAccess"
		_, err = c.EnableSerialConsoleAccess(ctx,
			&ec2.EnableSerialConsoleAccessInput{})
	} else {
		_, err = c.DisableSerialConsoleAccess(ctx,
			&ec2.DisableSerialConsoleAccessInput{})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", call, err)
	}
	s, err := readState(ctx, c)
	if err != nil {
		return fmt.Errorf("verify %s: %w", call, err)
	}
	if s.Enabled != enabled {
		return fmt.Errorf("verify %s: access %s", call, s)
	}
	return nil
}

// readState calls GetSerialConsoleAccessStatus.
func readState(ctx context.Context, c *ec2.Client) (remediate.State, error) {
	out, err := c.GetSerialConsoleAccessStatus(ctx,
		&ec2.GetSerialConsoleAccessStatusInput{})
	if err != nil {
		return remediate.State{}, fmt.Errorf("%s: %w",
			remediate.CallGetStatus, err)
	}
	return remediate.State{
		Enabled:   aws.ToBool(out.SerialConsoleAccessEnabled),
		ManagedBy: string(out.ManagedBy),
	}, nil
}
