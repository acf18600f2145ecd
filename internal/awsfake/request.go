package awsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBodyBytes bounds a request body; SQS's own limit is 1 MiB a message.
const maxBodyBytes = 16 << 20

// request is one parsed API call.
type request struct {
	r       *http.Request
	id      string // request id sent back to the client
	service string // ec2, sts, organizations, sqs, s3, sns, cloudtrail
	op      string
	region  string
	key     string // access key id from the credential scope
	caller  identity
	account string // the account acted on; see Call.Account
	form    url.Values
	body    []byte
	params  map[string]string
	err     error // a request that could not be parsed
	// noEffect asks the handler to answer without changing state.
	noEffect bool
}

// jsonTargets maps an X-Amz-Target prefix to its service.
var jsonTargets = []struct{ prefix, service string }{
	{"AWSOrganizationsV20161128.", "organizations"},
	{"AmazonSQS.", "sqs"},
	{"CloudTrail_20131101.", "cloudtrail"},
	{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.",
		"cloudtrail"},
}

// parse reads the service, operation, region, access key and parameters
// of r. A body that cannot be read is kept as q.err, answered later in
// the service's own protocol.
func (s *Server) parse(r *http.Request) *request {
	q := &request{r: r, id: s.requestID()}
	q.key, q.region, q.service = credentialScope(r.Header.Get("Authorization"))
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBodyBytes))
	if err != nil {
		q.err = errMalformed("read request body: " + err.Error())
	}
	q.body = body
	switch target := r.Header.Get("X-Amz-Target"); {
	case target != "":
		q.parseTarget(target)
	case q.service == "s3":
		q.parseS3()
	default:
		q.parseForm()
	}
	if q.service == "sts" && q.op == "AssumeRole" {
		q.account, _, _ = parseRoleARN(q.form.Get("RoleArn"))
	}
	return q
}

// credentialScope reads the access key id, region and service from a
// SigV4 Authorization header:
// "AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/aws4_request, ..."
func credentialScope(auth string) (key, region, service string) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", "", ""
	}
	rest, _, _ = strings.Cut(rest, ",")
	parts := strings.Split(strings.TrimSpace(rest), "/")
	if len(parts) != 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

// parseTarget handles the JSON protocols.
func (q *request) parseTarget(target string) {
	for _, t := range jsonTargets {
		if op, ok := strings.CutPrefix(target, t.prefix); ok {
			q.service, q.op = t.service, op
			break
		}
	}
	if q.op == "" {
		q.service, q.op = "unknown-json", target
		return
	}
	if q.err != nil {
		return
	}
	q.params, q.err = jsonParams(q.body)
}

// jsonParams flattens the top-level members of a JSON object body for the
// call record: strings as they are, anything else as compact JSON.
func jsonParams(body []byte) (map[string]string, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return map[string]string{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, errSerialization(err)
	}
	params := make(map[string]string, len(m))
	for k, v := range m {
		var str string
		if json.Unmarshal(v, &str) == nil {
			params[k] = str
			continue
		}
		params[k] = string(v)
	}
	return params, nil
}

// parseForm handles the query protocols (EC2, STS, SNS).
func (q *request) parseForm() {
	form := q.r.URL.Query()
	if q.err == nil {
		body, err := url.ParseQuery(string(q.body))
		if err != nil {
			q.err = errMalformed("parse form body: " + err.Error())
		}
		for k, v := range body {
			form[k] = append(form[k], v...)
		}
	}
	q.form = form
	q.op = form.Get("Action")
	q.params = formParams(form)
}

// formParams flattens a query-protocol form for the call record, leaving
// out Action and Version.
func formParams(form url.Values) map[string]string {
	params := make(map[string]string, len(form))
	for k, v := range form {
		if k == "Action" || k == "Version" {
			continue
		}
		params[k] = strings.Join(v, ",")
	}
	return params
}

// decode unmarshals the JSON body of q into v.
func (q *request) decode(v any) error {
	if len(strings.TrimSpace(string(q.body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(q.body, v); err != nil {
		return errSerialization(err)
	}
	return nil
}

// requestID returns a fresh request id shaped like AWS's.
func (s *Server) requestID() string {
	s.mu.Lock()
	s.nextReq++
	n := s.nextReq
	s.mu.Unlock()
	return fmt.Sprintf("%08x-fa4e-4000-8000-%012x", n, n)
}
