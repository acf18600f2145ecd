package detect

import (
	"encoding/json"
	"strings"

	"github.com/serialguard/serialguard/detect/kql"
)

// ElasticRuleQuery is the KQL query of Elastic's rule "AWS EC2 Serial
// Console Access Enabled" (ElasticRuleID) as Elastic publishes it. It
// defines the enablement rule: Detect evaluates it over ECS(record).
const ElasticRuleQuery = `data_stream.dataset: "aws.cloudtrail" and ` +
	`event.provider: "ec2.amazonaws.com" and ` +
	`event.action: "EnableSerialConsoleAccess" and event.outcome: "success"`

// enablementRule is ElasticRuleQuery compiled once.
var enablementRule = kql.MustParse(ElasticRuleQuery)

// The event sources and names the rules look at.
const (
	sourceEC2             = "ec2.amazonaws.com"
	sourceInstanceConnect = "ec2-instance-connect.amazonaws.com"

	eventEnable  = "EnableSerialConsoleAccess"
	eventDisable = "DisableSerialConsoleAccess"
	eventSendKey = "SendSerialConsoleSSHPublicKey"
)

// ruleEvent reports whether any rule looks at events of this name. Every
// rule requires one of these names, so a record with another name cannot
// match: Detect and Scan rely on it to skip records cheaply.
func ruleEvent(name string) bool {
	switch name {
	case eventEnable, eventDisable, eventSendKey:
		return true
	}
	return false
}

// Detect applies the rules to one event. A record matches at most one:
//
//   - enablement: Elastic's rule, ElasticRuleQuery over ECS(record);
//   - failed_attempt: an EnableSerialConsoleAccess that failed, or a
//     SendSerialConsoleSSHPublicKey that failed: someone tried to turn the
//     serial console on or to connect to it and was refused;
//   - console_use: a successful SendSerialConsoleSSHPublicKey, which opens
//     a serial console connection to an instance;
//   - disablement: a successful DisableSerialConsoleAccess.
//
// A failed DisableSerialConsoleAccess is not reported. The finding's
// Record is a copy of the event's with any SSH public key redacted.
func Detect(ev Event) (Finding, bool) {
	rec := ev.Record
	if ev.Err != nil || rec == nil {
		return Finding{}, false
	}
	kind, ok := ruleKind(rec)
	if !ok {
		return Finding{}, false
	}
	return newFinding(kind, rec, ev.Source), true
}

// ruleKind switches on the event name first: only an
// EnableSerialConsoleAccess can satisfy the enablement query, so other
// records never pay for building their ECS view.
func ruleKind(rec *Record) (Kind, bool) {
	failed := rec.Outcome() == OutcomeFailure
	switch rec.EventName {
	case eventEnable:
		if enablementRule.Match(ECS(rec)) {
			return KindEnablement, true
		}
		if rec.EventSource == sourceEC2 && failed {
			return KindFailedAttempt, true
		}
	case eventSendKey:
		if rec.EventSource != sourceInstanceConnect {
			break
		}
		if failed {
			return KindFailedAttempt, true
		}
		return KindConsoleUse, true
	case eventDisable:
		if rec.EventSource == sourceEC2 && !failed {
			return KindDisablement, true
		}
	}
	return "", false
}

func newFinding(kind Kind, rec *Record, source string) Finding {
	f := Finding{
		Kind:         kind,
		EventID:      rec.EventID,
		EventName:    rec.EventName,
		Time:         rec.EventTime,
		Account:      targetAccount(rec),
		Region:       rec.AWSRegion,
		Actor:        actorOf(&rec.UserIdentity),
		SourceIP:     rec.SourceIPAddress,
		UserAgent:    rec.UserAgent,
		ErrorCode:    rec.ErrorCode,
		ErrorMessage: rec.ErrorMessage,
		Source:       source,
		Record:       redacted(rec),
	}
	if kind == KindEnablement {
		f.RuleID = ElasticRuleID
	}
	if rec.EventName == eventSendKey {
		f.InstanceID = instanceID(rec.RequestParameters)
	}
	return f
}

// targetAccount is the account whose setting the call changed. Records
// from an organization trail or a cross-account role name it in
// recipientAccountId; only a record without one (hand-made, or an old
// event shape) falls back to the caller's own account.
func targetAccount(rec *Record) string {
	if rec.RecipientAccountID != "" {
		return rec.RecipientAccountID
	}
	return rec.UserIdentity.AccountID
}

func instanceID(params json.RawMessage) string {
	var p struct {
		InstanceID string `json:"instanceId"`
	}
	_ = json.Unmarshal(params, &p)
	return p.InstanceID
}

// redactedKey replaces SSH public keys in findings. A key is not secret,
// but it ties a person to an instance and does not belong in reports or
// logs.
const redactedKey = `"REDACTED"`

// redacted copies rec with the sSHPublicKey request parameter redacted.
func redacted(rec *Record) *Record {
	cp := *rec
	if len(rec.RequestParameters) == 0 {
		return &cp
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(rec.RequestParameters, &params); err != nil {
		cp.RequestParameters = nil
		return &cp
	}
	changed := false
	for k := range params {
		if strings.EqualFold(k, "sshPublicKey") {
			params[k] = json.RawMessage(redactedKey)
			changed = true
		}
	}
	if changed {
		cp.RequestParameters, _ = json.Marshal(params)
	}
	return &cp
}
