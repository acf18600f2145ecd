package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// SweepPayload is the event that asks the Lambda function for the
// organization-wide sweep, as the scheduled rule sends it.
const SweepPayload = `{"serialguard":"sweep"}`

// lambdaPeek reads just enough of a payload to route it.
type lambdaPeek struct {
	Serialguard string `json:"serialguard"`
	Records     []struct {
		EventSource string `json:"eventSource"`
	} `json:"Records"`
}

// Lambda is the handler of the Lambda function, for lambda.Start. It
// routes on the payload:
//
//   - {"serialguard":"sweep"}: the organization-wide sweep;
//   - an SQS batch (events.SQSEvent): each message like one Consume
//     receives, answered with events.SQSEventResponse naming the messages
//     that failed, so that only those are delivered again;
//   - anything else, such as an EventBridge event: the events in it. An
//     error makes Lambda retry the invocation.
//
// Results go to the audit log; the response is a summary.
func (b *Bot) Lambda(ctx context.Context, payload json.RawMessage) (any, error) {
	var peek lambdaPeek
	if err := json.Unmarshal(payload, &peek); err != nil {
		return nil, fmt.Errorf("lambda payload: %w", err)
	}
	switch {
	case peek.Serialguard == "sweep":
		return b.lambdaSweep(ctx)
	case peek.Serialguard != "":
		return nil, fmt.Errorf("lambda payload: unknown request %q",
			peek.Serialguard)
	case len(peek.Records) > 0 && peek.Records[0].EventSource == "aws:sqs":
		var ev events.SQSEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("lambda payload: sqs event: %w", err)
		}
		return b.lambdaSQS(ctx, ev), nil
	}
	sink := &summarySink{log: b.log}
	err := b.handleMessage(ctx, "lambda request "+requestID(ctx),
		string(payload), sink)
	return sink.summary, err
}

// lambdaSQS handles a batch, up to Config.Concurrency messages at once.
func (b *Bot) lambdaSQS(ctx context.Context, ev events.SQSEvent) events.SQSEventResponse {
	sink := &lockedSink{sink: &summarySink{log: b.log}}
	var (
		mu     sync.Mutex
		failed []events.SQSBatchItemFailure
		wg     sync.WaitGroup
		slots  = make(chan struct{}, b.cfg.Concurrency)
	)
	for _, m := range ev.Records {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			err := b.handleMessage(ctx, "sqs message "+m.MessageId, m.Body,
				sink)
			if err != nil {
				mu.Lock()
				failed = append(failed,
					events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return events.SQSEventResponse{BatchItemFailures: failed}
}

// lambdaSweep runs the scheduled sweep and acts on its decisions; the
// response is the sweep's summary. An incomplete sweep, with pairs
// unchecked or steps failed, is an error so that the invocation counts
// as failed; the next scheduled sweep repeats it.
func (b *Bot) lambdaSweep(ctx context.Context) (SweepSummary, error) {
	rep, err := b.Sweep(ctx, SweepOptions{Remediate: true})
	if err == nil && rep.Incomplete() {
		err = fmt.Errorf("sweep: %d of %d pairs unchecked, %d failed",
			rep.Summary.Unchecked, rep.Summary.Pairs, rep.Summary.Failed)
	}
	return rep.Summary, err
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return "(no request id)"
}

// Summary is the response of a Lambda invocation that handled events.
type Summary struct {
	Findings    int `json:"findings"`
	NeedsAction int `json:"needs_action"`
	Errors      int `json:"errors"`
}

// summarySink counts results and logs errors; the results themselves are
// in the audit log.
type summarySink struct {
	log     *slog.Logger
	summary Summary
}

func (s *summarySink) Result(r Result) {
	s.summary.Findings++
	if r.NeedsAction() {
		s.summary.NeedsAction++
	}
}

func (s *summarySink) Error(err error) {
	s.summary.Errors++
	s.log.Warn("event not handled", "error", err)
}
