package bot

import (
	"container/list"
	"sync"
	"time"
)

// dedup remembers the event ids handled within a window so that a second
// delivery of the same event is dropped. It holds at most max ids; when
// full it forgets the oldest first. An id is claimed while its event is
// handled, so a duplicate arriving meanwhile is dropped too, and released
// when handling fails, so the redelivery is not.
//
// Dropping duplicates saves work; it is not what keeps remediation
// idempotent. Remediation reads the state before it changes anything.
type dedup struct {
	window time.Duration
	max    int
	now    func() time.Time

	mu    sync.Mutex
	seen  map[string]*list.Element // id -> element holding a dedupEntry
	order *list.List               // oldest first
}

type dedupEntry struct {
	id      string
	expires time.Time // zero while claimed
}

func newDedup(window time.Duration, max int, now func() time.Time) *dedup {
	return &dedup{
		window: window,
		max:    max,
		now:    now,
		seen:   make(map[string]*list.Element),
		order:  list.New(),
	}
}

// claim is the state of an id when it is claimed.
type claim int

const (
	// claimNew: the caller now handles the event and must call done.
	claimNew claim = iota
	// claimSeen: the event was handled within the window; drop it.
	claimSeen
	// claimBusy: the event is being handled now. The caller must not
	// drop it: the handling in progress may still fail.
	claimBusy
)

// claim claims id unless it was handled within the window or is being
// handled.
func (d *dedup) claim(id string) claim {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire(d.now())
	if e, ok := d.seen[id]; ok {
		if e.Value.(*dedupEntry).expires.IsZero() {
			return claimBusy
		}
		return claimSeen
	}
	for d.order.Len() >= d.max && d.order.Len() > 0 {
		d.remove(d.order.Front())
	}
	d.seen[id] = d.order.PushBack(&dedupEntry{id: id})
	return claimNew
}

// done ends the claim on id: remembered for the window when handled is
// true, forgotten when it is false.
func (d *dedup) done(id string, handled bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.seen[id]
	if !ok {
		return
	}
	if !handled {
		d.remove(e)
		return
	}
	e.Value.(*dedupEntry).expires = d.now().Add(d.window)
	d.order.MoveToBack(e)
}

// expire forgets the ids whose window ended. Entries are ordered by the
// time they were claimed or finished, so it stops at the first live one;
// a claimed entry stays until done moves it.
func (d *dedup) expire(now time.Time) {
	for e := d.order.Front(); e != nil; {
		ent := e.Value.(*dedupEntry)
		if ent.expires.IsZero() || now.Before(ent.expires) {
			return
		}
		next := e.Next()
		d.remove(e)
		e = next
	}
}

func (d *dedup) remove(e *list.Element) {
	delete(d.seen, e.Value.(*dedupEntry).id)
	d.order.Remove(e)
}

// len is the number of ids remembered or claimed.
func (d *dedup) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.order.Len()
}
