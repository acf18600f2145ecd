package scp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Names of the policies serialguard manages, unless Options.Name says
// otherwise.
const (
	DefaultSCPName         = "serialguard-deny-serial-console-enable"
	DefaultDeclarativeName = "serialguard-serial-console-disabled"
)

// Defaults for the zero values of Options.
const (
	DefaultCallTimeout = 30 * time.Second
	// DefaultMaxAttempts is the retry budget of one call. Organizations
	// throttles hard and answers ConcurrentModificationException while
	// another change is in flight; both are retried with backoff.
	DefaultMaxAttempts = 5
)

// organizationsRegion signs Organizations calls when the configuration
// names no region: the commercial partition's endpoint is in us-east-1.
const organizationsRegion = "us-east-1"

// Options configure an Enforcer.
type Options struct {
	// Type is the policy type: types.PolicyTypeServiceControlPolicy (the
	// default) or types.PolicyTypeDeclarativePolicyEc2.
	Type types.PolicyType
	// Content is the rendered document (Render or RenderDeclarative).
	Content []byte
	// Name finds the policy, and names it when created; the type's
	// default name if empty.
	Name string
	// Description is set when the policy is created.
	Description string
	// DryRun makes the read-only calls and plans the mutating ones.
	DryRun bool
	// Logger receives one record per step; slog.Default() if nil.
	Logger *slog.Logger
	// CallTimeout bounds one API call with its retries.
	CallTimeout time.Duration
	// MaxAttempts is the SDK retryer's attempt budget per call.
	MaxAttempts int
}

// Enforcer keeps one policy present, current and attached. It calls
// Organizations with the credentials it is given, which must be the
// management account's or a delegated administrator's.
type Enforcer struct {
	cfg    aws.Config
	client *organizations.Client
	opts   Options
	log    *slog.Logger
}

// NewEnforcer returns an Enforcer that calls Organizations with cfg.
func NewEnforcer(cfg aws.Config, opts Options) *Enforcer {
	opts = withDefaults(opts)
	client := organizations.NewFromConfig(cfg, func(o *organizations.Options) {
		if o.Region == "" {
			o.Region = organizationsRegion
		}
		o.Retryer = retry.AddWithErrorCodes(o.Retryer,
			(&types.ConcurrentModificationException{}).ErrorCode())
		o.RetryMaxAttempts = opts.MaxAttempts
	})
	return &Enforcer{cfg: cfg, client: client, opts: opts, log: opts.Logger}
}

func withDefaults(o Options) Options {
	if o.Type == "" {
		o.Type = types.PolicyTypeServiceControlPolicy
	}
	if o.Name == "" {
		o.Name = DefaultSCPName
		if o.Type == types.PolicyTypeDeclarativePolicyEc2 {
			o.Name = DefaultDeclarativeName
		}
	}
	if o.Description == "" {
		o.Description = "Managed by serialguard: keeps EC2 serial " +
			"console access shut"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	return o
}

// ErrManagementAccount refuses an SCP for the management account, which
// SCPs never restrict.
var ErrManagementAccount = errors.New("SCPs do not apply to the " +
	"management account: attach the policy to member accounts, an OU or " +
	"the root, and restrict the management account's own principals " +
	"with IAM")

var (
	accountID = regexp.MustCompile(`^[0-9]{12}$`)
	ouID      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$`)
	rootID    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
)

// checkTarget accepts an account, OU or root id.
func checkTarget(target string) error {
	if accountID.MatchString(target) || ouID.MatchString(target) ||
		rootID.MatchString(target) {
		return nil
	}
	return fmt.Errorf("target %q is not an account id (12 digits), an OU "+
		"id (ou-...) or a root id (r-...)", target)
}

// checkContent checks the document before any call is made with it.
func (e *Enforcer) checkContent() error {
	if len(e.opts.Content) == 0 {
		return errors.New("no policy content to apply")
	}
	if _, err := Normalize(e.opts.Content); err != nil {
		return err
	}
	return checkSize(e.opts.Content, e.opts.Type)
}

// callContext bounds one API call, retries included.
func (e *Enforcer) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, e.opts.CallTimeout)
}
