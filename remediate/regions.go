package remediate

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// optedIn are the opt-in statuses of regions an account can use.
var optedIn = []string{"opt-in-not-required", "opted-in"}

// Regions lists the regions enabled in account, sorted: those that need
// no opt-in and those the account opted in to. It calls DescribeRegions
// in the base configuration's region.
func (r *Remediator) Regions(ctx context.Context, account string) ([]string, error) {
	region := r.cfg.Region
	if region == "" {
		return nil, &TargetError{actionRegions, account, region,
			errors.New("no region configured to call DescribeRegions in")}
	}
	c, err := r.connect(ctx, account, region)
	if err != nil {
		return nil, &TargetError{actionRegions, account, region, err}
	}
	ctx, cancel := r.callContext(ctx)
	defer cancel()
	out, err := c.client.DescribeRegions(ctx, &ec2.DescribeRegionsInput{
		Filters: []types.Filter{{
			Name:   aws.String("opt-in-status"),
			Values: optedIn,
		}},
	}, c.in)
	if err != nil {
		return nil, &TargetError{actionRegions, account, region, err}
	}
	return enabledRegions(out.Regions), nil
}

// enabledRegions keeps the opted-in regions' names, sorted. It filters
// again so that an endpoint ignoring the filter cannot widen the list.
func enabledRegions(rs []types.Region) []string {
	names := make([]string, 0, len(rs))
	for _, rg := range rs {
		if slices.Contains(optedIn, aws.ToString(rg.OptInStatus)) {
			names = append(names, aws.ToString(rg.RegionName))
		}
	}
	slices.Sort(names)
	return names
}
