package awsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func init() {
	services["cloudtrail"] = &service{
		proto: awsJSON{version: "1.1", messageKey: "Message"},
		ops: map[string]operation{
			"LookupEvents": {fn: (*Server).trailLookup},
		},
		unknownOp: newError(http.StatusBadRequest,
			"UnknownOperationException", ""),
		badKey: newError(http.StatusBadRequest, "UnrecognizedClientException",
			"The security token included in the request is invalid."),
	}
}

// CloudTrail's LookupEvents page limit.
const trailPageMax = 50

// trailEvent is a CloudTrail event LookupEvents can return.
type trailEvent struct {
	id, name, source, user, accessKey string
	readOnly                          bool
	time                              time.Time
	record                            string
}

// AddCloudTrailEvent stores a CloudTrail record (one JSON object as in a
// log file) for LookupEvents in an account and region. The record's
// eventID, eventName and eventTime are required.
func (s *Server) AddCloudTrailEvent(account, region string,
	record []byte) error {
	ev, err := parseTrailRecord(record)
	if err != nil {
		return fmt.Errorf("add cloudtrail event in %s/%s: %w",
			account, region, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := accountRegion{account, region}
	s.trail[k] = append(s.trail[k], ev)
	slices.SortStableFunc(s.trail[k], func(a, b trailEvent) int {
		return b.time.Compare(a.time) // newest first, as CloudTrail lists
	})
	return nil
}

// parseTrailRecord reads the fields LookupEvents reports.
func parseTrailRecord(record []byte) (trailEvent, error) {
	var r struct {
		EventID, EventName, EventSource, EventTime string
		ReadOnly                                   any
		UserIdentity                               struct {
			UserName, Arn, PrincipalID, AccessKeyID string
		}
	}
	if err := json.Unmarshal(record, &r); err != nil {
		return trailEvent{}, fmt.Errorf("decode record: %w", err)
	}
	t, err := time.Parse(time.RFC3339, r.EventTime)
	if err != nil || r.EventID == "" || r.EventName == "" {
		return trailEvent{}, fmt.Errorf(
			"record needs eventID, eventName and an RFC 3339 eventTime")
	}
	ro := r.ReadOnly == true || r.ReadOnly == "true"
	return trailEvent{id: r.EventID, name: r.EventName,
		source: r.EventSource, user: trailUser(r.UserIdentity.UserName,
			r.UserIdentity.Arn, r.UserIdentity.PrincipalID),
		accessKey: r.UserIdentity.AccessKeyID, readOnly: ro,
		time: t, record: string(record)}, nil
}

// trailUser is the Username CloudTrail shows: the user name, else the
// session name of an assumed role (after the colon of its principal id),
// else the last part of the ARN.
func trailUser(userName, arn, principal string) string {
	if userName != "" {
		return userName
	}
	if _, session, ok := strings.Cut(principal, ":"); ok {
		return session
	}
	return arn[strings.LastIndex(arn, "/")+1:]
}

// attr returns the event's value of a lookup attribute key.
func (e trailEvent) attr(key string) (string, bool) {
	switch key {
	case "EventId":
		return e.id, true
	case "EventName":
		return e.name, true
	case "EventSource":
		return e.source, true
	case "Username":
		return e.user, true
	case "AccessKeyId":
		return e.accessKey, true
	case "ReadOnly":
		return strconv.FormatBool(e.readOnly), true
	}
	return "", false
}

type lookupInput struct {
	LookupAttributes []struct{ AttributeKey, AttributeValue string }
	StartTime        *float64
	EndTime          *float64
	MaxResults       int
	NextToken        string
}

type trailEventJSON struct {
	EventId, EventName, EventSource, Username, AccessKeyId string
	ReadOnly                                               string
	EventTime                                              float64
	CloudTrailEvent                                        string
}

func errLookup(code, msg string) *apiError { return errInvalid(code, msg) }

// check validates the lookup and returns its key and value, if any.
func (in *lookupInput) check() (key, value string, err error) {
	switch {
	case len(in.LookupAttributes) > 1:
		return "", "", errLookup("InvalidLookupAttributesException",
			"You can only specify one lookup attribute.")
	case in.MaxResults < 0 || in.MaxResults > trailPageMax:
		return "", "", errLookup("InvalidMaxResultsException",
			"MaxResults must be between 1 and 50.")
	case in.StartTime != nil && in.EndTime != nil &&
		*in.StartTime > *in.EndTime:
		return "", "", errLookup("InvalidTimeRangeException",
			"StartTime must be before EndTime.")
	case len(in.LookupAttributes) == 0:
		return "", "", nil
	}
	a := in.LookupAttributes[0]
	if _, ok := (trailEvent{}).attr(a.AttributeKey); !ok {
		return "", "", errLookup("InvalidLookupAttributesException",
			"unsupported lookup attribute "+a.AttributeKey)
	}
	return a.AttributeKey, a.AttributeValue, nil
}

// trailLookup answers LookupEvents over the caller's account and region.
func (s *Server) trailLookup(q *request) (any, error) {
	var in lookupInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	key, value, err := in.check()
	if err != nil {
		return nil, err
	}
	var hits []trailEventJSON
	for _, e := range s.trail[accountRegion{q.account, q.region}] {
		if v, _ := e.attr(key); key != "" && v != value {
			continue
		}
		secs := float64(e.time.Unix())
		if (in.StartTime != nil && secs < *in.StartTime) ||
			(in.EndTime != nil && secs > *in.EndTime) {
			continue
		}
		hits = append(hits, e.json(secs))
	}
	return trailPage(hits, in)
}

func (e trailEvent) json(secs float64) trailEventJSON {
	return trailEventJSON{EventId: e.id, EventName: e.name,
		EventSource: e.source, Username: e.user, AccessKeyId: e.accessKey,
		ReadOnly: strconv.FormatBool(e.readOnly), EventTime: secs,
		CloudTrailEvent: e.record}
}

// trailPage cuts one page of events.
func trailPage(hits []trailEventJSON, in lookupInput) (any, error) {
	size := in.MaxResults
	if size == 0 {
		size = trailPageMax
	}
	start := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(in.NextToken, "awsfake-"))
		if err != nil || n < 0 || n > len(hits) ||
			!strings.HasPrefix(in.NextToken, "awsfake-") {
			return nil, errLookup("InvalidNextTokenException",
				"The token is not valid.")
		}
		start = n
	}
	end := min(start+size, len(hits))
	out := struct {
		Events    []trailEventJSON
		NextToken string `json:",omitempty"`
	}{Events: append([]trailEventJSON{}, hits[start:end]...)}
	if end < len(hits) {
		out.NextToken = "awsfake-" + strconv.Itoa(end)
	}
	return out, nil
}
