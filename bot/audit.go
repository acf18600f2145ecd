package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
)

// SweepSource is the Source of the enabled_state findings a sweep makes.
const SweepSource = "sweep"

// SweepOptions say what a sweep covers and whether it acts.
type SweepOptions struct {
	// SweepOptions scope the sweep and bound its pace. Regions default
	// to Config.Regions; OrgCredentials are always the bot's management
	// credentials.
	remediate.SweepOptions
	// Remediate applies the decisions: every enabled pair is handled as
	// Handle handles an event (decision, remediation, SCP, notification,
	// audit log), except where an EC2 declarative policy manages the
	// setting, which is decided and reported but never disabled. False
	// only decides and reports.
	Remediate bool
	// Visited, when set, is called with each pair once it is complete,
	// from several goroutines at once.
	Visited func(SweepPair)
}

// SweepReport is what a sweep found and did: the output of the audit
// verb and of the Lambda's scheduled sweep.
type SweepReport struct {
	// Time is when the sweep started: the time of its findings.
	Time      time.Time    `json:"time"`
	Remediate bool         `json:"remediate"`
	DryRun    bool         `json:"dry_run"`
	Summary   SweepSummary `json:"summary"`
	// Pairs lists every account and region, sorted.
	Pairs []SweepPair `json:"pairs"`
}

// SweepSummary counts the pairs of a sweep.
type SweepSummary struct {
	Accounts  int `json:"accounts"`
	Pairs     int `json:"pairs"`
	Checked   int `json:"checked"`
	Unchecked int `json:"unchecked"`
	Enabled   int `json:"enabled"`
	// Approved are the enabled pairs an active approval covers.
	Approved int `json:"approved"`
	// Remediated are the enabled pairs the sweep disabled.
	Remediated int `json:"remediated"`
	// Failed are the pairs whose remediation, SCP or notification failed.
	Failed int `json:"failed"`
	// Open are the enabled pairs the policy did not allow that the sweep
	// left enabled: what exit code 1 is about.
	Open int `json:"open"`
}

// SweepPair is one account and region of a sweep.
type SweepPair struct {
	Account     string `json:"account"`
	AccountName string `json:"account_name"`
	// Region is empty when the account's regions could not be listed.
	Region    string `json:"region"`
	Checked   bool   `json:"checked"`
	Enabled   bool   `json:"enabled"`
	ManagedBy string `json:"managed_by"`
	// EnabledBy and EnabledAt say who last enabled access, when
	// CloudTrail's event history of the last 90 days can tell.
	EnabledBy string    `json:"enabled_by,omitempty"`
	EnabledAt time.Time `json:"enabled_at,omitzero"`
	// Decision is the policy's answer for an enabled pair; nil otherwise.
	Decision *policies.Decision `json:"decision,omitempty"`
	// Remediation is what the sweep did about the pair; nil when it did
	// nothing.
	Remediation  *remediate.Result `json:"remediation,omitempty"`
	Notification *remediate.Step   `json:"notification,omitempty"`
	// Error says why the pair could not be checked, naming the call.
	Error string `json:"error,omitempty"`
}

// Steps lists every step the sweep took or planned for the pair:
// remediation, then the SCP, then the notification.
func (p *SweepPair) Steps() []remediate.Step {
	var steps []remediate.Step
	if p.Remediation != nil {
		steps = p.Remediation.Steps
	}
	return withNotification(steps, p.Notification)
}

// Remediated reports whether the sweep disabled access in the pair.
func (p *SweepPair) Remediated() bool {
	return p.disable(remediate.StatusDone)
}

// Failed reports whether a remediation, SCP or notification step failed.
func (p *SweepPair) Failed() bool {
	return (p.Remediation != nil && p.Remediation.Failed()) ||
		(p.Notification != nil &&
			p.Notification.Status == remediate.StatusFailed)
}

// Open reports whether the pair is enabled, the policy did not allow it,
// and the sweep left it enabled.
func (p *SweepPair) Open() bool {
	if !p.Enabled || p.Decision == nil ||
		p.Decision.Action == policies.ActionAllow || p.Remediated() {
		return false
	}
	// A Disable skipped where the account manages the setting found
	// access already off: someone disabled it after the check.
	return p.ManagedBy == remediate.ManagedByDeclarativePolicy ||
		!p.disable(remediate.StatusSkipped)
}

func (p *SweepPair) disable(status remediate.Status) bool {
	if p.Remediation == nil {
		return false
	}
	return slices.ContainsFunc(p.Remediation.Steps, func(s remediate.Step) bool {
		return s.Call == remediate.CallDisable && s.Status == status
	})
}

// NeedsAction reports whether an enabled pair the policy did not allow
// is still enabled: exit code 1.
func (r *SweepReport) NeedsAction() bool { return r.Summary.Open > 0 }

// Incomplete reports whether a pair could not be checked or a step
// failed: exit code 2, which wins over 1, since an unchecked pair may
// hide an enabled one.
func (r *SweepReport) Incomplete() bool {
	return r.Summary.Unchecked > 0 || r.Summary.Failed > 0
}

// Sweep checks serial console access in every account and region opts
// name, asks the policy about every enabled pair as an enabled_state
// finding, and with opts.Remediate acts on the answers as Handle does.
// It is the scheduled backstop of the event-driven modes: an approval
// judged at the sweep no longer covers a pair once it has expired, so
// the next sweep disables access there.
//
// The report lists every pair, checked or not. Sweep fails only when the
// accounts cannot be listed or ctx ends; the report then holds the pairs
// done so far.
func (b *Bot) Sweep(ctx context.Context, opts SweepOptions) (SweepReport, error) {
	if opts.Now.IsZero() {
		opts.Now = b.now()
	}
	if len(opts.Regions) == 0 {
		opts.Regions = b.cfg.Regions
	}
	opts.OrgCredentials = b.orgAWS.Credentials
	sw := remediate.NewSweeper(b.aws, remediate.Options{
		RoleName:   b.cfg.RoleName,
		ExternalID: b.cfg.ExternalID,
		DryRun:     b.cfg.DryRun,
		Logger:     b.log,
	}, opts.SweepOptions)

	var (
		mu    sync.Mutex
		pairs []SweepPair
	)
	err := sw.Run(ctx, func(ctx context.Context, ps remediate.PairState) {
		p := b.sweepPair(ctx, &opts, ps)
		mu.Lock()
		pairs = append(pairs, p)
		mu.Unlock()
		if opts.Visited != nil {
			opts.Visited(p)
		}
	})
	rep := newSweepReport(&opts, b.cfg.DryRun, pairs)
	b.logSweep(ctx, &rep)
	if err != nil {
		return rep, fmt.Errorf("sweep: %w", err)
	}
	return rep, nil
}

// sweepPair turns what the sweep found in one pair into its report row.
func (b *Bot) sweepPair(ctx context.Context, opts *SweepOptions,
	ps remediate.PairState) SweepPair {
	p := SweepPair{
		Account: ps.Account, AccountName: ps.AccountName, Region: ps.Region,
		Checked: ps.Checked(), Enabled: ps.Enabled, ManagedBy: ps.ManagedBy,
		EnabledBy: ps.EnabledBy, EnabledAt: ps.EnabledAt,
	}
	if !p.Checked {
		p.Error = ps.Err.Error()
		return p
	}
	if !p.Enabled {
		return p
	}
	res := b.judge(ctx, opts, ps)
	p.Decision = &res.Decision
	if len(res.Remediation.Steps) > 0 {
		p.Remediation = &res.Remediation
	}
	p.Notification = res.Notification
	return p
}

// judge decides on an enabled pair and, when the sweep remediates, acts
// on the decision through Handle, the same path as an event's.
func (b *Bot) judge(ctx context.Context, opts *SweepOptions,
	ps remediate.PairState) Result {
	f := detect.Finding{
		Kind:      detect.KindEnabledState,
		Time:      opts.Now,
		Account:   ps.Account,
		Region:    ps.Region,
		ManagedBy: ps.ManagedBy,
		Source:    SweepSource,
	}
	declarative := ps.ManagedBy == remediate.ManagedByDeclarativePolicy
	if opts.Remediate && !declarative {
		// A failed step is in res and so in the report; the error also
		// covers an audit log that could not be written, which is not.
		res, err := b.Handle(ctx, f)
		if err != nil {
			b.log.ErrorContext(ctx, "finding not handled",
				"account", f.Account, "region", f.Region,
				"source", f.Source, "error", err)
		}
		return res
	}
	res := Result{Finding: f}
	b.decide(ctx, &res)
	if opts.Remediate && res.Decision.Action == policies.ActionRemediate {
		res.Remediation = declarativeSkip(ps, b.cfg.DryRun)
	}
	return res
}

// declarativeSkip is the remediation of a pair whose setting an EC2
// declarative policy manages: the account cannot change it, so no call
// is made and the pair stays open until the policy changes.
func declarativeSkip(ps remediate.PairState, dryRun bool) remediate.Result {
	return remediate.Result{DryRun: dryRun, Steps: []remediate.Step{{
		Call:    remediate.CallDisable,
		Account: ps.Account,
		Region:  ps.Region,
		Status:  remediate.StatusSkipped,
		Detail: "enabled by an EC2 declarative policy, which the account " +
			"cannot override: change the policy",
	}}}
}

// newSweepReport sorts the pairs and counts them.
func newSweepReport(opts *SweepOptions, dryRun bool,
	pairs []SweepPair) SweepReport {
	slices.SortFunc(pairs, func(a, b SweepPair) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Region, b.Region))
	})
	rep := SweepReport{Time: opts.Now, Remediate: opts.Remediate,
		DryRun: dryRun, Pairs: pairs}
	if rep.Pairs == nil {
		rep.Pairs = []SweepPair{}
	}
	for i := range pairs {
		if i == 0 || pairs[i].Account != pairs[i-1].Account {
			rep.Summary.Accounts++
		}
		rep.Summary.count(&pairs[i])
	}
	return rep
}

func (s *SweepSummary) count(p *SweepPair) {
	s.Pairs++
	if !p.Checked {
		s.Unchecked++
		return
	}
	s.Checked++
	if !p.Enabled {
		return
	}
	s.Enabled++
	if p.Decision != nil && p.Decision.Approved {
		s.Approved++
	}
	if p.Remediated() {
		s.Remediated++
	}
	if p.Failed() {
		s.Failed++
	}
	if p.Open() {
		s.Open++
	}
}

func (b *Bot) logSweep(ctx context.Context, rep *SweepReport) {
	s := rep.Summary
	b.log.InfoContext(ctx, "sweep done", "accounts", s.Accounts,
		"pairs", s.Pairs, "checked", s.Checked, "unchecked", s.Unchecked,
		"enabled", s.Enabled, "approved", s.Approved,
		"remediated", s.Remediated, "failed", s.Failed, "open", s.Open,
		"remediate", rep.Remediate, "dry_run", rep.DryRun)
}
