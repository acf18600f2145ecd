package awsfake

import (
	"net/http"
	"time"
)

// Fault makes matching calls fail, slow down, or both. Empty match fields
// match anything.
type Fault struct {
	Service   string // ec2, sts, organizations, sqs, s3, sns, cloudtrail
	Operation string
	Account   string // matched against Call.Account
	Region    string

	// Code is the error code to answer, such as RequestLimitExceeded,
	// AccessDenied, ConcurrentModificationException or
	// TooManyRequestsException; empty means answer normally after
	// Latency.
	Code    string
	Message string // defaults to a message naming the fault
	// Status is the HTTP status; zero picks the status AWS uses for the
	// code (EC2 throttling 503, AccessDenied 403, 5xx codes, else 400).
	Status int
	// Reason is sent as the Reason member of JSON errors, as in
	// Organizations' ConstraintViolationException.
	Reason string
	// NoEffect, without a Code, answers the call as a success but leaves
	// the state as it was: a Disable that AWS acknowledges and that does
	// not take. EnableSerialConsoleAccess and DisableSerialConsoleAccess
	// honour it; on any other operation the fault answers InternalFailure.
	NoEffect bool

	// After is how many matching calls the fault lets through before it
	// fires; calls an earlier fault answered do not count. With Times 1
	// it hits call After+1 only.
	After       int
	Times       int           // how many calls it hits; 0 means forever
	Latency     time.Duration // delay before answering
	Probability float64       // 0 or 1 hit every match; else that share
}

// faultState is an injected fault, the matching calls it has seen and
// its remaining hits.
type faultState struct {
	Fault
	seen int
	left int // hits remaining when Times > 0
}

// Inject adds a fault. Faults are tried in the order injected and the
// first that matches and fires answers the call.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f, left: f.Times})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// takeFault returns the fault that fires for q, if any. It counts the
// call for every matching fault it tries, and the hit for the one that
// fires. The caller holds s.mu.
func (s *Server) takeFault(q *request) *Fault {
	for _, f := range s.faults {
		if !f.matches(q) {
			continue
		}
		if f.seen++; f.seen <= f.After || (f.Times > 0 && f.left == 0) {
			continue
		}
		p := f.Probability
		if p > 0 && p < 1 && s.rng.Float64() >= p {
			continue
		}
		f.left--
		hit := f.Fault
		return &hit
	}
	return nil
}

func (f *faultState) matches(q *request) bool {
	return match(f.Service, q.service) && match(f.Operation, q.op) &&
		match(f.Account, q.account) && match(f.Region, q.region)
}

func match(want, got string) bool { return want == "" || want == got }

// applyFault waits for the fault's latency and returns its error, or
// marks q to be answered without effect.
func (s *Server) applyFault(q *request, f *Fault, op operation) error {
	if err := sleep(q.r.Context(), f.Latency); err != nil {
		return err
	}
	switch {
	case f.Code != "":
		return s.faultError(q, f)
	case f.NoEffect && !op.noEffect:
		return newError(http.StatusInternalServerError, "InternalFailure",
			"awsfake: "+q.op+" cannot be answered without effect")
	}
	q.noEffect = f.NoEffect
	return nil
}

// faultError is the error a fault with a Code answers.
func (s *Server) faultError(q *request, f *Fault) *apiError {
	e := newError(f.Status, f.Code, f.Message)
	if e.Status == 0 {
		e.Status = faultStatus(q.service, f.Code)
	}
	if e.Message == "" {
		e.Message = "injected fault " + f.Code
	}
	if q.service == "sts" && f.Code == "AccessDenied" && f.Message == "" {
		e.Message = s.assumeDeniedMessage(q)
	}
	if f.Reason != "" {
		e.Fields = map[string]string{"Reason": f.Reason}
	}
	return e
}

// faultStatus is the HTTP status AWS answers a code with.
func faultStatus(service, code string) int {
	switch code {
	case "RequestLimitExceeded":
		if service == "ec2" {
			return http.StatusServiceUnavailable
		}
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return http.StatusForbidden
	case "InternalError", "InternalFailure", "ServiceException",
		"InternalServerError":
		return http.StatusInternalServerError
	case "ServiceUnavailable", "Unavailable", "SlowDown":
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}
