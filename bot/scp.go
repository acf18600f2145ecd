package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/serialguard/serialguard/remediate"
	"github.com/serialguard/serialguard/scp"
)

// CallAttachSCP is the step recorded when a decision asks for the SCP
// and the bot does not attach it.
const CallAttachSCP = scp.CallAttachPolicy

// newSCP renders the SCP that exempts the approved principals and returns
// the enforcer that keeps it attached.
func newSCP(cfg aws.Config, c Config, exempt []string, log *slog.Logger) (*scp.Enforcer, error) {
	doc, err := scp.Render(exempt)
	if err != nil {
		return nil, fmt.Errorf("config: attach_scp: render the SCP: %w", err)
	}
	return scp.NewEnforcer(cfg, scp.Options{
		Content: doc,
		Name:    c.SCPName,
		DryRun:  c.DryRun,
		Logger:  log,
	}), nil
}

// attachSCP enforces the SCP on the configured target, or on account.
// The management account, which no SCP restricts, is skipped.
func (b *Bot) attachSCP(ctx context.Context, account string) []remediate.Step {
	target := b.cfg.SCPTarget
	if target == "" {
		target = account
	}
	if b.scp == nil {
		return []remediate.Step{skippedSCP(target,
			"the decision asks for the SCP; attach_scp is false")}
	}
	unlock := b.locks.lock("scp/" + target)
	defer unlock()
	steps, err := b.scp.Apply(ctx, target)
	switch {
	case errors.Is(err, scp.ErrManagementAccount):
		steps = append(steps, skippedSCP(target, err.Error()))
	case err != nil && !(remediate.Result{Steps: steps}).Failed():
		steps = append(steps, remediate.Step{
			Call:    CallAttachSCP,
			Account: target,
			Status:  remediate.StatusFailed,
			Detail:  fmt.Sprintf("enforce the SCP on %s: %v", target, err),
		})
	}
	return steps
}

func skippedSCP(target, why string) remediate.Step {
	return remediate.Step{
		Call:    CallAttachSCP,
		Account: target,
		Status:  remediate.StatusSkipped,
		Detail:  why,
	}
}
