package remediate_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

const (
	member     = "100000000001"
	region     = "eu-west-1"
	roleName   = "serialguard-remediation"
	externalID = "sg-external-7f3a"
	roleARN    = "arn:aws:iam::" + member + ":role/" + roleName
)

// fixture is a fake AWS with a Remediator wired to it through the real
// SDK clients, and the Remediator's log.
type fixture struct {
	srv  *awsfake.Server
	cfg  aws.Config
	logs *syncBuffer
}

func newFixture(t *testing.T, opts ...awsfake.Option) *fixture {
	t.Helper()
	srv := awsfake.Start(t, opts...)
	srv.RequireExternalID(roleName, externalID)
	return &fixture{srv: srv, cfg: srv.Config(t.Context()),
		logs: &syncBuffer{}}
}

// remediator returns a Remediator with the test role and external id
// unless o sets others; o.Logger is replaced by the fixture's log.
func (f *fixture) remediator(o remediate.Options) *remediate.Remediator {
	if o.RoleName == "" && o.ExternalID == "" {
		o.RoleName, o.ExternalID = roleName, externalID
	}
	o.Logger = slog.New(slog.NewJSONHandler(f.logs, nil))
	return remediate.New(f.cfg, o)
}

// sameAccount returns a Remediator in same-account mode.
func (f *fixture) sameAccount(o remediate.Options) *remediate.Remediator {
	o.Logger = slog.New(slog.NewJSONHandler(f.logs, nil))
	return remediate.New(f.cfg, o)
}

// call is the part of an awsfake.Call the tests compare.
type call struct {
	Service, Operation, Account, Region, Error string
}

func summarize(calls []awsfake.Call) []call {
	out := []call{}
	for _, c := range calls {
		out = append(out, call{c.Service, c.Operation, c.Account,
			c.Region, c.ErrorCode})
	}
	return out
}

func ec2Call(op, errorCode string) call {
	return call{"ec2", op, member, region, errorCode}
}

var assumeCall = call{"sts", "AssumeRole", member, awsfake.DefaultRegion, ""}

// mutatingEC2 returns the EC2 calls that may change state.
func mutatingEC2(srv *awsfake.Server) []awsfake.Call {
	var out []awsfake.Call
	for _, c := range srv.MutatingCalls() {
		if c.Service == "ec2" {
			out = append(out, c)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records decodes the JSON log lines.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}
