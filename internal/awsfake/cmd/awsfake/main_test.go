package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// exports reads the export lines run prints into a map.
func exports(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	env := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "),
			"="); ok && strings.HasPrefix(line, "export ") {
			env[k] = v
		}
		if strings.HasPrefix(line, "# S3 uses") {
			return env
		}
	}
	t.Fatalf("output ended early: %v", sc.Err())
	return nil
}

// TestServesPrintedEnvironment starts the command on a free port and
// drives it the way the CLI would: through the environment it prints.
func TestServesPrintedEnvironment(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0"}, pw, io.Discard)
		pw.Close()
	}()
	env := exports(t, pr)
	go io.Copy(io.Discard, pr)
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")

	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkSeed(t, ctx, cfg)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run = %v, want nil after cancel", err)
	}
}

func checkSeed(t *testing.T, ctx context.Context, cfg aws.Config) {
	t.Helper()
	st, err := ec2.NewFromConfig(cfg).GetSerialConsoleAccessStatus(ctx, nil)
	if err != nil || aws.ToBool(st.SerialConsoleAccessEnabled) {
		t.Errorf("management us-east-1 status = %v, %v; want disabled", st, err)
	}
	q, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{
		QueueName: aws.String("serialguard-events")})
	if err != nil || q.QueueUrl == nil {
		t.Errorf("GetQueueUrl = %v, %v", q, err)
	}
	objs, err := s3.NewFromConfig(cfg).ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String("serialguard-trail")})
	if err != nil || len(objs.Contents) != 1 {
		t.Errorf("ListObjectsV2 = %v, %v; want one log file", objs, err)
	}
	ev, err := cloudtrail.NewFromConfig(cfg).LookupEvents(ctx,
		&cloudtrail.LookupEventsInput{})
	if err != nil || len(ev.Events) != 0 {
		t.Errorf("management LookupEvents = %v, %v; want none", ev, err)
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:4566", "nocolon"} {
		err := run(t.Context(), []string{"--addr", addr}, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("--addr %s: run = nil, want an error", addr)
		}
	}
	err := run(t.Context(), []string{"--addr", "0.0.0.0:0"}, io.Discard, io.Discard)
	if !errors.Is(err, errNotLoopback) {
		t.Errorf("0.0.0.0: err %v, want errNotLoopback", err)
	}
}
