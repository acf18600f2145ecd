package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
)

// Handle decides f, remediates when the decision says so, attaches the
// SCP when the decision asks and the configuration allows, notifies, and
// appends the result to the audit log. The error is non-nil when a step
// failed or the audit log could not be written: the finding must be
// handled again, which is safe.
func (b *Bot) Handle(ctx context.Context, f detect.Finding) (Result, error) {
	start := time.Now()
	res := Result{
		Finding: f,
		Remediation: remediate.Result{
			DryRun: b.cfg.DryRun,
			Steps:  []remediate.Step{},
		},
	}
	b.decide(ctx, &res)
	if res.Decision.Action == policies.ActionRemediate {
		b.remediate(ctx, &res)
	}
	if b.notifier != nil && res.Decision.Action != policies.ActionAllow {
		t := time.Now()
		step := b.notifier.notify(ctx, &res)
		res.Notification = &step
		res.Timings.NotifyMS = time.Since(t).Milliseconds()
	}
	err := b.results.write(&res)
	if err == nil {
		err = failure(&res)
	}
	b.observe(ctx, &res, time.Since(start), err)
	return res, err
}

// HandleEvent runs the rules over ev and handles its finding. ok is false
// when ev holds no finding. A bad event's error is returned as is; it
// names the event's source.
func (b *Bot) HandleEvent(ctx context.Context, ev detect.Event) (res Result, ok bool, err error) {
	if ev.Err != nil {
		return Result{}, false, ev.Err
	}
	f, ok := detect.Detect(ev)
	if !ok {
		return Result{}, false, nil
	}
	res, err = b.Handle(ctx, f)
	return res, true, err
}

// ErrInFlight is the error of an event whose id is being handled by
// another delivery right now. The delivery that got it must be retried
// later, not dropped: the handling in progress may still fail.
var ErrInFlight = errors.New("the same event is being handled")

// handleOnce is HandleEvent for the long-running modes: an event whose id
// was handled within the dedup window is dropped, and one whose id is
// being handled fails with ErrInFlight. A failed event's id is released
// for its redelivery.
func (b *Bot) handleOnce(ctx context.Context, ev detect.Event) (Result, bool, error) {
	id := ""
	if ev.Err == nil && ev.Record != nil {
		id = ev.Record.EventID
	}
	if b.dedup == nil || id == "" {
		return b.HandleEvent(ctx, ev)
	}
	switch b.dedup.claim(id) {
	case claimSeen:
		b.metrics.duplicates.Inc()
		b.log.DebugContext(ctx, "duplicate event dropped",
			"event_id", id, "source", ev.Source)
		return Result{}, false, nil
	case claimBusy:
		return Result{}, false, fmt.Errorf("%s: event %s: %w",
			ev.Source, id, ErrInFlight)
	}
	res, ok, err := b.HandleEvent(ctx, ev)
	b.dedup.done(id, err == nil)
	return res, ok, err
}

func (b *Bot) decide(ctx context.Context, res *Result) {
	in := policies.Input{
		Finding: res.Finding,
		Account: b.accounts.context(ctx, res.Account),
		Now:     b.now(),
	}
	t := time.Now()
	res.Decision = b.engine.Decide(ctx, in)
	res.Timings.DecideUS = time.Since(t).Microseconds()
}

// remediate disables serial console access in the finding's account and
// region, then attaches the SCP when asked. Remediation of one account
// and region is serialized, so that concurrent deliveries of one event,
// or two events for one region, read the state one after the other and
// only the first disables.
func (b *Bot) remediate(ctx context.Context, res *Result) {
	t := time.Now()
	defer func() { res.Timings.RemediateMS = time.Since(t).Milliseconds() }()

	unlock := b.locks.lock(res.Account + "/" + res.Region)
	r := b.rem.Disable(ctx, res.Account, res.Region)
	unlock()
	res.Remediation.Steps = append(res.Remediation.Steps, r.Steps...)
	if res.Decision.AttachSCP {
		res.Remediation.Steps = append(res.Remediation.Steps,
			b.attachSCP(ctx, res.Account)...)
	}
}

// failure is the error of a result whose remediation, SCP or
// notification failed: the first failed step, named by the event, or by
// the account and region for a sweep's finding, which has no event.
func failure(res *Result) error {
	what := "event " + res.EventID
	if res.EventID == "" {
		what = res.Account + "/" + res.Region
	}
	for _, s := range res.Steps() {
		if s.Status == remediate.StatusFailed {
			return fmt.Errorf("%s: %s: %s: %s", res.Source, what, s.Call,
				s.Detail)
		}
	}
	return nil
}

// observe counts a finding and logs it when it was handled.
func (b *Bot) observe(ctx context.Context, res *Result, took time.Duration, err error) {
	m := b.metrics
	m.findings.WithLabelValues(string(res.Kind)).Inc()
	m.decisions.WithLabelValues(string(res.Decision.Action)).Inc()
	for _, s := range res.Steps() {
		m.steps.WithLabelValues(s.Call, string(s.Status)).Inc()
	}
	m.latency.Observe(took.Seconds())

	if err != nil {
		return // the run mode's Sink reports it
	}
	b.log.InfoContext(ctx, "finding handled", "event_id", res.EventID,
		"kind", res.Kind, "account", res.Account, "region", res.Region,
		"action", res.Decision.Action, "dry_run", b.cfg.DryRun,
		"source", res.Source)
}
