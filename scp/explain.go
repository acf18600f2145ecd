package scp

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// explain wraps err with what was being done and, for the errors a user
// can act on, what to do about it: "attach policy p-1 to 111122223333:
// quota: ...: operation error Organizations: AttachPolicy, ...".
func explain(what string, err error, o Options, target string) error {
	if hint := hint(err, o, target); hint != "" {
		return fmt.Errorf("%s: %s: %w", what, hint, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// hint says how to resolve err, or "" when there is nothing to add.
func hint(err error, o Options, target string) string {
	var (
		notEnabled *types.PolicyTypeNotEnabledException
		constraint *types.ConstraintViolationException
		malformed  *types.MalformedPolicyDocumentException
		denied     *types.AccessDeniedException
		notInUse   *types.AWSOrganizationsNotInUseException
		notFound   *types.TargetNotFoundException
		duplicate  *types.DuplicatePolicyException
	)
	switch {
	case errors.As(err, &notEnabled):
		return fmt.Sprintf("policy type %s is not enabled in the "+
			"organization's root: enable it with --enable-policy-type, "+
			"which calls ListRoots and EnablePolicyType", o.Type)
	case errors.As(err, &constraint):
		return constraintHint(constraint.Reason, o, target)
	case errors.As(err, &malformed):
		return fmt.Sprintf("AWS rejected the document as a %s", o.Type)
	case errors.As(err, &denied), errors.As(err, &notInUse):
		return "use credentials of the organization's management " +
			"account or of a delegated administrator"
	case errors.As(err, &notFound):
		return "target " + target + " is not in the organization"
	case errors.As(err, &duplicate):
		return "a policy named " + o.Name + " was created at the same " +
			"time by another caller: run again to update it"
	}
	return ""
}

// constraintHint explains the quota behind a ConstraintViolationException.
func constraintHint(reason types.ConstraintViolationExceptionReason,
	o Options, target string) string {
	switch reason {
	case types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded:
		return fmt.Sprintf("quota: %s already has the most %s "+
			"attachments AWS allows (5 SCPs per target, FullAWSAccess "+
			"included): detach one or merge policies", target, o.Type)
	case types.ConstraintViolationExceptionReasonPolicyNumberLimitExceeded:
		return fmt.Sprintf("quota: the organization has the most %s "+
			"policies AWS allows: delete unused ones or ask AWS for more",
			o.Type)
	case types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded:
		_, limit := quota(o.Type)
		fix := "exempt fewer principals or use wider patterns"
		if o.Type == types.PolicyTypeDeclarativePolicyEc2 {
			fix = "shorten the exception message"
		}
		return fmt.Sprintf("quota: the document is larger than AWS allows "+
			"for a %s (%d characters): %s", o.Type, limit, fix)
	}
	return fmt.Sprintf("constraint violated (%s)", reason)
}
