// Command awsfake serves serialguard's fake AWS on a loopback port with a
// small seeded organization, so the CLI can be tried end to end without
// an AWS account. It prints the environment to export and runs until
// interrupted.
//
//	go run ./internal/awsfake/cmd/awsfake --addr 127.0.0.1:4566
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/serialguard/serialguard/internal/awsfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "awsfake:", err)
		stop()
		os.Exit(2)
	}
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("awsfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4566",
		"loopback `host:port` to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := listenLoopback(*addr)
	if err != nil {
		return err
	}
	srv := awsfake.New(awsfake.WithListener(ln))
	defer srv.Close()
	world, err := seed(srv)
	if err != nil {
		return err
	}
	if err := printEnv(stdout, srv, world); err != nil {
		return fmt.Errorf("print environment: %w", err)
	}
	<-ctx.Done()
	return nil
}

// listenLoopback listens on addr, refusing anything but a loopback host:
// the fake checks no signature and must not be reachable from outside.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("parse --addr %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--addr %q: %w", addr, errNotLoopback)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

var errNotLoopback = errors.New("host must be a loopback address")

// printEnv writes shell exports for the CLI and a summary of the seed.
// The keys are AWS's documented example keys, not a secret.
func printEnv(w io.Writer, srv *awsfake.Server, world seeded) error {
	_, err := fmt.Fprintf(w, `# awsfake serving %[1]s; paste into a shell:
export AWS_ENDPOINT_URL=%[1]s
export AWS_ACCESS_KEY_ID=%[2]s
export AWS_SECRET_ACCESS_KEY=%[3]s
export AWS_REGION=%[4]s
unset AWS_SESSION_TOKEN AWS_PROFILE
# organization %[5]s, management account %[6]s
# serial console enabled in: %[7]s
# queue %[8]s (dead-letter queue %[9]s)
# CloudTrail logs in s3://%[10]s/%[11]s
# SNS topic %[12]s
# S3 uses path-style addressing; an IP endpoint selects it in the SDK.
`, srv.URL(), awsfake.ManagementAccessKeyID,
		awsfake.ManagementSecretAccessKey, awsfake.DefaultRegion,
		srv.OrganizationID(), srv.ManagementAccountID(), world.enabled,
		world.queue, world.dlq, world.bucket, world.logKey, world.topic)
	return err
}
