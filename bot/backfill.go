package bot

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/serialguard/serialguard/detect"
)

// S3Client is the part of the S3 client a backfill uses.
type S3Client interface {
	s3.ListObjectsV2APIClient
	GetObject(ctx context.Context, in *s3.GetObjectInput,
		optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// NewS3Client returns an S3 client for cfg. With a custom endpoint, such
// as a test server or an S3-compatible store, it addresses buckets in the
// path rather than the host name.
func NewS3Client(cfg aws.Config) *s3.Client {
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.BaseEndpoint != nil
	})
}

// Backfill selects the CloudTrail log files a backfill reads.
type Backfill struct {
	Bucket string
	// Prefix is where the logs are, such as "AWSLogs/o-a1b2c3d4e5/" or
	// "AWSLogs/111122223333/CloudTrail/eu-west-1/"; empty reads the
	// whole bucket.
	Prefix string
	// Since and Until bound the event times read; zero is open. Files
	// are pruned by the delivery date in their key, records by their
	// event time.
	Since, Until time.Time
	// Progress, when set, is told about the files found and read.
	Progress Progress
}

// Progress follows a backfill. Backfill calls it from one goroutine at a
// time.
type Progress interface {
	// Found adds n files to read.
	Found(n int)
	// Read says one more file was read.
	Read()
}

// Backfill reads the CloudTrail log files that bf selects, up to
// Config.Concurrency at a time, and handles every event in them whose
// time is in range. A file that cannot be read or decoded is reported to
// sink and the backfill goes on; a listing error ends it, and so does
// the end of ctx, whose error Backfill then returns.
//
// When Since is set and Prefix reaches into CloudTrail's key layout at
// or above the region level, Backfill lists the accounts and regions
// below it with a delimiter and then lists each day's prefix alone;
// otherwise it lists everything under Prefix and prunes keys by date.
func (b *Bot) Backfill(ctx context.Context, client S3Client, bf Backfill,
	sink Sink) error {
	sink = &lockedSink{sink: sink}
	if bf.Progress == nil {
		bf.Progress = noProgress{}
	}
	bf.Progress = &lockedProgress{p: bf.Progress}
	w := window{since: bf.Since, until: bf.Until}
	if !w.since.IsZero() && w.until.IsZero() {
		w.until = b.now()
	}
	keys := make(chan string)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(keys)
		l := lister{client: client, bucket: bf.Bucket, w: w, keys: keys,
			progress: bf.Progress}
		return l.run(gctx, bf.Prefix)
	})
	for range b.cfg.Concurrency {
		g.Go(func() error {
			for key := range keys {
				b.backfillObject(gctx, client, bf.Bucket, key, w, sink)
				bf.Progress.Read()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

type noProgress struct{}

func (noProgress) Found(int) {}
func (noProgress) Read()     {}

// lockedProgress serializes the calls to a Progress.
type lockedProgress struct {
	mu sync.Mutex
	p  Progress
}

func (l *lockedProgress) Found(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.p.Found(n)
}

func (l *lockedProgress) Read() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.p.Read()
}

// backfillObject handles the events of one log file that lie in w. It
// scans the file as detect.Scan does, decoding only the records a rule
// may match. Once ctx ends it stops reading and reports nothing more:
// the cancellation is Backfill's error, not the file's.
func (b *Bot) backfillObject(ctx context.Context, client S3Client,
	bucket, key string, w window, sink Sink) {
	name := "s3://" + bucket + "/" + key
	out, err := client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
	})
	if err != nil {
		if ctx.Err() == nil {
			sink.Error(fmt.Errorf("get %s: %w", name, err))
		}
		return
	}
	defer out.Body.Close()
	body := &ctxReader{ctx: ctx, r: out.Body}
	for ev := range detect.ScanReader(name, body, b.limits) {
		if ctx.Err() != nil {
			return
		}
		if ev.Record != nil && !w.contains(ev.Record.EventTime) {
			continue
		}
		res, ok, err := b.HandleEvent(ctx, ev)
		if ok {
			sink.Result(res)
		}
		if err != nil {
			sink.Error(err)
		}
	}
}

// ctxReader stops reading once ctx ends, so that a scan that finds
// nothing to yield still stops on Ctrl-C.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// lister finds the log files of a backfill and sends their keys.
type lister struct {
	client   S3Client
	bucket   string
	w        window
	keys     chan<- string
	progress Progress
}

func (l *lister) run(ctx context.Context, prefix string) error {
	if prefix != "" && !strings.HasSuffix(prefix, "/") &&
		prefixLevel(prefix+"/") != levelOther {
		prefix += "/"
	}
	if l.w.since.IsZero() || prefixLevel(prefix) == levelOther {
		return l.list(ctx, prefix, l.w.keepKey)
	}
	regions, err := l.regions(ctx, prefix)
	if err != nil {
		return err
	}
	for _, r := range regions {
		for _, d := range l.w.days() {
			if err := l.list(ctx, r+dayPath(d), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// regions expands prefix down to the region prefixes below it, listing
// the levels in between with a delimiter.
func (l *lister) regions(ctx context.Context, prefix string) ([]string, error) {
	switch prefixLevel(prefix) {
	case levelRegion:
		return []string{prefix}, nil
	case levelAccount:
		return l.regions(ctx, prefix+"CloudTrail/")
	case levelOther:
		return nil, nil
	}
	dirs, err := l.dirs(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range dirs {
		sub, err := l.regions(ctx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// dirs lists the common prefixes one level below prefix.
func (l *lister) dirs(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	p := s3.NewListObjectsV2Paginator(l.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(l.bucket),
		Prefix:    aws.String(prefix),
		Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", l.bucket, prefix, err)
		}
		for _, cp := range page.CommonPrefixes {
			out = append(out, aws.ToString(cp.Prefix))
		}
	}
	return out, nil
}

// list sends the keys under prefix that are log files and that keep, if
// set, accepts.
func (l *lister) list(ctx context.Context, prefix string, keep func(string) bool) error {
	p := s3.NewListObjectsV2Paginator(l.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(l.bucket),
		Prefix: aws.String(prefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", l.bucket, prefix, err)
		}
		var batch []string
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if wantKey(key) && (keep == nil || keep(key)) {
				batch = append(batch, key)
			}
		}
		l.progress.Found(len(batch))
		for _, key := range batch {
			select {
			case l.keys <- key:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return nil
}
