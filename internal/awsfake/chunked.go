package awsfake

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// decodeChunked undoes the aws-chunked content encoding the SDK may use
// for S3 uploads: "SIZE[;chunk-signature=...]\r\nDATA\r\n" chunks ending
// in a zero-size chunk and optional trailers such as a checksum.
func decodeChunked(h http.Header, body []byte) ([]byte, error) {
	if !strings.Contains(h.Get("Content-Encoding"), "aws-chunked") {
		return body, nil
	}
	var out bytes.Buffer
	for {
		line, rest, ok := bytes.Cut(body, []byte("\r\n"))
		if !ok {
			return nil, errInvalid("IncompleteBody", "truncated aws-chunked body")
		}
		sizeHex, _, _ := strings.Cut(string(line), ";")
		size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || size < 0 || size > int64(len(rest)) {
			return nil, errInvalid("IncompleteBody", "bad aws-chunked chunk size")
		}
		if size == 0 {
			return out.Bytes(), nil
		}
		out.Write(rest[:size])
		body = bytes.TrimPrefix(rest[size:], []byte("\r\n"))
	}
}
