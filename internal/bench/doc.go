// Package bench holds serialguard's benchmark tooling, none of it part of
// serialguard itself: scan.sh compares "serialguard detect" with zcat and
// jq on a corpus written by cmd/gencorpus, and the other scripts and
// commands here measure the rest the same way.
package bench
