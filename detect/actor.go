package detect

import "strings"

// Identity types of CloudTrail's userIdentity.type that need special
// handling.
const (
	identityAssumedRole   = "AssumedRole"
	identityFederatedUser = "FederatedUser"
)

// actorOf resolves who made a call. For an assumed role, the principal
// is the role, named by the session issuer; the session name is what
// tells its users apart.
func actorOf(ui *UserIdentity) Actor {
	a := Actor{
		Type:         ui.Type,
		ARN:          ui.ARN,
		PrincipalARN: ui.ARN,
		Account:      ui.AccountID,
		AccessKeyID:  ui.AccessKeyID,
		UserName:     ui.UserName,
		InvokedBy:    ui.InvokedBy,
	}
	switch ui.Type {
	case identityAssumedRole:
		a.PrincipalARN = roleARN(ui)
		a.SessionName = assumedSessionName(ui)
		if a.UserName == "" && ui.SessionContext != nil {
			a.UserName = ui.SessionContext.SessionIssuer.UserName
		}
	case identityFederatedUser:
		if res, ok := arnResource(ui.ARN, "federated-user/"); ok {
			a.SessionName = res
		}
	}
	return a
}

// roleARN is the ARN of the role behind an assumed-role session.
//
// NOTE: without a session context, the role ARN is rebuilt from the
// session ARN and lacks the role's path. Role names are unique within an
// account, so it still names the same role, but an approval written for
// the ARN with its path will not match it, which errs on the side of
// remediation.
func roleARN(ui *UserIdentity) string {
	if sc := ui.SessionContext; sc != nil && sc.SessionIssuer.ARN != "" {
		return sc.SessionIssuer.ARN
	}
	role, _, ok := sessionParts(ui.ARN)
	if !ok {
		return ui.ARN
	}
	prefix, _, _ := strings.Cut(ui.ARN, ":sts:")
	account := arnAccount(ui.ARN)
	return prefix + ":iam::" + account + ":role/" + role
}

// assumedSessionName is the last segment of an assumed-role ARN,
// arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION, or, when the ARN
// does not have that form, the part of the principal ID after the colon,
// which CloudTrail sets to the same name.
func assumedSessionName(ui *UserIdentity) string {
	if _, session, ok := sessionParts(ui.ARN); ok {
		return session
	}
	if _, session, ok := strings.Cut(ui.PrincipalID, ":"); ok {
		return session
	}
	return ""
}

func sessionParts(arn string) (role, session string, ok bool) {
	res, ok := arnResource(arn, "assumed-role/")
	if !ok {
		return "", "", false
	}
	role, session, ok = strings.Cut(res, "/")
	if !ok || role == "" || session == "" || strings.Contains(session, "/") {
		return "", "", false
	}
	return role, session, true
}

// arnResource returns the resource part of an ARN after a type prefix
// such as "assumed-role/". It works for every partition (aws, aws-cn,
// aws-us-gov).
func arnResource(arn, prefix string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return "", false
	}
	return strings.CutPrefix(parts[5], prefix)
}

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}
