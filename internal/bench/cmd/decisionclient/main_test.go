package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		var body struct{ Input map[string]any }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil ||
			body.Input["now"] != "2026-03-02T16:00:00Z" {
			http.Error(w, "bad input", http.StatusBadRequest)
			return
		}
		io.WriteString(w, `{"result": {"action": "allow"}}`)
	}))
	defer srv.Close()
	input := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(input, []byte(`{"now": "2026-03-02T16:00:00Z"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(srv.URL, input, 10, &out); err != nil {
		t.Fatal(err)
	}
	if requests != 11 || !strings.HasPrefix(out.String(), "decisions=10 mean_us=") {
		t.Errorf("%d requests, output %q; want 11 and a summary", requests, out.String())
	}
}

func TestRunRejectsUndefinedDecision(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{}`) // what OPA answers for an undefined document
	}))
	defer srv.Close()
	input := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(input, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(srv.URL, input, 1, io.Discard); err == nil {
		t.Error("run() accepted a response without a decision")
	}
}
