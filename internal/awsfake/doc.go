// Package awsfake is a wire-level fake of the AWS APIs serialguard calls,
// for tests only. It is an httptest server that the real aws-sdk-go-v2
// clients talk to, with their real serialisation, signing, retries and
// modeled errors; it is never a runtime path.
//
// # Services and operations
//
//   - EC2 (query protocol): EnableSerialConsoleAccess,
//     DisableSerialConsoleAccess, GetSerialConsoleAccessStatus,
//     DescribeRegions (AllRegions, RegionName and the filters region-name
//     and opt-in-status). DryRun=true answers DryRunOperation.
//   - STS (query): AssumeRole, GetCallerIdentity.
//   - Organizations (JSON 1.1): DescribeOrganization, ListRoots,
//     ListAccounts, ListAccountsForParent, ListOrganizationalUnitsForParent,
//     ListParents, DescribeAccount, ListPolicies, DescribePolicy,
//     CreatePolicy, UpdatePolicy, AttachPolicy, DetachPolicy,
//     DeletePolicy, ListPoliciesForTarget, ListTargetsForPolicy,
//     EnablePolicyType. Only the management account may call them.
//   - SQS (JSON 1.0): CreateQueue, GetQueueUrl, SendMessage,
//     SendMessageBatch, ReceiveMessage, DeleteMessage, DeleteMessageBatch,
//     ChangeMessageVisibility, GetQueueAttributes, with redrive to a
//     dead-letter queue after maxReceiveCount receives. MD5OfBody is
//     correct (the SDK checks it); MD5OfMessageAttributes is not sent.
//     Errors carry SQS's x-amzn-query-error code, so ErrorCode() reads
//     e.g. AWS.SimpleQueueService.NonExistentQueue while errors.As on
//     *types.QueueDoesNotExist works.
//   - S3 (REST XML, path style): ListObjectsV2 (prefix, delimiter,
//     start-after, continuation token, max-keys), GetObject, HeadObject,
//     PutObject (aws-chunked bodies decoded).
//   - SNS (query): Publish.
//   - CloudTrail (JSON 1.1): LookupEvents (one lookup attribute,
//     StartTime, EndTime, MaxResults, NextToken).
//
// An operation the fake does not implement answers the protocol's
// unknown-operation error (InvalidAction, UnknownOperationException).
//
// # Using it
//
//	srv := awsfake.Start(t, awsfake.WithOrganization(awsfake.Org(10, 2)))
//	cfg := srv.Config(ctx)            // region us-east-1, management creds
//	client := ec2.NewFromConfig(cfg)  // real SDK client
//	srv.SetSerialConsole("100000000003", "eu-west-1", true)
//	... run the code under test ...
//	calls := srv.CallsTo("DisableSerialConsoleAccess")
//
// Config returns an aws.Config with BaseEndpoint set to the server, static
// credentials of the management account (ManagementAccessKeyID), a
// standard retryer with MaxAttempts (3) attempts, a backoff of about a
// millisecond and no retry quota, so retries are fast and never starve,
// and one HTTP client shared by every Config of the server. Copy it and
// swap Credentials for per-account clients. S3 clients may pass
// S3Options (UsePathStyle); with an IP endpoint such as the server's the
// SDK picks path style on its own.
//
// # Identity and routing
//
// The service comes from X-Amz-Target (JSON protocols), else from the
// SigV4 credential scope in the Authorization header; the region comes
// from the credential scope; the account comes from the access key id.
// Config's keys belong to the management account. AssumeRole issues keys
// that map to the account named in the role ARN, so clients built from
// stscreds.NewAssumeRoleProvider act in that account. Signatures are not
// verified; an unknown access key id is rejected as AWS does
// (AuthFailure, InvalidClientTokenId, ...).
//
// EC2 calls must name a region that is enabled (see WithRegions); calls to
// an unknown or not-opted-in region fail with AuthFailure, as they do in
// AWS. Only EC2 checks the region.
//
// # Seeding and inspecting state
//
// Organization: WithOrganization, Org, AddAccount, AddOU, Accounts,
// ManagementAccountID, OrganizationID, RootID. Regions: WithRegions,
// DefaultRegions, EnabledRegions. STS: RequireExternalID (per role name),
// DenyAssumeRole (per account). SQS: CreateQueue (with attributes such as
// VisibilityTimeout and RedrivePolicy), SendMessage, QueueMessages;
// visibility timeouts follow WithClock (see Clock) while long polls wait
// in real time and end with the request's context or Close. S3:
// PutObject, Object. SNS: CreateTopic (Publish needs the topic),
// Notifications. CloudTrail: AddCloudTrailEvent stores a record for
// LookupEvents in an account and region, listed newest first.
//
// # Serial console state
//
// Access is kept per account and region and is disabled by default.
// SetSerialConsole seeds it and SerialConsole reads it. An account is
// managed by a declarative policy when SetDeclarativePolicy says so for a
// region, or when a DECLARATIVE_POLICY_EC2 policy whose content assigns
// ec2_attributes.serial_console_access.status is attached to the account,
// one of its OUs or the root (the nearest assignment wins). Then
// GetSerialConsoleAccessStatus returns managedBy "declarative-policy" and
// the assigned state, and Enable and Disable fail with
// DeclarativePolicyErrorCode. NOTE: AWS does not document that code; we
// chose UnauthorizedOperation with AWS's documented default message.
//
// # Organizations
//
// Org builds a deterministic organization: account ids are 100000000000
// (the management account) upwards, OU ids ou-a1b2-00000000 upwards, root
// r-a1b2. When SERVICE_CONTROL_POLICY is enabled, the AWS-managed
// FullAWSAccess policy (p-FullAWSAccess) is attached to the root, every
// OU and every account, as in AWS, and counts towards the limit of 5 SCPs
// per target (ConstraintViolationException, Reason
// MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED); detaching a target's last
// SCP fails with MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED. SCP content
// over 5,120 characters (declarative: 10,000) fails with Reason
// POLICY_CONTENT_LIMIT_EXCEEDED, content that is not a policy with
// MalformedPolicyDocumentException, a second policy of the same name and
// type with DuplicatePolicyException. SCPs are stored but not enforced.
//
// # Calls and faults
//
// Every request is recorded as a Call, including the ones a fault
// answered, so retries show up as repeated calls; a call whose client
// went away has ErrorCode RequestCanceled. For AssumeRole the Call's
// Account is the account of the role assumed. Calls, CallsTo,
// MutatingCalls and ResetCalls read them; Call.IAMAction names the IAM
// action each needs. Inject adds a Fault that matches on service,
// operation, account and region and answers with an error code, a
// status, latency, or all three, a given number of times or forever,
// after letting a given number of calls through, optionally with a
// probability drawn from a seeded source (WithSeed). Typical faults:
// RequestLimitExceeded on EC2 (HTTP 503, retried by the SDK), AccessDenied
// on AssumeRole for one account, ConcurrentModificationException and
// TooManyRequestsException on Organizations, ConstraintViolationException
// with a Reason, 5xx codes, and a DisableSerialConsoleAccess acknowledged
// without effect (NoEffect). WithLatency delays every call.
//
// When the environment variable SERIALGUARD_CALL_LOG names a file, every
// call is also appended to it as one JSON object per line:
// {"service","operation","iam_action","account","region","error_code"}.
// The IAM coverage test reads it to check that deploy/ grants exactly the
// actions the code calls.
package awsfake
