package awsfake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// apiError is an error answered in the service's wire shape.
type apiError struct {
	Status  int
	Code    string
	Message string
	Fields  map[string]string // extra JSON members, such as Reason
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// newError returns an error with a status and code.
func newError(status int, code, msg string) *apiError {
	return &apiError{Status: status, Code: code, Message: msg}
}

// errMalformed reports a request the fake could not parse.
func errMalformed(msg string) *apiError {
	return newError(http.StatusBadRequest, "MalformedQueryString", msg)
}

// errSerialization reports a JSON body that does not decode.
func errSerialization(err error) *apiError {
	return newError(http.StatusBadRequest, "SerializationException",
		"decode request body: "+err.Error())
}

// errInvalid reports a missing or invalid parameter.
func errInvalid(code, msg string) *apiError {
	return newError(http.StatusBadRequest, code, msg)
}

// rawResponse is a response written as it is, such as an S3 object.
type rawResponse struct {
	header http.Header
	body   []byte
}

// protocol writes results and errors in one wire shape.
type protocol interface {
	result(w http.ResponseWriter, q *request, v any)
	error(w http.ResponseWriter, q *request, e *apiError)
}

// ec2Query is EC2's query protocol: <OpResponse xmlns=...> holding the
// result members, and <Response><Errors><Error> for errors.
type ec2Query struct{}

const ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

func (ec2Query) result(w http.ResponseWriter, q *request, v any) {
	start := xml.StartElement{
		Name: xml.Name{Local: q.op + "Response"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: ec2Namespace}},
	}
	writeXML(w, http.StatusOK, q, v, start)
}

func (ec2Query) error(w http.ResponseWriter, q *request, e *apiError) {
	type errorXML struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type responseXML struct {
		XMLName   xml.Name   `xml:"Response"`
		Errors    []errorXML `xml:"Errors>Error"`
		RequestID string     `xml:"RequestID"`
	}
	v := responseXML{
		Errors:    []errorXML{{Code: e.Code, Message: e.Message}},
		RequestID: q.id,
	}
	writeXML(w, e.Status, q, v, xml.StartElement{})
}

// awsQuery is the query protocol of STS and SNS: <OpResponse> holding
// <OpResult> and <ResponseMetadata>, and <ErrorResponse> for errors.
type awsQuery struct{ namespace string }

func (p awsQuery) result(w http.ResponseWriter, q *request, v any) {
	type metadata struct {
		RequestID string `xml:"RequestId"`
	}
	type response struct {
		XMLName  xml.Name
		NS       string   `xml:"xmlns,attr"`
		Result   any      `xml:",omitempty"`
		Metadata metadata `xml:"ResponseMetadata"`
	}
	res := response{
		XMLName:  xml.Name{Local: q.op + "Response"},
		NS:       p.namespace,
		Metadata: metadata{RequestID: q.id},
	}
	if v != nil {
		res.Result = resultElement{name: q.op + "Result", v: v}
	}
	writeXML(w, http.StatusOK, q, res, xml.StartElement{})
}

func (p awsQuery) error(w http.ResponseWriter, q *request, e *apiError) {
	type errorXML struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type response struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		NS        string   `xml:"xmlns,attr"`
		Error     errorXML `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	v := response{
		NS:        p.namespace,
		Error:     errorXML{Type: fault, Code: e.Code, Message: e.Message},
		RequestID: q.id,
	}
	writeXML(w, e.Status, q, v, xml.StartElement{})
}

// resultElement marshals v under the element name.
type resultElement struct {
	name string
	v    any
}

func (r resultElement) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return enc.EncodeElement(r.v, xml.StartElement{Name: xml.Name{Local: r.name}})
}

// writeXML writes v as an XML document with the given status. A zero
// start uses v's own element name.
func writeXML(w http.ResponseWriter, status int, q *request, v any,
	start xml.StartElement) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	var err error
	if start.Name.Local != "" {
		err = enc.EncodeElement(v, start)
	} else {
		err = enc.Encode(v)
	}
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml;charset=UTF-8")
	h.Set("X-Amzn-Requestid", q.id)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// awsJSON is the JSON 1.0 and 1.1 protocol of Organizations, SQS and
// CloudTrail. typePrefix qualifies __type as SQS does
// ("com.amazonaws.sqs#QueueDoesNotExist"); queryErrors maps an error to
// the x-amzn-query-error header of a query-compatible service.
type awsJSON struct {
	version     string
	typePrefix  string
	messageKey  string
	queryErrors map[string]string
}

func (p awsJSON) result(w http.ResponseWriter, q *request, v any) {
	if v == nil {
		v = struct{}{}
	}
	writeJSON(w, http.StatusOK, q, p.version, v)
}

func (p awsJSON) error(w http.ResponseWriter, q *request, e *apiError) {
	body := map[string]string{"__type": p.typePrefix + e.Code}
	body[p.messageKey] = e.Message
	for k, v := range e.Fields {
		body[k] = v
	}
	if qe, ok := p.queryErrors[e.Code]; ok {
		w.Header().Set("X-Amzn-Query-Error", qe)
	}
	writeJSON(w, e.Status, q, p.version, body)
}

// writeJSON writes v as a JSON document with the given status.
func writeJSON(w http.ResponseWriter, status int, q *request, version string,
	v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-amz-json-"+version)
	h.Set("X-Amzn-Requestid", q.id)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}
