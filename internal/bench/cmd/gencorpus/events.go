package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// record is a CloudTrail record in CloudTrail's own key order.
type record struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       map[string]any  `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  any             `json:"requestParameters"`
	ResponseElements   any             `json:"responseElements"`
	AdditionalData     any             `json:"additionalEventData,omitempty"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []any           `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	SharedEventID      string          `json:"sharedEventID,omitempty"`
	EventCategory      string          `json:"eventCategory"`
	TLSDetails         json.RawMessage `json:"tlsDetails,omitempty"`
}

type gen struct{ rng *rand.Rand }

// kinds are the events of the mix, weighted roughly as in busy accounts.
var kinds = []struct {
	weight int
	make   func(g *gen, r *record)
}{
	{20, (*gen).describeInstances},
	{12, (*gen).assumeRole},
	{14, (*gen).decrypt},
	{16, (*gen).getObject},
	{8, (*gen).getParameter},
	{6, (*gen).listRoles},
	{3, (*gen).runInstances},
	{6, (*gen).putMetric},
	{4, (*gen).denied},
	{2, (*gen).serialStatus},
	{1, (*gen).consoleLogin},
}

var totalWeight = func() (n int) {
	for _, k := range kinds {
		n += k.weight
	}
	return n
}()

func (g *gen) event(acct, region string, t time.Time) []byte {
	r := g.base(acct, region, t)
	w := g.rng.IntN(totalWeight)
	for _, k := range kinds {
		if w -= k.weight; w < 0 {
			k.make(g, r)
			break
		}
	}
	return g.marshal(r)
}

// enable is a successful EnableSerialConsoleAccess, the record the
// benchmark looks for.
func (g *gen) enable(acct, region string, t time.Time) []byte {
	r := g.base(acct, region, t)
	r.EventSource, r.EventName = "ec2.amazonaws.com", "EnableSerialConsoleAccess"
	r.RequestParameters = map[string]any{"EnableSerialConsoleAccessRequest": ""}
	r.ResponseElements = map[string]any{"EnableSerialConsoleAccessResponse": map[string]any{
		"xmlns":     "http://ec2.amazonaws.com/doc/2016-11-15/",
		"requestId": r.RequestID, "serialConsoleAccessEnabled": true}}
	return g.marshal(r)
}

func (g *gen) marshal(r *record) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err) // the record is built here from plain values
	}
	return b
}

func (g *gen) base(acct, region string, t time.Time) *record {
	id := g.uuid()
	return &record{
		EventVersion: "1.10", UserIdentity: g.identity(acct),
		EventTime: t.Add(time.Duration(g.rng.IntN(300)) * time.Second).
			Format(time.RFC3339),
		AWSRegion: region, SourceIPAddress: g.ip(), UserAgent: g.agent(),
		RequestID: g.uuid(), EventID: id, EventType: "AwsApiCall",
		ManagementEvent: true, RecipientAccountID: acct,
		EventCategory: "Management",
		TLSDetails: json.RawMessage(`{"tlsVersion":"TLSv1.3","cipherSuite":` +
			`"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":` +
			`"ec2.` + region + `.amazonaws.com"}`),
	}
}

func (g *gen) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff,
		a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}

func (g *gen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+g.rng.IntN(223), g.rng.IntN(256),
		g.rng.IntN(256), 1+g.rng.IntN(254))
}

var agents = []string{
	"aws-cli/2.22.4 md/awscrt#0.23.4 ua/2.0 os/linux#6.8.0 md/arch#x86_64 " +
		"lang/python#3.12.6 cfg/retry-mode#standard",
	"Boto3/1.35.70 md/Botocore#1.35.70 ua/2.0 os/linux#6.1.0 " +
		"md/arch#x86_64 lang/python#3.12.6 Botocore/1.35.70",
	"aws-sdk-go-v2/1.32.6 ua/2.1 os/linux lang/go#1.23.4 md/GOOS#linux " +
		"md/GOARCH#amd64 api/sts#1.33.2",
	"console.amazonaws.com",
	"Terraform/1.10.2 (+https://www.terraform.io) " +
		"terraform-provider-aws/5.80.0 aws-sdk-go-v2/1.32.6",
}

func (g *gen) agent() string { return agents[g.rng.IntN(len(agents))] }
