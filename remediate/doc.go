// Package remediate switches EC2 serial console access off again in one
// account and region, and reads its state.
//
// A Remediator acts in a target account through a role it assumes there
// (Options.RoleName, with an external id), or, without a role, directly
// with the base credentials after checking that they belong to the target
// account. It reads the state before it changes anything: a region that is
// already disabled, or whose setting is managed by an EC2 declarative
// policy, is left alone. After DisableSerialConsoleAccess it reads the
// state again, and reports the call done only when the read confirms it.
//
// Every call is recorded as a Step of the output contract. A dry run makes
// the read-only calls and plans the mutating ones; when the base
// configuration has no usable credentials at all it plans every call
// without reading state, and each step's detail says so.
//
// A Sweeper checks every account and region of an organization, or of one
// OU, with bounded concurrency under one request rate, and tells for each
// enabled region who enabled it, as CloudTrail's event history knows.
package remediate
