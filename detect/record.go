package detect

import (
	"encoding/json"
	"time"
)

// Record is one CloudTrail event, the normalized form every input shape
// decodes to. Field names and JSON keys follow CloudTrail's own casing.
type Record struct {
	EventVersion       string          `json:"eventVersion"`
	EventTime          time.Time       `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	EventType          string          `json:"eventType"`
	EventCategory      string          `json:"eventCategory"`
	EventID            string          `json:"eventID"`
	SharedEventID      string          `json:"sharedEventID,omitempty"`
	RequestID          string          `json:"requestID"`
	AWSRegion          string          `json:"awsRegion"`
	RecipientAccountID string          `json:"recipientAccountId"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	ReadOnly           bool            `json:"readOnly"`
	ManagementEvent    bool            `json:"managementEvent"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	RequestParameters  json.RawMessage `json:"requestParameters,omitempty"`
	ResponseElements   json.RawMessage `json:"responseElements,omitempty"`
}

// Outcomes of a call, as Elastic's ECS mapping names them.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
)

// Outcome is "failure" when the call carries a non-empty errorCode or
// errorMessage and "success" otherwise, the way Elastic's CloudTrail
// integration derives event.outcome.
func (r *Record) Outcome() string {
	if r.ErrorCode != "" || r.ErrorMessage != "" {
		return OutcomeFailure
	}
	return OutcomeSuccess
}

// UserIdentity is CloudTrail's userIdentity element.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	InvokedBy      string          `json:"invokedBy,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes the session of temporary credentials.
type SessionContext struct {
	SessionIssuer SessionIssuer     `json:"sessionIssuer"`
	Attributes    SessionAttributes `json:"attributes"`
}

// SessionIssuer is the role or user that issued a session's credentials.
type SessionIssuer struct {
	Type        string `json:"type,omitempty"`
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	UserName    string `json:"userName,omitempty"`
}

// SessionAttributes holds when a session began and whether it used MFA.
// CloudTrail writes mfaAuthenticated as the string "true" or "false".
type SessionAttributes struct {
	CreationDate     string `json:"creationDate,omitempty"`
	MFAAuthenticated string `json:"mfaAuthenticated,omitempty"`
}
