package detect

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

// line is one event in a form tests can compare: "SOURCE EVENTNAME" for
// a record, "SOURCE error: MESSAGE" for an error.
func line(ev Event) string {
	if ev.Err != nil {
		return "error: " + ev.Err.Error()
	}
	return ev.Source + " " + ev.Record.EventName
}

func collect(events func(func(Event) bool)) []string {
	var out []string
	for ev := range events {
		out = append(out, line(ev))
	}
	return out
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEventsShapes(t *testing.T) {
	log := readFixture(t, "shapes/log.json")
	mixed := []string{
		"x#Records[0] DescribeInstances",
		"x#Records[1] GetSerialConsoleAccessStatus",
		"x#Records[2] EnableSerialConsoleAccess",
	}
	enable := []string{"x:1 EnableSerialConsoleAccess"}
	tests := []struct {
		name  string
		input []byte
		want  []string
	}{
		{"bare record", readFixture(t, "shapes/record.json"), enable},
		{"log file", log, mixed},
		{"gzip log file", gzipped(t, log), mixed},
		{"pretty log file", readFixture(t, "testdata/../shapes/log.json"), mixed},
		{"json array", readFixture(t, "shapes/array.json"), []string{
			"x#[0] DescribeInstances",
			"x#[1] GetSerialConsoleAccessStatus",
			"x#[2] EnableSerialConsoleAccess",
		}},
		{"ndjson", readFixture(t, "shapes/records.ndjson"), []string{
			"x:1 DescribeInstances",
			"x:2 GetSerialConsoleAccessStatus",
			"x:3 EnableSerialConsoleAccess",
		}},
		{"gzip ndjson", gzipped(t, readFixture(t, "shapes/records.ndjson")),
			[]string{
				"x:1 DescribeInstances",
				"x:2 GetSerialConsoleAccessStatus",
				"x:3 EnableSerialConsoleAccess",
			}},
		{"eventbridge api call", readFixture(t, "shapes/eventbridge.json"), enable},
		{"eventbridge console action",
			readFixture(t, "shapes/eventbridge-console-action.json"), enable},
		{"lambda sqs event", readFixture(t, "shapes/lambda-sqs.json"),
			[]string{"x#Records[0].body EnableSerialConsoleAccess"}},
		{"sqs message", readFixture(t, "shapes/sqs-message.json"),
			[]string{"x:1#body EnableSerialConsoleAccess"}},
		{"sns notification", readFixture(t, "shapes/sns-notification.json"),
			[]string{"x:1#Message EnableSerialConsoleAccess"}},
		{"sns in sqs", readFixture(t, "shapes/lambda-sqs-sns.json"),
			[]string{"x#Records[0].body.Message EnableSerialConsoleAccess"}},
		{"lambda sns event", readFixture(t, "shapes/lambda-sns.json"),
			[]string{"x#Records[0].Sns.Message EnableSerialConsoleAccess"}},
		{"ecs nested", readFixture(t, "shapes/ecs-nested.json"), enable},
		{"ecs dotted", readFixture(t, "shapes/ecs-dotted.json"), enable},
		{"elasticsearch hit", readFixture(t, "shapes/es-hit.json"), enable},
		{"elasticsearch response", readFixture(t, "shapes/es-search.json"),
			[]string{"x:1#hits.hits[0] EnableSerialConsoleAccess"}},
		{"concatenated log files",
			append(append(bytes.Clone(log), '\n'), log...), append(mixed,
				"x:2#Records[0] DescribeInstances",
				"x:2#Records[1] GetSerialConsoleAccessStatus",
				"x:2#Records[2] EnableSerialConsoleAccess")},
		{"log file after blank lines", append([]byte("\n\n"), log...), []string{
			"x:3#Records[0] DescribeInstances",
			"x:3#Records[1] GetSerialConsoleAccessStatus",
			"x:3#Records[2] EnableSerialConsoleAccess",
		}},
		{"members after Records",
			[]byte(`{"Records":[{"eventName":"A"}],"note":{"x":[1,"}"]}}`),
			[]string{"x#Records[0] A"}},
		{"records not first", []byte(`{"v":1,"Records":[{"eventName":"A"}]}`),
			[]string{"x:1#Records[0] A"}},
		{"braces inside strings", []byte(`[{"eventName":"A","q":"}]{\"["},` +
			`{"eventName":"B\"}"}]`), []string{"x#[0] A", `x#[1] B"}`}},
		{"empty input", nil, nil},
		{"only whitespace", []byte(" \n\t\r\n"), nil},
		{"empty log file", []byte(`{"Records":[]}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(Events("x", bytes.NewReader(tt.input), Limits{}))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventsErrors(t *testing.T) {
	record := `{"eventName":"A"}`
	big := `{"eventName":"B","pad":"` + strings.Repeat("x", 300) + `"}`
	log := readFixture(t, "shapes/log.json")
	gz := gzipped(t, log)
	tests := []struct {
		name  string
		input []byte
		lim   Limits
		want  []string
	}{
		{"oversized element stops a log file",
			[]byte(`{"Records":[` + record + `,` + big + `,` + record + `]}`),
			Limits{MaxRecordBytes: 200},
			[]string{"x#Records[0] A", "error: x#Records[1]: record too large: " +
				"over 200 bytes; rest of input skipped"}},
		{"oversized ndjson line is skipped",
			[]byte(record + "\n" + big + "\n" + record + "\n"),
			Limits{MaxRecordBytes: 200},
			[]string{"x:1 A", "error: x:2: record too large: over 200 bytes; " +
				"skipped to the next line", "x:3 A"}},
		{"bad ndjson line is skipped",
			[]byte(record + "\n{\"eventName\":x}\n" + record + "\n"), Limits{},
			[]string{"x:1 A", "error: x:2: json: invalid character 'x' looking " +
				"for beginning of value; skipped to the next line", "x:3 A"}},
		{"value spanning lines is one value",
			[]byte(record + "\n{\"eventName\":\n" + record + "\n"), Limits{},
			[]string{"x:1 A", "error: x:2: unexpected EOF; skipped to the next " +
				"line", "x:3 A"}},
		{"bad element stops an array", []byte(`[` + record + `,{"a":tru},` +
			record + `]`), Limits{}, []string{"x#[0] A", "error: x#[1]: json: " +
			"invalid character '}' in literal true (expecting 'e'); " +
			"rest of input skipped"}},
		{"missing comma", []byte(`[` + record + record + `]`), Limits{},
			[]string{"x#[0] A", "error: x#[1]: json: expected comma after " +
				"array element; rest of input skipped"}},
		{"unterminated array", []byte(`[` + record), Limits{},
			[]string{"x#[0] A", "error: x#[1]: unexpected EOF; " +
				"rest of input skipped"}},
		{"truncated gzip", gz[:len(gz)/2], Limits{},
			[]string{"error: x#Records[0]: gunzip: unexpected EOF; " +
				"rest of input skipped"}},
		{"gzip too large", gz, Limits{MaxDecompressedBytes: 1000},
			[]string{"error: x#Records[0]: decompressed input too large: " +
				"over 1000 bytes; rest of input skipped"}},
		{"not gzip after magic", []byte{0x1f, 0x8b, 0, 0}, Limits{},
			[]string{"error: x: gunzip: unexpected EOF; rest of input skipped"}},
		{"unknown object", []byte(`{"name":"serialguard","version":"1"}`),
			Limits{}, []string{"error: x:1: not a CloudTrail event: an object " +
				"with keys name, version (no eventName)"}},
		{"not an object", []byte("42\n"), Limits{},
			[]string{"error: x:1: not a CloudTrail event: a number, not an object"}},
		{"wrong field type", []byte(`{"eventName":"A","readOnly":"no"}`),
			Limits{}, []string{"error: x:1: field readOnly holds a JSON string, " +
				"not bool"}},
		{"s3 notification", []byte(`{"Records":[{"eventSource":"aws:s3",` +
			`"eventName":"ObjectCreated:Put","s3":{}}]}`), Limits{},
			[]string{"error: x#Records[0]: not a CloudTrail event: an S3 event " +
				"notification; read the object it names"}},
		{"digest file", []byte(`{"awsAccountId":"111122223333",` +
			`"digestS3Object":"AWSLogs/x.json.gz"}`), Limits{},
			[]string{"error: x:1: not a CloudTrail event: a CloudTrail digest file"}},
		{"other eventbridge event", []byte(`{"detail-type":"EC2 Instance ` +
			`State-change Notification","detail":{}}`), Limits{},
			[]string{"error: x:1: not a CloudTrail event: an EventBridge event " +
				"of detail-type \"EC2 Instance State-change Notification\""}},
		{"sns subscription confirmation", []byte(`{"Type":` +
			`"SubscriptionConfirmation","Message":"You have chosen..."}`), Limits{},
			[]string{"error: x:1: not a CloudTrail event: an SNS message of " +
				"type \"SubscriptionConfirmation\""}},
		{"sqs body not json", []byte(`{"messageId":"m1","body":"hello"}`),
			Limits{}, []string{"error: x:1#body: not a CloudTrail event: " +
				"not JSON, not an object"}},
		{"error then record in a log file", []byte(`{"Records":[7,` + record +
			`]}`), Limits{}, []string{"error: x#Records[0]: not a CloudTrail " +
			"event: a number, not an object", "x#Records[1] A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(Events("x", bytes.NewReader(tt.input), tt.lim))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventsErrorType(t *testing.T) {
	input := []byte(`{"Records":[{"eventName":"A","pad":"xxxxxxxxxxxxxx"}]}`)
	for ev := range Events("f.json", bytes.NewReader(input),
		Limits{MaxRecordBytes: 20}) {
		var de *DecodeError
		if !errors.As(ev.Err, &de) {
			t.Fatalf("Err = %v, want a *DecodeError", ev.Err)
		}
		if de.Source != "f.json#Records[0]" || ev.Source != de.Source {
			t.Errorf("sources = %q, %q; want f.json#Records[0]",
				ev.Source, de.Source)
		}
		if !errors.Is(ev.Err, ErrRecordTooLarge) {
			t.Errorf("Err = %v, want ErrRecordTooLarge", ev.Err)
		}
	}
}

// TestEventsStreams checks that a log file larger than the record limit
// many times over streams through, record by record.
func TestEventsStreams(t *testing.T) {
	const n = 5000
	rec := readFixture(t, "shapes/record.json")
	r := io.MultiReader(strings.NewReader(`{"Records":[`),
		repeatRecords(rec, n), strings.NewReader(`]}`))
	lim := Limits{MaxRecordBytes: 4096}
	count := 0
	for ev := range Events("big", r, lim) {
		if ev.Err != nil {
			t.Fatalf("record %d: %v", count, ev.Err)
		}
		count++
	}
	if count != n {
		t.Errorf("decoded %d records, want %d", count, n)
	}
}

// repeatRecords streams n copies of rec separated by commas.
func repeatRecords(rec []byte, n int) io.Reader {
	readers := make([]io.Reader, 0, 2*n)
	for i := range n {
		if i > 0 {
			readers = append(readers, strings.NewReader(","))
		}
		readers = append(readers, bytes.NewReader(rec))
	}
	return io.MultiReader(readers...)
}

func TestEventsStopsEarly(t *testing.T) {
	log := readFixture(t, "shapes/log.json")
	for _, fast := range []bool{false, true} {
		n := 0
		decodeInput("x", bytes.NewReader(log), DefaultLimits(), mode{fast: fast},
			func(Event) bool {
				n++
				return false
			})
		if n != 1 {
			t.Errorf("fast=%v: yield called %d times after returning false",
				fast, n)
		}
	}
}
