package detect

import "io"

// lexStream is stream with the lexer; elements no rule can match are
// skipped without decoding.
func (d *decoder) lexStream(kind shapeKind, prefix int, name string,
	elem func(int) string) {
	d.src.consume(prefix)
	for i := 0; !d.done; i++ {
		if i%256 == 0 && d.cancelled() {
			return
		}
		start, end, done, err := d.lexNext(func(b []byte) (int, int, bool, error) {
			return d.lex.element(b, i == 0)
		})
		if err != nil {
			d.fatal(elem(i), err)
			return
		}
		raw := d.src.avail()[start:end]
		d.src.consume(end)
		if done {
			break
		}
		if !d.lex.keys.skippable() {
			d.classify(raw, elem(i), 0)
		}
	}
	for kind == shapeLog && !d.done {
		_, end, done, err := d.lexNext(func(b []byte) (int, int, bool, error) {
			end, done, err := d.lex.member(b)
			return 0, end, done, err
		})
		if err != nil {
			d.fatal(name, err)
			return
		}
		d.src.consume(end)
		if done {
			return
		}
	}
}

// lexNext runs a lexer step over at most MaxRecordBytes of input, reading
// more and retrying until the step completes. At the end of the input it
// tries once more, letting a last scalar end there.
func (d *decoder) lexNext(step func([]byte) (int, int, bool, error)) (
	start, end int, done bool, err error) {
	defer func() { d.lex.eof = false }()
	for {
		w := d.src.window(d.lim.MaxRecordBytes)
		start, end, done, err = step(w)
		switch {
		case err != errNeedMore:
			return start, end, done, err
		case int64(len(w)) == d.lim.MaxRecordBytes:
			return 0, 0, false, tooLarge(d.lim.MaxRecordBytes)
		case d.src.more():
			continue
		case d.src.failure() != nil:
			return 0, 0, false, d.src.failure()
		case d.lex.eof:
			return 0, 0, false, io.ErrUnexpectedEOF
		}
		d.lex.eof = true
	}
}
