package bot

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

const (
	trailBucket = "org-trail"
	orgPrefix   = "AWSLogs/o-a1b2c3d4e5/"
)

// logFile is a gzip CloudTrail log file as delivered to S3, holding the
// fixture's enablement record at each of the given times, with event ids
// "ACCOUNT/REGION/TIME".
func logFile(t *testing.T, account, region string, times ...time.Time) []byte {
	t.Helper()
	var records []any
	for _, at := range times {
		rec := fixture(t, "eventbridge-enable.json")["detail"].(map[string]any)
		rec["recipientAccountId"], rec["awsRegion"] = account, region
		rec["eventTime"] = at.Format(time.RFC3339)
		rec["eventID"] = account + "/" + region + "/" + at.Format(time.RFC3339)
		records = append(records, rec)
	}
	data, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// seedTrail fills an organization trail's bucket: five days of log
// files for two accounts and two regions, each file delivered at noon
// with an event of 11:55, plus an event of 23:58 on March 3 delivered
// after midnight, a digest and an Insights file. It returns the event
// ids between since and until.
func seedTrail(t *testing.T, srv *awsfake.Server, since, until time.Time) []string {
	t.Helper()
	var want []string
	for _, account := range []string{"100000000001", "100000000002"} {
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			dir := orgPrefix + account + "/CloudTrail/" + region + "/"
			for d := 1; d <= 5; d++ {
				day := time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC)
				at := []time.Time{day.Add(11*time.Hour + 55*time.Minute)}
				if d == 4 {
					at = append(at, day.Add(-2*time.Minute))
				}
				key := fmt.Sprintf("%s%s%s_CloudTrail_%s_%sT1200Z_a1b2.json.gz",
					dir, day.Format("2006/01/02/"), account, region,
					day.Format("20060102"))
				srv.PutObject(trailBucket, key, logFile(t, account, region, at...))
				for _, a := range at {
					if !a.Before(since) && !a.After(until) {
						want = append(want, account+"/"+region+"/"+a.Format(time.RFC3339))
					}
				}
			}
			srv.PutObject(trailBucket, orgPrefix+account+"/CloudTrail-Digest/"+region+
				"/2026/03/02/digest.json.gz", []byte(`{"digestEndTime":"x"}`))
			srv.PutObject(trailBucket, orgPrefix+account+"/CloudTrail-Insight/"+region+
				"/2026/03/02/insight.json.gz", []byte(`{"Records":[]}`))
		}
	}
	return want
}

// listed returns the prefix and delimiter of every ListObjectsV2 call.
func listed(srv *awsfake.Server) []string {
	var out []string
	for _, c := range srv.CallsTo("ListObjectsV2") {
		out = append(out, c.Params["prefix"]+"|"+c.Params["delimiter"])
	}
	return out
}

func TestBackfill(t *testing.T) {
	since := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	until := time.Date(2026, 3, 3, 23, 59, 59, 0, time.UTC)
	var dayLists []string
	for _, acct := range []string{"100000000001", "100000000002"} {
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			for _, day := range []string{"2026/03/02/", "2026/03/03/", "2026/03/04/"} {
				dayLists = append(dayLists,
					orgPrefix+acct+"/CloudTrail/"+region+"/"+day+"|")
			}
		}
	}
	tests := []struct {
		name      string
		prefix    string
		wantLists []string
		wantGets  int
	}{
		{
			name:   "pruned by day below the organization",
			prefix: orgPrefix,
			wantLists: append([]string{
				orgPrefix + "|/",
				orgPrefix + "100000000001/CloudTrail/|/",
				orgPrefix + "100000000002/CloudTrail/|/",
			}, dayLists...),
			wantGets: 12,
		},
		{
			name:      "one region, no trailing slash",
			prefix:    orgPrefix + "100000000001/CloudTrail/eu-west-1",
			wantLists: dayLists[:3],
			wantGets:  3,
		},
		{
			name:      "keys filtered from the bucket root",
			prefix:    "",
			wantLists: []string{"|"},
			wantGets:  12,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
			want := seedTrail(t, srv, since, until)
			b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
				c.DryRun, c.Concurrency = true, 3
			})
			srv.ResetCalls()
			sink := &collector{}
			progress := &countProgress{}
			err := b.Backfill(context.Background(), NewS3Client(srv.Config(context.Background())),
				Backfill{Bucket: trailBucket, Prefix: tt.prefix, Since: since,
					Until: until, Progress: progress}, sink)
			if err != nil {
				t.Fatalf("Backfill: %v", err)
			}
			if diff := cmp.Diff(tt.wantLists, listed(srv)); diff != "" {
				t.Errorf("ListObjectsV2 prefix|delimiter (-want +got):\n%s", diff)
			}
			if got := len(srv.CallsTo("GetObject")); got != tt.wantGets {
				t.Errorf("GetObject calls = %d, want %d", got, tt.wantGets)
			}
			if progress.found != tt.wantGets || progress.read != tt.wantGets {
				t.Errorf("progress found %d read %d, want %d", progress.found,
					progress.read, tt.wantGets)
			}
			var got []string
			for id := range sink.handled() {
				got = append(got, id)
			}
			if tt.prefix != orgPrefix && tt.prefix != "" {
				want = filterPrefix(want, "100000000001/eu-west-1/")
			}
			if diff := cmp.Diff(want, got, sortStrings); diff != "" {
				t.Errorf("events handled (-want +got):\n%s", diff)
			}
			if len(sink.errs) > 0 {
				t.Errorf("errors: %v", sink.errs)
			}
		})
	}
}

func filterPrefix(ids []string, prefix string) []string {
	var out []string
	for _, id := range ids {
		if len(id) >= len(prefix) && id[:len(prefix)] == prefix {
			out = append(out, id)
		}
	}
	return out
}

type countProgress struct{ found, read int }

func (p *countProgress) Found(n int) { p.found += n }
func (p *countProgress) Read()       { p.read++ }

func TestBackfillReportsBadObjects(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.PutObject(trailBucket, "exports/good.json",
		logFile(t, "100000000001", "eu-west-1", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
	srv.PutObject(trailBucket, "exports/bad.json", []byte(`{"Records": [`))
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) { c.DryRun = true })
	sink := &collector{}
	err := b.Backfill(context.Background(), NewS3Client(srv.Config(context.Background())),
		Backfill{Bucket: trailBucket, Prefix: "exports/"}, sink)
	if err != nil {
		t.Fatalf("Backfill: %v", err)
	}
	if len(sink.results) != 1 || len(sink.errs) != 1 {
		t.Fatalf("got %d results and errors %v, want 1 and 1", len(sink.results), sink.errs)
	}
	const name = "s3://org-trail/exports/bad.json"
	if got := sink.errs[0].Error(); !strings.Contains(got, name) {
		t.Errorf("error %q does not name the object", got)
	}
}

func TestBackfillListingErrorEndsIt(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.Inject(awsfake.Fault{Service: "s3", Operation: "ListObjectsV2", Code: "AccessDenied"})
	b := newTestBot(t, srv, newFakeClock(), nil)
	err := b.Backfill(context.Background(), NewS3Client(srv.Config(context.Background())),
		Backfill{Bucket: trailBucket}, &collector{})
	if err == nil || !strings.Contains(err.Error(), "list s3://org-trail/") {
		t.Errorf("Backfill: got %v, want a listing error naming the bucket", err)
	}
}

// endlessS3 lists one object whose body never ends: NDJSON records of
// an event no rule looks at, the bulk of any real trail. Once limit
// bytes are read, it cancels the backfill, as Ctrl-C does.
type endlessS3 struct {
	limit  int64
	cancel context.CancelFunc
	read   atomic.Int64
}

func (s *endlessS3) ListObjectsV2(context.Context, *s3.ListObjectsV2Input,
	...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return &s3.ListObjectsV2Output{Contents: []s3types.Object{
		{Key: aws.String("exports/endless.json")}}}, nil
}

func (s *endlessS3) GetObject(context.Context, *s3.GetObjectInput,
	...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{Body: io.NopCloser(s)}, nil
}

const describeRecord = `{"eventVersion":"1.08","eventTime":` +
	`"2026-03-01T00:00:00Z","eventSource":"ec2.amazonaws.com",` +
	`"eventName":"DescribeInstances","awsRegion":"eu-west-1",` +
	`"recipientAccountId":"100000000001"}` + "\n"

func (s *endlessS3) Read(p []byte) (int, error) {
	n := 0
	for n+len(describeRecord) <= len(p) {
		n += copy(p[n:], describeRecord)
	}
	if s.read.Add(int64(n)) >= s.limit {
		s.cancel()
	}
	return n, nil
}

// TestBackfillStopsWhenCancelled cancels a backfill in the middle of an
// object holding nothing to handle: it must stop reading at once and
// report the cancellation, not a failed object.
func TestBackfillStopsWhenCancelled(t *testing.T) {
	srv := awsfake.Start(t)
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) { c.DryRun = true })
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	client := &endlessS3{limit: 1 << 20, cancel: cancel}
	sink := &collector{}

	err := b.Backfill(ctx, client, Backfill{Bucket: trailBucket}, sink)

	if !errors.Is(err, context.Canceled) {
		t.Errorf("Backfill: got %v, want context.Canceled", err)
	}
	if len(sink.errs) > 0 || len(sink.results) > 0 {
		t.Errorf("results %v, errors %v; want none", sink.results, sink.errs)
	}
	if n := client.read.Load(); n > 16<<20 {
		t.Errorf("read %d bytes, want to stop soon after 1 MiB", n)
	}
}
