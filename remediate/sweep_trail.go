package remediate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/serialguard/serialguard/detect"
)

// trailLookback is how far back CloudTrail's event history reaches.
const trailLookback = 90 * 24 * time.Hour

// trailPage bounds the events read per pair: one page, newest first.
const trailPage = 50

// Enablement is who last enabled serial console access, as CloudTrail's
// event history tells it.
type Enablement struct {
	// PrincipalARN is the role ARN behind an assumed-role session,
	// otherwise the caller's ARN, as approvals match it.
	PrincipalARN string
	Time         time.Time
}

// lastEnablement asks CloudTrail in account and region, through the
// account's credentials, for the last successful enablement.
func (r *Remediator) lastEnablement(ctx context.Context, account,
	region string, now time.Time) (Enablement, bool, error) {
	a, err := r.enter(ctx, account, region)
	if err != nil {
		return Enablement{}, false, err
	}
	cfg := r.cfg
	cfg.Region, cfg.Credentials = region, a.creds
	ctx, cancel := r.callContext(ctx)
	defer cancel()
	return lookupEnablement(ctx, cloudtrail.NewFromConfig(cfg), now)
}

// lookupEnablement returns the newest successful
// EnableSerialConsoleAccess in the 90 days before now, and false when
// there is none. It reads one page of events, to bound the calls a sweep
// makes per enabled pair.
func lookupEnablement(ctx context.Context, c *cloudtrail.Client,
	now time.Time) (Enablement, bool, error) {
	out, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []types.LookupAttribute{{
			AttributeKey:   types.LookupAttributeKeyEventName,
			AttributeValue: aws.String("EnableSerialConsoleAccess"),
		}},
		StartTime:  aws.Time(now.Add(-trailLookback)),
		EndTime:    aws.Time(now),
		MaxResults: aws.Int32(trailPage),
	})
	if err != nil {
		return Enablement{}, false, fmt.Errorf("lookup events: %w", err)
	}
	var errs []error
	for _, ev := range out.Events {
		en, ok, err := enablement(ev)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			return en, true, nil
		}
	}
	return Enablement{}, false, errors.Join(errs...)
}

// enablement reads one event of the history through the detection
// rules; it is false for a call that failed.
func enablement(ev types.Event) (Enablement, bool, error) {
	id := aws.ToString(ev.EventId)
	var rec detect.Record
	err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec)
	if err != nil {
		return Enablement{}, false, fmt.Errorf("decode event %s: %w", id, err)
	}
	f, ok := detect.Detect(detect.Event{Record: &rec,
		Source: "cloudtrail event " + id})
	if !ok || f.Kind != detect.KindEnablement {
		return Enablement{}, false, nil
	}
	return Enablement{PrincipalARN: f.Actor.PrincipalARN, Time: f.Time}, true, nil
}
