package main

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/klauspost/compress/gzip"
)

type options struct {
	dir         string
	mb          int64
	enablements int
	seed        int64
	single      bool // one log file of the whole size
}

// summary is what gencorpus wrote; scan.sh checks its counts.
type summary struct {
	files, records, enablements int
	raw, compressed             int64
}

func (s summary) String() string {
	return fmt.Sprintf("files=%d records=%d enablements=%d raw_bytes=%d "+
		"gzip_bytes=%d", s.files, s.records, s.enablements, s.raw, s.compressed)
}

var (
	accounts = []string{"111122223333", "444455556666", "123456789012",
		"210987654321", "777788889999"}
	regions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
		"ap-southeast-2"}
	org   = "o-exampleorgid"
	start = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
)

// generate writes log files until o.mb MiB of JSON are written, placing
// the enablements at random records among them.
func generate(o options) (summary, error) {
	rng := rand.New(rand.NewPCG(uint64(o.seed), 0x5e71a1))
	target := o.mb << 20
	c := &corpus{o: o, rng: rng, gen: &gen{rng: rng}, target: target,
		plant: map[int]bool{}}
	// About 1.3 KiB a record on average.
	expected := int(target / 1300)
	for len(c.plant) < o.enablements && len(c.plant) < expected {
		c.plant[rng.IntN(expected)] = true
	}
	for t := start; c.sum.raw < target; t = t.Add(5 * time.Minute) {
		acct := accounts[rng.IntN(len(accounts))]
		region := regions[rng.IntN(len(regions))]
		n := fileRecords(rng)
		if o.single {
			n = int(^uint(0) >> 1)
		}
		if err := c.writeLog(acct, region, t, n); err != nil {
			return c.sum, err
		}
	}
	return c.sum, nil
}

type corpus struct {
	o      options
	rng    *rand.Rand
	gen    *gen
	target int64
	plant  map[int]bool
	sum    summary
}

// record returns the next record, an enablement where one is planted or
// where the corpus would otherwise end short of them.
func (c *corpus) record(acct, region string, t time.Time) []byte {
	left := c.o.enablements - c.sum.enablements
	c.sum.records++
	if c.plant[c.sum.records-1] || (left > 0 && c.sum.raw > c.target-4096) {
		c.sum.enablements++
		return c.gen.enable(acct, region, t)
	}
	return c.gen.event(acct, region, t)
}

// writeLog streams one log file of up to n records, stopping early when
// the corpus reaches its size.
func (c *corpus) writeLog(acct, region string, t time.Time, n int) error {
	name := fmt.Sprintf("%s_CloudTrail_%s_%sZ_%s.json.gz", acct, region,
		t.Format("20060102T1504"), token(c.rng, 16))
	path := filepath.Join(c.o.dir, "AWSLogs", org, acct, "CloudTrail", region,
		t.Format("2006/01/02"), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	counted := &counter{w: f}
	zw := gzip.NewWriter(counted)
	w := bufio.NewWriterSize(zw, 256<<10)
	_, _ = w.WriteString(`{"Records":[`)
	c.sum.raw += 12
	for i := 0; i < n && c.sum.raw < c.target; i++ {
		if i > 0 {
			_ = w.WriteByte(',')
		}
		r := c.record(acct, region, t)
		_, _ = w.Write(r)
		c.sum.raw += int64(len(r)) + 1
	}
	_, _ = w.WriteString("]}")
	c.sum.raw += 2
	c.sum.files++
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	c.sum.compressed += counted.n
	return f.Close()
}

// fileRecords draws how many records a log file holds: most files are
// small, a few busy five-minute windows are large.
func fileRecords(rng *rand.Rand) int {
	switch p := rng.Float64(); {
	case p < 0.6:
		return 5 + rng.IntN(95)
	case p < 0.9:
		return 100 + rng.IntN(900)
	default:
		return 1000 + rng.IntN(9000)
	}
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

const alphanum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func token(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphanum[rng.IntN(len(alphanum))]
	}
	return string(b)
}
