package detect

import "time"

// Kind classifies a finding. The values are part of serialguard's output
// contract: users filter and script on them.
type Kind string

// The finding kinds, one per rule, plus enabled_state for sweeps.
const (
	// KindEnablement is a successful EnableSerialConsoleAccess, exactly as
	// Elastic's rule "AWS EC2 Serial Console Access Enabled" matches it.
	KindEnablement Kind = "enablement"
	// KindFailedAttempt is an EnableSerialConsoleAccess or a
	// SendSerialConsoleSSHPublicKey that was refused: an attempt to turn
	// the serial console on or to connect to it.
	KindFailedAttempt Kind = "failed_attempt"
	// KindConsoleUse is a SendSerialConsoleSSHPublicKey call: someone is
	// connecting to an instance's serial port.
	KindConsoleUse Kind = "console_use"
	// KindDisablement is a successful DisableSerialConsoleAccess.
	KindDisablement Kind = "disablement"
	// KindEnabledState is an account and region found enabled by a sweep;
	// it has no event and no actor.
	KindEnabledState Kind = "enabled_state"
)

// ElasticRuleID is the rule_id of Elastic's prebuilt detection rule
// "AWS EC2 Serial Console Access Enabled", which enablement findings carry.
const ElasticRuleID = "e9fe3645-f588-43d6-99f5-437b3ef56f25"

// Actor is the principal that made the call.
type Actor struct {
	// Type is userIdentity.type: Root, IAMUser, AssumedRole, AWSService...
	Type string `json:"type"`
	// ARN is userIdentity.arn; for an assumed role, the session ARN.
	ARN string `json:"arn"`
	// PrincipalARN is what approvals match: the role ARN behind an
	// assumed-role session, otherwise ARN.
	PrincipalARN string `json:"principal_arn"`
	// Account is the caller's account, userIdentity.accountId. It differs
	// from the finding's account for cross-account roles.
	Account     string `json:"account"`
	AccessKeyID string `json:"access_key_id"`
	SessionName string `json:"session_name"`
	UserName    string `json:"user_name"`
	// InvokedBy names the AWS service that made the call on the
	// principal's behalf, when one did.
	InvokedBy string `json:"invoked_by"`
}

// Finding is one thing a rule or a sweep found. Its JSON form is the
// contract of the detect verb and the base of every bot result.
type Finding struct {
	Kind   Kind   `json:"kind"`
	RuleID string `json:"rule_id"`
	// EventID is the CloudTrail eventID; empty for enabled_state.
	EventID   string    `json:"event_id"`
	EventName string    `json:"event_name"`
	Time      time.Time `json:"time"`
	// Account is the account whose setting changed: recipientAccountId.
	Account      string `json:"account"`
	Region       string `json:"region"`
	Actor        Actor  `json:"actor"`
	SourceIP     string `json:"source_ip"`
	UserAgent    string `json:"user_agent"`
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
	// InstanceID is the instance a console_use connected to.
	InstanceID string `json:"instance_id,omitempty"`
	// ManagedBy is "account" or "declarative-policy" for enabled_state.
	ManagedBy string `json:"managed_by,omitempty"`
	// Source says where the event was read: a file and record index, an
	// SQS message id, an S3 key.
	Source string `json:"source,omitempty"`

	// Record is the event the finding came from, with any SSH public key
	// redacted; nil for enabled_state.
	Record *Record `json:"-"`
}
