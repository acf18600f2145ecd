package detect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// content is the decompressed bytes of one input.
type content struct {
	io.Reader
	br *bufio.Reader // pooled, when content made it
	zr *gzip.Reader  // pooled, when the input is gzip
	ra *readahead
}

var (
	bufioReaders = sync.Pool{New: func() any {
		return bufio.NewReaderSize(nil, 64<<10)
	}}
	gzipReaders sync.Pool
)

// openContent returns the content of r, gunzipped when it starts with the
// gzip magic bytes and then, if ahead is set, decompressed ahead in
// another goroutine. close must be called once it is read.
func openContent(r io.Reader, lim Limits, ahead bool) (*content, error) {
	c := &content{}
	br, ok := r.(*bufio.Reader)
	if !ok {
		c.br = bufioReaders.Get().(*bufio.Reader)
		c.br.Reset(r)
		br = c.br
	}
	c.Reader = br
	if !isGzip(br) {
		return c, nil
	}
	if err := c.gunzip(br); err != nil {
		c.close()
		return nil, fmt.Errorf("gunzip: %w", err)
	}
	max := lim.MaxDecompressedBytes
	c.Reader = &gunzipReader{zr: c.zr, left: max, limit: max}
	if ahead {
		c.ra = newReadahead(c.Reader)
		c.Reader = c.ra
	}
	return c, nil
}

func (c *content) gunzip(br *bufio.Reader) error {
	if zr, ok := gzipReaders.Get().(*gzip.Reader); ok {
		c.zr = zr
		return zr.Reset(br)
	}
	var err error
	c.zr, err = gzip.NewReader(br)
	return err
}

func (c *content) close() {
	if c.ra != nil {
		c.ra.close()
	}
	if c.zr != nil {
		gzipReaders.Put(c.zr)
	}
	if c.br != nil {
		c.br.Reset(nil)
		bufioReaders.Put(c.br)
	}
}

func isGzip(br *bufio.Reader) bool {
	magic, _ := br.Peek(2)
	return len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b
}

// gunzipReader names gzip errors as such and enforces
// Limits.MaxDecompressedBytes.
type gunzipReader struct {
	zr    *gzip.Reader
	left  int64
	limit int64
}

func (g *gunzipReader) Read(p []byte) (int, error) {
	if g.left <= 0 {
		return g.probe()
	}
	if int64(len(p)) > g.left {
		p = p[:g.left]
	}
	n, err := g.zr.Read(p)
	g.left -= int64(n)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("gunzip: %w", err)
	}
	return n, err
}

// probe runs once the limit is reached: the input is fine if it ends
// there.
func (g *gunzipReader) probe() (int, error) {
	var one [1]byte
	n, err := io.ReadFull(g.zr, one[:])
	if n > 0 {
		return 0, fmt.Errorf("%w: over %d bytes",
			ErrDecompressedTooLarge, g.limit)
	}
	if errors.Is(err, io.EOF) {
		return 0, io.EOF
	}
	return 0, fmt.Errorf("gunzip: %w", err)
}
