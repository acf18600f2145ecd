// Package scp renders the preventive controls for EC2 serial console
// access and enforces them through AWS Organizations.
//
// Render builds the service control policy that denies
// ec2:EnableSerialConsoleAccess to every principal but the approved ones;
// RenderDeclarative builds the EC2 declarative policy that keeps serial
// console access disabled. Both are deterministic: the same input gives
// the same bytes, so a policy is updated only when it really changed.
//
// An Enforcer applies a rendered document idempotently: it finds the
// policy by name, creates it or updates it when its content differs, and
// attaches it to the target when it is not attached yet. A second Apply
// makes no mutating call. Its steps use the remediate.Step contract with
// the target (an account, OU or root id) in Account and an empty Region:
// Organizations is a global service.
package scp
