package iam_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

// The bot's scenarios run it as it is deployed: through the member role
// and the management role, both requiring the external id, with the SCP
// allowed and a topic to notify. In the default organization of awsfake,
// member and member2 are production accounts (testdata/accounts.yaml),
// so an unapproved enablement there is disabled, the SCP attached and a
// notification published; nonProd is in no account class.
const (
	orgRoleName   = "serialguard-organizations"
	member2       = "100000000003"
	nonProd       = "100000000002"
	accountsData  = "testdata/accounts.yaml"
	bucket        = "amzn-s3-demo-bucket"
	topicName     = "serialguard"
	enableFixture = "../testdata/events/enable-api-call.json"
)

func managementRoleARN(srv *awsfake.Server) string {
	return "arn:aws:iam::" + srv.ManagementAccountID() + ":role/" + orgRoleName
}

// topicARN makes the scenarios' topic, or returns it when it exists.
func topicARN(srv *awsfake.Server) string {
	return srv.CreateTopic(srv.ManagementAccountID(), awsfake.DefaultRegion,
		topicName)
}

// botConfig is the configuration of the scenarios of the bot's run modes.
func botConfig(srv *awsfake.Server) bot.Config {
	cfg := bot.DefaultConfig()
	cfg.RoleName, cfg.ExternalID = roleName, externalID
	cfg.ManagementRoleARN = managementRoleARN(srv)
	cfg.SNSTopicARN = topicARN(srv)
	cfg.AttachSCP = true
	cfg.Data = []string{accountsData}
	return cfg
}

// newBot returns a bot on srv, whose two roles require the external id.
func newBot(t *testing.T, srv *awsfake.Server, cfg bot.Config) *bot.Bot {
	t.Helper()
	srv.RequireExternalID(roleName, externalID)
	srv.RequireExternalID(orgRoleName, externalID)
	b, err := bot.New(t.Context(), cfg, bot.Options{
		AWS:    srv.Config(t.Context()),
		Logger: slog.New(slog.DiscardHandler),
		Stdout: io.Discard,
	})
	if err != nil {
		t.Fatalf("bot.New: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// enablement returns the EventBridge event of an EnableSerialConsoleAccess
// call, moved to account and region and given the CloudTrail event id id.
func enablement(t *testing.T, account, region, id string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(enableFixture)
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("%s: %v", enableFixture, err)
	}
	ev["account"], ev["region"] = account, region
	rec := ev["detail"].(map[string]any)
	rec["recipientAccountId"], rec["awsRegion"] = account, region
	rec["eventID"] = id
	return ev
}

func marshal(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// results is a bot.Sink that keeps what it gets and calls stop, when
// set, at each result. The bot calls it from one goroutine at a time.
type results struct {
	got  []bot.Result
	errs []error
	stop func()
}

func (r *results) Result(res bot.Result) {
	r.got = append(r.got, res)
	if r.stop != nil {
		r.stop()
	}
}

func (r *results) Error(err error) { r.errs = append(r.errs, err) }

// check fails unless n findings were handled in full and nothing else
// was reported.
func (r *results) check(t *testing.T, n int) {
	t.Helper()
	for _, err := range r.errs {
		t.Errorf("reported: %v", err)
	}
	if len(r.got) != n {
		t.Fatalf("%d results, want %d", len(r.got), n)
	}
	for _, res := range r.got {
		checkHandled(t, res)
	}
}

// checkHandled fails unless access was disabled, the SCP attached and
// the notification published. The SCP shows that the account context
// came from Organizations: only its OU path makes the account
// production.
func checkHandled(t *testing.T, res bot.Result) {
	t.Helper()
	want := map[string]remediate.Status{
		remediate.CallDisable: remediate.StatusDone,
		bot.CallAttachSCP:     remediate.StatusDone,
		bot.CallPublish:       remediate.StatusDone,
	}
	got := map[string]remediate.Status{}
	for _, s := range res.Steps() {
		if _, ok := want[s.Call]; ok {
			got[s.Call] = s.Status
		}
		if s.Status == remediate.StatusFailed {
			t.Errorf("%s/%s: %s failed: %s", res.Account, res.Region,
				s.Call, s.Detail)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s/%s: steps (-want +got):\n%s\ndecision: %+v",
			res.Account, res.Region, diff, res.Decision)
	}
}

// consumeQueue receives an enablement from the event queue, handles it
// and deletes the message.
func consumeQueue(t *testing.T, srv *awsfake.Server) {
	srv.SetSerialConsole(member, region, true)
	b := newBot(t, srv, botConfig(srv))
	q, err := srv.CreateQueue(srv.ManagementAccountID(),
		awsfake.DefaultRegion, "serialguard", nil)
	if err != nil {
		t.Fatal(err)
	}
	body := marshal(t, enablement(t, member, region, "e-consume"))
	if _, err := srv.SendMessage(q, string(body)); err != nil {
		t.Fatal(err)
	}

	// Consume runs until ctx ends; it still deletes the message it holds.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	sink := &results{stop: cancel}
	err = b.Consume(ctx, bot.NewSQSClient(srv.Config(ctx), q), q, sink)
	if err != nil {
		t.Fatalf("Consume: %v", err)
	}
	sink.check(t, 1)
	if left := srv.QueueMessages(q); len(left) != 0 {
		t.Errorf("%d messages left in the queue, want 0", len(left))
	}
}

// backfillLogs finds a CloudTrail log file in S3 by its key's layout,
// reads it and handles the enablement in it.
func backfillLogs(t *testing.T, srv *awsfake.Server) {
	srv.SetSerialConsole(member, region, true)
	b := newBot(t, srv, botConfig(srv))
	rec := enablement(t, member, region, "e-backfill")["detail"]
	at, err := time.Parse(time.RFC3339,
		rec.(map[string]any)["eventTime"].(string))
	if err != nil {
		t.Fatal(err)
	}
	key := "AWSLogs/" + srv.OrganizationID() + "/" + member +
		"/CloudTrail/" + region + at.Format("/2006/01/02/") + member +
		"_CloudTrail_" + region + at.Format("_20060102T1504Z") +
		"_iamcoverage.json.gz"
	srv.PutObject(bucket, key, cloudTrailLog(t, rec))

	sink := &results{}
	err = b.Backfill(t.Context(), bot.NewS3Client(srv.Config(t.Context())),
		bot.Backfill{
			Bucket: bucket,
			Prefix: "AWSLogs/" + srv.OrganizationID() + "/",
			Since:  at.Add(-time.Hour),
			Until:  at.Add(time.Hour),
		}, sink)
	if err != nil {
		t.Fatalf("Backfill: %v", err)
	}
	sink.check(t, 1)
}

// cloudTrailLog is a log file as CloudTrail delivers it to S3.
func cloudTrailLog(t *testing.T, records ...any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	err := json.NewEncoder(zw).Encode(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
