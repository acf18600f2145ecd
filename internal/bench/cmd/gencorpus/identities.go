package main

import "fmt"

var (
	users = []string{"alice", "bob", "carol", "deploy-bot", "backup"}
	roles = []string{"OpsAdmin", "ReadOnly", "ci-runner", "app-task",
		"AWSReservedSSO_Developer_0123456789abcdef"}
	services = []string{"ec2.amazonaws.com", "lambda.amazonaws.com",
		"ecs-tasks.amazonaws.com", "cloudformation.amazonaws.com"}
)

// identity draws a userIdentity: mostly assumed roles, then IAM users,
// AWS services, and rarely the root user.
func (g *gen) identity(acct string) map[string]any {
	switch p := g.rng.IntN(100); {
	case p < 55:
		return g.assumed(acct)
	case p < 85:
		u := users[g.rng.IntN(len(users))]
		return map[string]any{"type": "IAMUser",
			"principalId": "AIDA" + token(g.rng, 16),
			"arn":         fmt.Sprintf("arn:aws:iam::%s:user/%s", acct, u),
			"accountId":   acct, "accessKeyId": "AKIA" + token(g.rng, 16),
			"userName": u}
	case p < 99:
		return map[string]any{"type": "AWSService",
			"invokedBy": services[g.rng.IntN(len(services))]}
	}
	return map[string]any{"type": "Root", "principalId": acct,
		"arn": "arn:aws:iam::" + acct + ":root", "accountId": acct,
		"accessKeyId": "ASIA" + token(g.rng, 16)}
}

func (g *gen) assumed(acct string) map[string]any {
	role := roles[g.rng.IntN(len(roles))]
	session := token(g.rng, 12)
	rid := "AROA" + token(g.rng, 16)
	return map[string]any{
		"type":        "AssumedRole",
		"principalId": rid + ":" + session,
		"arn": fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s",
			acct, role, session),
		"accountId": acct, "accessKeyId": "ASIA" + token(g.rng, 16),
		"sessionContext": map[string]any{
			"sessionIssuer": map[string]any{"type": "Role",
				"principalId": rid, "accountId": acct, "userName": role,
				"arn": fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, role)},
			"webIdFederationData": map[string]any{},
			"attributes": map[string]any{"creationDate": "2026-11-02T00:00:00Z",
				"mfaAuthenticated": "false"},
		},
	}
}
