package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
)

// Event is one record read from an input, or one failure to read one.
type Event struct {
	// Record is the decoded record; nil when Err is set.
	Record *Record
	// Source says where the record was read: "trail.json.gz#Records[12]"
	// is a record of a log file, "events.json#[3]" an element of an array,
	// "events.ndjson:7" the value starting on line 7, and
	// "lambda.json:1#Records[0].body" a record inside a wrapper. A log
	// file or an array is named by its line too unless it starts on line 1.
	Source string
	// Err is a *DecodeError naming the bad record or input. Decoding goes
	// on with the rest of the input unless the error says it was skipped.
	Err error
}

// Events decodes one input of any shape detect reads, gzip or plain,
// and yields its records in order. It streams: memory is bounded by
// lim.MaxRecordBytes, not by the size of the input. name is used in
// sources and errors.
func Events(name string, r io.Reader, lim Limits) iter.Seq[Event] {
	return func(yield func(Event) bool) {
		decodeInput(name, r, lim.withDefaults(), mode{}, yield)
	}
}

// mode selects how an input is decoded.
type mode struct {
	// fast selects Scan's lexer and its filter, and decompression ahead
	// of it in another goroutine.
	fast bool
	// stop, when closed, ends decoding early, as if the consumer had
	// stopped; nil never does.
	stop <-chan struct{}
}

// fastMode is Scan's mode without a way to stop it.
var fastMode = mode{fast: true}

// decodeInput decodes one input and reports whether the consumer wants
// more.
func decodeInput(name string, r io.Reader, lim Limits, m mode,
	yield func(Event) bool) bool {
	c, err := openContent(r, lim, m.fast)
	if err != nil {
		return yield(errorEvent(name, stopped(err)))
	}
	defer c.close()
	d := &decoder{name: name, lim: lim, src: newSource(c), fast: m.fast,
		stop: m.stop, yield: yield}
	defer d.src.release()
	d.run()
	return !d.stopped
}

func errorEvent(source string, err error) Event {
	return Event{Source: source, Err: &DecodeError{Source: source, Err: err}}
}

// maxResyncs bounds how many times one input may skip a bad line before
// the rest of it is given up.
const maxResyncs = 100

// decoder reads the top-level values of one input. Arrays and log files
// ({"Records":[...]} with Records first) are streamed element by element;
// any other value is read whole, up to Limits.MaxRecordBytes, and taken
// apart by classify.
type decoder struct {
	name    string
	lim     Limits
	src     *source
	fast    bool
	lex     lexer
	stop    <-chan struct{}
	yield   func(Event) bool
	done    bool // stop reading this input
	stopped bool // the consumer wants no more events
	resyncs int
}

func (d *decoder) emit(ev Event) bool {
	if !d.done && !d.yield(ev) {
		d.done, d.stopped = true, true
	}
	return !d.done
}

// cancelled reports whether decoding was stopped from outside, and if so
// stops this input.
func (d *decoder) cancelled() bool {
	select {
	case <-d.stop:
		d.done, d.stopped = true, true
	default:
	}
	return d.done
}

// fail reports one bad record; decoding goes on.
func (d *decoder) fail(source string, err error) bool {
	return d.emit(errorEvent(source, err))
}

// fatal reports an error that ends the input.
func (d *decoder) fatal(source string, err error) {
	d.emit(errorEvent(source, stopped(err)))
	d.done = true
}

func (d *decoder) run() {
	for !d.cancelled() {
		c, ok := d.src.skipSpace()
		if !ok {
			if err := d.src.failure(); err != nil {
				d.fatal(d.name, err)
			}
			return
		}
		line := d.src.lines + 1
		switch kind, prefix := d.shape(c); kind {
		case shapeValue:
			d.bounded(fmt.Sprintf("%s:%d", d.name, line))
		default:
			name := d.name
			if line > 1 {
				name = fmt.Sprintf("%s:%d", d.name, line)
			}
			d.stream(kind, prefix, name)
		}
	}
}

type shapeKind int

const (
	shapeValue shapeKind = iota // read whole
	shapeArray                  // [...], streamed
	shapeLog                    // {"Records":[...],...}, streamed
)

// maxPrefix bounds how far shape looks for a log file's opening.
const maxPrefix = 4096

// shape tells a streamed value from its first bytes and returns the
// length of its opening, '[' or {"Records":[.
func (d *decoder) shape(c byte) (shapeKind, int) {
	if c == '[' {
		return shapeArray, 1
	}
	if c != '{' {
		return shapeValue, 0
	}
	k := d.peekSpace(1)
	for _, want := range []byte(`"Records"`) {
		if b, ok := d.src.peek(k); !ok || b != want {
			return shapeValue, 0
		}
		k++
	}
	k = d.peekSpace(k)
	if b, ok := d.src.peek(k); !ok || b != ':' {
		return shapeValue, 0
	}
	k = d.peekSpace(k + 1)
	if b, ok := d.src.peek(k); !ok || b != '[' {
		return shapeValue, 0
	}
	return shapeLog, k + 1
}

func (d *decoder) peekSpace(k int) int {
	for k < maxPrefix {
		b, ok := d.src.peek(k)
		if !ok || !isSpace(b) {
			break
		}
		k++
	}
	return k
}

// bounded reads one whole top-level value. After bad JSON it skips to
// the next line, which resynchronises NDJSON.
func (d *decoder) bounded(source string) {
	bud := &budget{r: d.src, left: d.lim.MaxRecordBytes}
	dec := json.NewDecoder(bud)
	var raw json.RawMessage
	err := dec.Decode(&raw)
	d.src.unread(buffered(dec))
	if err != nil {
		d.resync(source, d.jsonError(err))
		return
	}
	if !d.filtered(raw) {
		d.classify(raw, source, 0)
	}
}

func (d *decoder) resync(source string, err error) {
	var re *readError
	if errors.As(err, &re) {
		d.fatal(source, err)
		return
	}
	if d.resyncs++; d.resyncs > maxResyncs {
		d.fatal(source, fmt.Errorf("%w; too many errors", err))
		return
	}
	d.fail(source, fmt.Errorf("%w; skipped to the next line", err))
	d.src.skipLine()
}

// jsonError turns a json.Decoder error into one for users.
func (d *decoder) jsonError(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, errBudget):
		return tooLarge(d.lim.MaxRecordBytes)
	case err == io.EOF:
		return io.ErrUnexpectedEOF
	case errors.As(err, &se):
		return fmt.Errorf("json: %w", err)
	}
	return err
}

// filtered reports whether Scan may skip a value without decoding it.
func (d *decoder) filtered(raw []byte) bool {
	if !d.fast {
		return false
	}
	_, err := d.lex.value(raw, 0)
	return err == nil && d.lex.keys.skippable()
}
