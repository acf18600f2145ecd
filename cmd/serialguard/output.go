package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/serialguard/serialguard/remediate"
)

// outputFormat is the -o flag: an enum that lists its values in help and
// defaults to a table on a terminal and JSON elsewhere.
type outputFormat struct {
	value   string
	allowed []string
}

var _ pflag.Value = (*outputFormat)(nil)

func (f *outputFormat) String() string { return f.value }
func (f *outputFormat) Type() string   { return "format" }

func (f *outputFormat) Set(s string) error {
	for _, a := range f.allowed {
		if s == a {
			f.value = s
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(f.allowed, ", "))
}

// addOutputFlag registers -o/--output on fs with the given formats; the
// first is the default on a terminal, "json" the default elsewhere.
func addOutputFlag(fs *pflag.FlagSet, stdout io.Writer, formats ...string) *outputFormat {
	f := &outputFormat{allowed: formats, value: formats[0]}
	if !isTerminal(stdout) && f.Set("json") == nil {
		f.value = "json"
	}
	fs.VarP(f, "output", "o",
		"output format: "+strings.Join(formats, ", "))
	return f
}

// isTerminal reports whether w is a terminal, where tables and progress
// bars are for a person.
func isTerminal(w io.Writer) bool {
	file, ok := w.(*os.File)
	return ok && term.IsTerminal(int(file.Fd()))
}

// writeJSON writes v as one indented JSON document.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ndjsonWriter writes one compact JSON object per line.
type ndjsonWriter struct{ enc *json.Encoder }

func newNDJSONWriter(w io.Writer) *ndjsonWriter {
	return &ndjsonWriter{enc: json.NewEncoder(w)}
}

// Write writes v as one line.
func (n *ndjsonWriter) Write(v any) error { return n.enc.Encode(v) }

// dash stands in for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// stepsCell lists steps as CALL:STATUS, comma-separated, for a table or
// CSV cell.
func stepsCell(steps []remediate.Step) string {
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = s.Call + ":" + string(s.Status)
	}
	return strings.Join(parts, ",")
}
