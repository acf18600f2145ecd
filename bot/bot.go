// Package bot is serialguard's loop, the same in every run mode: an event
// becomes a finding (detect), the finding a decision (policies), the
// decision a remediation (remediate, scp), and all of it one audit record,
// a Result, optionally published to SNS.
//
// The run modes are adapters around Bot.Handle: Run for files and
// standard input, Backfill for CloudTrail logs in S3, Consume for an SQS
// queue, Sweep for the organization-wide check, and Lambda for the Lambda
// runtime (EventBridge events, SQS batches and the scheduled sweep).
//
// Handling is safe to repeat. Remediation reads the state before it
// changes anything and the bot serializes remediation per account and
// region, so a second delivery of an event makes no second mutating call;
// the long-running modes also drop event ids seen within
// Config.DedupWindow.
package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
	"github.com/serialguard/serialguard/scp"
)

// dedupMax bounds the event ids remembered for deduplication.
const dedupMax = 100_000

// Options are what New needs besides the configuration.
type Options struct {
	// AWS is the base configuration of every AWS client: credentials,
	// region, retryer, endpoint.
	AWS aws.Config
	// Logger receives the bot's logs; slog.Default() if nil.
	Logger *slog.Logger
	// Stdout receives the audit log when Config.AuditLog is "-";
	// os.Stdout if nil.
	Stdout io.Writer
	// Metrics counts what the bot does; a new set if nil.
	Metrics *Metrics
	// Now is the clock of decisions and deduplication; time.Now if nil.
	Now func() time.Time
	// Limits bound the size of records and decompressed input;
	// detect.DefaultLimits() if zero.
	Limits detect.Limits
}

// Bot handles findings. It is safe for concurrent use.
type Bot struct {
	cfg      Config
	aws      aws.Config
	orgAWS   aws.Config
	log      *slog.Logger
	engine   *policies.Engine
	rem      *remediate.Remediator
	scp      *scp.Enforcer // nil unless cfg.AttachSCP
	notifier *notifier     // nil without a topic
	accounts *accounts
	results  *resultLog // nil without an audit log
	dedup    *dedup     // nil when the window is zero
	metrics  *Metrics
	now      func() time.Time
	limits   detect.Limits
	locks    keyedMutex
}

// New validates cfg, prepares the policy and builds the AWS clients. It
// makes no AWS call. Close releases the audit log.
func New(ctx context.Context, cfg Config, opts Options) (*Bot, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := newBot(cfg, opts)
	var err error
	b.engine, err = policies.New(ctx, policies.Options{
		PolicyPath: cfg.Policy,
		DataPaths:  cfg.Data,
		Timeout:    cfg.PolicyTimeout,
		Logger:     b.log,
	})
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	if err := b.connect(); err != nil {
		return nil, err
	}
	stdout := opts.Stdout
	if stdout == nil {
		stdout = os.Stdout
	}
	b.results, err = openResultLog(cfg.AuditLog, stdout)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// newBot fills in the defaults of opts.
func newBot(cfg Config, opts Options) *Bot {
	b := &Bot{cfg: cfg, aws: opts.AWS, log: opts.Logger,
		metrics: opts.Metrics, now: opts.Now, limits: opts.Limits}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.metrics == nil {
		b.metrics = NewMetrics()
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.limits == (detect.Limits{}) {
		b.limits = detect.DefaultLimits()
	}
	if cfg.DedupWindow > 0 {
		b.dedup = newDedup(cfg.DedupWindow, dedupMax, b.now)
	}
	return b
}

// connect builds the remediator, the Organizations clients and the
// notifier.
func (b *Bot) connect() error {
	b.rem = remediate.New(b.aws, remediate.Options{
		RoleName:   b.cfg.RoleName,
		ExternalID: b.cfg.ExternalID,
		DryRun:     b.cfg.DryRun,
		Logger:     b.log,
	})
	b.orgAWS = b.managementConfig()
	if b.aws.Credentials != nil {
		b.accounts = newAccounts(organizations.NewFromConfig(b.orgAWS),
			b.now, b.log)
	}
	if b.cfg.AttachSCP {
		s, err := newSCP(b.orgAWS, b.cfg, b.engine.ExemptPrincipals(), b.log)
		if err != nil {
			return err
		}
		b.scp = s
	}
	if b.cfg.SNSTopicARN != "" {
		n, err := newNotifier(b.aws, b.cfg.SNSTopicARN, b.cfg.DryRun)
		if err != nil {
			return fmt.Errorf("config: sns_topic_arn: %w", err)
		}
		b.notifier = n
	}
	return nil
}

// managementConfig is the base configuration with the credentials of the
// management role, when one is configured.
func (b *Bot) managementConfig() aws.Config {
	cfg := b.aws.Copy()
	if b.cfg.ManagementRoleARN == "" {
		return cfg
	}
	p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(b.aws),
		b.cfg.ManagementRoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = remediate.DefaultSessionName
			if b.cfg.ExternalID != "" {
				o.ExternalID = aws.String(b.cfg.ExternalID)
			}
		})
	cfg.Credentials = aws.NewCredentialsCache(p)
	return cfg
}

// Close closes the audit log.
func (b *Bot) Close() error { return b.results.close() }

// Metrics returns the bot's metrics.
func (b *Bot) Metrics() *Metrics { return b.metrics }
