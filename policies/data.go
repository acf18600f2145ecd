package policies

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// maxDataFileBytes bounds a data file; approvals files are small.
const maxDataFileBytes = 16 << 20

// DataError is a problem in a data file, named precisely enough for
// whoever edits approvals to find it: the file, the entry and the field.
type DataError struct {
	File  string // the data file, or the policy directory or bundle
	Entry string // for example "approvals[2] (id CHG-1234)"
	Field string // for example "not_after"; empty for the entry itself
	Err   error
}

// Error returns the message of a DataError.
func (e *DataError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	for _, s := range []string{e.Entry, e.Field} {
		if s != "" {
			b.WriteString(": " + s)
		}
	}
	return b.String() + ": " + e.Err.Error()
}

// Unwrap returns the error beneath the DataError.
func (e *DataError) Unwrap() error { return e.Err }

// readDataFile reads one --data file, YAML or JSON by its extension, as
// a data document: an object whose paths are paths under data.
func readDataFile(path string) (map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read data file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDataFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read data file %s: %w", path, err)
	}
	if len(b) > maxDataFileBytes {
		return nil, fmt.Errorf("read data file %s: larger than %d bytes",
			path, maxDataFileBytes)
	}
	return parseData(path, b)
}

// parseData decodes a data document named name; the name's extension
// picks the format.
func parseData(name string, b []byte) (map[string]any, error) {
	var doc any
	var err error
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		doc, err = parseJSON(b)
	case ".yaml", ".yml":
		doc, err = parseYAML(b)
	default:
		return nil, fmt.Errorf("read data file %s: want a .json, .yaml "+
			"or .yml file", name)
	}
	if err != nil {
		return nil, fmt.Errorf("read data file %s: %w", name, err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("read data file %s: the document is %s, "+
			"want a mapping", name, typeName(doc))
	}
	return m, nil
}

func parseJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON document")
	}
	return doc, nil
}

// mergeData merges src into dst: objects key by key, lists appended, so
// that approvals from several files add up. Two files setting the same
// scalar conflict.
func mergeData(dst, src map[string]any, file string) error {
	return mergeAt(dst, src, file, "data")
}

func mergeAt(dst, src map[string]any, file, path string) error {
	for _, k := range slices.Sorted(maps.Keys(src)) {
		v, at := src[k], path+"."+k
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		switch o := old.(type) {
		case map[string]any:
			if s, ok := v.(map[string]any); ok {
				if err := mergeAt(o, s, file, at); err != nil {
					return err
				}
				continue
			}
		case []any:
			if s, ok := v.([]any); ok {
				dst[k] = append(o, s...)
				continue
			}
		}
		return fmt.Errorf("merge data file %s: %s is already set by "+
			"another data file", file, at)
	}
	return nil
}

// typeName names a decoded value's type the way a YAML or JSON author
// thinks of it.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	}
	return fmt.Sprintf("%T", v)
}

// parseTime parses an RFC 3339 time that Rego's time.parse_rfc3339_ns
// can also represent: nanoseconds since 1970 in an int64.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time", s)
	}
	if y := t.UTC().Year(); y < 1678 || y > 2261 {
		return time.Time{}, fmt.Errorf("%q is outside the years 1678 to 2261", s)
	}
	return t, nil
}
