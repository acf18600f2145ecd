package remediate

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Defaults for the zero values of Options.
const (
	// DefaultCallTimeout bounds one API call, its retries included.
	DefaultCallTimeout = 30 * time.Second
	// DefaultMaxAttempts is how often one API call is tried before it
	// fails; throttling and 5xx responses are retried with backoff.
	DefaultMaxAttempts = 5
	// DefaultSessionName names the assumed-role sessions in CloudTrail.
	DefaultSessionName = "serialguard"
)

// Options configure a Remediator. The zero value works in the account of
// the base credentials with the defaults above.
type Options struct {
	// RoleName is the role assumed in each target account. Empty means
	// same-account mode: the base credentials act directly, and only in
	// the account they belong to.
	RoleName string
	// ExternalID is passed to AssumeRole; the role's trust policy should
	// require it.
	ExternalID string
	// SessionName is the role session name; DefaultSessionName if empty.
	SessionName string
	// Partition of the role ARNs, such as "aws-us-gov". Empty derives it
	// from each target region.
	Partition string
	// DryRun makes the read-only calls and plans the mutating ones.
	DryRun bool
	// Logger receives one record per step; slog.Default() if nil.
	Logger *slog.Logger
	// CallTimeout bounds one API call with its retries.
	CallTimeout time.Duration
	// MaxAttempts is the SDK retryer's attempt budget per call.
	MaxAttempts int
}

// Remediator disables serial console access across accounts and regions.
// It is safe for concurrent use. It keeps, per account it has entered,
// the account's credentials and one EC2 client, which every call points
// at its region: a few kilobytes per account, however many regions.
type Remediator struct {
	cfg  aws.Config // with the retry budget of Options
	opts Options
	log  *slog.Logger
	sts  *sts.Client // of the base credentials, in cfg's region

	mu       sync.Mutex
	accounts map[string]*accountClients
	caller   string // account of the base credentials, once known
}

// accountClients are the cached means to act in one account.
type accountClients struct {
	creds aws.CredentialsProvider
	ec2   *ec2.Client // its region is set per call, see ec2Target
}

// ec2Target is an account's EC2 client and the region its calls go to.
type ec2Target struct {
	client *ec2.Client
	region string
}

// in is the per-call option that sends a call to t's region.
func (t ec2Target) in(o *ec2.Options) { o.Region = t.region }

// New returns a Remediator that calls AWS with cfg: its credentials,
// retryer, HTTP client and endpoint (BaseEndpoint points it at a test
// server).
func New(cfg aws.Config, opts Options) *Remediator {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.SessionName == "" {
		opts.SessionName = DefaultSessionName
	}
	cfg.RetryMaxAttempts = opts.MaxAttempts
	return &Remediator{
		cfg:      cfg,
		opts:     opts,
		log:      opts.Logger,
		sts:      sts.NewFromConfig(cfg),
		accounts: map[string]*accountClients{},
	}
}

// clients returns the cached clients of account, creating them on first
// use: the assumed role's credentials, or in same-account mode the base
// credentials. region picks the partition and STS endpoint of the role.
func (r *Remediator) clients(account, region string) *accountClients {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a, ok := r.accounts[account]; ok {
		return a
	}
	cfg := r.cfg
	if r.opts.RoleName != "" {
		cfg.Credentials = r.assumeRole(account, region)
	}
	a := &accountClients{creds: cfg.Credentials, ec2: ec2.NewFromConfig(cfg)}
	r.accounts[account] = a
	return a
}

// stsClient returns an STS client for the base credentials. It uses the
// configured region, else the target's, so that STS is reached in the
// target's partition.
func (r *Remediator) stsClient(region string) *sts.Client {
	if r.cfg.Region != "" {
		return r.sts
	}
	return sts.NewFromConfig(r.cfg, func(o *sts.Options) {
		o.Region = region
	})
}

// callContext bounds one API call, retries included.
func (r *Remediator) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.opts.CallTimeout)
}
