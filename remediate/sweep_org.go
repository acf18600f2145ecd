package remediate

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// OrgAccount is an account a sweep covers.
type OrgAccount struct {
	ID string
	// Name is the account's name in the organization; empty when the
	// account was named on the command line rather than listed.
	Name string
}

// orgLister lists the accounts of an organization, or of one part of it.
type orgLister struct {
	client *organizations.Client
}

// all returns the ACTIVE accounts of the whole organization.
func (l orgLister) all(ctx context.Context) ([]OrgAccount, error) {
	var out []OrgAccount
	p := organizations.NewListAccountsPaginator(l.client,
		&organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts: %w", err)
		}
		out = appendActive(out, page.Accounts)
	}
	return out, nil
}

// under returns the ACTIVE accounts below parent, an OU or a root, and
// below every OU nested in it.
func (l orgLister) under(ctx context.Context, parent string) ([]OrgAccount, error) {
	out, err := l.children(ctx, parent)
	if err != nil {
		return nil, err
	}
	ous, err := l.ous(ctx, parent)
	if err != nil {
		return nil, err
	}
	for _, ou := range ous {
		more, err := l.under(ctx, ou)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// children returns the ACTIVE accounts directly below parent.
func (l orgLister) children(ctx context.Context, parent string) ([]OrgAccount, error) {
	var out []OrgAccount
	p := organizations.NewListAccountsForParentPaginator(l.client,
		&organizations.ListAccountsForParentInput{ParentId: aws.String(parent)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list accounts for parent %s: %w", parent, err)
		}
		out = appendActive(out, page.Accounts)
	}
	return out, nil
}

// ous returns the ids of the OUs directly below parent.
func (l orgLister) ous(ctx context.Context, parent string) ([]string, error) {
	var out []string
	p := organizations.NewListOrganizationalUnitsForParentPaginator(l.client,
		&organizations.ListOrganizationalUnitsForParentInput{
			ParentId: aws.String(parent),
		})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf(
				"list organizational units for parent %s: %w", parent, err)
		}
		for _, ou := range page.OrganizationalUnits {
			out = append(out, aws.ToString(ou.Id))
		}
	}
	return out, nil
}

// appendActive appends the accounts that are ACTIVE. Organizations is
// replacing Status with State; an account is read by State when it has
// one.
func appendActive(out []OrgAccount, accounts []types.Account) []OrgAccount {
	for _, a := range accounts {
		active := a.Status == types.AccountStatusActive
		if a.State != "" {
			active = a.State == types.AccountStateActive
		}
		if active {
			out = append(out, OrgAccount{
				ID:   aws.ToString(a.Id),
				Name: aws.ToString(a.Name),
			})
		}
	}
	return out
}
