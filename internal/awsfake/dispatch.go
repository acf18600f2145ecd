package awsfake

import (
	"context"
	"errors"
	"net/http"
)

// handler answers one operation. Handlers run with s.mu held unless the
// operation is marked unlocked.
type handler func(s *Server, q *request) (any, error)

// operation is one implemented API operation.
type operation struct {
	fn       handler
	unlocked bool // the handler takes s.mu itself (long polling)
	noEffect bool // the handler honours request.noEffect
}

// service is one AWS service the fake speaks.
type service struct {
	proto     protocol
	ops       map[string]operation
	unknownOp *apiError // answer to an operation the fake lacks
	badKey    *apiError // answer to an unknown access key id
	regional  bool      // calls must name an enabled region
}

// services is filled by each service's file in init.
var services = map[string]*service{}

// unknownService answers requests the fake cannot attribute to a service.
var unknownService = &service{
	proto:     ec2Query{},
	unknownOp: newError(http.StatusBadRequest, "InvalidAction", "unknown service"),
}

// unknownTarget answers JSON requests whose X-Amz-Target names no
// service the fake speaks.
var unknownTarget = &service{
	proto: awsJSON{version: "1.1", messageKey: "Message"},
	unknownOp: newError(http.StatusBadRequest, "UnknownOperationException",
		"unknown target"),
}

// serve dispatches q, records the call and writes the answer.
func (s *Server) serve(w http.ResponseWriter, q *request) {
	svc, ok := services[q.service]
	switch {
	case ok:
	case q.service == "unknown-json":
		svc = unknownTarget
	default:
		svc = unknownService
	}
	res, err := s.dispatch(q, svc)
	var ae *apiError
	switch {
	case err == nil, errors.As(err, &ae):
	case errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		ae = newError(499, "RequestCanceled", err.Error())
	default:
		ae = newError(http.StatusInternalServerError, "InternalFailure",
			err.Error())
	}
	s.record(q, ae)
	if q.r.Context().Err() != nil {
		return // the client has gone; nobody reads an answer
	}
	switch {
	case ae != nil:
		svc.proto.error(w, q, ae)
	case isRaw(res):
		writeRaw(w, q, res.(*rawResponse))
	default:
		svc.proto.result(w, q, res)
	}
}

// dispatch authenticates q, applies faults and runs the handler.
func (s *Server) dispatch(q *request, svc *service) (any, error) {
	op, ok := svc.ops[q.op]
	if !ok {
		e := *svc.unknownOp
		e.Message = "unknown operation " + q.op
		return nil, &e
	}
	s.mu.Lock()
	err := s.authenticate(q, svc)
	var f *Fault
	if err == nil {
		f = s.takeFault(q)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if q.err != nil {
		return nil, q.err
	}
	if err := sleep(q.r.Context(), s.latency); err != nil {
		return nil, err
	}
	if f != nil {
		if err := s.applyFault(q, f, op); err != nil {
			return nil, err
		}
	}
	if op.unlocked {
		return op.fn(s, q)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return op.fn(s, q)
}

// authenticate maps the access key to its caller and checks the region.
func (s *Server) authenticate(q *request, svc *service) error {
	id, ok := s.idents[q.key]
	if !ok {
		e := *svc.badKey
		return &e
	}
	q.caller = id
	if q.account == "" {
		q.account = id.account
	}
	if svc.regional && !s.regionEnabled(q.region) {
		return newError(http.StatusUnauthorized, "AuthFailure",
			"AWS was not able to validate the provided access credentials")
	}
	return nil
}

func isRaw(v any) bool {
	_, ok := v.(*rawResponse)
	return ok
}

// writeRaw writes a response as it is.
func writeRaw(w http.ResponseWriter, q *request, r *rawResponse) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("X-Amz-Request-Id", q.id)
	w.WriteHeader(http.StatusOK)
	w.Write(r.body)
}
