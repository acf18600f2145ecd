package awsfake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzServices are the credential scopes FuzzServeHTTP signs for.
var fuzzServices = []string{"ec2", "sts", "organizations", "sqs", "s3",
	"sns", "cloudtrail"}

// FuzzServeHTTP sends arbitrary requests through the whole server: form
// and JSON body decoding, routing and every handler. Whatever comes in,
// the answer must be a well-formed document of the service's protocol.
func FuzzServeHTTP(f *testing.F) {
	seeds := []struct {
		svc          uint8
		method, path string
		target, body string
	}{
		{0, "POST", "/", "",
			"Action=GetSerialConsoleAccessStatus&Version=2016-11-15"},
		{0, "POST", "/", "", "Action=DescribeRegions&" +
			"Filter.1.Name=region-name&Filter.1.Value.1=eu-*"},
		{1, "POST", "/", "", "Action=AssumeRole&RoleSessionName=s&" +
			"RoleArn=arn:aws:iam::100000000001:role/r"},
		{2, "POST", "/", "AWSOrganizationsV20161128.ListAccounts",
			`{"MaxResults":2,"NextToken":"awsfake-page-1"}`},
		{2, "POST", "/", "AWSOrganizationsV20161128.CreatePolicy",
			`{"Name":"n","Type":"DECLARATIVE_POLICY_EC2",` +
				`"Content":"{\"ec2_attributes\":{}}"}`},
		{2, "POST", "/", "AWSOrganizationsV20161128.AttachPolicy",
			`{"PolicyId":1}`},
		{3, "POST", "/", "AmazonSQS.CreateQueue",
			`{"QueueName":"q","Attributes":{"RedrivePolicy":"{}"}}`},
		{3, "POST", "/", "AmazonSQS.SendMessageBatch",
			`{"QueueUrl":"/100000000000/q",` +
				`"Entries":[{"Id":"a","MessageBody":"b"}]}`},
		{4, "GET", "/bucket?list-type=2&continuation-token=%%%", "", ""},
		{4, "PUT", "/bucket/key", "",
			"5;chunk-signature=x\r\nhello\r\n0\r\n\r\n"},
		{5, "POST", "/", "",
			"Action=Publish&TopicArn=arn:aws:sns:us-east-1:1:t&Message=m"},
		{6, "POST", "/", "CloudTrail_20131101.LookupEvents",
			`{"LookupAttributes":[{"AttributeKey":"EventName"}]}`},
		{0, "POST", "/", "", "%zz"},
	}
	for _, s := range seeds {
		f.Add(s.svc, s.method, s.path, s.target, []byte(s.body))
	}
	srv := New()
	f.Cleanup(srv.Close)
	f.Fuzz(func(t *testing.T, svc uint8, method, path, target string, body []byte) {
		if bytes.Contains(body, []byte("WaitTimeSeconds")) {
			t.Skip("long polls wait in real time")
		}
		req, err := http.NewRequest(method, "http://fake"+"/"+
			strings.TrimPrefix(path, "/"), bytes.NewReader(body))
		if err != nil {
			t.Skip()
		}
		scope := fuzzServices[int(svc)%len(fuzzServices)]
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+
			ManagementAccessKeyID+"/20250301/us-east-1/"+scope+
			"/aws4_request, SignedHeaders=host, Signature=00")
		if target != "" {
			req.Header.Set("X-Amz-Target", target)
		}
		if svc%5 == 4 {
			req.Header.Set("Content-Encoding", "aws-chunked")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		checkAnswer(t, rec)
	})
}

// checkAnswer fails unless an error answer parses in its content type.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code < 200 || rec.Code > 599 {
		t.Fatalf("status %d", rec.Code)
	}
	if rec.Code < 300 || rec.Body.Len() == 0 {
		return
	}
	ct := rec.Header().Get("Content-Type")
	var err error
	switch {
	case strings.Contains(ct, "json"):
		var v map[string]any
		err = json.Unmarshal(rec.Body.Bytes(), &v)
		if err == nil && v["__type"] == nil {
			t.Fatalf("JSON error without __type: %s", rec.Body)
		}
	case strings.Contains(ct, "xml"):
		var v struct{}
		err = xml.Unmarshal(rec.Body.Bytes(), &v)
	default:
		t.Fatalf("error answer of content type %q: %s", ct, rec.Body)
	}
	if err != nil {
		t.Fatalf("error answer does not parse: %v\n%s", err, rec.Body)
	}
}

// FuzzParsers covers the small parsers on their own, with invariants.
func FuzzParsers(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/ec2/aws4_request, S=1",
		"arn:aws:iam::100000000001:role/path/name", "eu-*", "eu-west-1",
		[]byte("3\r\nabc\r\n0\r\n\r\n"))
	f.Add("", "arn:aws:iam::1:role", "*?*", "", []byte("zz\r\n"))
	f.Fuzz(func(t *testing.T, auth, arn, pattern, s string, chunked []byte) {
		key, region, svc := credentialScope(auth)
		if strings.Contains(key+region+svc, "/") {
			t.Errorf("scope parts hold a slash: %q %q %q", key, region, svc)
		}
		if account, role, err := parseRoleARN(arn); err == nil &&
			(len(account) != 12 || strings.Contains(role, "/")) {
			t.Errorf("parseRoleARN(%q) = %q, %q", arn, account, role)
		}
		if !wildcardMatch("*", s) || !wildcardMatch(pattern, pattern) &&
			!strings.ContainsAny(pattern, "*?") {
			t.Errorf("wildcardMatch broke an identity on %q, %q", pattern, s)
		}
		h := http.Header{"Content-Encoding": {"aws-chunked"}}
		if out, err := decodeChunked(h, chunked); err == nil &&
			len(out) > len(chunked) {
			t.Errorf("decoded %d bytes from %d", len(out), len(chunked))
		}
		_, _ = checkContent(DeclarativeType, s)
		_, _ = parseTrailRecord([]byte(s))
	})
}
