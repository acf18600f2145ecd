package awsfake_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// enableRecord reads the real EnableSerialConsoleAccess record.
func enableRecord(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/enable_serial_console.json")
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// seedTrail stores the record and two variants a day apart each.
func seedTrail(t *testing.T, srv *awsfake.Server) {
	t.Helper()
	rec := enableRecord(t)
	for i, name := range []string{"EnableSerialConsoleAccess",
		"DisableSerialConsoleAccess", "EnableSerialConsoleAccess"} {
		rec["eventID"] = "event-" + string(rune('a'+i))
		rec["eventName"] = name
		rec["eventTime"] = time.Date(2024, 11, 26+i, 15, 35, 22, 0, time.UTC).
			Format(time.RFC3339)
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.AddCloudTrailEvent(member, "us-east-1", b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLookupEvents(t *testing.T) {
	srv := awsfake.Start(t)
	seedTrail(t, srv)
	client := cloudtrail.NewFromConfig(assumed(t, srv, member, ""))
	tests := []struct {
		name string
		in   cloudtrail.LookupEventsInput
		want []string
	}{
		{"all, newest first", cloudtrail.LookupEventsInput{},
			[]string{"event-c", "event-b", "event-a"}},
		{"by name", cloudtrail.LookupEventsInput{
			LookupAttributes: []cttypes.LookupAttribute{{
				AttributeKey:   cttypes.LookupAttributeKeyEventName,
				AttributeValue: aws.String("EnableSerialConsoleAccess"),
			}},
		}, []string{"event-c", "event-a"}},
		{"time window", cloudtrail.LookupEventsInput{
			StartTime: aws.Time(time.Date(2024, 11, 27, 0, 0, 0, 0, time.UTC)),
			EndTime:   aws.Time(time.Date(2024, 11, 28, 0, 0, 0, 0, time.UTC)),
		}, []string{"event-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.LookupEvents(t.Context(), &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range out.Events {
				got = append(got, aws.ToString(e.EventId))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookupEventsFields(t *testing.T) {
	srv := awsfake.Start(t)
	seedTrail(t, srv)
	client := cloudtrail.NewFromConfig(assumed(t, srv, member, ""))
	out, err := client.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{
		MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || out.NextToken == nil {
		t.Fatalf("page of 1: %d events, next %v", len(out.Events), out.NextToken)
	}
	e := out.Events[0]
	want := time.Date(2024, 11, 28, 15, 35, 22, 0, time.UTC)
	if !aws.ToTime(e.EventTime).Equal(want) ||
		aws.ToString(e.Username) != "randomca0L529zwNAY@gmail.com" ||
		aws.ToString(e.EventSource) != "ec2.amazonaws.com" {
		t.Errorf("event = %s %s %s", aws.ToTime(e.EventTime),
			aws.ToString(e.Username), aws.ToString(e.EventSource))
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec); err != nil ||
		rec["eventID"] != "event-c" {
		t.Errorf("CloudTrailEvent = %v, %v; want the stored record", rec, err)
	}

	mgmt, err := cloudtrail.NewFromConfig(srv.Config(t.Context())).LookupEvents(
		t.Context(), &cloudtrail.LookupEventsInput{})
	if err != nil || len(mgmt.Events) != 0 {
		t.Errorf("management account sees %d member events, %v", len(mgmt.Events), err)
	}
	_, err = client.LookupEvents(t.Context(), &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
			{AttributeKey: cttypes.LookupAttributeKeyEventId, AttributeValue: aws.String("b")},
		}})
	var bad *cttypes.InvalidLookupAttributesException
	if !errors.As(err, &bad) {
		t.Errorf("two attributes: err %v, want InvalidLookupAttributesException", err)
	}
}

func TestAddCloudTrailEventRejectsBadRecord(t *testing.T) {
	srv := awsfake.Start(t)
	for _, rec := range []string{`{`, `{"eventID":"x"}`,
		`{"eventID":"x","eventName":"y","eventTime":"yesterday"}`} {
		if err := srv.AddCloudTrailEvent(member, "us-east-1", []byte(rec)); err == nil {
			t.Errorf("AddCloudTrailEvent(%s) = nil, want an error", rec)
		}
	}
}

func TestSNSPublish(t *testing.T) {
	srv := awsfake.Start(t)
	topic := srv.CreateTopic(srv.ManagementAccountID(), "us-east-1", "alerts")
	client := sns.NewFromConfig(srv.Config(t.Context()))
	out, err := client.Publish(t.Context(), &sns.PublishInput{
		TopicArn: aws.String(topic), Subject: aws.String("serialguard"),
		Message: aws.String(`{"kind":"enablement"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []awsfake.Notification{{MessageID: aws.ToString(out.MessageId),
		TopicARN: topic, Subject: "serialguard",
		Message: `{"kind":"enablement"}`, Account: srv.ManagementAccountID()}}
	if diff := cmp.Diff(want, srv.Notifications()); diff != "" {
		t.Errorf("notifications (-want +got):\n%s", diff)
	}
	_, err = client.Publish(t.Context(), &sns.PublishInput{
		TopicArn: aws.String(topic + "-missing"), Message: aws.String("x")})
	if code := apiCode(err); code != "NotFound" {
		t.Errorf("missing topic: code %q, want NotFound", code)
	}
}
