package detect

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// outcome is what one decoding mode made of an input.
type outcome struct {
	findings []string // kind, event id, source
	errors   []string // source, and whether the rest was skipped
	fields   []string // sources of FieldErrors
	records  []string // sources of records
}

func decodeMode(input []byte, lim Limits, fast bool) outcome {
	var o outcome
	decodeInput("x", bytes.NewReader(input), lim.withDefaults(), mode{fast: fast},
		func(ev Event) bool {
			var fe *FieldError
			switch {
			case errors.As(ev.Err, &fe):
				o.fields = append(o.fields, ev.Source)
			case ev.Err != nil:
				skipped := strings.HasSuffix(ev.Err.Error(), "input skipped")
				o.errors = append(o.errors, ev.Source+" stop="+
					map[bool]string{true: "yes", false: "no"}[skipped])
			default:
				o.records = append(o.records, ev.Source)
			}
			if f, ok := Detect(ev); ok {
				o.findings = append(o.findings,
					string(f.Kind)+" "+f.EventID+" "+f.Source)
			}
			return true
		})
	return o
}

// checkModesAgree checks Scan's promise: the same findings and errors as
// Events, except FieldErrors of records it skips, and records that are a
// subset of Events' ones.
func checkModesAgree(t *testing.T, input []byte, lim Limits) {
	t.Helper()
	slow := decodeMode(input, lim, false)
	fast := decodeMode(input, lim, true)
	if diff := cmp.Diff(slow.findings, fast.findings); diff != "" {
		t.Errorf("findings differ (-Events +Scan):\n%s", diff)
	}
	if diff := cmp.Diff(slow.errors, fast.errors); diff != "" {
		t.Errorf("errors differ (-Events +Scan):\n%s", diff)
	}
	if !isSubsequence(fast.fields, slow.fields) {
		t.Errorf("Scan field errors %q not among Events' %q",
			fast.fields, slow.fields)
	}
	if !isSubsequence(fast.records, slow.records) {
		t.Errorf("Scan records %q not among Events' %q",
			fast.records, slow.records)
	}
}

func isSubsequence(sub, of []string) bool {
	for _, s := range sub {
		i := slices.Index(of, s)
		if i < 0 {
			return false
		}
		of = of[i+1:]
	}
	return true
}

func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	shapes, _ := filepath.Glob("testdata/shapes/*")
	out := map[string][]byte{}
	for _, f := range append(files, shapes...) {
		out[f] = readFixture(t, strings.TrimPrefix(f, "testdata/"))
	}
	return out
}

func TestScanAgreesWithEvents(t *testing.T) {
	inputs := fixtures(t)
	inputs["records and errors"] = []byte(`[{"eventName":"A"},` +
		`{"eventName":"EnableSerialConsoleAccess","readOnly":"x"},` +
		`{"eventName":"B","readOnly":"x"},{"eventName":"B","eventName":"C"},` +
		`{"eventName":"Enable\u0053erialConsoleAccess",` +
		`"eventSource":"ec2.amazonaws.com"},{"EventName":"B"},{"eventName":""},` +
		`{"eventName":"B","body":"{}"},7,"s",{"eventName":"B","x":[1,{"y":[]}]}]`)
	inputs["scalar at the end"] = []byte(`[{"eventName":"A"},0`)
	inputs["member scalar at the end"] = []byte(`{"Records":[],"a":0`)
	for name, b := range inputs {
		t.Run(name, func(t *testing.T) {
			checkModesAgree(t, b, Limits{})
			checkModesAgree(t, gzipped(t, b), Limits{})
			checkModesAgree(t, b, Limits{MaxRecordBytes: 300})
		})
	}
}

func TestScanSkipsFieldErrorsOnly(t *testing.T) {
	input := []byte(`[{"eventName":"B","readOnly":"x"},` +
		`{"eventName":"EnableSerialConsoleAccess","readOnly":"x"}]`)
	slow := decodeMode(input, Limits{}, false)
	fast := decodeMode(input, Limits{}, true)
	if want := []string{"x#[0]", "x#[1]"}; !slices.Equal(slow.fields, want) {
		t.Errorf("Events field errors = %q, want %q", slow.fields, want)
	}
	if want := []string{"x#[1]"}; !slices.Equal(fast.fields, want) {
		t.Errorf("Scan field errors = %q, want %q", fast.fields, want)
	}
}

func TestScanPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	log := readFixture(t, "shapes/log.json")
	write("a/1.json.gz", gzipped(t, log))
	write("a/CloudTrail-Digest/d.json", []byte(`{"digestS3Object":"x"}`))
	write("a/README.md", []byte("# not events\n"))
	write("b.json", readFixture(t, "shapes/eventbridge.json"))
	write("c.json", []byte(`{"eventName":`))
	paths := []string{dir, filepath.Join(dir, "missing.json")}

	want := []string{
		filepath.Join(dir, "a/1.json.gz") + "#Records[2]",
		filepath.Join(dir, "b.json") + ":1",
		"error " + filepath.Join(dir, "c.json") + ":1",
		"error " + filepath.Join(dir, "missing.json"),
	}
	var slow, fast []string
	for ev := range PathEvents(paths, nil, Limits{}) {
		if _, ok := Detect(ev); ok || ev.Err != nil {
			slow = append(slow, describe(ev))
		}
	}
	for ev := range Scan(paths, nil, ScanOptions{Workers: 3}) {
		if _, ok := Detect(ev); ok || ev.Err != nil {
			fast = append(fast, describe(ev))
		}
	}
	if diff := cmp.Diff(want, slow); diff != "" {
		t.Errorf("PathEvents mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, fast); diff != "" {
		t.Errorf("Scan mismatch (-want +got):\n%s", diff)
	}
}

func describe(ev Event) string {
	if ev.Err != nil {
		return "error " + ev.Source
	}
	return ev.Source
}

func TestScanStopsEarly(t *testing.T) {
	dir := t.TempDir()
	log := readFixture(t, "shapes/log.json")
	for i := range 20 {
		name := filepath.Join(dir, string(rune('a'+i))+".json")
		if err := os.WriteFile(name, log, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for range Scan([]string{dir}, nil, ScanOptions{Workers: 2}) {
		if n++; n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("read %d events, want 3", n)
	}
}

func FuzzScanAgreesWithEvents(f *testing.F) {
	for _, b := range fixtures(f) {
		if len(b) < 8<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Records":[{"eventName":"A"},1,"x"],"z":[{}]}` + "\n[]"))
	f.Add([]byte(`[{"eventName":"EnableSerialConsoleAccess","eventSource":` +
		`"ec2.amazonaws.com"},{"eventName":"B"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkModesAgree(t, b, Limits{})
		checkModesAgree(t, b, Limits{MaxRecordBytes: 64})
	})
}

func TestScanReader(t *testing.T) {
	log := gzipped(t, readFixture(t, "shapes/log.json"))
	var got []string
	for ev := range ScanReader("s3://b/k", bytes.NewReader(log), Limits{}) {
		got = append(got, line(ev))
	}
	want := []string{"s3://b/k#Records[2] EnableSerialConsoleAccess"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestScanContextCancel(t *testing.T) {
	dir := t.TempDir()
	log := readFixture(t, "shapes/log.json")
	for i := range 30 {
		name := filepath.Join(dir, string(rune('a'+i))+".json")
		if err := os.WriteFile(name, log, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	n := 0
	for range ScanContext(ctx, []string{dir}, nil, ScanOptions{Workers: 2}) {
		n++
		cancel()
	}
	if n != 1 {
		t.Errorf("read %d events after cancelling, want 1", n)
	}
	for range ScanContext(ctx, []string{dir}, nil, ScanOptions{}) {
		t.Fatal("event from a scan whose context is done")
	}
}
