package bot

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPrefixLevel(t *testing.T) {
	tests := []struct {
		prefix string
		want   level
	}{
		{"", levelOther},
		{"AWSLogs/", levelLogs},
		{"trails/AWSLogs/", levelLogs},
		{"myAWSLogs/", levelOther},
		{"AWSLogs/o-a1b2c3d4e5/", levelOrg},
		{"AWSLogs/111122223333/", levelAccount},
		{"AWSLogs/o-a1b2c3d4e5/111122223333/", levelAccount},
		{"AWSLogs/111122223333/CloudTrail/", levelTrail},
		{"AWSLogs/111122223333/CloudTrail-Digest/", levelOther},
		{"AWSLogs/111122223333/CloudTrail/eu-west-1/", levelRegion},
		{"AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/us-gov-west-1/", levelRegion},
		{"AWSLogs/111122223333/CloudTrail/eu-west-1/2026/", levelOther},
		{"AWSLogs/111122223333/CloudTrail/eu-west-1", levelOther},
		{"AWSLogs/1111/", levelOther},
	}
	for _, tt := range tests {
		if got := prefixLevel(tt.prefix); got != tt.want {
			t.Errorf("prefixLevel(%q) = %d, want %d", tt.prefix, got, tt.want)
		}
	}
}

func TestWantKey(t *testing.T) {
	const base = "AWSLogs/111122223333/"
	tests := []struct {
		key  string
		want bool
	}{
		{base + "CloudTrail/eu-west-1/2026/03/01/f.json.gz", true},
		{base + "CloudTrail-Digest/eu-west-1/2026/03/01/f.json.gz", false},
		{base + "CloudTrail-Insight/eu-west-1/2026/03/01/f.json.gz", false},
		{base + "Config/eu-west-1/2026/3/1/ConfigSnapshot/f.json.gz", false},
		{base + "CloudTrail/eu-west-1/2026/03/01/", false},
		{"exports/events.ndjson", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := wantKey(tt.key); got != tt.want {
			t.Errorf("wantKey(%q) = %t, want %t", tt.key, got, tt.want)
		}
	}
}

func TestWindowKeepKey(t *testing.T) {
	w := window{
		since: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC),
		until: time.Date(2026, 3, 3, 23, 0, 0, 0, time.UTC),
	}
	const dir = "AWSLogs/111122223333/CloudTrail/eu-west-1/"
	tests := []struct {
		key  string
		want bool
	}{
		{dir + "2026/03/01/a.json.gz", false},
		{dir + "2026/03/02/a.json.gz", true},
		{dir + "2026/03/03/a.json.gz", true},
		{dir + "2026/03/04/a.json.gz", true}, // late delivery of 03-03
		{dir + "2026/03/05/a.json.gz", false},
		{dir + "2026/13/05/a.json.gz", true}, // no valid date: kept
		{"export.json", true},
	}
	for _, tt := range tests {
		if got := w.keepKey(tt.key); got != tt.want {
			t.Errorf("keepKey(%q) = %t, want %t", tt.key, got, tt.want)
		}
	}
	var days []string
	for _, d := range w.days() {
		days = append(days, dayPath(d))
	}
	want := []string{"2026/03/02/", "2026/03/03/", "2026/03/04/"}
	if diff := cmp.Diff(want, days); diff != "" {
		t.Errorf("days (-want +got):\n%s", diff)
	}
}

func TestWindowContains(t *testing.T) {
	since := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	w := window{since: since}
	tests := []struct {
		t    time.Time
		want bool
	}{
		{time.Time{}, true},
		{since.Add(-time.Second), false},
		{since, true},
		{since.AddDate(1, 0, 0), true},
	}
	for _, tt := range tests {
		if got := w.contains(tt.t); got != tt.want {
			t.Errorf("contains(%s) = %t, want %t", tt.t, got, tt.want)
		}
	}
}

func FuzzKeyLayout(f *testing.F) {
	f.Add("AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/2026/03/01/x.json.gz")
	f.Add("AWSLogs/111122223333/CloudTrail/eu-west-1/")
	f.Add("a/AWSLogs//CloudTrail/x/9999/99/99/")
	f.Fuzz(func(t *testing.T, key string) {
		lvl := prefixLevel(key)
		if lvl != levelOther && key[len(key)-1] != '/' {
			t.Errorf("prefixLevel(%q) = %d for a key without a trailing slash", key, lvl)
		}
		if d, ok := keyDay(key); ok && d.Hour() != 0 {
			t.Errorf("keyDay(%q) = %s, not a day", key, d)
		}
		wantKey(key)
	})
}
