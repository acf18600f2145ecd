package detect

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// envelope is every shape a JSON object may take, decoded in one pass: a
// CloudTrail record, or one of the wrappers around records. Which
// wrapper it is follows from which keys are present, so that the lexer
// can tell a plain record from its keys alone (see keyInfo).
type envelope struct {
	*Record

	Records json.RawMessage `json:"Records"` // log file, Lambda SQS/SNS event
	Body    json.RawMessage `json:"body"`    // SQS message
	Sns     json.RawMessage `json:"Sns"`     // Lambda SNS event record
	Type    json.RawMessage `json:"Type"`    // SNS notification
	Message json.RawMessage `json:"Message"` // SNS notification

	DetailType json.RawMessage `json:"detail-type"` // EventBridge event
	Detail     json.RawMessage `json:"detail"`      // EventBridge event

	ESSource json.RawMessage `json:"_source"` // Elasticsearch hit
	Hits     json.RawMessage `json:"hits"`    // Elasticsearch response

	Timestamp     json.RawMessage `json:"@timestamp"`     // ECS document
	Event         json.RawMessage `json:"event"`          // ECS document
	EventAction   json.RawMessage `json:"event.action"`   // flat ECS
	EventProvider json.RawMessage `json:"event.provider"` // flat ECS

	S3          json.RawMessage `json:"s3"`             // S3 notification
	DigestFile  json.RawMessage `json:"digestS3Object"` // CloudTrail digest
	S3ObjectKey json.RawMessage `json:"s3ObjectKey"`    // delivery notice
}

// wrapperKeys are envelope's keys other than the record's, lowercase.
var wrapperKeys = []string{
	"records", "body", "sns", "type", "message", "detail-type", "detail",
	"_source", "hits", "@timestamp", "event", "event.action",
	"event.provider", "s3", "digests3object", "s3objectkey",
}

func isWrapperKey(lower string) bool { return slices.Contains(wrapperKeys, lower) }

// EventBridge detail types of CloudTrail events.
const (
	detailAPICall       = "AWS API Call via CloudTrail"
	detailConsoleAction = "AWS Console Action via CloudTrail"
)

// maxWrapping bounds wrappers inside wrappers, such as an SNS
// notification in an SQS message in a Lambda event.
const maxWrapping = 8

// classify decodes one JSON value, a record or a wrapper of records, and
// yields what it holds. It reports whether the consumer wants more.
func (d *decoder) classify(raw []byte, source string, depth int) bool {
	if depth > maxWrapping {
		return d.fail(source, fmt.Errorf("%w: wrapped more than %d deep",
			ErrUnknownShape, maxWrapping))
	}
	if kind := jsonKind(raw); kind != "object" {
		return d.fail(source, fmt.Errorf("%w: %s, not an object",
			ErrUnknownShape, kind))
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return d.fail(source, schemaError(err))
	}
	return d.unwrap(&env, raw, source, depth)
}

func (d *decoder) unwrap(env *envelope, raw []byte, source string,
	depth int) bool {
	switch {
	case env.Records != nil:
		return d.records(env.Records, source, depth)
	case env.Body != nil:
		return d.embedded(env.Body, "body", source, depth)
	case env.Sns != nil:
		return d.classify(env.Sns, child(source, "Sns"), depth+1)
	case env.isECS():
		return d.ecsDocument(raw, source)
	case env.Type != nil || env.Message != nil:
		return d.snsNotification(env, source, depth)
	case env.DetailType != nil || env.Detail != nil:
		return d.eventBridge(env, source)
	case env.ESSource != nil:
		return d.classify(env.ESSource, source, depth+1)
	case env.Hits != nil:
		return d.hits(env.Hits, source, depth)
	}
	if err := env.notEvents(); err != nil {
		return d.fail(source, err)
	}
	if env.Record == nil || env.Record.EventName == "" {
		return d.fail(source, unknownShape(raw))
	}
	return d.emit(Event{Record: env.Record, Source: source})
}

func (env *envelope) isECS() bool {
	return env.Timestamp != nil || env.Event != nil ||
		env.EventAction != nil || env.EventProvider != nil
}

// notEvents explains the JSON documents of AWS that sit next to
// CloudTrail events but hold none.
func (env *envelope) notEvents() error {
	switch {
	case env.S3 != nil:
		return fmt.Errorf("%w: an S3 event notification; "+
			"read the object it names", ErrUnknownShape)
	case env.DigestFile != nil:
		return fmt.Errorf("%w: a CloudTrail digest file", ErrUnknownShape)
	case env.S3ObjectKey != nil:
		return fmt.Errorf("%w: a CloudTrail delivery notification; "+
			"read the objects it names", ErrUnknownShape)
	}
	return nil
}

// records yields the elements of a Records array held in memory.
func (d *decoder) records(raw json.RawMessage, source string, depth int) bool {
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return d.fail(source, fmt.Errorf("%w: Records is %s, not an array",
			ErrUnknownShape, jsonKind(raw)))
	}
	for i, e := range elems {
		if d.filtered(e) {
			continue
		}
		if !d.classify(e, child(source, fmt.Sprintf("Records[%d]", i)),
			depth+1) {
			return false
		}
	}
	return true
}

// embedded decodes a JSON document carried in a string, such as the
// body of an SQS message.
func (d *decoder) embedded(raw json.RawMessage, field, source string,
	depth int) bool {
	source = child(source, field)
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return d.fail(source, fmt.Errorf("%w: %s is %s, not a string",
			ErrUnknownShape, field, jsonKind(raw)))
	}
	return d.classify([]byte(s), source, depth+1)
}

func (d *decoder) snsNotification(env *envelope, source string,
	depth int) bool {
	var typ string
	_ = json.Unmarshal(env.Type, &typ)
	if typ != "Notification" {
		return d.fail(source, fmt.Errorf("%w: an SNS message of type %q",
			ErrUnknownShape, typ))
	}
	return d.embedded(env.Message, "Message", source, depth)
}

func (d *decoder) eventBridge(env *envelope, source string) bool {
	var typ string
	_ = json.Unmarshal(env.DetailType, &typ)
	if typ != detailAPICall && typ != detailConsoleAction {
		return d.fail(source, fmt.Errorf("%w: an EventBridge event of "+
			"detail-type %q", ErrUnknownShape, typ))
	}
	if jsonKind(env.Detail) != "object" {
		return d.fail(source, fmt.Errorf("%w: EventBridge detail is %s, "+
			"not an object", ErrUnknownShape, jsonKind(env.Detail)))
	}
	rec := new(Record)
	if err := json.Unmarshal(env.Detail, rec); err != nil {
		return d.fail(source, fmt.Errorf("EventBridge detail: %w",
			schemaError(err)))
	}
	if rec.EventName == "" {
		return d.fail(source, unknownShape(env.Detail))
	}
	return d.emit(Event{Record: rec, Source: source})
}

// hits yields the documents of an Elasticsearch search response.
func (d *decoder) hits(raw json.RawMessage, source string, depth int) bool {
	var outer struct {
		Hits []json.RawMessage `json:"hits"`
	}
	if err := json.Unmarshal(raw, &outer); err != nil || outer.Hits == nil {
		return d.fail(source, fmt.Errorf("%w: hits holds no hits array",
			ErrUnknownShape))
	}
	for i, h := range outer.Hits {
		if !d.classify(h, child(source, fmt.Sprintf("hits.hits[%d]", i)),
			depth+1) {
			return false
		}
	}
	return true
}

// child names a part of a source: the first part follows '#', later ones
// follow '.'.
func child(source, part string) string {
	if strings.Contains(source, "#") {
		return source + "." + part
	}
	return source + "#" + part
}

// jsonKind names the kind of a JSON value from its first byte.
func jsonKind(raw []byte) string {
	i := skipSpace(raw, 0)
	if i == len(raw) {
		return "empty"
	}
	switch c := raw[i]; {
	case c == '{':
		return "object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	case c == '-' || isDigit(c):
		return "a number"
	}
	return "not JSON"
}

// unknownShape describes an object detect cannot read by its keys; values
// are left out, since they may hold anything.
func unknownShape(raw []byte) error {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	keys := make([]string, 0, len(m))
	for k := range m {
		if len(k) > 40 {
			k = k[:40] + "..."
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > 6 {
		keys = append(keys[:6], "...")
	}
	if len(keys) == 0 {
		return fmt.Errorf("%w: an empty object", ErrUnknownShape)
	}
	return fmt.Errorf("%w: an object with keys %s (no eventName)",
		ErrUnknownShape, strings.Join(keys, ", "))
}

// FieldError is well-formed JSON that does not fit a CloudTrail record:
// a field holds the wrong type of value.
type FieldError struct{ Err error }

// Error returns the message of a FieldError.
func (e *FieldError) Error() string { return e.Err.Error() }

// Unwrap returns the error beneath the FieldError.
func (e *FieldError) Unwrap() error { return e.Err }

// schemaError rewords encoding/json's type errors, which name Go types.
func schemaError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := strings.TrimPrefix(te.Field, "Record.")
		err = fmt.Errorf("field %s holds a JSON %s, not %s", field, te.Value,
			te.Type)
	}
	return &FieldError{Err: err}
}
