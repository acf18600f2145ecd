package bot

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// BenchmarkHandleDryRun is the cost of one finding in the README's
// quick start: decide with the embedded policy, plan without state.
func BenchmarkHandleDryRun(b *testing.B) {
	cfg := DefaultConfig()
	cfg.DryRun = true
	bt, err := New(context.Background(), cfg, Options{
		AWS:    aws.Config{Region: DefaultRegion},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	f := finding(b, eventBridge(b, "eventbridge-enable.json",
		"111122223333", "eu-west-1", "e-1"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bt.Handle(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandleAgainstFake is one enablement handled for real against
// the fake AWS: account context (cached), AssumeRole (cached), the state
// read and, the state being disabled already, no Disable.
func BenchmarkHandleAgainstFake(b *testing.B) {
	srv := awsfake.New(awsfake.WithOrganization(awsfake.Org(10, 2)))
	defer srv.Close()
	bt, err := New(context.Background(), DefaultConfig(), Options{
		AWS:    srv.Config(context.Background()),
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	f := finding(b, eventBridge(b, "eventbridge-enable.json",
		"100000000001", "eu-west-1", "e-1"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bt.Handle(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}
