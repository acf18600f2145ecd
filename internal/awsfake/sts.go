package awsfake

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// identity is the principal behind an access key id.
type identity struct {
	account string
	arn     string
	userID  string
}

// managementIdentity is the IAM user behind ManagementAccessKeyID.
func (s *Server) managementIdentity() identity {
	return identity{
		account: s.org.mgmt,
		arn:     "arn:aws:iam::" + s.org.mgmt + ":user/awsfake",
		userID:  "AIDAAWSFAKEMANAGEMENT",
	}
}

func init() {
	services["sts"] = &service{
		proto: awsQuery{namespace: stsNamespace},
		ops: map[string]operation{
			"AssumeRole":        {fn: (*Server).stsAssumeRole},
			"GetCallerIdentity": {fn: (*Server).stsCallerIdentity},
		},
		unknownOp: newError(http.StatusBadRequest, "InvalidAction", ""),
		badKey: newError(http.StatusForbidden, "InvalidClientTokenId",
			"The security token included in the request is invalid."),
	}
}

// RequireExternalID makes AssumeRole of the role name, in any account,
// require the external id; an empty id lifts the requirement.
func (s *Server) RequireExternalID(roleName, externalID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if externalID == "" {
		delete(s.extIDs, roleName)
		return
	}
	s.extIDs[roleName] = externalID
}

// DenyAssumeRole makes every AssumeRole into the account fail with
// AccessDenied, as when the role is missing or does not trust the caller;
// deny false lifts it.
func (s *Server) DenyAssumeRole(account string, deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.denied[account] = deny
}

type credentialsXML struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type assumeRoleResult struct {
	Credentials credentialsXML `xml:"Credentials"`
	User        struct {
		Arn    string `xml:"Arn"`
		RoleID string `xml:"AssumedRoleId"`
	} `xml:"AssumedRoleUser"`
}

// stsAssumeRole issues credentials that act in the role's account.
func (s *Server) stsAssumeRole(q *request) (any, error) {
	account, role, err := parseRoleARN(q.form.Get("RoleArn"))
	if err != nil {
		return nil, err
	}
	session := q.form.Get("RoleSessionName")
	if session == "" {
		return nil, errInvalid("ValidationError",
			"1 validation error detected: roleSessionName must not be null")
	}
	if err := s.mayAssume(q, account, role); err != nil {
		return nil, err
	}
	ttl := 3600
	if d := q.form.Get("DurationSeconds"); d != "" {
		if ttl, err = strconv.Atoi(d); err != nil || ttl < 900 || ttl > 43200 {
			return nil, errInvalid("ValidationError",
				"DurationSeconds must be between 900 and 43200")
		}
	}
	return s.issue(account, role, session, time.Duration(ttl)*time.Second), nil
}

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/NAME.
func parseRoleARN(arn string) (account, role string, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" ||
		len(parts[4]) != 12 || !strings.HasPrefix(parts[5], "role/") {
		return "", "", errInvalid("ValidationError",
			"roleArn is not a valid IAM role ARN: "+arn)
	}
	path := strings.TrimPrefix(parts[5], "role/")
	return parts[4], path[strings.LastIndex(path, "/")+1:], nil
}

// mayAssume applies the trust rules: the account must be an active
// member, not denied, and the external id must match when required.
func (s *Server) mayAssume(q *request, account, role string) error {
	a, member := s.org.accounts[account]
	want, needsID := s.extIDs[role]
	switch {
	case !member, a.Status != "ACTIVE", s.denied[account],
		needsID && q.form.Get("ExternalId") != want:
		return newError(http.StatusForbidden, "AccessDenied",
			s.assumeDeniedMessage(q))
	}
	return nil
}

// assumeDeniedMessage is AWS's AccessDenied message for AssumeRole.
func (s *Server) assumeDeniedMessage(q *request) string {
	return fmt.Sprintf("User: %s is not authorized to perform: "+
		"sts:AssumeRole on resource: %s", q.caller.arn, q.form.Get("RoleArn"))
}

// issue makes a new session for a role. The caller holds s.mu.
func (s *Server) issue(account, role, session string,
	ttl time.Duration) *assumeRoleResult {
	s.nextKey++
	key := fmt.Sprintf("ASIA%016d", s.nextKey)
	roleID := fmt.Sprintf("AROA%016d", s.nextKey)
	arn := "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
	s.idents[key] = identity{
		account: account, arn: arn, userID: roleID + ":" + session,
	}
	res := &assumeRoleResult{Credentials: credentialsXML{
		AccessKeyID:     key,
		SecretAccessKey: "awsfake-secret-" + key,
		SessionToken:    "awsfake-session-" + key,
		Expiration:      s.now().Add(ttl).UTC().Format(time.RFC3339),
	}}
	res.User.Arn = arn
	res.User.RoleID = roleID + ":" + session
	return res
}

type callerIdentityResult struct {
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
}

func (s *Server) stsCallerIdentity(q *request) (any, error) {
	return &callerIdentityResult{
		Arn: q.caller.arn, UserID: q.caller.userID, Account: q.caller.account,
	}, nil
}
