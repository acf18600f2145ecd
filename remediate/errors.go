package remediate

// TargetError is a failure in one account and region. Its message names
// the action, the target and, through the wrapped error, the call:
// "disable serial console in 111122223333/eu-west-1: operation error EC2:
// DisableSerialConsoleAccess, ...".
type TargetError struct {
	// Action is what was being done, such as "disable serial console".
	Action  string
	Account string
	Region  string
	Err     error
}

// Error names the action and the target, then the cause.
func (e *TargetError) Error() string {
	msg := e.Action + " in " + e.Account + "/" + e.Region
	if e.Err == nil {
		return msg
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap returns the cause, so that errors.As finds the SDK's errors.
func (e *TargetError) Unwrap() error { return e.Err }

// The actions that name a TargetError.
const (
	actionDisable = "disable serial console"
	actionStatus  = "read serial console status"
	actionRegions = "discover regions"
)
