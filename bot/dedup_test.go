package bot

import (
	"fmt"
	"testing"
	"time"
)

func TestDedupWindow(t *testing.T) {
	clk := newFakeClock()
	d := newDedup(10*time.Minute, 100, clk.Now)
	steps := []struct {
		name    string
		advance time.Duration
		id      string
		done    *bool // nil: leave the claim open
		want    claim
	}{
		{"first delivery", 0, "e1", ptr(true), claimNew},
		{"second delivery", time.Minute, "e1", nil, claimSeen},
		{"other event", 0, "e2", nil, claimNew},
		{"while e2 is handled", 0, "e2", nil, claimBusy},
		{"just inside the window", 9*time.Minute - time.Second, "e1", nil, claimSeen},
		{"after the window", time.Second, "e1", ptr(false), claimNew},
		{"after a failure", 0, "e1", nil, claimNew},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		got := d.claim(s.id)
		if got != s.want {
			t.Fatalf("%s: claim(%s) = %d, want %d", s.name, s.id, got, s.want)
		}
		if s.done != nil {
			d.done(s.id, *s.done)
		}
	}
}

func TestDedupBounded(t *testing.T) {
	clk := newFakeClock()
	d := newDedup(time.Hour, 3, clk.Now)
	for i := range 5 {
		id := fmt.Sprint("e", i)
		if got := d.claim(id); got != claimNew {
			t.Fatalf("claim(%s) = %d, want claimNew", id, got)
		}
		d.done(id, true)
	}
	if got := d.len(); got != 3 {
		t.Errorf("len = %d, want 3", got)
	}
	if got := d.claim("e0"); got != claimNew {
		t.Errorf("claim(e0) after eviction = %d, want claimNew", got)
	}
	if got := d.claim("e4"); got != claimSeen {
		t.Errorf("claim(e4) = %d, want claimSeen", got)
	}
}

func TestDedupExpiresOldest(t *testing.T) {
	clk := newFakeClock()
	d := newDedup(time.Minute, 100, clk.Now)
	for i := range 50 {
		id := fmt.Sprint("e", i)
		d.claim(id)
		d.done(id, true)
	}
	clk.Advance(2 * time.Minute)
	d.claim("fresh")
	if got := d.len(); got != 1 {
		t.Errorf("len after the window = %d, want 1", got)
	}
}

func ptr[T any](v T) *T { return &v }
