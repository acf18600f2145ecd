package awsfake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// sqsFixture is a queue with a dead-letter queue after 2 receives, on a
// manual clock.
type sqsFixture struct {
	srv      *awsfake.Server
	clock    *awsfake.Clock
	client   *sqs.Client
	url, dlq string
}

func newSQSFixture(t *testing.T) *sqsFixture {
	t.Helper()
	clock := awsfake.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := awsfake.Start(t, awsfake.WithClock(clock.Now))
	client := sqs.NewFromConfig(srv.Config(t.Context()))
	ctx := t.Context()
	dlq, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String("events-dlq")})
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       dlq.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{"QueueArn"},
	})
	if err != nil {
		t.Fatal(err)
	}
	main, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName: aws.String("events"),
		Attributes: map[string]string{
			"VisibilityTimeout": "60",
			"RedrivePolicy": `{"deadLetterTargetArn":"` +
				attrs.Attributes["QueueArn"] + `","maxReceiveCount":"2"}`,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &sqsFixture{srv: srv, clock: clock, client: client,
		url: aws.ToString(main.QueueUrl), dlq: aws.ToString(dlq.QueueUrl)}
}

func (f *sqsFixture) receive(t *testing.T) []sqstypes.Message {
	t.Helper()
	out, err := f.client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
		QueueUrl: &f.url, MaxNumberOfMessages: 10,
		MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{
			sqstypes.MessageSystemAttributeNameApproximateReceiveCount},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

func TestSQSVisibilityAndRedrive(t *testing.T) {
	f := newSQSFixture(t)
	ctx := t.Context()
	if _, err := f.client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl: &f.url, MessageBody: aws.String(`{"detail":"héllo"}`),
	}); err != nil {
		t.Fatal(err) // the SDK checks MD5OfMessageBody
	}

	for receive := 1; receive <= 2; receive++ {
		msgs := f.receive(t)
		if len(msgs) != 1 {
			t.Fatalf("receive %d: %d messages, want 1", receive, len(msgs))
		}
		got := msgs[0].Attributes["ApproximateReceiveCount"]
		if want := string(rune('0' + receive)); got != want {
			t.Errorf("receive %d: ApproximateReceiveCount %s, want %s",
				receive, got, want)
		}
		if again := f.receive(t); len(again) != 0 {
			t.Errorf("receive %d: message visible while in flight", receive)
		}
		f.clock.Advance(61 * time.Second)
	}
	if msgs := f.receive(t); len(msgs) != 0 {
		t.Errorf("third receive got %d messages, want redrive", len(msgs))
	}
	dlq := f.srv.QueueMessages(f.dlq)
	if len(dlq) != 1 || dlq[0].Body != `{"detail":"héllo"}` {
		t.Errorf("dead-letter queue = %+v, want the message", dlq)
	}
	if n := len(f.srv.QueueMessages(f.url)); n != 0 {
		t.Errorf("main queue holds %d messages, want 0", n)
	}
}

func TestSQSBatchesAndDelete(t *testing.T) {
	f := newSQSFixture(t)
	ctx := t.Context()
	var entries []sqstypes.SendMessageBatchRequestEntry
	for _, id := range []string{"a", "b", "c"} {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{
			Id: aws.String(id), MessageBody: aws.String("body-" + id),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{
				"source": {DataType: aws.String("String"),
					StringValue: aws.String("test-" + id)},
			}})
	}
	sent, err := f.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{
		QueueUrl: &f.url, Entries: entries})
	if err != nil || len(sent.Successful) != 3 {
		t.Fatalf("SendMessageBatch = %v, %v; want 3 sent", sent, err)
	}
	msgs := f.receive(t)
	if len(msgs) != 3 {
		t.Fatalf("received %d, want 3", len(msgs))
	}
	attr := msgs[1].MessageAttributes["source"]
	if got := aws.ToString(attr.StringValue); got != "test-b" {
		t.Errorf("message attribute source = %q, want test-b", got)
	}
	if _, err := f.client.DeleteMessage(ctx, &sqs.DeleteMessageInput{
		QueueUrl: &f.url, ReceiptHandle: msgs[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	del, err := f.client.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{
		QueueUrl: &f.url,
		Entries: []sqstypes.DeleteMessageBatchRequestEntry{
			{Id: aws.String("1"), ReceiptHandle: msgs[1].ReceiptHandle},
			{Id: aws.String("2"), ReceiptHandle: aws.String("garbage")},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(del.Successful) != 1 || len(del.Failed) != 1 ||
		aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Errorf("DeleteMessageBatch = %+v, want 1 ok and 1 invalid", del)
	}
	left := f.srv.QueueMessages(f.url)
	if len(left) != 1 || left[0].Body != aws.ToString(msgs[2].Body) {
		t.Errorf("left = %+v, want only %q", left, aws.ToString(msgs[2].Body))
	}
}

func TestSQSChangeVisibility(t *testing.T) {
	f := newSQSFixture(t)
	ctx := t.Context()
	if _, err := f.srv.SendMessage(f.url, "retry me"); err != nil {
		t.Fatal(err)
	}
	msgs := f.receive(t)
	if len(msgs) != 1 {
		t.Fatalf("received %d, want 1", len(msgs))
	}
	if _, err := f.client.ChangeMessageVisibility(ctx,
		&sqs.ChangeMessageVisibilityInput{QueueUrl: &f.url,
			ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0},
	); err != nil {
		t.Fatal(err)
	}
	if again := f.receive(t); len(again) != 1 {
		t.Errorf("after visibility 0: %d messages, want 1", len(again))
	}
	attrs, err := f.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       &f.url,
		AttributeNames: []sqstypes.QueueAttributeName{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"visible": "0", "in flight": "1"}
	got := map[string]string{
		"visible":   attrs.Attributes["ApproximateNumberOfMessages"],
		"in flight": attrs.Attributes["ApproximateNumberOfMessagesNotVisible"],
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queue counts (-want +got):\n%s", diff)
	}
}

func TestSQSErrors(t *testing.T) {
	f := newSQSFixture(t)
	ctx := t.Context()
	_, err := f.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{
		QueueName: aws.String("missing")})
	var missing *sqstypes.QueueDoesNotExist
	if !errors.As(err, &missing) {
		t.Errorf("missing queue: err %v, want QueueDoesNotExist", err)
	}
	if code := apiCode(err); code != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Errorf("missing queue: ErrorCode %q, want SQS's query code", code)
	}
	_, err = f.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{
		QueueUrl: &f.url, Entries: []sqstypes.SendMessageBatchRequestEntry{
			{Id: aws.String("x"), MessageBody: aws.String("1")},
			{Id: aws.String("x"), MessageBody: aws.String("2")},
		}})
	var dup *sqstypes.BatchEntryIdsNotDistinct
	if !errors.As(err, &dup) {
		t.Errorf("duplicate ids: err %v, want BatchEntryIdsNotDistinct", err)
	}
	got, err := f.client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{
		QueueName: aws.String("events")})
	if err != nil || aws.ToString(got.QueueUrl) != f.url {
		t.Errorf("GetQueueUrl = %v, %v; want %s", got, err, f.url)
	}
}

func TestSQSLongPollWakesOnSend(t *testing.T) {
	f := newSQSFixture(t)
	type result struct {
		msgs []sqstypes.Message
		err  error
	}
	done := make(chan result, 1)
	go func() {
		out, err := f.client.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl: &f.url, WaitTimeSeconds: 20})
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{msgs: out.Messages}
	}()
	if _, err := f.srv.SendMessage(f.url, "late"); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || len(r.msgs) != 1 || aws.ToString(r.msgs[0].Body) != "late" {
		t.Errorf("long poll = %+v, want the late message", r)
	}
}

// frontOf puts a server in front of srv that signals once it has read a
// request, so a test can act while the fake handles it.
func frontOf(t *testing.T, srv *awsfake.Server) (*httptest.Server,
	<-chan struct{}) {
	t.Helper()
	started := make(chan struct{}, 16)
	front := httptest.NewServer(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Errorf("read request: %v", err)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			started <- struct{}{}
			srv.ServeHTTP(w, r)
		}))
	t.Cleanup(front.Close)
	return front, started
}

func TestSQSLongPollEndsWithContext(t *testing.T) {
	f := newSQSFixture(t)
	front, started := frontOf(t, f.srv)
	client := sqs.NewFromConfig(f.srv.Config(t.Context()), func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(front.URL)
	})
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &f.url, WaitTimeSeconds: 20})
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	front.Close() // hangs for 20s unless the long poll ended
	calls := f.srv.CallsTo("ReceiveMessage")
	if len(calls) != 1 || calls[0].ErrorCode != "RequestCanceled" {
		t.Errorf("calls = %+v, want one with ErrorCode RequestCanceled", calls)
	}
}
