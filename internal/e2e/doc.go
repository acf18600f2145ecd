// Package e2e holds serialguard's opt-in end-to-end test: it enables EC2
// serial console access in a real AWS account and region, lets the
// remediator switch it off again, and restores the original setting when
// it is done. Nothing else in the module reaches a real account; every
// other test runs the AWS SDK against internal/awsfake.
//
// The test skips unless it is given an account and credentials resolve.
// It reads these environment variables:
//
//	SERIALGUARD_E2E_ACCOUNT      the 12-digit account to act in; required,
//	                             the test skips without it
//	SERIALGUARD_E2E_REGION       the region; us-east-1 if empty
//	SERIALGUARD_E2E_ROLE         a role to assume in the account, as the
//	                             bot does; empty acts with the base
//	                             credentials, which must then belong to
//	                             the account
//	SERIALGUARD_E2E_EXTERNAL_ID  the external id the role's trust policy
//	                             requires; only with a role
//
// Credentials come from the SDK's default chain (AWS_PROFILE, environment,
// SSO, instance role). They need ec2:GetSerialConsoleAccessStatus,
// ec2:EnableSerialConsoleAccess and ec2:DisableSerialConsoleAccess in the
// account, and sts:AssumeRole on the role when one is given; the role
// itself needs the three EC2 actions. Run it with
//
//	SERIALGUARD_E2E_ACCOUNT=111122223333 go test -v -count=1 ./internal/e2e/
//
// The test changes a live account setting for a few seconds. Use a
// sandbox account: while it runs, serial console access is enabled in the
// region, and another serialguard deployment watching the account may
// disable it first and make the test fail. A region whose setting an EC2
// declarative policy manages cannot be changed, so the test skips there.
package e2e
