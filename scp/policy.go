package scp

import (
	"bytes"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/serialguard/serialguard/remediate"
)

// ensurePolicy creates the policy or brings its content up to date, and
// returns its id; empty when a dry run would create it.
func (u *run) ensurePolicy() (string, error) {
	o := u.e.opts
	p, err := u.findPolicy()
	if err != nil {
		return "", u.fail(CallListPolicies, "list policies", err)
	}
	if p == nil {
		u.add(CallListPolicies, remediate.StatusDone,
			"no "+string(o.Type)+" named "+o.Name)
		return u.create()
	}
	id := aws.ToString(p.Id)
	u.add(CallListPolicies, remediate.StatusDone,
		"found "+id+" named "+o.Name)
	return id, u.update(id)
}

// findPolicy pages through the policies of the type for one named as
// the options say.
func (u *run) findPolicy() (*types.PolicySummary, error) {
	pages := organizations.NewListPoliciesPaginator(u.e.client,
		&organizations.ListPoliciesInput{Filter: u.e.opts.Type})
	for pages.HasMorePages() {
		ctx, cancel := u.e.callContext(u.ctx)
		page, err := pages.NextPage(ctx)
		cancel()
		if err != nil {
			return nil, err
		}
		for i, p := range page.Policies {
			if aws.ToString(p.Name) == u.e.opts.Name {
				return &page.Policies[i], nil
			}
		}
	}
	return nil, nil
}

// create makes the policy, or plans it in a dry run.
func (u *run) create() (string, error) {
	o := u.e.opts
	if o.DryRun {
		u.add(CallCreatePolicy, remediate.StatusPlanned,
			"would create "+string(o.Type)+" "+o.Name)
		return "", nil
	}
	ctx, cancel := u.e.callContext(u.ctx)
	defer cancel()
	out, err := u.e.client.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name:        aws.String(o.Name),
		Description: aws.String(o.Description),
		Content:     aws.String(string(o.Content)),
		Type:        o.Type,
	})
	var id string
	if err == nil {
		id, err = createdID(out)
	}
	if err != nil {
		return "", u.fail(CallCreatePolicy, "create policy "+o.Name, err)
	}
	u.add(CallCreatePolicy, remediate.StatusDone,
		"created "+id+" named "+o.Name)
	return id, nil
}

// createdID returns the id of the policy CreatePolicy made.
func createdID(out *organizations.CreatePolicyOutput) (string, error) {
	if out.Policy == nil || out.Policy.PolicySummary == nil ||
		aws.ToString(out.Policy.PolicySummary.Id) == "" {
		return "", errors.New("the answer has no policy id")
	}
	return aws.ToString(out.Policy.PolicySummary.Id), nil
}

// update replaces the policy's content when it differs from the wanted
// document, compared after normalisation.
func (u *run) update(id string) error {
	ctx, cancel := u.e.callContext(u.ctx)
	out, err := u.e.client.DescribePolicy(ctx,
		&organizations.DescribePolicyInput{PolicyId: aws.String(id)})
	cancel()
	if err == nil && out.Policy == nil {
		err = errors.New("the answer has no policy")
	}
	if err != nil {
		return u.fail(CallDescribePolicy, "describe policy "+id, err)
	}
	u.add(CallDescribePolicy, remediate.StatusDone, "read content of "+id)
	if sameContent(aws.ToString(out.Policy.Content), u.e.opts.Content) {
		u.add(CallUpdatePolicy, remediate.StatusSkipped,
			"content of "+id+" is up to date")
		return nil
	}
	if u.e.opts.DryRun {
		u.add(CallUpdatePolicy, remediate.StatusPlanned,
			"would update the content of "+id)
		return nil
	}
	ctx, cancel = u.e.callContext(u.ctx)
	defer cancel()
	_, err = u.e.client.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{
		PolicyId: aws.String(id),
		Content:  aws.String(string(u.e.opts.Content)),
	})
	if err != nil {
		return u.fail(CallUpdatePolicy, "update policy "+id, err)
	}
	u.add(CallUpdatePolicy, remediate.StatusDone, "updated the content of "+id)
	return nil
}

// sameContent compares two documents by their normalised form; a stored
// document that does not parse differs from any wanted one.
func sameContent(stored string, want []byte) bool {
	a, err := Normalize([]byte(stored))
	if err != nil {
		return false
	}
	b, err := Normalize(want)
	return err == nil && bytes.Equal(a, b)
}

// ensureAttached attaches policy id to the target unless it already is.
// An empty id is a policy a dry run would create: its attachment is
// planned without a read.
func (u *run) ensureAttached(id string) error {
	if id == "" {
		u.add(CallAttachPolicy, remediate.StatusPlanned,
			"would attach "+u.e.opts.Name+" to "+u.target)
		return nil
	}
	attached, err := u.attached(id)
	if err != nil {
		return u.fail(CallListPoliciesForTarget,
			"list policies attached to "+u.target, err)
	}
	if attached {
		u.add(CallListPoliciesForTarget, remediate.StatusDone,
			id+" is attached to "+u.target)
		u.add(CallAttachPolicy, remediate.StatusSkipped, "already attached")
		return nil
	}
	u.add(CallListPoliciesForTarget, remediate.StatusDone,
		id+" is not attached to "+u.target)
	return u.attach(id)
}

// attached pages through the target's policies of the type for id.
func (u *run) attached(id string) (bool, error) {
	pages := organizations.NewListPoliciesForTargetPaginator(u.e.client,
		&organizations.ListPoliciesForTargetInput{
			TargetId: aws.String(u.target),
			Filter:   u.e.opts.Type,
		})
	for pages.HasMorePages() {
		ctx, cancel := u.e.callContext(u.ctx)
		page, err := pages.NextPage(ctx)
		cancel()
		if err != nil {
			return false, err
		}
		for _, p := range page.Policies {
			if aws.ToString(p.Id) == id {
				return true, nil
			}
		}
	}
	return false, nil
}

// attach calls AttachPolicy, or plans it in a dry run. An attachment
// made concurrently since the read counts as done by someone else.
func (u *run) attach(id string) error {
	if u.e.opts.DryRun {
		u.add(CallAttachPolicy, remediate.StatusPlanned,
			"would attach "+id+" to "+u.target)
		return nil
	}
	ctx, cancel := u.e.callContext(u.ctx)
	defer cancel()
	_, err := u.e.client.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: aws.String(id),
		TargetId: aws.String(u.target),
	})
	var dup *types.DuplicatePolicyAttachmentException
	switch {
	case errors.As(err, &dup):
		u.add(CallAttachPolicy, remediate.StatusSkipped,
			"attached concurrently by another caller")
		return nil
	case err != nil:
		return u.fail(CallAttachPolicy,
			"attach policy "+id+" to "+u.target, err)
	}
	u.add(CallAttachPolicy, remediate.StatusDone,
		"attached "+id+" to "+u.target)
	return nil
}
