package remediate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// ErrNoCredentials means the base configuration has no usable
// credentials. A dry run then plans without reading state.
var ErrNoCredentials = errors.New("no usable AWS credentials")

// CheckCredentials reports whether cfg can sign requests. The rule is
// simple on purpose: credentials are missing when cfg has no provider or
// its provider cannot retrieve any (anonymous credentials, an empty
// default chain, an expired SSO session). The error wraps
// ErrNoCredentials and says why.
func CheckCredentials(ctx context.Context, cfg aws.Config) error {
	if cfg.Credentials == nil {
		return fmt.Errorf("%w: none configured", ErrNoCredentials)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return fmt.Errorf("%w: %w", ErrNoCredentials, err)
	}
	return nil
}

// RoleARN is the ARN of role name in account, in partition.
func RoleARN(partition, account, name string) string {
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}

// partitions maps region name prefixes to their partitions; every other
// region is in "aws".
var partitions = []struct{ prefix, partition string }{
	{"cn-", "aws-cn"},
	{"us-gov-", "aws-us-gov"},
	{"us-iso-", "aws-iso"},
	{"us-isob-", "aws-iso-b"},
	{"us-isof-", "aws-iso-f"},
	{"eu-isoe-", "aws-iso-e"},
}

// Partition returns the partition of region: "aws-cn" for cn-*,
// "aws-us-gov" for us-gov-*, the isolated partitions for theirs, else
// "aws".
func Partition(region string) string {
	for _, p := range partitions {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// roleARN is the role this Remediator assumes in account.
func (r *Remediator) roleARN(account, region string) string {
	partition := r.opts.Partition
	if partition == "" {
		partition = Partition(region)
	}
	return RoleARN(partition, account, r.opts.RoleName)
}

// enter returns the clients that act in account, once their
// credentials are known to work: the assumed role's, retrieved now so
// that a failure surfaces here, or in same-account mode the base
// credentials once they are known to belong to account. region picks
// the partition and the STS endpoint.
func (r *Remediator) enter(ctx context.Context, account,
	region string) (*accountClients, error) {
	ctx, cancel := r.callContext(ctx)
	defer cancel()
	if err := CheckCredentials(ctx, r.cfg); err != nil {
		return nil, err
	}
	if r.opts.RoleName == "" {
		if err := r.checkCaller(ctx, account, region); err != nil {
			return nil, err
		}
		return r.clients(account, region), nil
	}
	a := r.clients(account, region)
	if _, err := a.creds.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("assume role %s for account %s: %w",
			r.roleARN(account, region), account, err)
	}
	return a, nil
}

// assumeRole returns a provider of account's role credentials. Its cache
// refreshes them before they expire, and concurrent callers share one
// AssumeRole call. The caller holds r.mu.
func (r *Remediator) assumeRole(account, region string) aws.CredentialsProvider {
	arn := r.roleARN(account, region)
	return aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(
		r.stsClient(region), arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = r.opts.SessionName
			if r.opts.ExternalID != "" {
				o.ExternalID = aws.String(r.opts.ExternalID)
			}
		}))
}

// checkCaller guards same-account mode: the base credentials must belong
// to account, or a call would change another account than the one
// reported. The caller's account is looked up once.
func (r *Remediator) checkCaller(ctx context.Context, account, region string) error {
	caller, err := r.callerAccount(ctx, region)
	if err != nil {
		return err
	}
	if caller != account {
		return fmt.Errorf("GetCallerIdentity: the credentials belong to "+
			"account %s, not %s: configure a role name to act in other "+
			"accounts", caller, account)
	}
	return nil
}

// callerAccount returns the account of the base credentials.
func (r *Remediator) callerAccount(ctx context.Context, region string) (string, error) {
	r.mu.Lock()
	caller := r.caller
	r.mu.Unlock()
	if caller != "" {
		return caller, nil
	}
	out, err := r.stsClient(region).GetCallerIdentity(ctx,
		&sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("identify the base credentials: %w", err)
	}
	caller = aws.ToString(out.Account)
	if caller == "" {
		return "", errors.New("identify the base credentials: " +
			"GetCallerIdentity named no account")
	}
	r.mu.Lock()
	r.caller = caller
	r.mu.Unlock()
	return caller, nil
}
