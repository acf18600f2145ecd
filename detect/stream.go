package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// stream reads an array or a log file element by element.
func (d *decoder) stream(kind shapeKind, prefix int, name string) {
	elem := func(i int) string { return fmt.Sprintf("%s#[%d]", name, i) }
	if kind == shapeLog {
		elem = func(i int) string {
			return fmt.Sprintf("%s#Records[%d]", name, i)
		}
	}
	if d.fast {
		d.lexStream(kind, prefix, name, elem)
		return
	}
	d.tokenStream(kind, name, elem)
}

// tokenStream is stream with encoding/json's Decoder, token by token.
func (d *decoder) tokenStream(kind shapeKind, name string,
	elem func(int) string) {
	bud := &budget{r: d.src, left: maxPrefix + 16}
	dec := json.NewDecoder(bud)
	defer func() { d.src.unread(buffered(dec)) }()
	opening := 1
	if kind == shapeLog {
		opening = 3 // {, "Records", [
	}
	for range opening {
		if _, err := dec.Token(); err != nil {
			d.fatal(name, d.jsonError(err))
			return
		}
	}
	i, err := d.tokenElements(dec, bud, elem)
	if d.done {
		return
	}
	if err == nil {
		_, err = dec.Token() // ]
	}
	if err != nil {
		d.fatal(elem(i), d.jsonError(err))
		return
	}
	if kind == shapeLog {
		d.tokenMembers(dec, bud, name)
	}
}

// tokenElements decodes array elements until the closing bracket and
// returns the index of the element it stopped at.
func (d *decoder) tokenElements(dec *json.Decoder, bud *budget,
	elem func(int) string) (int, error) {
	for i := 0; !d.cancelled(); i++ {
		raw, err := d.tokenNext(dec, bud, func() (json.RawMessage, error) {
			var raw json.RawMessage
			return raw, dec.Decode(&raw)
		})
		if err != nil || raw == nil || !d.classify(raw, elem(i), 0) {
			return i, err
		}
	}
	return 0, nil
}

// tokenMembers checks the members of a log file after Records, which
// carry nothing detect reads.
func (d *decoder) tokenMembers(dec *json.Decoder, bud *budget,
	name string) {
	for {
		raw, err := d.tokenNext(dec, bud, func() (json.RawMessage, error) {
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			var raw json.RawMessage
			return raw, dec.Decode(&raw)
		})
		if err != nil {
			d.fatal(name, d.jsonError(err))
			return
		}
		if raw == nil {
			break
		}
	}
	if _, err := dec.Token(); err != nil { // }
		d.fatal(name, d.jsonError(err))
	}
}

// tokenNext reads the next element or member, if the array or object has
// one, within MaxRecordBytes of the end of the previous one. It returns
// nil at the closing bracket. It measures exactly as the lexer does, so
// that Scan and Events stop at the same record: a scalar counts one byte
// more, since the decoder must see the byte after it.
func (d *decoder) tokenNext(dec *json.Decoder, bud *budget,
	read func() (json.RawMessage, error)) (json.RawMessage, error) {
	base := dec.InputOffset()
	bud.reset(base + d.lim.MaxRecordBytes)
	if !dec.More() {
		return nil, nil
	}
	raw, err := read()
	if err != nil {
		return nil, err
	}
	extent := dec.InputOffset() - base
	if raw[0] != '{' && raw[0] != '[' {
		extent++
	}
	if extent > d.lim.MaxRecordBytes {
		return nil, errBudget
	}
	return raw, nil
}

// errBudget: a decoder tried to read past its budget.
var errBudget = errors.New("read budget exhausted")

// budget limits what a json.Decoder may read, so that one oversized
// value cannot take unbounded memory. reset moves the limit to an offset
// of the decoder's input.
type budget struct {
	r         io.Reader
	left      int64
	delivered int64
}

func (b *budget) reset(limit int64) { b.left = limit - b.delivered }

func (b *budget) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	b.delivered += int64(n)
	return n, err
}

// buffered returns the bytes a json.Decoder read ahead, without copying.
func buffered(dec *json.Decoder) []byte {
	var g grab
	_, _ = dec.Buffered().(io.WriterTo).WriteTo(&g)
	return g.b
}

type grab struct{ b []byte }

func (g *grab) Write(p []byte) (int, error) {
	g.b = p
	return len(p), nil
}
