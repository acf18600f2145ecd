package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
)

// CallPublish is the notification step's call.
const CallPublish = "Publish"

// publisher is the part of the SNS client the notifier uses.
type publisher interface {
	Publish(ctx context.Context, in *sns.PublishInput,
		optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// notifier publishes a Notification for every finding the policy did not
// allow to one SNS topic.
type notifier struct {
	topic  arn.ARN
	client publisher
	dryRun bool
}

// newNotifier returns a notifier for topicARN whose SNS client calls the
// topic's region.
func newNotifier(cfg aws.Config, topicARN string, dryRun bool) (*notifier, error) {
	topic, err := arn.Parse(topicARN)
	if err != nil {
		return nil, fmt.Errorf("sns topic %s: %w", topicARN, err)
	}
	client := sns.NewFromConfig(cfg, func(o *sns.Options) {
		o.Region = topic.Region
	})
	return &notifier{topic: topic, client: client, dryRun: dryRun}, nil
}

// notify publishes res's notification and returns the step that says how
// it went. A dry run plans the call.
func (n *notifier) notify(ctx context.Context, res *Result) remediate.Step {
	step := remediate.Step{
		Call:    CallPublish,
		Account: n.topic.AccountID,
		Region:  n.topic.Region,
	}
	msg, err := json.MarshalIndent(newNotification(res), "", "  ")
	if err != nil {
		step.Status, step.Detail = remediate.StatusFailed, err.Error()
		return step
	}
	if n.dryRun {
		step.Status = remediate.StatusPlanned
		step.Detail = "would publish to " + n.topic.String()
		return step
	}
	out, err := n.client.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(n.topic.String()),
		Subject:  aws.String(subject(res)),
		Message:  aws.String(string(msg)),
	})
	if err != nil {
		step.Status = remediate.StatusFailed
		step.Detail = fmt.Sprintf("publish to %s: %v", n.topic, err)
		return step
	}
	step.Status = remediate.StatusDone
	step.Detail = "message " + aws.ToString(out.MessageId)
	return step
}

// Notification is the JSON message published to SNS: the fields Elastic's
// investigation guide for rule "AWS EC2 Serial Console Access Enabled"
// asks for, the decision, and what serialguard did. It carries no request
// parameters, so never an SSH public key.
type Notification struct {
	Summary      string       `json:"summary"`
	RuleID       string       `json:"rule_id,omitempty"`
	Kind         detect.Kind  `json:"kind"`
	EventID      string       `json:"event_id,omitempty"`
	EventName    string       `json:"event_name,omitempty"`
	Time         time.Time    `json:"time"`
	Account      string       `json:"account"`
	Region       string       `json:"region"`
	UserIdentity UserIdentity `json:"user_identity"`
	SourceIP     string       `json:"source_ip,omitempty"`
	UserAgent    string       `json:"user_agent,omitempty"`
	InstanceID   string       `json:"instance_id,omitempty"`
	ErrorCode    string       `json:"error_code,omitempty"`
	// Action, Approved, ApprovalID and Reasons are the decision's.
	Action     policies.Action `json:"action"`
	Approved   bool            `json:"approved"`
	ApprovalID string          `json:"approval_id,omitempty"`
	Reasons    []string        `json:"reasons"`
	// Remediation is what was done, or planned in a dry run.
	Remediation remediate.Result `json:"remediation"`
	// FollowOn says what to look for next.
	FollowOn string `json:"follow_on"`
	Source   string `json:"source,omitempty"`
}

// UserIdentity is who made the call, as the investigation guide names it.
type UserIdentity struct {
	Type         string `json:"type"`
	ARN          string `json:"arn,omitempty"`
	PrincipalARN string `json:"principal_arn,omitempty"`
	AccessKeyID  string `json:"access_key_id,omitempty"`
	InvokedBy    string `json:"invoked_by,omitempty"`
}

func newNotification(r *Result) Notification {
	a := r.Actor
	return Notification{
		Summary:   subject(r),
		RuleID:    r.RuleID,
		Kind:      r.Kind,
		EventID:   r.EventID,
		EventName: r.EventName,
		Time:      r.Time,
		Account:   r.Account,
		Region:    r.Region,
		UserIdentity: UserIdentity{
			Type: a.Type, ARN: a.ARN, PrincipalARN: a.PrincipalARN,
			AccessKeyID: a.AccessKeyID, InvokedBy: a.InvokedBy,
		},
		SourceIP:    r.SourceIP,
		UserAgent:   r.UserAgent,
		InstanceID:  r.InstanceID,
		ErrorCode:   r.ErrorCode,
		Action:      r.Decision.Action,
		Approved:    r.Decision.Approved,
		ApprovalID:  r.Decision.ApprovalID,
		Reasons:     r.Decision.Reasons,
		Remediation: r.Remediation,
		FollowOn:    followOn(r),
		Source:      r.Source,
	}
}

// what names each finding kind in a subject line.
var what = map[detect.Kind]string{
	detect.KindEnablement:    "serial console access enabled",
	detect.KindFailedAttempt: "serial console enable refused",
	detect.KindConsoleUse:    "serial console session",
	detect.KindDisablement:   "serial console access disabled",
	detect.KindEnabledState:  "serial console access found enabled",
}

// subject is the SNS subject: ASCII, one line, under SNS's 100 characters.
func subject(r *Result) string {
	w, ok := what[r.Kind]
	if !ok {
		w = string(r.Kind)
	}
	s := fmt.Sprintf("serialguard %s: %s in %s/%s", r.Decision.Action, w,
		r.Account, r.Region)
	return truncate(s, 100)
}

// followOn is the next step of the investigation for r's kind.
func followOn(r *Result) string {
	at := r.Account + "/" + r.Region
	switch r.Kind {
	case detect.KindConsoleUse:
		return fmt.Sprintf("someone connected to the serial port of "+
			"instance %s in %s: find who holds the key and what ran "+
			"on the instance", r.InstanceID, at)
	case detect.KindEnabledState:
		return "look for EnableSerialConsoleAccess in CloudTrail for " + at +
			" to find who enabled it"
	}
	hint := "look for SendSerialConsoleSSHPublicKey " +
		"(ec2-instance-connect.amazonaws.com) in " + at
	if !r.Time.IsZero() {
		hint += " since " + r.Time.UTC().Format(time.RFC3339)
	}
	if r.Actor.AccessKeyID != "" {
		hint += ", and other calls with access key " + r.Actor.AccessKeyID
	}
	return hint
}

// truncate cuts s to at most n bytes and to printable ASCII.
func truncate(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '?'
		}
		return r
	}, s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}
