package policies

// Action is what a decision asks the bot to do with a finding.
type Action string

// The actions a policy may decide.
const (
	// ActionRemediate disables serial console access again.
	ActionRemediate Action = "remediate"
	// ActionAllow accepts the finding: an approved change, or a disablement.
	ActionAllow Action = "allow"
	// ActionAlert notifies without changing anything.
	ActionAlert Action = "alert"
)

// Decision is the policy's answer for one finding. Its JSON form is part of
// the bot's output contract.
type Decision struct {
	Action     Action `json:"action"`
	Approved   bool   `json:"approved"`
	ApprovalID string `json:"approval_id"`
	// AttachSCP asks for the preventive SCP on the finding's account.
	AttachSCP bool `json:"attach_scp"`
	// Reasons are sentences a responder can act on.
	Reasons []string `json:"reasons"`
	// PolicyRevision is a digest over the policy modules and data that
	// made the decision.
	PolicyRevision string `json:"policy_revision"`
	// Error is set when evaluation failed and the decision fell back to
	// remediate (fail-closed).
	Error string `json:"error"`
}
