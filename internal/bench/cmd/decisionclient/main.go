// Command decisionclient measures an OPA server's HTTP decision API: it
// POSTs one input document to a decision path N times over a kept-alive
// connection and prints the mean and percentiles per decision. The
// policy benchmark (internal/bench/policy.sh) compares it with
// serialguard's embedded engine.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8181/v1/data/serialguard/decision",
		"decision API URL")
	input := flag.String("input", "", "JSON file with the input document")
	n := flag.Int("n", 2000, "decisions to request")
	flag.Parse()
	if err := run(*url, *input, *n, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "decisionclient:", err)
		os.Exit(2)
	}
}

func run(url, inputPath string, n int, out io.Writer) error {
	raw, err := os.ReadFile(inputPath)
	if err != nil {
		return err
	}
	body, err := json.Marshal(map[string]json.RawMessage{"input": raw})
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	if err := decide(client, url, body); err != nil { // warm up, check
		return err
	}
	took := make([]time.Duration, n)
	start := time.Now()
	for i := range took {
		t := time.Now()
		if err := decide(client, url, body); err != nil {
			return err
		}
		took[i] = time.Since(t)
	}
	total := time.Since(start)
	slices.Sort(took)
	fmt.Fprintf(out, "decisions=%d mean_us=%.1f p50_us=%.1f p99_us=%.1f\n", n,
		us(total/time.Duration(n)), us(took[n/2]), us(took[n*99/100]))
	return nil
}

// decide requests one decision and checks that it has an action.
func decide(c *http.Client, url string, body []byte) error {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res struct {
		Result struct {
			Action string `json:"action"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	if resp.StatusCode != http.StatusOK || res.Result.Action == "" {
		return errors.New("response has no decision: " + resp.Status)
	}
	return nil
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
