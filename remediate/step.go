package remediate

// Status is the outcome of one remediation step.
type Status string

// The step statuses of the output contract.
const (
	// StatusPlanned is a call a dry run would have made.
	StatusPlanned Status = "planned"
	// StatusDone is a call that was made and verified.
	StatusDone Status = "done"
	// StatusSkipped is a call that was not needed, with the reason in
	// the step's detail.
	StatusSkipped Status = "skipped"
	// StatusFailed is a call that was made and did not succeed.
	StatusFailed Status = "failed"
)

// Step is one AWS call that remediation made, planned or skipped.
type Step struct {
	// Call is the API operation, such as "DisableSerialConsoleAccess".
	Call    string `json:"call"`
	Account string `json:"account"`
	Region  string `json:"region"`
	Status  Status `json:"status"`
	Detail  string `json:"detail"`
}

// Result is what one remediation did, step by step.
type Result struct {
	DryRun bool   `json:"dry_run"`
	Steps  []Step `json:"steps"`
}

// Failed reports whether any step failed.
func (r Result) Failed() bool {
	for _, s := range r.Steps {
		if s.Status == StatusFailed {
			return true
		}
	}
	return false
}
