package awsfake

import (
	"encoding/json"
	"os"
	"strings"
	"sync"
)

// Call is one request the server answered.
type Call struct {
	Service   string // ec2, sts, organizations, sqs, s3, sns, cloudtrail
	Operation string // the API operation, such as DisableSerialConsoleAccess
	// Account is the account the call acted in: the caller's, or for
	// AssumeRole the account of the role assumed.
	Account string
	Region  string
	// Params holds the request parameters: query-protocol form fields
	// (Action and Version left out), the top-level members of a JSON
	// body (non-strings as compact JSON), or Bucket and Key for S3.
	Params    map[string]string
	ErrorCode string // the error answered, empty on success
}

// IAMAction is the IAM action that authorises the call, such as
// "ec2:DisableSerialConsoleAccess".
func (c Call) IAMAction() string {
	if a, ok := iamActions[c.Service+":"+c.Operation]; ok {
		return a
	}
	return c.Service + ":" + c.Operation
}

// iamActions lists the operations whose IAM action has another name.
var iamActions = map[string]string{
	"s3:ListObjectsV2":                 "s3:ListBucket",
	"sqs:SendMessageBatch":             "sqs:SendMessage",
	"sqs:DeleteMessageBatch":           "sqs:DeleteMessage",
	"sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}

// Mutating reports whether the operation changes state: anything but a
// Get, Describe, List or Lookup call.
func (c Call) Mutating() bool {
	for _, p := range []string{"Get", "Describe", "List", "Lookup"} {
		if strings.HasPrefix(c.Operation, p) {
			return false
		}
	}
	return true
}

// record appends the call for q.
func (s *Server) record(q *request, e *apiError) {
	c := Call{
		Service:   q.service,
		Operation: q.op,
		Account:   q.account,
		Region:    q.region,
		Params:    q.params,
	}
	if e != nil {
		c.ErrorCode = e.Code
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
	s.log.write(c)
}

// Calls returns every call so far, in the order they were answered.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo returns the calls of one operation, such as
// "DisableSerialConsoleAccess", including failed attempts.
func (s *Server) CallsTo(operation string) []Call {
	return s.filterCalls(func(c Call) bool { return c.Operation == operation })
}

// MutatingCalls returns the calls that may change state, attempts that
// failed included.
func (s *Server) MutatingCalls() []Call {
	return s.filterCalls(Call.Mutating)
}

func (s *Server) filterCalls(keep func(Call) bool) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if keep(c) {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the calls recorded so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	s.calls = nil
	s.mu.Unlock()
}

// CallLogEnv names the environment variable that, when set to a path,
// makes every Server append its calls to that file as JSON lines.
const CallLogEnv = "SERIALGUARD_CALL_LOG"

// callLog appends calls to the file named by CallLogEnv; a nil log
// writes nothing.
type callLog struct {
	mu sync.Mutex
	f  *os.File
}

// openCallLog opens the call log, or returns nil when none is asked for
// or the file cannot be opened (the log is a test aid, never a reason to
// fail a server).
func openCallLog() *callLog {
	path := os.Getenv(CallLogEnv)
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil
	}
	return &callLog{f: f}
}

// callLogLine is one line of the call log.
type callLogLine struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	IAMAction string `json:"iam_action"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	ErrorCode string `json:"error_code,omitempty"`
}

func (l *callLog) write(c Call) {
	if l == nil {
		return
	}
	b, err := json.Marshal(callLogLine{
		Service: c.Service, Operation: c.Operation, IAMAction: c.IAMAction(),
		Account: c.Account, Region: c.Region, ErrorCode: c.ErrorCode,
	})
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Write(append(b, '\n'))
	}
}

func (l *callLog) close() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.f.Close()
	l.f = nil
}
