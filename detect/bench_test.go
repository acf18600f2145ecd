package detect

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// benchLog is a log file of about size bytes made of the fixture records,
// and how many records it holds.
func benchLog(b *testing.B, size int) ([]byte, int) {
	b.Helper()
	var recs []json.RawMessage
	for _, name := range []string{
		"218007301253_CloudTrail_us-east-1_20230710T1205Z_nx9Yx1FyJdBaTqKj.json",
		"218007301253_CloudTrail_us-east-1_20230710T1230Z_9dKPuRzdLzqZRjqm.json",
		"shapes/log.json",
	} {
		var log struct{ Records []json.RawMessage }
		if err := json.Unmarshal(readFixture(b, name), &log); err != nil {
			b.Fatal(err)
		}
		recs = append(recs, log.Records...)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	n := 0
	for ; buf.Len() < size; n++ {
		if n > 0 {
			buf.WriteByte(',')
		}
		json.Compact(&buf, recs[n%len(recs)])
	}
	buf.WriteString("]}")
	return buf.Bytes(), n
}

func benchDecode(b *testing.B, input []byte, records int, fast bool) {
	b.ReportAllocs()
	b.SetBytes(int64(len(input)))
	lim := DefaultLimits()
	for b.Loop() {
		decodeInput("bench", bytes.NewReader(input), lim, mode{fast: fast},
			func(ev Event) bool {
				if ev.Err != nil {
					b.Fatal(ev.Err)
				}
				return true
			})
	}
	b.ReportMetric(float64(records*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkEvents decodes every record, as Events does.
func BenchmarkEvents(b *testing.B) {
	log, n := benchLog(b, 4<<20)
	benchDecode(b, log, n, false)
}

// BenchmarkScan lexes every record and decodes only those a rule may
// match, as Scan does for each input.
func BenchmarkScan(b *testing.B) {
	log, n := benchLog(b, 4<<20)
	benchDecode(b, log, n, true)
}

// BenchmarkScanGzip is BenchmarkScan on a gzip file; compare it with
// BenchmarkGunzip, the cost of decompression alone.
func BenchmarkScanGzip(b *testing.B) {
	log, n := benchLog(b, 4<<20)
	benchDecode(b, gzipped(b, log), n, true)
	b.SetBytes(int64(len(log)))
}

// BenchmarkGunzip measures decompression alone, the floor of a scan of
// gzip files. Bytes are decompressed bytes, as in BenchmarkScanGzip.
func BenchmarkGunzip(b *testing.B) {
	log, _ := benchLog(b, 4<<20)
	gz := gzipped(b, log)
	b.SetBytes(int64(len(log)))
	b.ReportAllocs()
	for b.Loop() {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, zr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetect applies the rules to decoded records, a mix with
// serial console events among them.
func BenchmarkDetect(b *testing.B) {
	log, _ := benchLog(b, 1<<20)
	var events []Event
	for ev := range Events("bench", bytes.NewReader(log), Limits{}) {
		events = append(events, ev)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, ev := range events {
			Detect(ev)
		}
	}
	b.ReportMetric(float64(len(events)*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkEnablementRule is the full rule on an enablement: the ECS
// view and Elastic's query over it.
func BenchmarkEnablementRule(b *testing.B) {
	rec := enable(assumedRole)
	b.ReportAllocs()
	for b.Loop() {
		if !enablementRule.Match(ECS(rec)) {
			b.Fatal("no match")
		}
	}
}
