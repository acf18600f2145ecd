package bot

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSClient is the part of the SQS client the consumer uses.
type SQSClient interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput,
		optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput,
		optFns ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
}

// NewSQSClient returns an SQS client for the queue at queueURL, in the
// region its host names (sqs.REGION.amazonaws.com), else cfg's.
func NewSQSClient(cfg aws.Config, queueURL string) *sqs.Client {
	return sqs.NewFromConfig(cfg, func(o *sqs.Options) {
		if r := queueRegion(queueURL); r != "" {
			o.Region = r
		}
	})
}

// queueRegion is the region in a queue URL's host, or "".
func queueRegion(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	labels := strings.Split(u.Hostname(), ".")
	switch {
	case len(labels) >= 4 && labels[0] == "sqs":
		return labels[1] // sqs.us-east-1.amazonaws.com
	case len(labels) >= 4 && labels[1] == "queue":
		return labels[0] // us-east-1.queue.amazonaws.com
	}
	return ""
}

// maxReceive is SQS's limit on the messages one ReceiveMessage returns.
const maxReceive = 10

// Consume receives messages from the SQS queue at queueURL until ctx
// ends, with long polling and up to Config.Concurrency messages handled
// at once. A message is deleted only after every event in it was
// handled. A message that fails, malformed or not, is left in the queue:
// SQS delivers it again after its visibility timeout, and the queue's
// redrive policy moves it to a dead-letter queue in the end.
//
// When ctx ends, Consume stops receiving, finishes the messages it holds
// and returns nil; each message is bounded by the visibility timeout.
// It returns an error when the first receive fails, which is how a wrong
// queue URL or missing permission shows.
func (b *Bot) Consume(ctx context.Context, client SQSClient, queueURL string,
	sink Sink) error {
	sink = &lockedSink{sink: sink}
	msgs := make(chan types.Message)
	work := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range b.cfg.Concurrency {
		wg.Go(func() {
			for m := range msgs {
				b.consumeOne(work, client, queueURL, m, sink)
			}
		})
	}
	err := b.receive(ctx, client, queueURL, msgs)
	close(msgs)
	wg.Wait()
	return err
}

// receive long-polls the queue and passes each message on until ctx ends.
// After the first success, receive errors are logged and retried with a
// growing pause.
func (b *Bot) receive(ctx context.Context, client SQSClient, queueURL string,
	msgs chan<- types.Message) error {
	in := &sqs.ReceiveMessageInput{
		QueueUrl:            aws.String(queueURL),
		MaxNumberOfMessages: int32(min(maxReceive, b.cfg.Concurrency)),
		WaitTimeSeconds:     int32(b.cfg.SQSWaitTime / time.Second),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{
			types.MessageSystemAttributeNameApproximateReceiveCount,
		},
	}
	if v := b.cfg.SQSVisibilityTimeout; v > 0 {
		in.VisibilityTimeout = int32(v / time.Second)
	}
	for failures, first := 0, true; ctx.Err() == nil; first = false {
		out, err := client.ReceiveMessage(ctx, in)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && first:
			return fmt.Errorf("receive from %s: %w", queueURL, err)
		case err != nil:
			failures++
			b.log.ErrorContext(ctx, "receive from queue", "queue", queueURL,
				"error", err, "failures", failures)
			pause(ctx, failures)
			continue
		}
		failures = 0
		for _, m := range out.Messages {
			msgs <- m
		}
	}
	return nil
}

// pause waits before the next receive after failures in a row: 1s, 2s,
// 4s, up to 30s, or until ctx ends.
func pause(ctx context.Context, failures int) {
	d := min(time.Second<<min(failures-1, 5), 30*time.Second)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// consumeOne handles one message and deletes it when that succeeded.
func (b *Bot) consumeOne(ctx context.Context, client SQSClient, queueURL string,
	m types.Message, sink Sink) {
	b.metrics.received.Inc()
	id := aws.ToString(m.MessageId)
	hctx, cancel := context.WithTimeout(ctx, b.handleTimeout())
	err := b.handleMessage(hctx, "sqs message "+id, aws.ToString(m.Body), sink)
	cancel()
	if err == nil {
		_, err = client.DeleteMessage(ctx, &sqs.DeleteMessageInput{
			QueueUrl:      aws.String(queueURL),
			ReceiptHandle: m.ReceiptHandle,
		})
		if err == nil {
			b.metrics.deleted.Inc()
			return
		}
		err = fmt.Errorf("delete sqs message %s: %w", id, err)
		sink.Error(err)
	}
	b.metrics.failed.Inc()
	b.log.WarnContext(ctx, "message left for redelivery", "message_id", id,
		"receive_count", m.Attributes[string(
			types.MessageSystemAttributeNameApproximateReceiveCount)],
		"error", err)
}

// handleTimeout bounds the handling of one message: past the visibility
// timeout the message is visible again and another consumer takes it.
func (b *Bot) handleTimeout() time.Duration {
	if v := b.cfg.SQSVisibilityTimeout; v > 0 {
		return v
	}
	return 5 * time.Minute
}
