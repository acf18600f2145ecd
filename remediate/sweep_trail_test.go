package remediate

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// FuzzEnablement feeds arbitrary CloudTrailEvent strings, as LookupEvents
// returns them, to the parser: it must never panic, and an enablement it
// accepts must be a successful EnableSerialConsoleAccess.
func FuzzEnablement(f *testing.F) {
	record, err := os.ReadFile("testdata/enable-serial-console-access.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(record))
	f.Add(strings.Replace(string(record), `"eventVersion"`,
		`"errorCode": "Client.UnauthorizedOperation", "eventVersion"`, 1))
	f.Add(`{"eventName":"EnableSerialConsoleAccess"}`)
	f.Add(`{"eventSource":"ec2.amazonaws.com",` +
		`"eventName":"EnableSerialConsoleAccess","userIdentity":null}`)
	f.Add(`[]`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, event string) {
		en, ok, err := enablement(types.Event{
			EventId:         aws.String("fuzz"),
			CloudTrailEvent: aws.String(event),
		})
		if err != nil && ok {
			t.Fatalf("ok with error %v", err)
		}
		if !ok {
			return
		}
		var rec struct{ EventName, ErrorCode string }
		if json.Unmarshal([]byte(event), &rec) != nil ||
			rec.EventName != "EnableSerialConsoleAccess" || rec.ErrorCode != "" {
			t.Fatalf("accepted %q as an enablement: %+v", event, en)
		}
	})
}

func TestEnablementReadsRealRecord(t *testing.T) {
	record, err := os.ReadFile("testdata/enable-serial-console-access.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		event  string
		want   string
		wantOK bool
	}{
		{name: "assumed role names the role", event: string(record),
			want: "arn:aws:iam::844015365555:role/aws-reserved/" +
				"sso.amazonaws.com/AWSReservedSSO_account-admin_599c9e90e350d2ff",
			wantOK: true},
		{name: "failed call", event: strings.Replace(string(record),
			`"eventVersion"`, `"errorCode": "Client.UnauthorizedOperation", `+
				`"eventVersion"`, 1)},
		{name: "other event", event: strings.Replace(string(record),
			`"EnableSerialConsoleAccess"`, `"DescribeInstances"`, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en, ok, err := enablement(types.Event{
				CloudTrailEvent: aws.String(tt.event)})
			if err != nil || ok != tt.wantOK || en.PrincipalARN != tt.want {
				t.Errorf("enablement = %+v, %v, %v; want %q, %v",
					en, ok, err, tt.want, tt.wantOK)
			}
		})
	}
	_, _, err = enablement(types.Event{EventId: aws.String("e-1"),
		CloudTrailEvent: aws.String("{")})
	if err == nil || !strings.Contains(err.Error(), "decode event e-1") {
		t.Errorf("bad JSON error = %v, want one naming the event", err)
	}
}
