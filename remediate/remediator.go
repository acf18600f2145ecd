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
// It is safe for concurrent use: credentials are cached per account and
// EC2 clients per account and region.
type Remediator struct {
	cfg  aws.Config
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	creds   map[string]aws.CredentialsProvider
	clients map[target]*ec2.Client
	caller  string // account of the base credentials, once known
}

// target is one account and region.
type target struct{ account, region string }

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
	return &Remediator{
		cfg:     cfg,
		opts:    opts,
		log:     opts.Logger,
		creds:   map[string]aws.CredentialsProvider{},
		clients: map[target]*ec2.Client{},
	}
}

// ec2Client returns the cached EC2 client for t, signing with creds.
func (r *Remediator) ec2Client(t target, creds aws.CredentialsProvider) *ec2.Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.clients[t]; ok {
		return c
	}
	c := ec2.NewFromConfig(r.cfg, func(o *ec2.Options) {
		o.Region = t.region
		o.Credentials = creds
		o.RetryMaxAttempts = r.opts.MaxAttempts
	})
	r.clients[t] = c
	return c
}

// stsClient returns an STS client for the base credentials. It uses the
// configured region, else the target's, so that STS is reached in the
// target's partition.
func (r *Remediator) stsClient(region string) *sts.Client {
	return sts.NewFromConfig(r.cfg, func(o *sts.Options) {
		if o.Region == "" {
			o.Region = region
		}
		o.RetryMaxAttempts = r.opts.MaxAttempts
	})
}

// callContext bounds one API call, retries included.
func (r *Remediator) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.opts.CallTimeout)
}
