package detect

import (
	"bytes"
	"io"
	"sync"
)

// chunk is how much a source reads at a time.
const chunk = 256 << 10

// source buffers one decompressed input for the decoders. The fast lexer
// works on its buffer in place; a json.Decoder reads from it like any
// reader and hands back what it read ahead with unread. It counts the
// newlines of consumed bytes so that values can be named by line.
type source struct {
	r     io.Reader
	buf   []byte
	start int   // unconsumed bytes are buf[start:end]
	end   int   // end of the bytes read so far
	err   error // the reader's error, reported once buf is drained
	lines int   // newlines consumed so far
}

func newSource(r io.Reader) *source {
	return &source{r: r, buf: getChunk()}
}

// release gives the buffer back for reuse; the source is not used after.
func (s *source) release() {
	putChunk(s.buf)
	s.buf = nil
}

// chunks recycles chunk-sized buffers across inputs: a scan of many small
// log files would otherwise allocate several per file.
var chunks = sync.Pool{New: func() any { return new([chunk]byte) }}

func getChunk() []byte { return chunks.Get().(*[chunk]byte)[:] }

func putChunk(b []byte) {
	if cap(b) == chunk {
		chunks.Put((*[chunk]byte)(b[:chunk]))
	}
}

// avail returns the buffered, unconsumed bytes.
func (s *source) avail() []byte { return s.buf[s.start:s.end] }

// window returns at most max buffered bytes.
func (s *source) window(max int64) []byte {
	if int64(s.end-s.start) > max {
		return s.buf[s.start : int64(s.start)+max]
	}
	return s.buf[s.start:s.end]
}

// consume marks n buffered bytes as read.
func (s *source) consume(n int) {
	s.lines += bytes.Count(s.buf[s.start:s.start+n], newline)
	s.start += n
}

var newline = []byte{'\n'}

// more reads at least one more byte into the buffer, keeping the
// unconsumed ones. It returns false once the input is exhausted; failure
// then tells why. An error that comes with data is kept for the next
// call, so every decoder sees the same bytes before the same error.
func (s *source) more() bool {
	if s.err != nil {
		return false
	}
	s.makeRoom()
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.err = readFailure(err)
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	s.err = readFailure(io.ErrNoProgress)
	return false
}

// makeRoom slides unconsumed bytes to the front and grows the buffer so
// that at least half a chunk can be read.
func (s *source) makeRoom() {
	if len(s.buf)-s.end >= chunk/2 {
		return
	}
	n := copy(s.buf, s.buf[s.start:s.end])
	s.start, s.end = 0, n
	if len(s.buf)-s.end >= chunk/2 {
		return
	}
	grown := make([]byte, 2*len(s.buf))
	copy(grown, s.buf[:s.end])
	s.buf = grown
}

// failure returns the read error that ended the input, or nil at a clean
// end of input.
func (s *source) failure() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// Read lets a json.Decoder read from the source.
func (s *source) Read(p []byte) (int, error) {
	if s.start == s.end && !s.more() {
		return 0, s.err
	}
	n := copy(p, s.avail())
	s.consume(n)
	return n, nil
}

// unread puts back bytes a decoder read ahead. They are the bytes most
// recently consumed, so they usually still sit just before start.
func (s *source) unread(b []byte) {
	s.lines -= bytes.Count(b, newline)
	if len(b) <= s.start {
		s.start -= len(b)
		copy(s.buf[s.start:], b)
		return
	}
	rest := s.avail()
	buf := make([]byte, max(len(s.buf), len(b)+len(rest)+chunk/2))
	copy(buf, b)
	copy(buf[len(b):], rest)
	s.buf, s.start, s.end = buf, 0, len(b)+len(rest)
}

// skipSpace consumes whitespace and returns the next byte without
// consuming it; false at the end of input.
func (s *source) skipSpace() (byte, bool) {
	for {
		for s.start < s.end {
			c := s.buf[s.start]
			if !isSpace(c) {
				return c, true
			}
			if c == '\n' {
				s.lines++
			}
			s.start++
		}
		if !s.more() {
			return 0, false
		}
	}
}

// peek returns the byte at offset k of the unconsumed input.
func (s *source) peek(k int) (byte, bool) {
	for s.end-s.start <= k {
		if !s.more() {
			return 0, false
		}
	}
	return s.buf[s.start+k], true
}

// skipLine consumes up to and including the next newline.
func (s *source) skipLine() {
	for {
		if i := bytes.IndexByte(s.avail(), '\n'); i >= 0 {
			s.consume(i + 1)
			return
		}
		s.start = s.end
		if !s.more() {
			return
		}
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r'
}

// readError is a failure of the underlying reader, as opposed to bad
// JSON: it always ends the input.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

func readFailure(err error) error {
	if err == io.EOF {
		return err
	}
	return &readError{err: err}
}
