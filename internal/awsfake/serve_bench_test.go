package awsfake

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkServeStatus measures the fake's own cost of answering
// GetSerialConsoleAccessStatus, without the network or the SDK.
func BenchmarkServeStatus(b *testing.B) {
	srv := New(WithOrganization(Org(1000, 10)))
	b.Cleanup(srv.Close)
	const body = "Action=GetSerialConsoleAccessStatus&Version=2016-11-15"
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+
			ManagementAccessKeyID+"/20250301/eu-west-1/ec2/aws4_request, "+
			"SignedHeaders=host, Signature=00")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
