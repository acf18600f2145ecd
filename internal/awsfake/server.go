package awsfake

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The management account's static credentials. They are AWS's documented
// example keys, so they can never be mistaken for a real secret.
const (
	ManagementAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	ManagementSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// DefaultRegion is the region of the aws.Config that Config returns.
const DefaultRegion = "us-east-1"

// MaxAttempts is the retryer's attempt limit in the aws.Config that Config
// returns: a fault injected fewer times than this is absorbed by retries.
const MaxAttempts = 3

// maxIdleConns bounds the idle connections Config's client keeps to the
// server; enough for a sweep's workers, few enough for any fd limit.
const maxIdleConns = 64

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	hs      *httptest.Server
	ln      net.Listener
	client  *awshttp.BuildableClient // shared by every Config
	now     func() time.Time
	latency time.Duration
	log     *callLog

	mu      sync.Mutex
	org     *org
	regions []Region
	ec2     map[accountRegion]*serialState
	idents  map[string]identity // access key id -> caller
	extIDs  map[string]string   // role name -> required external id
	denied  map[string]bool     // accounts that refuse AssumeRole
	nextKey int
	nextReq int
	calls   []Call
	faults  []*faultState
	rng     *rand.Rand
	sqs     *sqsState
	s3      map[string]*bucket
	sns     []Notification
	topics  []string
	trail   map[accountRegion][]trailEvent
}

// Option configures a Server at New.
type Option func(*Server)

// WithOrganization seeds the organization; the default is Org(4, 1).
func WithOrganization(o Organization) Option {
	return func(s *Server) { s.org = newOrg(o) }
}

// WithRegions sets the regions DescribeRegions lists and EC2 accepts; the
// default is DefaultRegions.
func WithRegions(rs ...Region) Option {
	return func(s *Server) { s.regions = append([]Region(nil), rs...) }
}

// WithClock replaces time.Now, for credential expiry, SQS visibility
// timeouts and CloudTrail event times. Tests advance it to expire
// visibility timeouts without waiting.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithLatency delays every response by d, honouring the request context.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// WithSeed seeds the random source of probabilistic faults; the default
// seed is 1, so a run is repeatable.
func WithSeed(seed uint64) Option {
	return func(s *Server) { s.rng = rand.New(rand.NewPCG(seed, seed)) }
}

// WithListener serves on l instead of a fresh loopback port, as the
// awsfake command does to serve on a fixed address.
func WithListener(l net.Listener) Option {
	return func(s *Server) { s.ln = l }
}

// New starts a fake on a loopback port. Call Close when done, or use Start.
func New(opts ...Option) *Server {
	s := &Server{
		now:     time.Now,
		regions: DefaultRegions(),
		ec2:     map[accountRegion]*serialState{},
		idents:  map[string]identity{},
		extIDs:  map[string]string{},
		denied:  map[string]bool{},
		rng:     rand.New(rand.NewPCG(1, 1)),
		s3:      map[string]*bucket{},
		trail:   map[accountRegion][]trailEvent{},
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.org == nil {
		s.org = newOrg(Org(4, 1))
	}
	s.sqs = newSQSState()
	s.idents[ManagementAccessKeyID] = s.managementIdentity()
	s.log = openCallLog()
	s.hs = httptest.NewUnstartedServer(s)
	if s.ln != nil {
		s.hs.Listener.Close()
		s.hs.Listener = s.ln
	}
	s.hs.Start()
	s.client = awshttp.NewBuildableClient().WithTransportOptions(
		func(t *http.Transport) { t.MaxIdleConnsPerHost = maxIdleConns })
	return s
}

// Start is New with Close registered as a cleanup of t.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := New(opts...)
	t.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.hs.URL }

// Close shuts the server down, waiting for requests in flight (long polls
// end early), and closes the call log.
func (s *Server) Close() {
	s.sqs.shutdown()
	s.hs.Close()
	s.log.close()
}

// Config returns an aws.Config for real SDK clients: region us-east-1,
// BaseEndpoint at the server, the management account's static credentials
// and a fast standard retryer (MaxAttempts attempts, about 1ms backoff, no
// retry quota). Every config shares one HTTP client, so a thousand
// per-account clients share one connection pool. It reads no environment
// variable or shared file; ctx is taken for symmetry with
// config.LoadDefaultConfig.
func (s *Server) Config(ctx context.Context) aws.Config {
	_ = ctx
	return aws.Config{
		Region:       DefaultRegion,
		BaseEndpoint: aws.String(s.URL()),
		Credentials: aws.NewCredentialsCache(
			credentials.NewStaticCredentialsProvider(
				ManagementAccessKeyID, ManagementSecretAccessKey, "")),
		Retryer:          FastRetryer,
		RetryMaxAttempts: MaxAttempts,
		HTTPClient:       s.client,
	}
}

// FastRetryer is the SDK's standard retryer with MaxAttempts attempts, a
// backoff of about a millisecond and no client-side retry quota.
func FastRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = MaxAttempts
		o.Backoff = retry.BackoffDelayerFunc(
			func(int, error) (time.Duration, error) {
				return time.Millisecond, nil
			})
		o.RateLimiter = ratelimit.None
	})
}

// ServeHTTP answers one AWS API request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.serve(w, s.parse(r))
}

// sleep waits for d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
