package awsfake_test

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// BenchmarkGetStatus measures one GetSerialConsoleAccessStatus round trip
// through the real SDK client.
func BenchmarkGetStatus(b *testing.B) {
	srv := awsfake.Start(b)
	client := ec2.NewFromConfig(srv.Config(context.Background()))
	ctx := context.Background()
	for b.Loop() {
		if _, err := client.GetSerialConsoleAccessStatus(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStatusSweep reads the status of 1,000 accounts in 17 regions,
// 17,000 calls an iteration, through assumed-role clients and 32 workers,
// as an organization-wide sweep does. Run it with -benchtime=1x or 3x.
func BenchmarkStatusSweep(b *testing.B) {
	srv := awsfake.Start(b, awsfake.WithOrganization(awsfake.Org(1000, 10)))
	ctx := context.Background()
	clients := sweepClients(b, srv)
	regions := srv.EnabledRegions()
	type job struct {
		client *ec2.Client
		region string
	}
	for b.Loop() {
		jobs := make(chan job)
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				for j := range jobs {
					_, err := j.client.GetSerialConsoleAccessStatus(ctx, nil,
						func(o *ec2.Options) { o.Region = j.region })
					if err != nil {
						b.Error(err)
					}
				}
			})
		}
		for _, c := range clients {
			for _, r := range regions {
				jobs <- job{c, r}
			}
		}
		close(jobs)
		wg.Wait()
		srv.ResetCalls()
	}
	b.ReportMetric(float64(len(clients)*len(regions)), "calls/op")
}

// sweepClients assumes a role in every account once, outside the timing.
func sweepClients(b *testing.B, srv *awsfake.Server) []*ec2.Client {
	b.Helper()
	base := srv.Config(context.Background())
	stsClient := sts.NewFromConfig(base)
	var clients []*ec2.Client
	for _, a := range srv.Accounts() {
		cfg := base.Copy()
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(
			stsClient, "arn:aws:iam::"+a.ID+":role/SerialGuard"))
		if _, err := cfg.Credentials.Retrieve(context.Background()); err != nil {
			b.Fatal(err)
		}
		clients = append(clients, ec2.NewFromConfig(cfg))
	}
	return clients
}
