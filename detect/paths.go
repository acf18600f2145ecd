package detect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
)

// PathEvents decodes files, directories and standard input ("-") in
// order, like Events for each. Directories are walked in lexical order,
// skipping CloudTrail-Digest directories; a file found by walking is read
// only if its content starts like JSON or gzip, so that READMEs and the
// like are passed over. A path that cannot be read yields an Event with
// Err, and the rest are still read.
func PathEvents(paths []string, stdin io.Reader, lim Limits) iter.Seq[Event] {
	lim = lim.withDefaults()
	return func(yield func(Event) bool) {
		for in := range inputs(paths, stdin) {
			if !in.decode(lim, mode{}, yield) {
				return
			}
		}
	}
}

// stdinName names standard input in sources.
const stdinName = "stdin"

// digestDir holds CloudTrail's digest files, which hold no events.
const digestDir = "CloudTrail-Digest"

// input is one file or stream to decode.
type input struct {
	name   string
	open   func() (io.ReadCloser, error)
	walked bool  // found by walking a directory
	err    error // the path could not be walked
}

func inputs(paths []string, stdin io.Reader) iter.Seq[input] {
	return func(yield func(input) bool) {
		for _, p := range paths {
			if p == "-" {
				rc := io.NopCloser(stdin)
				in := input{name: stdinName, open: func() (io.ReadCloser, error) {
					return rc, nil
				}}
				if !yield(in) {
					return
				}
				continue
			}
			if !walk(p, yield) {
				return
			}
		}
	}
}

// walk yields p if it is a file, or the files under it if a directory.
func walk(root string, yield func(input) bool) bool {
	ok := true
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		switch {
		case err != nil:
			ok = yield(input{name: p, err: err})
		case e.IsDir() && e.Name() == digestDir && p != root:
			return fs.SkipDir
		case e.IsDir():
			return nil
		default:
			ok = yield(fileInput(p, p != root))
		}
		if !ok {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil && ok {
		ok = yield(input{name: root, err: err})
	}
	return ok
}

func fileInput(path string, walked bool) input {
	return input{name: path, walked: walked, open: func() (io.ReadCloser, error) {
		return os.Open(path)
	}}
}

// decode decodes the input and reports whether the consumer wants more.
func (in input) decode(lim Limits, m mode, yield func(Event) bool) bool {
	if in.err != nil {
		return yield(errorEvent(in.name, pathError(in.err)))
	}
	rc, err := in.open()
	if err != nil {
		return yield(errorEvent(in.name, pathError(err)))
	}
	defer rc.Close()
	br := bufioReaders.Get().(*bufio.Reader)
	br.Reset(rc)
	defer func() {
		br.Reset(nil)
		bufioReaders.Put(br)
	}()
	if in.walked && !looksLikeEvents(br) {
		return true
	}
	return decodeInput(in.name, br, lim, m, yield)
}

// looksLikeEvents reports whether content starts with gzip's magic bytes
// or, after whitespace, with an object or an array.
func looksLikeEvents(br *bufio.Reader) bool {
	if isGzip(br) {
		return true
	}
	head, _ := br.Peek(4096)
	i := skipSpace(head, 0)
	return i < len(head) && (head[i] == '{' || head[i] == '[')
}

// pathError drops the path from an *fs.PathError, which the DecodeError
// names already.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
