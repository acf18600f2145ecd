package awsfake

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

type receiveInput struct {
	QueueUrl                    string
	MaxNumberOfMessages         int
	WaitTimeSeconds             *int
	VisibilityTimeout           *int
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
}

type receivedJSON struct {
	MessageId, ReceiptHandle, MD5OfBody, Body string
	Attributes                                map[string]string          `json:",omitempty"`
	MessageAttributes                         map[string]json.RawMessage `json:",omitempty"`
}

type receiveOutput struct {
	Messages []receivedJSON `json:",omitempty"`
}

// check validates the receive parameters.
func (in *receiveInput) check() error {
	if in.MaxNumberOfMessages == 0 {
		in.MaxNumberOfMessages = 1
	}
	switch {
	case in.MaxNumberOfMessages < 1 || in.MaxNumberOfMessages > sqsMaxBatch:
		return errInvalid("InvalidParameterValue",
			"MaxNumberOfMessages must be between 1 and 10")
	case in.WaitTimeSeconds != nil &&
		(*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > sqsMaxWait):
		return errInvalid("InvalidParameterValue",
			"WaitTimeSeconds must be between 0 and 20")
	case in.VisibilityTimeout != nil &&
		(*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200):
		return errInvalid("InvalidParameterValue",
			"VisibilityTimeout must be between 0 and 43200")
	}
	return nil
}

// sqsReceive answers ReceiveMessage, long polling up to WaitTimeSeconds
// of real time. It ends early when the client goes away or the server
// closes. It runs without s.mu and takes it per attempt.
func (s *Server) sqsReceive(q *request) (any, error) {
	var in receiveInput
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	var deadline time.Time
	for {
		s.mu.Lock()
		qu, err := s.findQueue(in.QueueUrl)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		msgs, next := s.collect(qu, &in)
		notify, now := qu.notify, s.now()
		if deadline.IsZero() {
			deadline = time.Now().Add(
				time.Duration(s.waitSeconds(qu, &in)) * time.Second)
		}
		s.mu.Unlock()

		wait := time.Until(deadline)
		if len(msgs) > 0 || wait <= 0 {
			return receiveOutput{Messages: msgs}, nil
		}
		if !next.IsZero() {
			wait = min(wait, next.Sub(now))
		}
		if stop, err := s.awaitMessage(q, notify, wait); stop {
			return receiveOutput{}, err
		}
	}
}

// awaitMessage waits for a message to arrive or for d to pass. It stops
// the poll when the client goes away or the server closes.
func (s *Server) awaitMessage(q *request, notify <-chan struct{},
	d time.Duration) (stop bool, err error) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-notify:
	case <-t.C:
	case <-q.r.Context().Done():
		return true, q.r.Context().Err()
	case <-s.sqs.done:
		return true, nil
	}
	return false, nil
}

// waitSeconds is the long-poll time of a receive.
func (s *Server) waitSeconds(qu *queue, in *receiveInput) int {
	if in.WaitTimeSeconds != nil {
		return *in.WaitTimeSeconds
	}
	n, _ := strconv.Atoi(qu.attrs["ReceiveMessageWaitTimeSeconds"])
	return n
}

// collect takes up to MaxNumberOfMessages visible messages, moving those
// received too often to the dead-letter queue, and returns when the next
// in-flight message becomes visible (zero if none). The caller holds s.mu.
func (s *Server) collect(qu *queue, in *receiveInput) ([]receivedJSON, time.Time) {
	now := s.now()
	visibility := qu.visibility
	if in.VisibilityTimeout != nil {
		visibility = time.Duration(*in.VisibilityTimeout) * time.Second
	}
	var out []receivedJSON
	var next time.Time
	for i := 0; i < len(qu.msgs) && len(out) < in.MaxNumberOfMessages; {
		m := qu.msgs[i]
		if m.visibleAt.After(now) {
			if next.IsZero() || m.visibleAt.Before(next) {
				next = m.visibleAt
			}
			i++
			continue
		}
		if s.redrive(qu, i) {
			continue
		}
		out = append(out, s.deliver(m, in, now, visibility))
		i++
	}
	return out, next
}

// redrive moves message i to the dead-letter queue when it has been
// received maxReceiveCount times. The caller holds s.mu.
func (s *Server) redrive(qu *queue, i int) bool {
	m := qu.msgs[i]
	if qu.maxReceives == 0 || m.receives < qu.maxReceives {
		return false
	}
	dlq, ok := s.sqs.queues[qu.dlq]
	if !ok {
		return false
	}
	qu.msgs = slices.Delete(qu.msgs, i, i+1)
	m.visibleAt = s.now()
	dlq.msgs = append(dlq.msgs, m)
	dlq.wake()
	return true
}

// deliver marks a message received and returns its wire form.
func (s *Server) deliver(m *message, in *receiveInput, now time.Time,
	visibility time.Duration) receivedJSON {
	m.receives++
	if m.firstReceive.IsZero() {
		m.firstReceive = now
	}
	m.visibleAt = now.Add(visibility)
	m.receipt = m.id + "#" + strconv.Itoa(m.receives)
	return receivedJSON{
		MessageId: m.id, ReceiptHandle: m.receipt, Body: m.body,
		MD5OfBody: md5Hex(m.body),
		Attributes: systemAttrs(m, slices.Concat(in.AttributeNames,
			in.MessageSystemAttributeNames)),
		MessageAttributes: messageAttrs(m, in.MessageAttributeNames),
	}
}

// systemAttrs returns the requested system attributes of a message.
func systemAttrs(m *message, names []string) map[string]string {
	all := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receives),
		"SentTimestamp":                    millis(m.sent),
		"ApproximateFirstReceiveTimestamp": millis(m.firstReceive),
		"SenderId":                         "AIDAAWSFAKESENDER",
	}
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func millis(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// messageAttrs returns the requested message attributes of a message.
func messageAttrs(m *message, names []string) map[string]json.RawMessage {
	if len(m.attrs) == 0 || len(names) == 0 {
		return nil
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(m.attrs, &all) != nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for k, v := range all {
		for _, n := range names {
			prefix, wild := strings.CutSuffix(n, ".*")
			if n == "All" || n == ".*" || n == k ||
				(wild && strings.HasPrefix(k, prefix)) {
				out[k] = v
			}
		}
	}
	return out
}

// findReceipt returns the message a receipt handle names, or nil when it
// is well formed but stale or deleted, as SQS then succeeds without
// effect. The caller holds s.mu.
func findReceipt(qu *queue, receipt string) (*message, int, error) {
	id, n, ok := strings.Cut(receipt, "#")
	if _, err := strconv.Atoi(n); !ok || id == "" || err != nil {
		return nil, 0, errInvalid("ReceiptHandleIsInvalid",
			"The input receipt handle \""+receipt+"\" is not a valid "+
				"receipt handle.")
	}
	for i, m := range qu.msgs {
		if m.id == id && m.receipt == receipt {
			return m, i, nil
		}
	}
	return nil, -1, nil
}

// deleteMessage deletes by receipt handle. The caller holds s.mu.
func deleteMessage(qu *queue, receipt string) error {
	m, i, err := findReceipt(qu, receipt)
	if err != nil || m == nil {
		return err
	}
	qu.msgs = slices.Delete(qu.msgs, i, i+1)
	return nil
}

func (s *Server) sqsDelete(q *request) (any, error) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	qu, err := s.findQueue(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	return nil, deleteMessage(qu, in.ReceiptHandle)
}

// deleteEntry is one entry of DeleteMessageBatch.
type deleteEntry struct{ Id, ReceiptHandle string }

func (s *Server) sqsDeleteBatch(q *request) (any, error) {
	qu, entries, err := batchRequest(s, q, func(e deleteEntry) string {
		return e.Id
	})
	if err != nil {
		return nil, err
	}
	type deleted struct{ Id string }
	out := struct {
		Successful []deleted
		Failed     []batchFailure
	}{Successful: []deleted{}, Failed: []batchFailure{}}
	for _, e := range entries {
		var ae *apiError
		if errors.As(deleteMessage(qu, e.ReceiptHandle), &ae) {
			out.Failed = append(out.Failed, batchFailure{Id: e.Id,
				Code: ae.Code, Message: ae.Message, SenderFault: true})
			continue
		}
		out.Successful = append(out.Successful, deleted{Id: e.Id})
	}
	return out, nil
}

func (s *Server) sqsChangeVisibility(q *request) (any, error) {
	var in struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       int
	}
	if err := q.decode(&in); err != nil {
		return nil, err
	}
	qu, err := s.findQueue(in.QueueUrl)
	if err != nil {
		return nil, err
	}
	if in.VisibilityTimeout < 0 || in.VisibilityTimeout > 43200 {
		return nil, errInvalid("InvalidParameterValue",
			"VisibilityTimeout must be between 0 and 43200")
	}
	m, _, err := findReceipt(qu, in.ReceiptHandle)
	now := s.now()
	switch {
	case err != nil:
		return nil, err
	case m == nil || !m.visibleAt.After(now):
		return nil, errInvalid("MessageNotInflight",
			"The message referred to is not in flight.")
	}
	m.visibleAt = now.Add(time.Duration(in.VisibilityTimeout) * time.Second)
	if in.VisibilityTimeout == 0 {
		qu.wake()
	}
	return nil, nil
}
