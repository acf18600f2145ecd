package bot

import (
	"regexp"
	"strings"
	"time"
)

// CloudTrail delivers log files under
//
//	[PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/FILE.json.gz
//
// next to CloudTrail-Digest/ (signatures) and CloudTrail-Insight/
// (Insights events, never API calls). The date is the delivery date.

// level is how far a key prefix reaches into CloudTrail's layout.
type level int

const (
	levelOther   level = iota // not a layout boundary: list and filter
	levelLogs                 // .../AWSLogs/
	levelOrg                  // .../AWSLogs/o-ORG/
	levelAccount              // .../AWSLogs/[o-ORG/]ACCOUNT/
	levelTrail                // .../ACCOUNT/CloudTrail/
	levelRegion               // .../ACCOUNT/CloudTrail/REGION/
)

var (
	orgIDRE     = regexp.MustCompile(`^o-[a-z0-9]+$`)
	accountIDRE = regexp.MustCompile(`^\d{12}$`)
	keyRegionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d\d?$`)
	keyDateRE   = regexp.MustCompile(
		`/CloudTrail/[a-z0-9-]+/(\d{4}/\d{2}/\d{2})/`)
)

const awsLogs = "AWSLogs/"

// prefixLevel says where prefix, which ends with "/", stands in the
// layout.
func prefixLevel(prefix string) level {
	i := strings.Index(prefix, awsLogs)
	if i < 0 || !strings.HasSuffix(prefix, "/") ||
		(i > 0 && prefix[i-1] != '/') {
		return levelOther
	}
	rest := strings.TrimSuffix(prefix[i+len(awsLogs):], "/")
	if rest == "" {
		return levelLogs
	}
	segs := strings.Split(rest, "/")
	// An organization id is "o-" and 10 to 32 characters.
	if n := len(segs[0]); n >= 12 && n <= 34 && orgIDRE.MatchString(segs[0]) {
		if segs = segs[1:]; len(segs) == 0 {
			return levelOrg
		}
	}
	if !accountIDRE.MatchString(segs[0]) {
		return levelOther
	}
	switch {
	case len(segs) == 1:
		return levelAccount
	case segs[1] != "CloudTrail":
		return levelOther
	case len(segs) == 2:
		return levelTrail
	case len(segs) == 3 && keyRegionRE.MatchString(segs[2]):
		return levelRegion
	}
	return levelOther
}

// wantKey reports whether key may be a CloudTrail log file of API calls.
func wantKey(key string) bool {
	if key == "" || strings.HasSuffix(key, "/") ||
		strings.Contains(key, "/CloudTrail-Digest/") ||
		strings.Contains(key, "/CloudTrail-Insight/") {
		return false
	}
	i := strings.Index(key, awsLogs)
	return i < 0 || strings.Contains(key[i:], "/CloudTrail/")
}

// keyDay is the delivery day in a log file's key.
func keyDay(key string) (time.Time, bool) {
	m := keyDateRE.FindStringSubmatch(key)
	if m == nil {
		return time.Time{}, false
	}
	d, err := time.Parse("2006/01/02", m[1])
	return d, err == nil
}

// dayPath is the key part of day: "YYYY/MM/DD/".
func dayPath(day time.Time) string { return day.Format("2006/01/02/") }

// window is the time range of a backfill. Zero bounds are open.
type window struct{ since, until time.Time }

// firstDay and lastDay bound the delivery days that may hold events of
// the window: a file is delivered up to about 15 minutes after its
// events, so the day after until counts too.
func (w window) firstDay() time.Time { return day(w.since) }
func (w window) lastDay() time.Time  { return day(w.until).AddDate(0, 0, 1) }

func day(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

// keepKey reports whether a key delivered on d may hold window's events.
// Keys without a date are kept.
func (w window) keepKey(key string) bool {
	d, ok := keyDay(key)
	switch {
	case !ok:
		return true
	case !w.since.IsZero() && d.Before(w.firstDay()):
		return false
	case !w.until.IsZero() && d.After(w.lastDay()):
		return false
	}
	return true
}

// contains reports whether t lies in the window; a zero t does.
func (w window) contains(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	return (w.since.IsZero() || !t.Before(w.since)) &&
		(w.until.IsZero() || !t.After(w.until))
}

// days lists the delivery days to read, first to last.
func (w window) days() []time.Time {
	var out []time.Time
	for d := w.firstDay(); !d.After(w.lastDay()); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}
