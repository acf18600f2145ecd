package bot

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// pacedSQS is the real SQS client with one change for tests: a receive
// that finds no visible message, once every message received so far is
// handled, tells the test through idle and waits for resume. The test
// then advances the clock, which makes failed messages visible again, or
// ends the run; nothing waits on real time.
type pacedSQS struct {
	*sqs.Client
	quiet  func() bool
	idle   chan struct{}
	resume chan struct{}
}

func (p *pacedSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput,
	optFns ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	out, err := p.Client.ReceiveMessage(ctx, in, optFns...)
	if err != nil || len(out.Messages) > 0 || !p.quiet() {
		return out, err
	}
	select {
	case p.idle <- struct{}{}:
	case <-ctx.Done():
		return out, nil
	}
	select {
	case <-p.resume:
	case <-ctx.Done():
	}
	return out, nil
}

// queueTest is a queue with a dead-letter queue on a fake AWS server.
type queueTest struct {
	srv      *awsfake.Server
	clk      *awsfake.Clock
	url, dlq string
}

// maxReceives is the test queue's redrive limit.
const maxReceives = 4

func newQueueTest(t *testing.T) *queueTest {
	t.Helper()
	clk := newFakeClock()
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)),
		awsfake.WithClock(clk.Now))
	acct := srv.ManagementAccountID()
	dlq, err := srv.CreateQueue(acct, "us-east-1", "serialguard-dlq", nil)
	if err != nil {
		t.Fatal(err)
	}
	url, err := srv.CreateQueue(acct, "us-east-1", "serialguard", map[string]string{
		"VisibilityTimeout": "30",
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":`+
			`"arn:aws:sqs:us-east-1:%s:serialguard-dlq","maxReceiveCount":%d}`,
			acct, maxReceives),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &queueTest{srv: srv, clk: clk, url: url, dlq: dlq}
}

func (q *queueTest) send(t *testing.T, bodies []string) {
	t.Helper()
	for _, body := range bodies {
		if _, err := q.srv.SendMessage(q.url, body); err != nil {
			t.Fatal(err)
		}
	}
}

// consume runs b's consumer until the queue is empty, advancing the
// clock past the visibility timeout whenever the consumer is idle.
func (q *queueTest) consume(t *testing.T, b *Bot, sink Sink) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := b.metrics
	client := &pacedSQS{
		Client: NewSQSClient(q.srv.Config(ctx), q.url),
		quiet: func() bool {
			return count(m.received) ==
				count(m.deleted)+count(m.failed)
		},
		idle:   make(chan struct{}),
		resume: make(chan struct{}),
	}
	errc := make(chan error, 1)
	go func() { errc <- b.Consume(ctx, client, q.url, sink) }()
	for round := 0; ; round++ {
		select {
		case <-client.idle:
		case err := <-errc:
			t.Fatalf("Consume returned early: %v", err)
		}
		if len(q.srv.QueueMessages(q.url)) == 0 {
			break
		}
		if round == 3*maxReceives {
			t.Fatalf("queue not drained after %d rounds: %d messages left",
				round, len(q.srv.QueueMessages(q.url)))
		}
		q.clk.Advance(31 * time.Second)
		client.resume <- struct{}{}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Consume: %v", err)
	}
}

// workload builds the messages of the end-to-end test: n distinct
// events over the enabled targets, dup duplicates of them and bad
// malformed bodies, shuffled. It returns the bodies, the event ids and
// the malformed bodies.
func workload(t *testing.T, targets []string, n, dup, bad int) (
	bodies []string, ids []string, malformed []string) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var valid []string
	for i := range n {
		account, region, _ := strings.Cut(targets[i%len(targets)], "/")
		id := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		name := "eventbridge-enable.json"
		if i%10 == 9 {
			name = "eventbridge-console-use.json"
		}
		valid = append(valid, eventBridge(t, name, account, region, id))
		ids = append(ids, id)
	}
	bodies = append(bodies, valid...)
	for range dup {
		bodies = append(bodies, valid[rng.IntN(len(valid))])
	}
	for i := range bad {
		malformed = append(malformed, malformedBodies[i%len(malformedBodies)]+
			fmt.Sprintf(" %d", i))
	}
	bodies = append(bodies, malformed...)
	rng.Shuffle(len(bodies), func(i, j int) {
		bodies[i], bodies[j] = bodies[j], bodies[i]
	})
	return bodies, ids, malformed
}

// malformedBodies are message bodies no decoder accepts; a number is
// appended to each to make them distinct.
var malformedBodies = []string{
	`{"version":"0","detail-type":"AWS API Call via CloudTrail","detail":`,
	`not json at all`,
	`{"Records": [{"eventName": 7}]`,
	`<?xml version="1.0"?><Event/>`,
	`{"detail": "}"`,
}

// enabledTargets seeds serial console access enabled in accounts x
// regions and returns them as "ACCOUNT/REGION".
func enabledTargets(srv *awsfake.Server, nAccounts int, regions ...string) []string {
	var out []string
	for i := 1; i <= nAccounts; i++ {
		account := fmt.Sprintf("%012d", 100000000000+i)
		for _, r := range regions {
			srv.SetSerialConsole(account, r, true)
			out = append(out, account+"/"+r)
		}
	}
	return out
}

func TestConsumeEndToEnd(t *testing.T) {
	q := newQueueTest(t)
	targets := enabledTargets(q.srv, 9, "eu-west-1", "us-east-1", "ap-south-1")
	bodies, ids, malformed := workload(t, targets, 850, 100, 50)
	q.send(t, bodies)
	q.srv.Inject(awsfake.Fault{Service: "ec2", Code: "RequestLimitExceeded",
		Probability: 0.3})

	b := newTestBot(t, q.srv, q.clk, func(c *Config) {
		c.SQSWaitTime = 0
	})
	sink := &collector{}
	q.consume(t, b, sink)

	handled := sink.handled()
	for _, id := range ids {
		if !handled[id] {
			t.Errorf("event %s was never handled", id)
		}
	}
	checkOneDisablePerTarget(t, q.srv, targets)
	var inDLQ []string
	for _, m := range q.srv.QueueMessages(q.dlq) {
		inDLQ = append(inDLQ, m.Body)
		if m.ReceiveCount != maxReceives {
			t.Errorf("dead letter %q: received %d times, want %d",
				m.Body, m.ReceiveCount, maxReceives)
		}
	}
	if diff := cmp.Diff(malformed, inDLQ, sortStrings); diff != "" {
		t.Errorf("dead-letter queue (-want +got):\n%s", diff)
	}
	if got, want := count(b.metrics.deleted), 950.0; got != want {
		t.Errorf("messages deleted = %v, want %v", got, want)
	}
	if count(b.metrics.failed) < float64(len(malformed)*maxReceives) {
		t.Errorf("messages failed = %v, want at least %d",
			count(b.metrics.failed), len(malformed)*maxReceives)
	}
}

// checkOneDisablePerTarget checks that every target was disabled by
// exactly one successful DisableSerialConsoleAccess and that nothing else
// was.
func checkOneDisablePerTarget(t *testing.T, srv *awsfake.Server, targets []string) {
	t.Helper()
	want := map[string]int{}
	for _, tg := range targets {
		want[tg] = 1
		account, region, _ := strings.Cut(tg, "/")
		if on, _ := srv.SerialConsole(account, region); on {
			t.Errorf("%s: serial console access still enabled", tg)
		}
	}
	if diff := cmp.Diff(want, disables(srv)); diff != "" {
		t.Errorf("successful DisableSerialConsoleAccess calls per target "+
			"(-want +got):\n%s", diff)
	}
}

var sortStrings = cmp.Transformer("sort", func(in []string) []string {
	out := append([]string(nil), in...)
	slices.Sort(out)
	return out
})

// TestConsumeShutdownLosesNothing stops the consumer in the middle of a
// run, then starts a new one, as a restarted process would.
func TestConsumeShutdownLosesNothing(t *testing.T) {
	q := newQueueTest(t)
	targets := enabledTargets(q.srv, 4, "eu-west-1", "us-west-2")
	bodies, ids, _ := workload(t, targets, 200, 0, 0)
	q.send(t, bodies)

	first := newTestBot(t, q.srv, q.clk, func(c *Config) { c.SQSWaitTime = 0 })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &collector{}
	sink.onResult = func(Result) {
		if len(sink.handled()) == 50 {
			cancel()
		}
	}
	client := NewSQSClient(q.srv.Config(ctx), q.url)
	if err := first.Consume(ctx, client, q.url, sink); err != nil {
		t.Fatalf("Consume: %v", err)
	}
	m := first.metrics
	received, deleted := count(m.received), count(m.deleted)
	if left := count(m.failed); received != deleted+left {
		t.Errorf("after shutdown: received %v, deleted %v, failed %v: "+
			"messages were dropped mid-handling", received, deleted, left)
	}
	if left := len(q.srv.QueueMessages(q.url)); int(deleted)+left != len(bodies) {
		t.Errorf("after shutdown: %v deleted + %d in the queue, want %d",
			deleted, left, len(bodies))
	}
	if len(sink.handled()) == len(ids) {
		t.Fatal("the first consumer handled everything; the test stops it too late")
	}

	second := newTestBot(t, q.srv, q.clk, func(c *Config) { c.SQSWaitTime = 0 })
	q.consume(t, second, sink)
	handled := sink.handled()
	for _, id := range ids {
		if !handled[id] {
			t.Errorf("event %s was lost", id)
		}
	}
	checkOneDisablePerTarget(t, q.srv, targets)
}
