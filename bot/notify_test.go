package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

func TestNotifyCarriesTheInvestigationFields(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	srv.SetSerialConsole("100000000002", "eu-west-1", true)
	topic := srv.CreateTopic("100000000000", "eu-west-1", "serialguard")
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.SNSTopicARN = topic
	})
	ctx := context.Background()
	for _, name := range []string{"eventbridge-enable.json",
		"eventbridge-console-use.json"} {
		f := finding(t, eventBridge(t, name, "100000000002", "eu-west-1", "e-"+name))
		if _, err := b.Handle(ctx, f); err != nil {
			t.Fatalf("Handle %s: %v", name, err)
		}
	}
	sent := srv.Notifications()
	if len(sent) != 2 {
		t.Fatalf("%d notifications, want 2", len(sent))
	}
	want := []wantNotification{
		{
			Subject: "serialguard remediate: serial console access enabled in " +
				"100000000002/eu-west-1",
			Kind: "enablement", EventID: "e-eventbridge-enable.json",
			Action: "remediate",
			Steps: []string{"AssumeRole:done", "GetSerialConsoleAccessStatus:done",
				"DisableSerialConsoleAccess:done"},
			FollowOn: "look for SendSerialConsoleSSHPublicKey " +
				"(ec2-instance-connect.amazonaws.com) in 100000000002/eu-west-1 " +
				"since 2024-11-26T15:35:22Z, and other calls with access key " +
				"ASIA2HJRQF0DHNYEE9N1",
		},
		{
			Subject: "serialguard alert: serial console session in " +
				"100000000002/eu-west-1",
			Kind: "console_use", EventID: "e-eventbridge-console-use.json",
			Action: "alert", InstanceID: "i-EFCb4e480CAbc4CF9",
		},
	}
	for i, n := range sent {
		if n.TopicARN != topic || n.Subject != want[i].Subject {
			t.Errorf("notification %d: topic %s subject %q, want %s %q",
				i, n.TopicARN, n.Subject, topic, want[i].Subject)
		}
		if strings.Contains(n.Message, "ssh-ed25519") ||
			strings.Contains(n.Message, "AAAAC3NzaC1lZDI1NTE5") {
			t.Errorf("notification %d carries the SSH public key:\n%s", i, n.Message)
		}
		checkNotification(t, n.Message, want[i])
	}
}

// wantNotification is what a test checks of a notification beyond the
// investigation fields every message of these fixtures has.
type wantNotification struct {
	Subject, Kind, EventID, Action, InstanceID, FollowOn string
	Steps                                                []string
}

func checkNotification(t *testing.T, msg string, want wantNotification) {
	t.Helper()
	var got Notification
	if err := json.Unmarshal([]byte(msg), &got); err != nil {
		t.Fatalf("message is not JSON: %v\n%s", err, msg)
	}
	id := got.UserIdentity
	common := map[string]string{
		"user_identity.type":          id.Type,
		"user_identity.arn":           id.ARN,
		"user_identity.access_key_id": id.AccessKeyID,
		"source_ip":                   got.SourceIP,
		"user_agent":                  got.UserAgent,
		"account":                     got.Account,
		"region":                      got.Region,
	}
	wantCommon := map[string]string{
		"user_identity.type": "AssumedRole",
		"user_identity.arn": "arn:aws:sts::844015365555:assumed-role/" +
			"AWSReservedSSOrandoml3I7nL6f7BmB@gmail.com",
		"user_identity.access_key_id": "ASIA2HJRQF0DHNYEE9N1",
		"source_ip":                   "201.252.42.03",
		"user_agent":                  "stratus-red-team_b0fedc91-bd4a-4ba1-a776-80e707fef2a0",
		"account":                     "100000000002",
		"region":                      "eu-west-1",
	}
	if diff := cmp.Diff(wantCommon, common); diff != "" {
		t.Errorf("investigation fields (-want +got):\n%s", diff)
	}
	if got.Time.IsZero() || len(got.Reasons) == 0 {
		t.Errorf("message has no time or no reasons:\n%s", msg)
	}
	var steps []string
	for _, s := range got.Remediation.Steps {
		steps = append(steps, s.Call+":"+string(s.Status))
	}
	gotWant := wantNotification{Subject: got.Summary, Kind: string(got.Kind),
		EventID: got.EventID, Action: string(got.Action),
		InstanceID: got.InstanceID, Steps: steps}
	if want.FollowOn != "" {
		gotWant.FollowOn = got.FollowOn
	}
	if diff := cmp.Diff(want, gotWant); diff != "" {
		t.Errorf("notification (-want +got):\n%s", diff)
	}
}

func TestNotifyDryRunPlans(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	topic := srv.CreateTopic("100000000000", "eu-west-1", "serialguard")
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.SNSTopicARN, c.DryRun = topic, true
	})
	res, err := b.Handle(context.Background(), finding(t, eventBridge(t,
		"eventbridge-console-use.json", "100000000002", "eu-west-1", "e-1")))
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if res.Notification == nil || res.Notification.Status != "planned" {
		t.Errorf("notification step = %+v, want planned", res.Notification)
	}
	if n := len(srv.Notifications()); n != 0 {
		t.Errorf("dry run published %d notifications", n)
	}
}

func TestNotifyFailureFailsTheFinding(t *testing.T) {
	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
	topic := srv.CreateTopic("100000000000", "eu-west-1", "serialguard")
	srv.Inject(awsfake.Fault{Service: "sns", Code: "AuthorizationError"})
	b := newTestBot(t, srv, newFakeClock(), func(c *Config) {
		c.SNSTopicARN = topic
	})
	res, err := b.Handle(context.Background(), finding(t, eventBridge(t,
		"eventbridge-console-use.json", "100000000002", "eu-west-1", "e-1")))
	if err == nil || !strings.Contains(err.Error(), "Publish") {
		t.Errorf("Handle: got %v, want an error naming Publish", err)
	}
	if res.Notification == nil || res.Notification.Status != "failed" {
		t.Errorf("notification step = %+v, want failed", res.Notification)
	}
}
