package scp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/serialguard/serialguard/remediate"
)

// The Organizations calls an Enforcer records as steps.
const (
	CallDescribeOrganization  = "DescribeOrganization"
	CallListPolicies          = "ListPolicies"
	CallDescribePolicy        = "DescribePolicy"
	CallCreatePolicy          = "CreatePolicy"
	CallUpdatePolicy          = "UpdatePolicy"
	CallListPoliciesForTarget = "ListPoliciesForTarget"
	CallAttachPolicy          = "AttachPolicy"
	CallListRoots             = "ListRoots"
	CallEnablePolicyType      = "EnablePolicyType"
)

// Apply makes sure the policy exists under its name with the wanted
// content and is attached to target, an account, OU or root id. It reads
// before it writes: a policy already current and attached costs no
// mutating call. An SCP for the management account is refused with
// ErrManagementAccount. It returns the steps taken; when a call fails,
// the error is also the last step's detail.
func (e *Enforcer) Apply(ctx context.Context, target string) ([]remediate.Step, error) {
	if err := checkTarget(target); err != nil {
		return nil, err
	}
	if err := e.checkContent(); err != nil {
		return nil, fmt.Errorf("apply policy %s: %w", e.opts.Name, err)
	}
	u := e.newRun(ctx, target)
	online, err := u.online(CallCreatePolicy, CallAttachPolicy)
	if !online {
		return u.steps, err
	}
	if accountID.MatchString(target) &&
		e.opts.Type == types.PolicyTypeServiceControlPolicy {
		if err := u.refuseManagementAccount(); err != nil {
			return u.steps, err
		}
	}
	id, err := u.ensurePolicy()
	if err != nil {
		return u.steps, err
	}
	return u.steps, u.ensureAttached(id)
}

// run records the steps of one Apply or EnablePolicyType.
type run struct {
	e      *Enforcer
	ctx    context.Context
	target string
	steps  []remediate.Step
}

// newRun starts recording the steps of one call of e on target.
func (e *Enforcer) newRun(ctx context.Context, target string) *run {
	return &run{e: e, ctx: ctx, target: target, steps: []remediate.Step{}}
}

// add records one step and logs it.
func (u *run) add(call string, status remediate.Status, detail string) {
	u.steps = append(u.steps, remediate.Step{
		Call: call, Account: u.target, Status: status, Detail: detail,
	})
	level := slog.LevelInfo
	if status == remediate.StatusFailed {
		level = slog.LevelError
	}
	u.e.log.Log(u.ctx, level, "policy step", "account", u.target,
		"policy", u.e.opts.Name, "call", call, "dry_run", u.e.opts.DryRun,
		"status", string(status), "detail", detail)
}

// fail records call as failed with err, explained, and returns it.
func (u *run) fail(call, what string, err error) error {
	err = explain(what, err, u.e.opts, u.target)
	u.add(call, remediate.StatusFailed, err.Error())
	return err
}

// online checks the credentials. A dry run without any plans the
// mutating calls without reading state and reports false with no error.
func (u *run) online(planned ...string) (bool, error) {
	err := remediate.CheckCredentials(u.ctx, u.e.cfg)
	switch {
	case err == nil:
		return true, nil
	case u.e.opts.DryRun && errors.Is(err, remediate.ErrNoCredentials):
		for _, call := range planned {
			u.add(call, remediate.StatusPlanned, "would "+
				planVerb(call)+" if needed: "+err.Error()+
				"; state not read")
		}
		return false, nil
	}
	return false, fmt.Errorf("apply policy %s to %s: %w",
		u.e.opts.Name, u.target, err)
}

// planVerb says what a dry run without credentials would do for call.
func planVerb(call string) string {
	switch call {
	case CallCreatePolicy:
		return "create or update the policy"
	case CallAttachPolicy:
		return "attach the policy"
	}
	return "enable the policy type"
}

// refuseManagementAccount fails when target is the management account.
func (u *run) refuseManagementAccount() error {
	ctx, cancel := u.e.callContext(u.ctx)
	defer cancel()
	out, err := u.e.client.DescribeOrganization(ctx,
		&organizations.DescribeOrganizationInput{})
	if err == nil && out.Organization == nil {
		err = errors.New("the answer has no organization")
	}
	if err != nil {
		return u.fail(CallDescribeOrganization, "describe organization", err)
	}
	org := aws.ToString(out.Organization.Id)
	mgmt := aws.ToString(out.Organization.MasterAccountId)
	u.add(CallDescribeOrganization, remediate.StatusDone,
		"organization "+org+", management account "+mgmt)
	if u.target == mgmt {
		return fmt.Errorf("apply policy %s to %s: it is the management "+
			"account of %s: %w", u.e.opts.Name, u.target, org,
			ErrManagementAccount)
	}
	return nil
}
