package scp_test

import (
	"fmt"
	"testing"

	"github.com/serialguard/serialguard/scp"
)

// BenchmarkRender renders an SCP with 50 exempt patterns, about half the
// size quota.
func BenchmarkRender(b *testing.B) {
	var exempt []string
	for i := range 50 {
		exempt = append(exempt, fmt.Sprintf("arn:aws:iam::%012d:role/a", i))
	}
	for b.Loop() {
		if _, err := scp.Render(exempt); err != nil {
			b.Fatal(err)
		}
	}
}
