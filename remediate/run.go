package remediate

import (
	"context"
	"errors"
	"log/slog"
)

// run records the steps of one remediation and logs each as it is
// recorded.
type run struct {
	ctx     context.Context
	log     *slog.Logger
	account string
	region  string
	res     Result
}

func (r *Remediator) newRun(ctx context.Context, account, region string) *run {
	return &run{
		ctx:     ctx,
		log:     r.log,
		account: account,
		region:  region,
		res:     Result{DryRun: r.opts.DryRun, Steps: []Step{}},
	}
}

// add records one step.
func (u *run) add(call string, status Status, detail string) {
	u.res.Steps = append(u.res.Steps, Step{
		Call:    call,
		Account: u.account,
		Region:  u.region,
		Status:  status,
		Detail:  detail,
	})
	level := slog.LevelInfo
	if status == StatusFailed {
		level = slog.LevelError
	}
	u.log.Log(u.ctx, level, "remediation step",
		"account", u.account, "region", u.region, "call", call,
		"dry_run", u.res.DryRun, "status", string(status),
		"detail", detail)
}

// fail records a failed step. Its detail is err as a TargetError naming
// action, account and region, unless err already is one.
func (u *run) fail(call, action string, err error) {
	var te *TargetError
	if !errors.As(err, &te) {
		err = &TargetError{action, u.account, u.region, err}
	}
	u.add(call, StatusFailed, err.Error())
}
