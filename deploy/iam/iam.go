// Package iam holds the IAM policy documents serialguard's three
// principals need, granting exactly the actions the code calls:
//
//	member-remediation.json  the role assumed in every target account
//	                         (serialguard-remediation): read and disable
//	                         serial console access, list regions, look
//	                         up who enabled it in CloudTrail
//	organizations.json       the role in the management account
//	                         (serialguard-organizations): list accounts,
//	                         find, create, update and attach the SCP and
//	                         the EC2 declarative policy, enable their type
//	bot.json                 the principal serialguard runs as: assume
//	                         the two roles, consume the event queue, read
//	                         CloudTrail log files, notify, write its logs
//
// They are the same grants the CloudFormation templates in
// deploy/cloudformation give, for deployments that do not use them.
// Resources follow the default names (serialguard-*); bot.json names the
// CloudTrail bucket as ${CloudTrailBucket}, to be replaced (it is
// CloudFormation's Fn::Sub syntax). In same-account mode, where no role
// is assumed, the bot's principal needs member-remediation.json too.
// sts:GetCallerIdentity, which same-account mode calls, needs no grant.
//
// As a Lambda function's role, bot.json also serves the Lambda service:
// the SQS event source mapping receives and deletes messages and reads
// the queue's attributes (sqs:GetQueueAttributes), and the runtime
// writes the logs; serialguard's own code does neither of the last two.
package iam

import "embed"

// Documents holds the policy documents, named as above.
//
//go:embed *.json
var Documents embed.FS

// Names of the documents in Documents.
const (
	MemberRemediation = "member-remediation.json"
	Organizations     = "organizations.json"
	Bot               = "bot.json"
)
