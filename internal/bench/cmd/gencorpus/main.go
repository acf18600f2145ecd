// Command gencorpus writes a synthetic corpus of gzip CloudTrail log
// files laid out as CloudTrail delivers them to S3, for throughput
// benchmarks. The records are realistic in shape and size: a mix of
// management and data events from several identity types, with a known
// number of successful EnableSerialConsoleAccess calls among them.
//
//	go run ./internal/bench/cmd/gencorpus -dir /tmp/corpus -mb 1024
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "", "directory to write the corpus to (required)")
	flag.Int64Var(&o.mb, "mb", 512, "uncompressed size to write, in MiB")
	flag.IntVar(&o.enablements, "enablements", 7,
		"successful EnableSerialConsoleAccess records to include")
	flag.Int64Var(&o.seed, "seed", 1, "random seed; the same seed writes the same corpus")
	flag.BoolVar(&o.single, "single", false, "write one log file of the whole size")
	flag.Parse()
	if o.dir == "" {
		fmt.Fprintln(os.Stderr, "gencorpus: -dir is required")
		os.Exit(2)
	}
	sum, err := generate(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
	fmt.Println(sum)
}
