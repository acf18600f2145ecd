package bot

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// BenchmarkHandleDryRun is the cost of one finding in the README's
// quick start: decide with the embedded policy, plan without state.
func BenchmarkHandleDryRun(b *testing.B) {
	cfg := DefaultConfig()
	cfg.DryRun = true
	bt, err := New(context.Background(), cfg, Options{
		AWS:    aws.Config{Region: DefaultRegion},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	f := finding(b, eventBridge(b, "eventbridge-enable.json",
		"111122223333", "eu-west-1", "e-1"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bt.Handle(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleAgainstFake is one enablement handled for real against
// the fake AWS: account context (cached), AssumeRole (cached), the state
// read and, the state being disabled already, no Disable.
func BenchmarkHandleAgainstFake(b *testing.B) {
	srv := awsfake.New(awsfake.WithOrganization(awsfake.Org(10, 2)))
	defer srv.Close()
	bt, err := New(context.Background(), DefaultConfig(), Options{
		AWS:    srv.Config(context.Background()),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	f := finding(b, eventBridge(b, "eventbridge-enable.json",
		"100000000001", "eu-west-1", "e-1"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bt.Handle(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// memS3 serves one object from memory, so that a backfill benchmark
// measures the scan, not an HTTP server.
type memS3 struct{ body []byte }

func (m memS3) ListObjectsV2(context.Context, *s3.ListObjectsV2Input,
	...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return &s3.ListObjectsV2Output{Contents: []s3types.Object{
		{Key: aws.String("trail.json.gz")}}}, nil
}

func (m memS3) GetObject(context.Context, *s3.GetObjectInput,
	...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return &s3.GetObjectOutput{
		Body: io.NopCloser(bytes.NewReader(m.body))}, nil
}

// BenchmarkBackfillObject backfills one gzip log file of about 4 MiB
// whose records are the enablement fixture renamed DescribeInstances,
// one in a thousand left an enablement. Bytes are decompressed bytes.
func BenchmarkBackfillObject(b *testing.B) {
	cfg := DefaultConfig()
	cfg.DryRun, cfg.Concurrency = true, 1
	bt, err := New(context.Background(), cfg, Options{
		AWS:    aws.Config{Region: DefaultRegion},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	rec := fixture(b, "eventbridge-enable.json")["detail"].(map[string]any)
	var records []any
	size := 0
	for i := 0; size < 4<<20; i++ {
		r := maps.Clone(rec)
		if i%1000 != 0 {
			r["eventName"] = "DescribeInstances"
		}
		r["eventID"] = fmt.Sprintf("e-%d", i)
		r["recipientAccountId"], r["awsRegion"] = "111122223333", "eu-west-1"
		line, _ := json.Marshal(r)
		size += len(line) + 1
		records = append(records, r)
	}
	log, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		b.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(log)
	zw.Close()
	client := memS3{body: gz.Bytes()}
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		sink := &collector{}
		err := bt.Backfill(context.Background(), client,
			Backfill{Bucket: "trail"}, sink)
		if err != nil || len(sink.errs) > 0 || len(sink.results) == 0 {
			b.Fatalf("Backfill: %v, errors %v, %d results", err,
				sink.errs, len(sink.results))
		}
	}
}
