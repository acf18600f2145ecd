package awsfake

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

const snsNamespace = "http://sns.amazonaws.com/doc/2010-03-31/"

func init() {
	services["sns"] = &service{
		proto: awsQuery{namespace: snsNamespace},
		ops: map[string]operation{
			"Publish": {fn: (*Server).snsPublish},
		},
		unknownOp: newError(http.StatusBadRequest, "InvalidAction", ""),
		badKey: newError(http.StatusForbidden, "InvalidClientTokenId",
			"The security token included in the request is invalid."),
	}
}

// Notification is a message published to an SNS topic.
type Notification struct {
	MessageID string
	TopicARN  string
	Subject   string
	Message   string
	Account   string // the publisher's account
}

// CreateTopic makes a topic Publish accepts and returns its ARN.
func (s *Server) CreateTopic(account, region, name string) string {
	arn := "arn:aws:sns:" + region + ":" + account + ":" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.topics, arn) {
		s.topics = append(s.topics, arn)
	}
	return arn
}

// Notifications returns the messages published so far, in order.
func (s *Server) Notifications() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sns)
}

type publishResult struct {
	MessageID string `xml:"MessageId"`
}

func (s *Server) snsPublish(q *request) (any, error) {
	topic, msg := q.form.Get("TopicArn"), q.form.Get("Message")
	switch {
	case topic == "":
		return nil, errInvalid("InvalidParameter",
			"Invalid parameter: TopicArn is required (phone numbers and "+
				"target ARNs are not supported by awsfake)")
	case msg == "":
		return nil, errInvalid("InvalidParameter",
			"Invalid parameter: Empty message")
	case !slices.Contains(s.topics, topic):
		return nil, newError(http.StatusNotFound, "NotFound",
			"Topic does not exist")
	case len(msg) > 256*1024 || strings.ContainsRune(msg, 0):
		return nil, errInvalid("InvalidParameter",
			"Invalid parameter: Message too long or not valid")
	}
	n := len(s.sns) + 1
	id := fmt.Sprintf("%08x-5e5e-4000-8000-%012x", n, n)
	s.sns = append(s.sns, Notification{MessageID: id, TopicARN: topic,
		Subject: q.form.Get("Subject"), Message: msg, Account: q.account})
	return &publishResult{MessageID: id}, nil
}
