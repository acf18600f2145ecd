package remediate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// The calls a remediation records as steps.
const (
	CallAssumeRole        = "AssumeRole"
	CallGetCallerIdentity = "GetCallerIdentity"
	CallGetStatus         = "GetSerialConsoleAccessStatus"
	CallDisable           = "DisableSerialConsoleAccess"
)

// Disable switches serial console access off in account and region and
// verifies that it is off. It reads the state first: a region already
// disabled, or managed by a declarative policy, is skipped. The first
// step obtains the credentials (AssumeRole, or GetCallerIdentity in
// same-account mode); the Disable step is done only after a second
// status read confirms the change. Disable never panics or returns an
// error: a failure is a failed step whose detail names the account,
// region and call.
func (r *Remediator) Disable(ctx context.Context, account, region string) Result {
	u := r.newRun(ctx, account, region)
	if err := checkTarget(account, region); err != nil {
		u.fail(CallDisable, actionDisable, err)
		return u.res
	}
	a, ok := r.authenticate(ctx, u)
	if !ok {
		return u.res
	}
	c := ec2Target{a.ec2, region}
	state, err := r.readStatus(ctx, c)
	if err != nil {
		u.fail(CallGetStatus, actionStatus, err)
		return u.res
	}
	u.add(CallGetStatus, StatusDone, state.String())
	r.disable(ctx, c, u, state)
	return u.res
}

// authenticate enters the account and records the credentials step. It
// reports false when the run ends there: credentials failed, or a dry
// run has none and has planned the rest.
func (r *Remediator) authenticate(ctx context.Context, u *run) (*accountClients, bool) {
	call := CallGetCallerIdentity
	plan := "check that the base credentials belong to " + u.account
	done := "the base credentials belong to " + u.account
	if r.opts.RoleName != "" {
		arn := r.roleARN(u.account, u.region)
		call, plan, done = CallAssumeRole, "assume "+arn, "assumed "+arn
	}
	a, err := r.enter(ctx, u.account, u.region)
	switch {
	case err == nil:
		u.add(call, StatusDone, done)
		return a, true
	case errors.Is(err, ErrNoCredentials) && r.opts.DryRun:
		why := ": " + err.Error() + "; state not read"
		u.add(call, StatusPlanned, "would "+plan+why)
		u.add(CallGetStatus, StatusPlanned, "would read the state"+why)
		u.add(CallDisable, StatusPlanned, "would disable if enabled"+why)
		return nil, false
	}
	u.fail(call, actionDisable, err)
	return nil, false
}

// disable records the Disable step for the state read before.
func (r *Remediator) disable(ctx context.Context, c ec2Target, u *run, s State) {
	switch {
	case s.ManagedBy == ManagedByDeclarativePolicy && s.Enabled:
		u.add(CallDisable, StatusSkipped, "enabled by an EC2 declarative "+
			"policy, which the account cannot override: change the policy")
	case s.ManagedBy == ManagedByDeclarativePolicy:
		u.add(CallDisable, StatusSkipped,
			"already disabled by an EC2 declarative policy")
	case !s.Enabled:
		u.add(CallDisable, StatusSkipped, "already disabled")
	case r.opts.DryRun:
		u.add(CallDisable, StatusPlanned, "would disable: "+s.String())
	default:
		if err := r.disableAndVerify(ctx, c); err != nil {
			u.fail(CallDisable, actionDisable, err)
			return
		}
		u.add(CallDisable, StatusDone,
			"disabled, verified by GetSerialConsoleAccessStatus")
	}
}

// errStillEnabled is a Disable call that succeeded without effect.
var errStillEnabled = errors.New("verify: GetSerialConsoleAccessStatus " +
	"still reports access enabled after DisableSerialConsoleAccess")

// disableAndVerify calls DisableSerialConsoleAccess, then reads the state
// again: only the read shows that the change took.
func (r *Remediator) disableAndVerify(ctx context.Context, c ec2Target) error {
	callCtx, cancel := r.callContext(ctx)
	_, err := c.client.DisableSerialConsoleAccess(callCtx,
		&ec2.DisableSerialConsoleAccessInput{}, c.in)
	cancel()
	if err != nil {
		return err
	}
	s, err := r.readStatus(ctx, c)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	if s.Enabled {
		return errStillEnabled
	}
	return nil
}
