package detect

import (
	"io"
	"sync"
)

// readahead decompresses in its own goroutine, a few chunks ahead of the
// lexer, so that one gzip input keeps two cores busy. close must be
// called once the reader is no longer needed.
type readahead struct {
	full chan chunkRead
	free chan []byte
	done chan struct{}
	wg   sync.WaitGroup

	cur    []byte // unread part of the chunk being read
	buf    []byte // the chunk cur belongs to, returned to free when read
	err    error
	closed sync.Once
}

type chunkRead struct {
	b   []byte
	err error
}

const readaheadChunks = 3

func newReadahead(r io.Reader) *readahead {
	ra := &readahead{
		full: make(chan chunkRead, readaheadChunks),
		free: make(chan []byte, readaheadChunks),
		done: make(chan struct{}),
	}
	for range readaheadChunks {
		ra.free <- getChunk()
	}
	ra.wg.Go(func() { ra.fill(r) })
	return ra
}

func (ra *readahead) fill(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := io.ReadFull(r, buf)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case ra.full <- chunkRead{b: buf[:n], err: err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (ra *readahead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.err != nil {
			return 0, ra.err
		}
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
		}
		c := <-ra.full
		ra.buf, ra.cur, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// close stops the goroutine, waits for it and recycles the chunks.
func (ra *readahead) close() {
	ra.closed.Do(func() { close(ra.done) })
	ra.wg.Wait()
	if ra.buf != nil {
		putChunk(ra.buf)
		ra.buf, ra.cur = nil, nil
	}
	for {
		select {
		case b := <-ra.free:
			putChunk(b)
		case c := <-ra.full:
			putChunk(c.b)
		default:
			return
		}
	}
}
