package detect

import (
	"net/netip"
	"strings"
	"time"
)

// ECS returns the record as Elastic's AWS integration indexes it in
// logs-aws.cloudtrail-*: the fields its ingest pipeline sets from a
// CloudTrail record, as nested maps, with empty strings left out as the
// pipeline drops them. Elastic's rules, and serialguard's policies as
// input.ecs, read this view.
//
// Note that cloud.account.id is the caller's account
// (userIdentity.accountId), as in Elastic; the account whose setting
// changed is aws.cloudtrail.recipient_account_id. ECS(nil) is nil.
func ECS(rec *Record) map[string]any {
	if rec == nil {
		return nil
	}
	d := ecsDoc{}
	if !rec.EventTime.IsZero() {
		d.set("@timestamp", rec.EventTime.UTC().Format(time.RFC3339Nano))
	}
	d.set("data_stream.dataset", "aws.cloudtrail")
	d.set("event.provider", rec.EventSource)
	d.set("event.action", rec.EventName)
	d.set("event.id", rec.EventID)
	d.set("event.outcome", rec.Outcome())
	d.set("source.address", rec.SourceIPAddress)
	if ip, err := netip.ParseAddr(rec.SourceIPAddress); err == nil {
		d.set("source.ip", ip.String())
	}
	d.set("user_agent.original", rec.UserAgent)
	d.set("cloud.region", rec.AWSRegion)
	d.setIdentity(&rec.UserIdentity)
	d.setCloudTrail(rec)
	return d
}

type ecsDoc map[string]any

// set stores a non-empty value at a dotted path of nested maps.
func (d ecsDoc) set(path string, v any) {
	if s, ok := v.(string); ok && s == "" {
		return
	}
	m := map[string]any(d)
	for {
		key, rest, nested := strings.Cut(path, ".")
		if !nested {
			m[key] = v
			return
		}
		next, ok := m[key].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[key] = next
		}
		m, path = next, rest
	}
}

func (d ecsDoc) setIdentity(ui *UserIdentity) {
	const p = "aws.cloudtrail.user_identity."
	d.set("user.id", ui.PrincipalID)
	d.set("user.name", ui.UserName)
	d.set("cloud.account.id", ui.AccountID)
	d.set(p+"type", ui.Type)
	d.set(p+"arn", ui.ARN)
	d.set(p+"access_key_id", ui.AccessKeyID)
	d.set(p+"invoked_by", ui.InvokedBy)
	sc := ui.SessionContext
	if sc == nil {
		return
	}
	if ui.UserName == "" {
		d.set("user.name", sc.SessionIssuer.UserName)
	}
	d.set(p+"session_context.mfa_authenticated", sc.Attributes.MFAAuthenticated)
	d.set(p+"session_context.creation_date", sc.Attributes.CreationDate)
	const si = p + "session_context.session_issuer."
	d.set(si+"type", sc.SessionIssuer.Type)
	d.set(si+"principal_id", sc.SessionIssuer.PrincipalID)
	d.set(si+"arn", sc.SessionIssuer.ARN)
	d.set(si+"account_id", sc.SessionIssuer.AccountID)
}

func (d ecsDoc) setCloudTrail(rec *Record) {
	const p = "aws.cloudtrail."
	d.set(p+"event_version", rec.EventVersion)
	d.set(p+"event_type", rec.EventType)
	d.set(p+"event_category", rec.EventCategory)
	d.set(p+"read_only", rec.ReadOnly)
	d.set(p+"management_event", rec.ManagementEvent)
	d.set(p+"recipient_account_id", rec.RecipientAccountID)
	d.set(p+"shared_event_id", rec.SharedEventID)
	d.set(p+"error_code", rec.ErrorCode)
	d.set(p+"error_message", rec.ErrorMessage)
	d.set(p+"request_id", rec.RequestID)
}
