package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/serialguard/serialguard/policies"
)

// How long account context is cached: found, and after a failed lookup.
const (
	accountTTL       = time.Hour
	accountFailedTTL = 5 * time.Minute
)

// orgReader is the part of the Organizations client that account lookups
// use.
type orgReader interface {
	DescribeOrganization(ctx context.Context,
		in *organizations.DescribeOrganizationInput,
		optFns ...func(*organizations.Options)) (*organizations.DescribeOrganizationOutput, error)
	DescribeAccount(ctx context.Context, in *organizations.DescribeAccountInput,
		optFns ...func(*organizations.Options)) (*organizations.DescribeAccountOutput, error)
	ListParents(ctx context.Context, in *organizations.ListParentsInput,
		optFns ...func(*organizations.Options)) (*organizations.ListParentsOutput, error)
}

// accounts finds the account context a policy sees, the account's name
// and its Organizations entity path ("o-.../r-.../ou-.../"), and caches
// it. A failed lookup leaves only the id: policies that match by OU path
// then treat the account as unclassified, and the failure is logged.
type accounts struct {
	org orgReader
	now func() time.Time
	log *slog.Logger

	warned atomic.Bool // the first failure is a warning, the rest debug

	mu    sync.Mutex
	orgID string
	cache map[string]accountEntry
}

type accountEntry struct {
	ctx     policies.AccountContext
	expires time.Time
}

func newAccounts(org orgReader, now func() time.Time, log *slog.Logger) *accounts {
	return &accounts{org: org, now: now, log: log,
		cache: make(map[string]accountEntry)}
}

// context returns the account context of id, from the cache when fresh.
// A nil accounts looks nothing up.
func (a *accounts) context(ctx context.Context, id string) policies.AccountContext {
	if a == nil {
		return policies.AccountContext{ID: id}
	}
	if id == "" {
		return policies.AccountContext{}
	}
	a.mu.Lock()
	e, ok := a.cache[id]
	a.mu.Unlock()
	if ok && a.now().Before(e.expires) {
		return e.ctx
	}
	ac, err := a.lookup(ctx, id)
	ttl := accountTTL
	if err != nil {
		level := slog.LevelDebug
		if a.warned.CompareAndSwap(false, true) {
			level = slog.LevelWarn
		}
		a.log.Log(ctx, level, "account context lookup", "account", id,
			"error", err)
		ac, ttl = policies.AccountContext{ID: id}, accountFailedTTL
	}
	a.mu.Lock()
	a.cache[id] = accountEntry{ctx: ac, expires: a.now().Add(ttl)}
	a.mu.Unlock()
	return ac
}

func (a *accounts) lookup(ctx context.Context, id string) (policies.AccountContext, error) {
	out, err := a.org.DescribeAccount(ctx,
		&organizations.DescribeAccountInput{AccountId: aws.String(id)})
	if err != nil {
		return policies.AccountContext{},
			fmt.Errorf("describe account %s: %w", id, err)
	}
	if out.Account == nil {
		return policies.AccountContext{},
			fmt.Errorf("describe account %s: no account in the response", id)
	}
	path, err := a.path(ctx, id)
	if err != nil {
		return policies.AccountContext{}, err
	}
	return policies.AccountContext{
		ID:     id,
		Name:   aws.ToString(out.Account.Name),
		OUPath: path,
	}, nil
}

// path walks from the account up to the root and returns the entity
// path of its parent, as aws:PrincipalOrgPaths writes it:
// "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/".
func (a *accounts) path(ctx context.Context, id string) (string, error) {
	orgID, err := a.organization(ctx)
	if err != nil {
		return "", err
	}
	var ids []string
	for child := id; len(ids) < maxDepth; {
		parent, err := a.parent(ctx, child)
		if err != nil {
			return "", err
		}
		ids = append(ids, parent)
		if strings.HasPrefix(parent, "r-") {
			return entityPath(orgID, ids), nil
		}
		child = parent
	}
	return "", fmt.Errorf("path of account %s: more than %d levels",
		id, maxDepth)
}

// entityPath joins the organization id and the ancestors, given nearest
// first, from the root down.
func entityPath(orgID string, ancestors []string) string {
	var b strings.Builder
	b.WriteString(orgID + "/")
	for i := len(ancestors) - 1; i >= 0; i-- {
		b.WriteString(ancestors[i] + "/")
	}
	return b.String()
}

// maxDepth bounds the walk up the tree: Organizations allows five levels
// of OUs below the root.
const maxDepth = 8

func (a *accounts) parent(ctx context.Context, child string) (string, error) {
	out, err := a.org.ListParents(ctx,
		&organizations.ListParentsInput{ChildId: aws.String(child)})
	if err != nil {
		return "", fmt.Errorf("list parents of %s: %w", child, err)
	}
	if len(out.Parents) != 1 {
		return "", fmt.Errorf("list parents of %s: %d parents, want 1",
			child, len(out.Parents))
	}
	return aws.ToString(out.Parents[0].Id), nil
}

func (a *accounts) organization(ctx context.Context) (string, error) {
	a.mu.Lock()
	id := a.orgID
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	out, err := a.org.DescribeOrganization(ctx,
		&organizations.DescribeOrganizationInput{})
	if err != nil {
		return "", fmt.Errorf("describe organization: %w", err)
	}
	if out.Organization == nil {
		return "", errors.New("describe organization: " +
			"no organization in the response")
	}
	id = aws.ToString(out.Organization.Id)
	a.mu.Lock()
	a.orgID = id
	a.mu.Unlock()
	return id, nil
}
