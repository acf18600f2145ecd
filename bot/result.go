package bot

import (
	"github.com/serialguard/serialguard/detect"
	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
)

// Result is the bot's audit record of one finding and the output contract
// of the run verb: the finding's fields, the policy's decision, what
// remediation did, the notification, and how long the steps took.
type Result struct {
	detect.Finding
	Decision policies.Decision `json:"decision"`
	// Remediation holds the remediation steps, then the SCP steps; no
	// steps when the decision was not to remediate.
	Remediation remediate.Result `json:"remediation"`
	// Notification is the SNS Publish step; nil without a topic or when
	// the decision was allow.
	Notification *remediate.Step `json:"notification,omitempty"`
	Timings      Timings         `json:"timings"`
}

// Timings says how long each stage of handling a finding took.
type Timings struct {
	DecideUS    int64 `json:"decide_us"`
	RemediateMS int64 `json:"remediate_ms"`
	NotifyMS    int64 `json:"notify_ms"`
}

// NeedsAction reports whether the result is an unapproved change the
// contract's exit code 1 is about: the policy decided to remediate.
func (r *Result) NeedsAction() bool {
	return r.Decision.Action == policies.ActionRemediate
}

// Steps lists every step taken or planned for the finding: remediation,
// then the SCP, then the notification.
func (r *Result) Steps() []remediate.Step {
	return withNotification(r.Remediation.Steps, r.Notification)
}

// withNotification returns steps followed by the notification step, if
// any, leaving steps' array as it is.
func withNotification(steps []remediate.Step,
	n *remediate.Step) []remediate.Step {
	if n == nil {
		return steps
	}
	return append(steps[:len(steps):len(steps)], *n)
}
