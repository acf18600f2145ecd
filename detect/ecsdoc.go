package detect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/serialguard/serialguard/detect/kql"
)

// ecsDocument reads an Elastic document of the CloudTrail data stream,
// nested or with dotted keys, back into a record: the inverse of ECS for
// the fields Elastic keeps. event.outcome is not read: Elastic derives it
// from error_code and error_message, which are, so Record.Outcome gives
// it back.
func (d *decoder) ecsDocument(raw []byte, source string) bool {
	rec, err := recordFromECS(raw)
	if err != nil {
		return d.fail(source, fmt.Errorf("decode ECS document: %w", err))
	}
	return d.emit(Event{Record: rec, Source: source})
}

func recordFromECS(raw []byte) (*Record, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc ecsFields
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if err := doc.checkDataset(); err != nil {
		return nil, err
	}
	rec := &Record{
		EventSource:        doc.str("event.provider"),
		EventName:          doc.str("event.action"),
		EventID:            doc.str("event.id"),
		AWSRegion:          doc.str("cloud.region"),
		SourceIPAddress:    doc.str("source.address", "source.ip"),
		UserAgent:          doc.str("user_agent.original"),
		EventVersion:       doc.str("aws.cloudtrail.event_version"),
		EventType:          doc.str("aws.cloudtrail.event_type"),
		EventCategory:      doc.str("aws.cloudtrail.event_category"),
		RecipientAccountID: doc.str("aws.cloudtrail.recipient_account_id"),
		SharedEventID:      doc.str("aws.cloudtrail.shared_event_id"),
		RequestID:          doc.str("aws.cloudtrail.request_id"),
		ErrorCode:          doc.str("aws.cloudtrail.error_code"),
		ErrorMessage:       doc.str("aws.cloudtrail.error_message"),
		ReadOnly:           doc.boolean("aws.cloudtrail.read_only"),
		ManagementEvent:    doc.boolean("aws.cloudtrail.management_event"),
		UserIdentity:       doc.identity(),
		RequestParameters:  doc.object("aws.cloudtrail.flattened.request_parameters"),
		ResponseElements:   doc.object("aws.cloudtrail.flattened.response_elements"),
	}
	if rec.EventName == "" {
		return nil, fmt.Errorf("%w: no event.action", ErrUnknownShape)
	}
	var err error
	rec.EventTime, err = doc.time("@timestamp")
	return rec, err
}

// ecsFields looks fields up by their ECS names.
type ecsFields map[string]any

// checkDataset rejects documents of other data streams.
func (doc ecsFields) checkDataset() error {
	for _, f := range []string{"data_stream.dataset", "event.dataset"} {
		if ds := doc.str(f); ds != "" && ds != "aws.cloudtrail" {
			return fmt.Errorf("%w: %s is %q", ErrUnknownShape, f, ds)
		}
	}
	return nil
}

// str returns the first string found at any of the fields. A boolean
// counts as its name: mfa_authenticated is one in some documents.
func (doc ecsFields) str(fields ...string) string {
	for _, f := range fields {
		for _, v := range kql.Values(doc, f) {
			switch v := v.(type) {
			case string:
				if v != "" {
					return v
				}
			case bool:
				return strconv.FormatBool(v)
			}
		}
	}
	return ""
}

func (doc ecsFields) boolean(field string) bool {
	for _, v := range kql.Values(doc, field) {
		switch v {
		case true, "true":
			return true
		}
	}
	return false
}

// object returns the JSON of the first object at field.
func (doc ecsFields) object(field string) json.RawMessage {
	for _, v := range kql.Values(doc, field) {
		if m, ok := v.(map[string]any); ok {
			b, err := json.Marshal(m)
			if err == nil {
				return b
			}
		}
	}
	return nil
}

func (doc ecsFields) time(field string) (time.Time, error) {
	s := doc.str(field)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

// identity rebuilds userIdentity. Elastic puts userIdentity.userName in
// user.name and, when that is absent, the session issuer's userName.
func (doc ecsFields) identity() UserIdentity {
	const p = "aws.cloudtrail.user_identity."
	ui := UserIdentity{
		Type:        doc.str(p + "type"),
		ARN:         doc.str(p + "arn"),
		AccessKeyID: doc.str(p + "access_key_id"),
		InvokedBy:   doc.str(p + "invoked_by"),
		PrincipalID: doc.str("user.id"),
		AccountID:   doc.str("cloud.account.id"),
	}
	const si = p + "session_context.session_issuer."
	issuer := SessionIssuer{
		Type:        doc.str(si + "type"),
		PrincipalID: doc.str(si + "principal_id"),
		ARN:         doc.str(si + "arn"),
		AccountID:   doc.str(si + "account_id"),
	}
	attrs := SessionAttributes{
		CreationDate:     doc.str(p + "session_context.creation_date"),
		MFAAuthenticated: doc.str(p + "session_context.mfa_authenticated"),
	}
	name := doc.str("user.name")
	if ui.Type == "AssumedRole" && issuer != (SessionIssuer{}) {
		issuer.UserName = name
	} else {
		ui.UserName = name
	}
	if issuer != (SessionIssuer{}) || attrs != (SessionAttributes{}) {
		ui.SessionContext = &SessionContext{
			SessionIssuer: issuer, Attributes: attrs}
	}
	return ui
}
