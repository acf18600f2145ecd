package main

import (
	"strings"
	"testing"

	"github.com/serialguard/serialguard/detect"
)

// TestGenerate writes a small corpus and checks that detect reads every
// file and finds exactly the planted enablements.
func TestGenerate(t *testing.T) {
	dir := t.TempDir()
	sum, err := generate(options{dir: dir, mb: 2, enablements: 3, seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if sum.enablements != 3 || sum.files == 0 || sum.raw < 2<<20 {
		t.Fatalf("summary %s", sum)
	}
	found := 0
	for ev := range detect.Scan([]string{dir}, nil, detect.ScanOptions{}) {
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		if f, ok := detect.Detect(ev); ok && f.Kind == detect.KindEnablement {
			found++
		}
	}
	if found != 3 {
		t.Errorf("detect found %d enablements, want 3", found)
	}
	records := 0
	for ev := range detect.PathEvents([]string{dir}, nil, detect.Limits{}) {
		if ev.Err != nil {
			t.Fatal(ev.Err)
		}
		if !strings.Contains(ev.Source, "/CloudTrail/") {
			t.Fatalf("file %s is not laid out as CloudTrail delivers", ev.Source)
		}
		records++
	}
	if records != sum.records {
		t.Errorf("decoded %d records, generated %d", records, sum.records)
	}
}
