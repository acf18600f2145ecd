package scp

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/serialguard/serialguard/remediate"
)

// EnablePolicyType enables the Enforcer's policy type in the
// organization's root, unless it is enabled already. Its steps name the
// root id in Account.
func (e *Enforcer) EnablePolicyType(ctx context.Context) ([]remediate.Step, error) {
	u := e.newRun(ctx, "")
	online, err := u.online(CallEnablePolicyType)
	if !online {
		return u.steps, err
	}
	root, err := u.root()
	if err != nil {
		return u.steps, u.fail(CallListRoots, "list roots", err)
	}
	u.target = aws.ToString(root.Id)
	u.add(CallListRoots, remediate.StatusDone, "root "+u.target)
	if status, ok := typeStatus(root, e.opts.Type); ok {
		u.add(CallEnablePolicyType, remediate.StatusSkipped,
			fmt.Sprintf("%s is %s in %s", e.opts.Type, status, u.target))
		return u.steps, nil
	}
	return u.steps, u.enableType()
}

// root returns the organization's root; an organization has one.
func (u *run) root() (types.Root, error) {
	ctx, cancel := u.e.callContext(u.ctx)
	defer cancel()
	out, err := u.e.client.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		return types.Root{}, err
	}
	if len(out.Roots) == 0 {
		return types.Root{}, errors.New("ListRoots: no root in the answer")
	}
	return out.Roots[0], nil
}

// typeStatus returns the status of a policy type in the root, when it is
// enabled or being enabled.
func typeStatus(root types.Root, t types.PolicyType) (string, bool) {
	for _, pt := range root.PolicyTypes {
		if pt.Type == t && pt.Status != types.PolicyTypeStatusPendingDisable {
			return "already " + string(pt.Status), true
		}
	}
	return "", false
}

// enableType calls EnablePolicyType, or plans it in a dry run.
func (u *run) enableType() error {
	t := u.e.opts.Type
	if u.e.opts.DryRun {
		u.add(CallEnablePolicyType, remediate.StatusPlanned,
			"would enable "+string(t)+" in "+u.target)
		return nil
	}
	ctx, cancel := u.e.callContext(u.ctx)
	defer cancel()
	_, err := u.e.client.EnablePolicyType(ctx,
		&organizations.EnablePolicyTypeInput{
			RootId:     aws.String(u.target),
			PolicyType: t,
		})
	var already *types.PolicyTypeAlreadyEnabledException
	switch {
	case errors.As(err, &already):
		u.add(CallEnablePolicyType, remediate.StatusSkipped,
			string(t)+" was enabled by another caller")
		return nil
	case err != nil:
		return u.fail(CallEnablePolicyType,
			"enable "+string(t)+" in "+u.target, err)
	}
	u.add(CallEnablePolicyType, remediate.StatusDone,
		"enabled "+string(t)+" in "+u.target)
	return nil
}
