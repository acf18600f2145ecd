package remediate_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	gocmp "github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

// sweepRole is the role every sweep test assumes.
const sweepRole = "serialguard-audit"

// sweepRun runs one sweep against srv and returns the pairs it visited,
// sorted by account and region, and the pairs it planned.
func sweepRun(t *testing.T, srv *awsfake.Server,
	opts remediate.SweepOptions) ([]remediate.PairState, int) {
	t.Helper()
	var (
		mu      sync.Mutex
		pairs   []remediate.PairState
		planned int
	)
	opts.Planned = func(n int) {
		mu.Lock()
		planned += n
		mu.Unlock()
	}
	if opts.Rate == 0 {
		opts.Rate = rate.Inf
	}
	ropts := remediate.Options{
		RoleName: sweepRole,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	s := remediate.NewSweeper(srv.Config(t.Context()), ropts, opts)
	err := s.Run(t.Context(), func(_ context.Context, p remediate.PairState) {
		mu.Lock()
		pairs = append(pairs, p)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	slices.SortFunc(pairs, func(a, b remediate.PairState) int {
		return cmp.Or(cmp.Compare(a.Account, b.Account),
			cmp.Compare(a.Region, b.Region))
	})
	return pairs, planned
}

// pairKey is what the tests compare of a checked pair.
type pairKey struct {
	Account, Region, ManagedBy string
	Enabled                    bool
}

// enabledPairs returns the checked pairs that are enabled or managed by a
// declarative policy: what a sweep must find in a mostly disabled org.
func enabledPairs(t *testing.T, pairs []remediate.PairState) []pairKey {
	t.Helper()
	var out []pairKey
	for _, p := range pairs {
		if !p.Checked() {
			t.Errorf("pair %s/%s unchecked: %v", p.Account, p.Region, p.Err)
			continue
		}
		if p.Enabled || p.ManagedBy != "account" {
			out = append(out, pairKey{p.Account, p.Region, p.ManagedBy,
				p.Enabled})
		}
	}
	return out
}

func TestSweepMixedStates(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(6, 2)))
	srv.SetSerialConsole("100000000001", "eu-west-1", true)
	srv.SetSerialConsole("100000000001", "us-east-1", true)
	srv.SetSerialConsole("100000000004", "ap-south-1", true)
	srv.SetSerialConsole("100000000005", "sa-east-1", false)
	srv.SetDeclarativePolicy("100000000003", "eu-central-1", true)

	pairs, planned := sweepRun(t, srv, remediate.SweepOptions{})

	want := []pairKey{
		{"100000000001", "eu-west-1", "account", true},
		{"100000000001", "us-east-1", "account", true},
		{"100000000003", "eu-central-1", "declarative-policy", false},
		{"100000000004", "ap-south-1", "account", true},
	}
	if diff := gocmp.Diff(want, enabledPairs(t, pairs)); diff != "" {
		t.Errorf("enabled pairs (-want +got):\n%s", diff)
	}
	regions := len(srv.EnabledRegions())
	if got, want := len(pairs), 6*regions; got != want || planned != want {
		t.Errorf("got %d pairs, %d planned, want %d", got, planned, want)
	}
	if got := pairs[0].AccountName; got != "account-0000" {
		t.Errorf("AccountName = %q, want account-0000", got)
	}
	if got := len(srv.CallsTo("DescribeRegions")); got != 6 {
		t.Errorf("DescribeRegions called %d times, want once per account", got)
	}
}

func TestSweepListsActiveAccountsAcrossPages(t *testing.T) {
	org := awsfake.Org(45, 0)
	org.Accounts[7].Status = "SUSPENDED"
	srv := awsfake.Start(t, awsfake.WithOrganization(org))

	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
		Regions: []string{"eu-west-1"},
	})

	got := accountsOf(pairs)
	if len(got) != 44 || slices.Contains(got, org.Accounts[7].ID) {
		t.Errorf("swept %d accounts %v, want the 44 active ones", len(got), got)
	}
	if n := len(srv.CallsTo("ListAccounts")); n != 3 {
		t.Errorf("ListAccounts called %d times, want 3 pages", n)
	}
}

func accountsOf(pairs []remediate.PairState) []string {
	var out []string
	for _, p := range pairs {
		out = append(out, p.Account)
	}
	return slices.Compact(out)
}

func TestSweepOUScoping(t *testing.T) {
	// Org(12, 4): ou-0 and ou-1 under the root, ou-2 under ou-0, ou-3
	// under ou-0 as well; accounts dealt round-robin over root and OUs.
	org := awsfake.Org(12, 4)
	srv := awsfake.Start(t, awsfake.WithOrganization(org))
	ou := org.OUs[0].ID

	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
		OU: ou, Regions: []string{"us-east-1"},
	})

	var want []string
	for _, a := range org.Accounts {
		if under(org, a.ParentID, ou) {
			want = append(want, a.ID)
		}
	}
	if diff := gocmp.Diff(want, accountsOf(pairs)); diff != "" {
		t.Errorf("accounts under %s (-want +got):\n%s", ou, diff)
	}
	if len(want) == 0 || len(want) == len(org.Accounts) {
		t.Fatalf("the fixture puts %d accounts under %s: not a scoping test",
			len(want), ou)
	}
}

// under reports whether parent is ou or nested in it.
func under(org awsfake.Organization, parent, ou string) bool {
	for parent != "" && parent != org.RootID {
		if parent == ou {
			return true
		}
		i := slices.IndexFunc(org.OUs, func(o awsfake.OU) bool {
			return o.ID == parent
		})
		if i < 0 {
			return false
		}
		parent = org.OUs[i].ParentID
	}
	return false
}

func TestSweepUnknownOU(t *testing.T) {
	srv := awsfake.Start(t)
	ropts := remediate.Options{RoleName: sweepRole}
	s := remediate.NewSweeper(srv.Config(t.Context()), ropts,
		remediate.SweepOptions{OU: "ou-a1b2-99999999"})
	err := s.Run(t.Context(), func(context.Context, remediate.PairState) {
		t.Error("visited a pair of an unknown OU")
	})
	if err == nil || !strings.Contains(err.Error(),
		"list accounts for parent ou-a1b2-99999999") {
		t.Errorf("Run error = %v, want one naming the OU and call", err)
	}
}

func TestSweepAccessDeniedInOneAccount(t *testing.T) {
	tests := []struct {
		name    string
		regions []string
		want    int // unchecked pairs of the denied account
	}{
		{name: "discovered regions", want: 1},
		{name: "given regions", regions: []string{"eu-west-1", "us-west-2"},
			want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(5, 1)))
			const denied = "100000000002"
			srv.DenyAssumeRole(denied, true)
			srv.SetSerialConsole("100000000003", "eu-west-1", true)

			pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
				Regions: tt.regions,
			})

			var bad []remediate.PairState
			for _, p := range pairs {
				if !p.Checked() {
					bad = append(bad, p)
				}
			}
			if len(bad) != tt.want {
				t.Fatalf("%d unchecked pairs, want %d: %v", len(bad), tt.want, bad)
			}
			for _, p := range bad {
				msg := p.Err.Error()
				if p.Account != denied || !strings.Contains(msg, "AssumeRole") ||
					!strings.Contains(msg, denied) {
					t.Errorf("unchecked %s/%s: %q, want %s naming AssumeRole",
						p.Account, p.Region, msg, denied)
				}
			}
			perAccount := len(tt.regions)
			if perAccount == 0 {
				perAccount = len(srv.EnabledRegions())
			}
			if got, want := len(pairs)-len(bad), 4*perAccount; got != want {
				t.Errorf("%d pairs checked, want %d", got, want)
			}
			assumes := 0
			for _, c := range srv.CallsTo("AssumeRole") {
				if c.Account == denied {
					assumes++
				}
			}
			if assumes > awsfake.MaxAttempts {
				t.Errorf("%d AssumeRole calls into %s, want one attempt's worth",
					assumes, denied)
			}
		})
	}
}

func TestSweepRegionErrorLeavesRestChecked(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(3, 0)))
	srv.Inject(awsfake.Fault{
		Service: "ec2", Operation: "GetSerialConsoleAccessStatus",
		Account: "100000000001", Region: "ap-northeast-2",
		Code: "UnauthorizedOperation",
	})

	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{})

	var bad []string
	for _, p := range pairs {
		if !p.Checked() {
			bad = append(bad, p.Account+"/"+p.Region+": "+p.Err.Error())
		}
	}
	if len(bad) != 1 || !strings.HasPrefix(bad[0],
		"100000000001/ap-northeast-2: read serial console status in "+
			"100000000001/ap-northeast-2: operation error EC2: "+
			"GetSerialConsoleAccessStatus") {
		t.Errorf("unchecked = %q, want the one faulty pair naming its call", bad)
	}
	if got, want := len(pairs), 3*len(srv.EnabledRegions()); got != want {
		t.Errorf("%d pairs, want %d", got, want)
	}
}

func TestSweepAbsorbsThrottling(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(8, 2)))
	srv.Inject(awsfake.Fault{Service: "ec2", Code: "RequestLimitExceeded",
		Probability: 0.3})
	srv.Inject(awsfake.Fault{Service: "organizations",
		Code: "TooManyRequestsException", Times: 2})
	srv.SetSerialConsole("100000000006", "us-west-1", true)

	// A finite rate puts the shared limiter in the retry path as well.
	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
		Concurrency: 4, Rate: 2000,
	})

	want := []pairKey{{"100000000006", "us-west-1", "account", true}}
	if diff := gocmp.Diff(want, enabledPairs(t, pairs)); diff != "" {
		t.Errorf("enabled pairs (-want +got):\n%s", diff)
	}
	throttled := 0
	for _, c := range srv.Calls() {
		if c.ErrorCode == "RequestLimitExceeded" {
			throttled++
		}
	}
	if throttled == 0 {
		t.Error("no call was throttled: the fault did not fire")
	}
}

// TestSweepNegativeRate checks that a rate below zero means the default
// rate, not a limiter that lets only its first request through.
func TestSweepNegativeRate(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(3, 0)))

	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
		Regions: []string{"eu-west-1", "us-east-1"}, Rate: -1,
	})

	if got := len(enabledPairs(t, pairs)); got != 0 || len(pairs) != 6 {
		t.Errorf("%d pairs, %d enabled; want 6 checked, none enabled",
			len(pairs), got)
	}
}

func TestSweepExplicitAccountsDeduplicated(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(4, 0)))
	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
		Accounts: []string{"100000000003", "100000000001", "100000000003"},
		Regions:  []string{"us-east-2"},
	})

	var got []string
	for _, p := range pairs {
		got = append(got, p.Account+"/"+p.Region)
	}
	want := []string{"100000000001/us-east-2", "100000000003/us-east-2"}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
	if n := len(srv.CallsTo("ListAccounts")); n != 0 {
		t.Errorf("ListAccounts called %d times with accounts given", n)
	}
}

func TestLimitRateSharesOneBudget(t *testing.T) {
	srv := awsfake.Start(t)
	// A burst of 3 that refills hourly, and calls that may not wait past
	// a minute: exactly 3 attempts reach the server, whichever client or
	// goroutine makes them, and the limiter refuses the rest at once.
	lim := rate.NewLimiter(rate.Every(time.Hour), 3)
	cfg := remediate.LimitRate(srv.Config(t.Context()), lim)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			c := ec2.NewFromConfig(cfg)
			_, err := c.GetSerialConsoleAccessStatus(ctx,
				&ec2.GetSerialConsoleAccessStatusInput{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			if !strings.Contains(err.Error(), "wait for rate limit") {
				t.Errorf("error %v, want one naming the rate limit", err)
			}
		}
	}
	if got := len(srv.Calls()); got != 3 || failed != 3 {
		t.Errorf("%d calls reached the server and %d failed, want 3 and 3",
			got, failed)
	}
}

// trailRecord is the real EnableSerialConsoleAccess record of testdata,
// moved to account, region and time, with its identity and outcome
// changed by change.
func trailRecord(t *testing.T, account, region string, at time.Time,
	change func(rec map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/enable-serial-console-access.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	rec["recipientAccountId"], rec["awsRegion"] = account, region
	rec["eventTime"] = at.UTC().Format(time.RFC3339)
	rec["eventID"] = fmt.Sprintf("%s-%s-%d", account, region, at.Unix())
	if change != nil {
		change(rec)
	}
	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSweepTellsWhoEnabled(t *testing.T) {
	const (
		acct   = "100000000001"
		region = "eu-west-1"
		issuer = "arn:aws:iam::844015365555:role/aws-reserved/" +
			"sso.amazonaws.com/AWSReservedSSO_account-admin_599c9e90e350d2ff"
	)
	now := time.Now().UTC().Truncate(time.Second)
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(3, 0)))
	srv.SetSerialConsole(acct, region, true)
	srv.SetSerialConsole("100000000002", region, true)
	add := func(account string, at time.Time, change func(map[string]any)) {
		t.Helper()
		err := srv.AddCloudTrailEvent(account, region,
			trailRecord(t, account, region, at, change))
		if err != nil {
			t.Fatal(err)
		}
	}
	// The newest enablement of acct failed; the one before it counts.
	add(acct, now.Add(-48*time.Hour), func(rec map[string]any) {
		rec["userIdentity"] = map[string]any{"type": "IAMUser",
			"arn": "arn:aws:iam::100000000001:user/earlier"}
	})
	add(acct, now.Add(-2*time.Hour), nil)
	add(acct, now.Add(-time.Hour), func(rec map[string]any) {
		rec["errorCode"] = "Client.UnauthorizedOperation"
		rec["errorMessage"] = "You are not authorized to perform this operation."
		delete(rec, "responseElements")
	})
	// The only enablement of the other account is older than 90 days.
	add("100000000002", now.Add(-100*24*time.Hour), nil)

	pairs, _ := sweepRun(t, srv, remediate.SweepOptions{
		Regions: []string{region, "us-east-1"}, Now: now,
	})

	type who struct {
		Account, By string
		At          time.Time
	}
	var got []who
	for _, p := range pairs {
		if p.Enabled {
			got = append(got, who{p.Account, p.EnabledBy, p.EnabledAt})
		}
	}
	want := []who{
		{acct, issuer, now.Add(-2 * time.Hour)},
		{"100000000002", "", time.Time{}},
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("who enabled (-want +got):\n%s", diff)
	}
	if n := len(srv.CallsTo("LookupEvents")); n != 2 {
		t.Errorf("LookupEvents called %d times, want once per enabled pair", n)
	}
}
