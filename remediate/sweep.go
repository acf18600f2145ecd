package remediate

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// Defaults for the zero values of SweepOptions.
const (
	// DefaultSweepConcurrency is how many pairs a sweep checks at once.
	// BenchmarkSweep (1,000 accounts x 17 regions, 5-20 ms per call, 10%
	// throttled, no rate limit) runs at 850-1,000 calls/s with it on two
	// shared cores, eight to ten times DefaultSweepRate; under that rate
	// it keeps the limit busy up to 160 ms per call, which covers calls
	// across regions, while more workers only add memory and bursts
	// against AWS's per-account request limits.
	DefaultSweepConcurrency = 16
	// DefaultSweepRate is the requests per second a sweep makes across
	// all its workers, retries included: 1,000 accounts x 17 regions take
	// about 21,000 requests, three and a half minutes.
	DefaultSweepRate rate.Limit = 100
	// DefaultSweepMaxAttempts is the retry budget of a sweep's calls when
	// Options.MaxAttempts is zero. A sweep makes tens of thousands of
	// calls; at 5 attempts a 10% throttle rate would still leave about
	// one in 100,000 unchecked.
	DefaultSweepMaxAttempts = 10
)

// organizationsRegion signs Organizations calls when the configuration
// names no region: the service's endpoint is in us-east-1.
const organizationsRegion = "us-east-1"

// SweepOptions say which accounts and regions a sweep covers and how hard
// it may push on the AWS APIs.
type SweepOptions struct {
	// Accounts are the accounts to check. Empty means every ACTIVE
	// account of the organization, or of OU.
	Accounts []string
	// OU limits the sweep to the ACTIVE accounts below an organizational
	// unit or root, recursively. It is ignored when Accounts is set.
	OU string
	// OrgCredentials sign the Organizations calls that list accounts,
	// such as a management role's; the base configuration's if nil.
	OrgCredentials aws.CredentialsProvider
	// Regions are the regions to check in every account. Empty means the
	// regions each account has enabled, from DescribeRegions.
	Regions []string
	// Concurrency bounds the pairs checked at once, and the accounts
	// whose regions are discovered at once; DefaultSweepConcurrency if
	// zero.
	Concurrency int
	// Rate bounds the requests per second across all workers, retries
	// included; DefaultSweepRate if zero or less, rate.Inf for no limit.
	Rate rate.Limit
	// Now is the time of the sweep, which ends CloudTrail's lookup
	// window; time.Now() at Run if zero.
	Now time.Time
	// Planned, when set, is told how many pairs an account adds to the
	// sweep, once they are known: for progress bars. It may be called
	// from several goroutines at once.
	Planned func(pairs int)
}

// PairState is what a sweep found in one account and region.
type PairState struct {
	Account     string
	AccountName string
	// Region is empty when the account's regions could not be listed.
	Region    string
	Enabled   bool
	ManagedBy string
	// EnabledBy and EnabledAt tell who last enabled access, when access
	// is enabled and CloudTrail's event history of the last 90 days can
	// tell.
	EnabledBy string
	EnabledAt time.Time
	// Err, when set, says why the pair could not be checked, naming the
	// account, region and call.
	Err error
}

// Checked reports whether the pair's state is known.
func (p PairState) Checked() bool { return p.Err == nil }

// Sweeper checks serial console access in every account and region of an
// organization, or the part of it its options name.
type Sweeper struct {
	r    *Remediator
	orgs orgLister
	opts SweepOptions
	log  *slog.Logger
}

// NewSweeper returns a Sweeper calling AWS with cfg: Organizations with
// opts.OrgCredentials or cfg's (the management account or a delegated
// administrator), every account through a Remediator built from cfg and
// ropts. All of them share one rate limiter.
func NewSweeper(cfg aws.Config, ropts Options, opts SweepOptions) *Sweeper {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultSweepConcurrency
	}
	if opts.Rate <= 0 {
		opts.Rate = DefaultSweepRate
	}
	if ropts.MaxAttempts <= 0 {
		ropts.MaxAttempts = DefaultSweepMaxAttempts
	}
	cfg = LimitRate(cfg, rate.NewLimiter(opts.Rate, 1))
	cfg.RetryMaxAttempts = ropts.MaxAttempts
	orgs := organizations.NewFromConfig(cfg, func(o *organizations.Options) {
		if o.Region == "" {
			o.Region = organizationsRegion
		}
		if opts.OrgCredentials != nil {
			o.Credentials = opts.OrgCredentials
		}
	})
	r := New(cfg, ropts)
	return &Sweeper{r: r, orgs: orgLister{orgs}, opts: opts, log: r.log}
}

// sweep is one run of a Sweeper.
type sweep struct {
	*Sweeper
	now    time.Time // ends CloudTrail's lookup window
	visit  func(context.Context, PairState)
	checks errgroup.Group
}

// Run checks every pair and calls visit once with the state of each, from
// up to Concurrency goroutines at once and in no set order. An account
// that cannot be entered or whose regions cannot be listed is one pair
// with an empty region and Err set; with Regions given, one pair per
// region. Run fails only when the accounts cannot be listed, or when ctx
// ends, leaving pairs unvisited.
func (s *Sweeper) Run(ctx context.Context, visit func(context.Context, PairState)) error {
	w := &sweep{Sweeper: s, now: s.opts.Now, visit: visit}
	if w.now.IsZero() {
		w.now = time.Now()
	}
	accounts, err := s.accounts(ctx)
	if err != nil {
		return err
	}
	s.log.Info("sweep started", "accounts", len(accounts),
		"regions", len(s.opts.Regions), "concurrency", s.opts.Concurrency)

	var discover errgroup.Group
	discover.SetLimit(s.opts.Concurrency)
	w.checks.SetLimit(s.opts.Concurrency)
	for _, a := range accounts {
		if ctx.Err() != nil {
			break
		}
		discover.Go(func() error {
			w.account(ctx, a)
			return nil
		})
	}
	// Every task returns nil: failures are pairs, not errors.
	_ = discover.Wait()
	_ = w.checks.Wait()
	return ctx.Err()
}

// accounts returns the accounts the options name, without duplicates.
func (s *Sweeper) accounts(ctx context.Context) ([]OrgAccount, error) {
	if len(s.opts.Accounts) > 0 {
		out := make([]OrgAccount, 0, len(s.opts.Accounts))
		for _, id := range s.opts.Accounts {
			out = append(out, OrgAccount{ID: id})
		}
		return dedup(out), nil
	}
	if s.opts.OU != "" {
		out, err := s.orgs.under(ctx, s.opts.OU)
		return dedup(out), err
	}
	out, err := s.orgs.all(ctx)
	return dedup(out), err
}

// dedup sorts accounts by id and drops repeated ids.
func dedup(accounts []OrgAccount) []OrgAccount {
	slices.SortFunc(accounts, func(a, b OrgAccount) int {
		return cmp.Compare(a.ID, b.ID)
	})
	return slices.CompactFunc(accounts, func(a, b OrgAccount) bool {
		return a.ID == b.ID
	})
}

// account finds the regions of one account and queues a check of each.
func (w *sweep) account(ctx context.Context, a OrgAccount) {
	regions, err := w.regions(ctx, a)
	if err != nil {
		w.unchecked(ctx, a, err)
		return
	}
	w.plan(len(regions))
	for _, region := range regions {
		w.checks.Go(func() error {
			w.visit(ctx, w.check(ctx, a, region))
			return nil
		})
	}
}

// regions returns the regions to check in a. With regions given, it
// still enters the account once, so that an account that cannot be
// entered costs one failed AssumeRole rather than one per region.
func (s *Sweeper) regions(ctx context.Context, a OrgAccount) ([]string, error) {
	if len(s.opts.Regions) == 0 {
		return s.r.Regions(ctx, a.ID)
	}
	_, err := s.r.enter(ctx, a.ID, s.opts.Regions[0])
	return s.opts.Regions, err
}

// unchecked visits the pairs of an account that could not be entered:
// one per region given, else one without a region.
func (w *sweep) unchecked(ctx context.Context, a OrgAccount, err error) {
	w.log.Warn("sweep cannot check account", "account", a.ID, "error", err)
	if len(w.opts.Regions) == 0 {
		w.plan(1)
		w.visit(ctx, PairState{Account: a.ID, AccountName: a.Name, Err: err})
		return
	}
	w.plan(len(w.opts.Regions))
	for _, region := range w.opts.Regions {
		w.visit(ctx, PairState{
			Account: a.ID, AccountName: a.Name, Region: region,
			Err: &TargetError{actionStatus, a.ID, region, err},
		})
	}
}

// plan tells SweepOptions.Planned about pairs added to the sweep.
func (s *Sweeper) plan(pairs int) {
	if s.opts.Planned != nil {
		s.opts.Planned(pairs)
	}
}

// check reads one pair and, when it is enabled, who enabled it.
func (w *sweep) check(ctx context.Context, a OrgAccount, region string) PairState {
	p := PairState{Account: a.ID, AccountName: a.Name, Region: region}
	st, err := w.r.Status(ctx, a.ID, region)
	if err != nil {
		w.log.Warn("sweep cannot check pair", "account", a.ID,
			"region", region, "error", err)
		p.Err = err
		return p
	}
	p.Enabled, p.ManagedBy = st.Enabled, st.ManagedBy
	if p.Enabled {
		w.enabledBy(ctx, &p)
	}
	return p
}

// enabledBy fills in who last enabled access in p's account and region.
// Not knowing leaves the pair checked: its state is known either way.
func (w *sweep) enabledBy(ctx context.Context, p *PairState) {
	en, ok, err := w.r.lastEnablement(ctx, p.Account, p.Region, w.now)
	if err != nil {
		w.log.Warn("sweep cannot tell who enabled serial console access",
			"account", p.Account, "region", p.Region, "error", err)
		return
	}
	if ok {
		p.EnabledBy, p.EnabledAt = en.PrincipalARN, en.Time
	}
}
