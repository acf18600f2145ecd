package awsfake

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func init() {
	services["sqs"] = &service{
		proto: awsJSON{
			version: "1.0", typePrefix: "com.amazonaws.sqs#",
			messageKey: "message", queryErrors: sqsQueryErrors,
		},
		ops: map[string]operation{
			"CreateQueue":             {fn: (*Server).sqsCreateQueue},
			"GetQueueUrl":             {fn: (*Server).sqsGetQueueURL},
			"GetQueueAttributes":      {fn: (*Server).sqsGetAttributes},
			"SendMessage":             {fn: (*Server).sqsSend},
			"SendMessageBatch":        {fn: (*Server).sqsSendBatch},
			"ReceiveMessage":          {fn: (*Server).sqsReceive, unlocked: true},
			"DeleteMessage":           {fn: (*Server).sqsDelete},
			"DeleteMessageBatch":      {fn: (*Server).sqsDeleteBatch},
			"ChangeMessageVisibility": {fn: (*Server).sqsChangeVisibility},
		},
		unknownOp: newError(http.StatusBadRequest,
			"UnknownOperationException", ""),
		badKey: newError(http.StatusForbidden, "InvalidClientTokenId",
			"The security token included in the request is invalid."),
	}
}

// sqsQueryErrors are the x-amzn-query-error values SQS sends, which the
// SDK reports as ErrorCode (errors.As on the modeled type still works).
var sqsQueryErrors = map[string]string{
	"QueueDoesNotExist":      "AWS.SimpleQueueService.NonExistentQueue;Sender",
	"QueueNameExists":        "QueueAlreadyExists;Sender",
	"ReceiptHandleIsInvalid": "ReceiptHandleIsInvalid;Sender",
	"MessageNotInflight":     "AWS.SimpleQueueService.MessageNotInflight;Sender",
	"EmptyBatchRequest":      "AWS.SimpleQueueService.EmptyBatchRequest;Sender",
	"TooManyEntriesInBatchRequest": "AWS.SimpleQueueService." +
		"TooManyEntriesInBatchRequest;Sender",
	"BatchEntryIdsNotDistinct": "AWS.SimpleQueueService." +
		"BatchEntryIdsNotDistinct;Sender",
	"InvalidParameterValue": "InvalidParameterValue;Sender",
}

// SQS defaults and limits.
const (
	sqsDefaultVisibility = 30 * time.Second
	sqsMaxBatch          = 10
	sqsMaxWait           = 20
)

// sqsState holds the queues, keyed by URL path "/ACCOUNT/NAME". The
// Server's mutex guards it, except done.
type sqsState struct {
	queues map[string]*queue
	done   chan struct{} // closed at shutdown to end long polls
	nextID int
}

func newSQSState() *sqsState {
	return &sqsState{queues: map[string]*queue{}, done: make(chan struct{})}
}

// shutdown ends every long poll; it is safe to call twice.
func (st *sqsState) shutdown() {
	select {
	case <-st.done:
	default:
		close(st.done)
	}
}

// queue is an SQS standard queue.
type queue struct {
	name, account, region string
	attrs                 map[string]string
	created               time.Time
	visibility            time.Duration
	dlq                   string // URL path of the dead-letter queue
	maxReceives           int
	msgs                  []*message
	notify                chan struct{} // closed when a message arrives
}

// message is one message in a queue.
type message struct {
	id, body     string
	attrs        json.RawMessage
	sent         time.Time
	visibleAt    time.Time
	firstReceive time.Time
	receives     int
	receipt      string // the latest receipt handle
}

// Message is a message as QueueMessages reports it.
type Message struct {
	ID           string
	Body         string
	ReceiveCount int
	InFlight     bool // received and not yet visible again
}

func (qu *queue) arn() string {
	return "arn:aws:sqs:" + qu.region + ":" + qu.account + ":" + qu.name
}

// wake tells long polls that a message arrived.
func (qu *queue) wake() {
	close(qu.notify)
	qu.notify = make(chan struct{})
}

func errNoQueue() *apiError {
	return errInvalid("QueueDoesNotExist",
		"The specified queue does not exist.")
}

// queueKey is the lookup key of a queue URL: its path.
func queueKey(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Path
}

// findQueue resolves a queue URL. The caller holds s.mu.
func (s *Server) findQueue(rawURL string) (*queue, error) {
	qu, ok := s.sqs.queues[queueKey(rawURL)]
	if !ok {
		return nil, errNoQueue()
	}
	return qu, nil
}

func (s *Server) queueURL(qu *queue) string {
	return s.URL() + "/" + qu.account + "/" + qu.name
}

// CreateQueue creates a queue in an account and region, or returns the
// existing one's URL. attrs are SQS queue attributes such as
// VisibilityTimeout and RedrivePolicy.
func (s *Server) CreateQueue(account, region, name string,
	attrs map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	qu, err := s.createQueue(account, region, name, attrs)
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return s.queueURL(qu), nil
}

// createQueue makes or finds a queue. The caller holds s.mu.
func (s *Server) createQueue(account, region, name string,
	attrs map[string]string) (*queue, error) {
	key := "/" + account + "/" + name
	if qu, ok := s.sqs.queues[key]; ok {
		for k, v := range attrs {
			if qu.attrs[k] != v {
				return nil, errInvalid("QueueNameExists",
					"A queue already exists with the same name and a "+
						"different value for attribute "+k)
			}
		}
		return qu, nil
	}
	qu := &queue{name: name, account: account, region: region,
		attrs: map[string]string{}, created: s.now(),
		visibility: sqsDefaultVisibility, notify: make(chan struct{})}
	for k, v := range attrs {
		if err := s.setQueueAttr(qu, k, v); err != nil {
			return nil, err
		}
	}
	s.sqs.queues[key] = qu
	return qu, nil
}

// setQueueAttr applies one queue attribute. The caller holds s.mu.
func (s *Server) setQueueAttr(qu *queue, k, v string) error {
	switch k {
	case "VisibilityTimeout":
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 43200 {
			return errInvalid("InvalidAttributeValue",
				"Invalid value for the parameter VisibilityTimeout.")
		}
		qu.visibility = time.Duration(n) * time.Second
	case "RedrivePolicy":
		if err := s.setRedrive(qu, v); err != nil {
			return err
		}
	}
	qu.attrs[k] = v
	return nil
}

// setRedrive parses a RedrivePolicy attribute.
func (s *Server) setRedrive(qu *queue, v string) error {
	var rp struct {
		Target string          `json:"deadLetterTargetArn"`
		Max    json.RawMessage `json:"maxReceiveCount"`
	}
	bad := errInvalid("InvalidAttributeValue",
		"Value "+v+" for parameter RedrivePolicy is invalid.")
	if json.Unmarshal([]byte(v), &rp) != nil {
		return bad
	}
	n, err := strconv.Atoi(strings.Trim(string(rp.Max), `"`))
	parts := strings.Split(rp.Target, ":")
	if err != nil || n < 1 || len(parts) != 6 {
		return bad
	}
	qu.dlq, qu.maxReceives = "/"+parts[4]+"/"+parts[5], n
	return nil
}

func (s *Server) sqsCreateQueue(q *request) (any, error) {
	var in struct {
		QueueName  string
		Attributes map[string]string
	}
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	if in.QueueName == "" {
		return nil, errInvalid("InvalidParameterValue", "QueueName is required")
	}
	qu, err := s.createQueue(q.account, q.region, in.QueueName, in.Attributes)
	if err != nil {
		return nil, err
	}
	return map[string]string{"QueueUrl": s.queueURL(qu)}, nil
}

func (s *Server) sqsGetQueueURL(q *request) (any, error) {
	var in struct{ QueueName, QueueOwnerAWSAccountId string }
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	owner := in.QueueOwnerAWSAccountId
	if owner == "" {
		owner = q.account
	}
	qu, ok := s.sqs.queues["/"+owner+"/"+in.QueueName]
	if !ok {
		return nil, errNoQueue()
	}
	return map[string]string{"QueueUrl": s.queueURL(qu)}, nil
}

func (s *Server) sqsGetAttributes(q *request) (any, error) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	qu, err := s.findQueue(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	all := s.queueAttrs(qu)
	out := map[string]string{}
	for _, name := range in.AttributeNames {
		if name == "All" {
			out = all
			break
		}
		if v, ok := all[name]; ok {
			out[name] = v
		}
	}
	return map[string]map[string]string{"Attributes": out}, nil
}

// queueAttrs returns every attribute of a queue. The caller holds s.mu.
func (s *Server) queueAttrs(qu *queue) map[string]string {
	now := s.now()
	visible, inFlight := 0, 0
	for _, m := range qu.msgs {
		if m.visibleAt.After(now) {
			inFlight++
		} else {
			visible++
		}
	}
	out := map[string]string{
		"QueueArn":                              qu.arn(),
		"ApproximateNumberOfMessages":           strconv.Itoa(visible),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inFlight),
		"ApproximateNumberOfMessagesDelayed":    "0",
		"CreatedTimestamp":                      unixString(qu.created),
		"LastModifiedTimestamp":                 unixString(qu.created),
		"VisibilityTimeout": strconv.Itoa(int(
			qu.visibility / time.Second)),
		"MaximumMessageSize":            "262144",
		"MessageRetentionPeriod":        "345600",
		"DelaySeconds":                  "0",
		"ReceiveMessageWaitTimeSeconds": "0",
	}
	for k, v := range qu.attrs {
		out[k] = v
	}
	return out
}

func unixString(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// md5Hex is SQS's MD5OfMessageBody, which the SDK checks.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// enqueue appends a message. The caller holds s.mu.
func (s *Server) enqueue(qu *queue, body string, delay int,
	attrs json.RawMessage) *message {
	s.sqs.nextID++
	n := s.sqs.nextID
	now := s.now()
	m := &message{
		id:   fmt.Sprintf("%08x-5a5a-4000-8000-%012x", n, n),
		body: body, attrs: attrs, sent: now,
		visibleAt: now.Add(time.Duration(delay) * time.Second),
	}
	qu.msgs = append(qu.msgs, m)
	qu.wake()
	return m
}

// SendMessage seeds a message into a queue and returns its id.
func (s *Server) SendMessage(queueURL, body string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	qu, err := s.findQueue(queueURL)
	if err != nil {
		return "", fmt.Errorf("send message to %s: %w", queueURL, err)
	}
	return s.enqueue(qu, body, 0, nil).id, nil
}

// QueueMessages returns the messages a queue holds, in order, visible or
// in flight.
func (s *Server) QueueMessages(queueURL string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	qu, err := s.findQueue(queueURL)
	if err != nil {
		return nil
	}
	now := s.now()
	out := make([]Message, 0, len(qu.msgs))
	for _, m := range qu.msgs {
		out = append(out, Message{ID: m.id, Body: m.body,
			ReceiveCount: m.receives, InFlight: m.visibleAt.After(now)})
	}
	return out
}

type sendEntry struct {
	Id                string
	MessageBody       string
	DelaySeconds      int
	MessageAttributes json.RawMessage
}

// checkSend validates one message.
func checkSend(e sendEntry) *apiError {
	if e.MessageBody == "" {
		return errInvalid("InvalidParameterValue",
			"The request must contain the parameter MessageBody.")
	}
	if e.DelaySeconds < 0 || e.DelaySeconds > 900 {
		return errInvalid("InvalidParameterValue",
			"DelaySeconds must be between 0 and 900")
	}
	return nil
}

func (s *Server) sqsSend(q *request) (any, error) {
	var in struct {
		QueueUrl string
		sendEntry
	}
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	qu, err := s.findQueue(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if e := checkSend(in.sendEntry); e != nil {
		return nil, e
	}
	m := s.enqueue(qu, in.MessageBody, in.DelaySeconds, in.MessageAttributes)
	return map[string]string{
		"MessageId": m.id, "MD5OfMessageBody": md5Hex(m.body),
	}, nil
}

type batchFailure struct {
	Id, Code, Message string
	SenderFault       bool
}

// checkBatch validates the size and ids of a batch.
func checkBatch(ids []string) error {
	switch {
	case len(ids) == 0:
		return errInvalid("EmptyBatchRequest",
			"There should be at least one entry in the request.")
	case len(ids) > sqsMaxBatch:
		return errInvalid("TooManyEntriesInBatchRequest",
			"Maximum number of entries per request are 10.")
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return errInvalid("BatchEntryIdsNotDistinct",
				"Id "+id+" repeated.")
		}
		seen[id] = true
	}
	return nil
}

// batchRequest decodes the queue and the entries of a batch call and
// checks the entries' ids.
func batchRequest[E any](s *Server, q *request, id func(E) string) (*queue, []E, error) {
	var in struct {
		QueueUrl string
		Entries  []E
	}
	if err := q.decode(&in); err != nil {
		return nil, nil, err
	}
	qu, err := s.findQueue(in.QueueUrl)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = id(e)
	}
	if err := checkBatch(ids); err != nil {
		return nil, nil, err
	}
	return qu, in.Entries, nil
}

func (s *Server) sqsSendBatch(q *request) (any, error) {
	qu, entries, err := batchRequest(s, q, func(e sendEntry) string {
		return e.Id
	})
	if err != nil {
		return nil, err
	}
	type sent struct{ Id, MessageId, MD5OfMessageBody string }
	out := struct {
		Successful []sent
		Failed     []batchFailure
	}{Successful: []sent{}, Failed: []batchFailure{}}
	for _, e := range entries {
		if ae := checkSend(e); ae != nil {
			out.Failed = append(out.Failed, batchFailure{Id: e.Id,
				Code: ae.Code, Message: ae.Message, SenderFault: true})
			continue
		}
		m := s.enqueue(qu, e.MessageBody, e.DelaySeconds, e.MessageAttributes)
		out.Successful = append(out.Successful,
			sent{Id: e.Id, MessageId: m.id, MD5OfMessageBody: md5Hex(m.body)})
	}
	return out, nil
}
