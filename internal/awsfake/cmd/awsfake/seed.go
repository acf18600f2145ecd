package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// seeded names what seed created, for the summary.
type seeded struct {
	enabled           string // account/region pairs with access on
	queue, dlq, topic string
	bucket, logKey    string
}

// enabledAt are the account indexes and regions seeded with access on.
var enabledAt = []struct {
	account int
	region  string
}{{1, "eu-west-1"}, {2, "us-east-1"}, {2, "ap-southeast-2"}}

// seed fills the default organization with serial console state, an
// event queue with a dead-letter queue, a CloudTrail log in S3, the same
// event in LookupEvents and an SNS topic.
func seed(srv *awsfake.Server) (seeded, error) {
	accounts := srv.Accounts()
	var w seeded
	var on []string
	for _, e := range enabledAt {
		id := accounts[e.account].ID
		srv.SetSerialConsole(id, e.region, true)
		on = append(on, id+"/"+e.region)
	}
	w.enabled = strings.Join(on, ", ")
	if err := seedQueues(srv, &w); err != nil {
		return w, err
	}
	w.topic = srv.CreateTopic(srv.ManagementAccountID(), awsfake.DefaultRegion,
		"serialguard-alerts")
	return w, seedTrail(srv, accounts[1].ID, &w)
}

func seedQueues(srv *awsfake.Server, w *seeded) error {
	mgmt, region := srv.ManagementAccountID(), awsfake.DefaultRegion
	var err error
	if w.dlq, err = srv.CreateQueue(mgmt, region, "serialguard-events-dlq",
		nil); err != nil {
		return err
	}
	policy := fmt.Sprintf(`{"deadLetterTargetArn":"arn:aws:sqs:%s:%s:%s",`+
		`"maxReceiveCount":"5"}`, region, mgmt, "serialguard-events-dlq")
	w.queue, err = srv.CreateQueue(mgmt, region, "serialguard-events",
		map[string]string{"VisibilityTimeout": "60", "RedrivePolicy": policy})
	return err
}

// seedTrail stores one EnableSerialConsoleAccess record as a gzipped log
// file in S3 and as a LookupEvents event.
func seedTrail(srv *awsfake.Server, account string, w *seeded) error {
	const region = "eu-west-1"
	at := time.Date(2025, 3, 1, 12, 4, 5, 0, time.UTC)
	rec := enableRecord(account, region, at)
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode seed record: %w", err)
	}
	if err := srv.AddCloudTrailEvent(account, region, b); err != nil {
		return err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if err := json.NewEncoder(zw).Encode(map[string]any{
		"Records": []any{rec}}); err != nil {
		return fmt.Errorf("compress seed log: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress seed log: %w", err)
	}
	w.bucket = "serialguard-trail"
	w.logKey = fmt.Sprintf("AWSLogs/%s/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_"+
		"awsfake.json.gz", srv.OrganizationID(), account, region,
		at.Format("2006/01/02"), account, region, at.Format("20060102T1504Z"))
	srv.PutObject(w.bucket, w.logKey, gz.Bytes())
	return nil
}

// enableRecord is a CloudTrail record of an IAM user enabling serial
// console access, in the shape DESIGN.md describes.
func enableRecord(account, region string, at time.Time) map[string]any {
	reqID := "5b2c3a51-0d6e-4c4e-9a3e-awsfake00001"
	return map[string]any{
		"eventVersion": "1.10",
		"userIdentity": map[string]any{
			"type": "IAMUser", "principalId": "AIDAAWSFAKEINTRUDER",
			"arn":       "arn:aws:iam::" + account + ":user/intruder",
			"accountId": account, "accessKeyId": "AKIAAWSFAKEINTRUDER",
			"userName": "intruder",
		},
		"eventTime":         at.Format(time.RFC3339),
		"eventSource":       "ec2.amazonaws.com",
		"eventName":         "EnableSerialConsoleAccess",
		"awsRegion":         region,
		"sourceIPAddress":   "198.51.100.7",
		"userAgent":         "aws-cli/2.15.0",
		"requestParameters": map[string]any{"EnableSerialConsoleAccessRequest": ""},
		"responseElements": map[string]any{
			"EnableSerialConsoleAccessResponse": map[string]any{
				"requestId": reqID, "serialConsoleAccessEnabled": true,
				"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
			},
		},
		"requestID":          reqID,
		"eventID":            "9f7e0c1a-awsf-4e5d-8c1b-000000000001",
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": account,
		"eventCategory":      "Management",
	}
}
