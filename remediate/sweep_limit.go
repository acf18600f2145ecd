package remediate

import (
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"golang.org/x/time/rate"
)

// LimitRate returns a copy of cfg whose clients wait their turn on lim
// before every HTTP attempt. Every client built from the copy, in every
// goroutine, shares lim, and retries count as attempts, so a sweep stays
// under one request rate however many workers it runs and however often
// AWS throttles it.
func LimitRate(cfg aws.Config, lim *rate.Limiter) aws.Config {
	next := cfg.HTTPClient
	if next == nil {
		next = awshttp.NewBuildableClient()
	}
	cfg.HTTPClient = limitedClient{next: next, lim: lim}
	return cfg
}

// limitedClient is an aws.HTTPClient that waits on a rate limiter.
type limitedClient struct {
	next aws.HTTPClient
	lim  *rate.Limiter
}

func (c limitedClient) Do(req *http.Request) (*http.Response, error) {
	if err := c.lim.Wait(req.Context()); err != nil {
		return nil, fmt.Errorf("wait for rate limit: %w", err)
	}
	return c.next.Do(req)
}
