package iam_test

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/deploy"
	"github.com/serialguard/serialguard/deploy/cfn"
	"github.com/serialguard/serialguard/deploy/iam"
	"github.com/serialguard/serialguard/internal/awsfake"
)

// centralStack parses serialguard.yaml as deployed against srv: its
// organization and management role, the scenarios' external id and
// account classes, remediation and the SCP switched on, one region.
func centralStack(t *testing.T, srv *awsfake.Server) *cloudformation.Template {
	t.Helper()
	data, err := filepath.Abs(accountsData)
	if err != nil {
		t.Fatal(err)
	}
	src, err := deploy.Source(deploy.Central)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := cfn.Parse(src, cfn.Options{Parameters: map[string]string{
		"CodeBucket":        bucket,
		"CodeKey":           "serialguard/serialguard-linux-arm64.zip",
		"OrganizationId":    srv.OrganizationID(),
		"ExternalId":        externalID,
		"MemberRoleName":    roleName,
		"ManagementRoleArn": managementRoleARN(srv),
		"DryRun":            "false",
		"AttachScp":         "true",
		"Regions":           region,
		"PolicyData":        data,
	}})
	if err != nil {
		t.Fatalf("parse %s: %v", deploy.Central, err)
	}
	return tmpl
}

// stackSymbols stand for what CloudFormation creates: the stack's topic
// is the scenarios' topic.
func stackSymbols(srv *awsfake.Server) *strings.Replacer {
	return strings.NewReplacer("${Topic}", topicARN(srv))
}

// lambdaBot configures the bot as the Lambda mode of cmd/serialguard
// does, from the function's environment in the central stack.
func lambdaBot(t *testing.T, srv *awsfake.Server) *bot.Bot {
	t.Helper()
	fn, err := centralStack(t, srv).GetLambdaFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	env, sym := fn.Environment.Variables, stackSymbols(srv)
	cfg := bot.DefaultConfig()
	cfg.AuditLog = "-"
	err = cfg.Load("", func(name string) (string, bool) {
		v, ok := env[name]
		return sym.Replace(v), ok
	})
	if err != nil {
		t.Fatalf("load the function's environment: %v", err)
	}
	return newBot(t, srv, cfg)
}

// lambdaFunction runs the function as the central stack deploys it: an
// SQS batch from the event source mapping, an EventBridge event, then
// the scheduled sweep, which finds the one enabled region the events
// did not name.
func lambdaFunction(t *testing.T, srv *awsfake.Server) {
	for _, account := range []string{member, member2, nonProd} {
		srv.SetSerialConsole(account, region, true)
	}
	b := lambdaBot(t, srv)
	batch := events.SQSEvent{Records: []events.SQSMessage{{
		MessageId:   "m-1",
		Body:        string(marshal(t, enablement(t, member, region, "e-1"))),
		EventSource: "aws:sqs",
	}}}
	out, err := b.Lambda(t.Context(), marshal(t, batch))
	if resp, ok := out.(events.SQSEventResponse); err != nil || !ok ||
		len(resp.BatchItemFailures) != 0 {
		t.Fatalf("SQS batch: %+v, %v; want no failures", out, err)
	}
	out, err = b.Lambda(t.Context(),
		marshal(t, enablement(t, member2, region, "e-2")))
	if err != nil || out != (bot.Summary{Findings: 1, NeedsAction: 1}) {
		t.Fatalf("EventBridge event: %+v, %v; want one finding", out, err)
	}
	out, err = b.Lambda(t.Context(), json.RawMessage(bot.SweepPayload))
	if sum, ok := out.(bot.SweepSummary); err != nil || !ok ||
		sum.Enabled != 1 || sum.Remediated != 1 {
		t.Fatalf("sweep: %+v, %v; want one pair found and remediated",
			out, err)
	}
	checkLambdaEffects(t, srv)
}

// checkLambdaEffects checks what the function did, which it reports
// only in its audit log: access disabled everywhere, the SCP attached
// to the two production accounts, three notifications.
func checkLambdaEffects(t *testing.T, srv *awsfake.Server) {
	t.Helper()
	for _, account := range []string{member, member2, nonProd} {
		if on, _ := srv.SerialConsole(account, region); on {
			t.Errorf("serial console still enabled in %s/%s", account, region)
		}
	}
	var targets []string
	for _, c := range srv.CallsTo("AttachPolicy") {
		if c.ErrorCode == "" {
			targets = append(targets, c.Params["TargetId"])
		}
	}
	if diff := cmp.Diff([]string{member, member2}, targets); diff != "" {
		t.Errorf("SCP attached to (-want +got):\n%s", diff)
	}
	if n := len(srv.Notifications()); n != 3 {
		t.Errorf("%d notifications, want 3", n)
	}
}

// lambdaService are the FunctionRole grants that the Lambda service
// uses as the function's role, where serialguard's code calls nothing:
// the SQS event source mapping receives, deletes and reads the queue's
// attributes (the execution role permissions in AWS's "Using Lambda
// with Amazon SQS"), and the runtime writes the function's logs.
var lambdaService = map[string]string{
	"sqs:ReceiveMessage":     "the SQS event source mapping",
	"sqs:DeleteMessage":      "the SQS event source mapping",
	"sqs:GetQueueAttributes": "the SQS event source mapping",
	"logs:CreateLogStream":   "the Lambda runtime",
	"logs:PutLogEvents":      "the Lambda runtime",
}

// TestFunctionRoleMatchesLambdaCalls checks the central stack's
// FunctionRole against the function in both directions: every call it
// makes with the role's own credentials is granted, on the call's
// resource where the call names one, and every grant is called by the
// function or used by the Lambda service. Calls through the member and
// management roles are TestGrantsMatchCalls's. NOTE: the condition on
// aws:ResourceOrgID of the member roles is not evaluated.
func TestFunctionRoleMatchesLambdaCalls(t *testing.T) {
	srv := awsfake.Start(t)
	lambdaFunction(t, srv)
	grants := functionRoleGrants(t, srv)
	called := map[string]bool{}
	for _, c := range srv.Calls() {
		a := c.IAMAction()
		if documentFor[c.Service] != iam.Bot || needsNoGrant[a] {
			continue
		}
		called[a] = true
		if res := callResource(c); !grantedOn(grants[a], res) {
			t.Errorf("the function calls %s on %q, which FunctionRole "+
				"does not grant", a, res)
		}
	}
	for _, a := range slices.Sorted(maps.Keys(grants)) {
		if _, used := lambdaService[a]; !called[a] && !used {
			t.Errorf("FunctionRole grants %s, which neither the function "+
				"nor the Lambda service calls", a)
		}
	}
	for _, a := range slices.Sorted(maps.Keys(lambdaService)) {
		if grants[a] == nil {
			t.Errorf("FunctionRole lacks %s, which %s needs", a,
				lambdaService[a])
		}
	}
}

// functionRoleGrants maps each action FunctionRole allows to the
// resources it allows it on, the stack's symbols replaced.
func functionRoleGrants(t *testing.T, srv *awsfake.Server) map[string][]string {
	t.Helper()
	role, err := centralStack(t, srv).GetIAMRoleWithName("FunctionRole")
	if err != nil {
		t.Fatal(err)
	}
	sym := stackSymbols(srv)
	out := map[string][]string{}
	for _, p := range role.Policies {
		doc, _ := p.PolicyDocument.(map[string]any)
		sts, _ := doc["Statement"].([]any)
		for _, s := range sts {
			st, _ := s.(map[string]any)
			if st["Effect"] != "Allow" {
				continue
			}
			for _, a := range strs(st["Action"]) {
				for _, r := range strs(st["Resource"]) {
					out[a] = append(out[a], sym.Replace(r))
				}
			}
		}
	}
	return out
}

// callResource is the resource a call acts on, where the request names
// it: the role assumed, the topic published to.
func callResource(c awsfake.Call) string {
	switch c.IAMAction() {
	case "sts:AssumeRole":
		return c.Params["RoleArn"]
	case "sns:Publish":
		return c.Params["TopicArn"]
	}
	return ""
}

// grantedOn reports whether one of the resource patterns covers
// resource; an empty resource needs only a grant of the action.
func grantedOn(patterns []string, resource string) bool {
	if resource == "" {
		return len(patterns) > 0
	}
	return slices.ContainsFunc(patterns, func(p string) bool {
		return arnLike(p, resource)
	})
}

// arnLike matches as IAM's ArnLike does: "*" any run of characters and
// "?" one, never crossing a ":" between the ARN's components.
func arnLike(pattern, s string) bool {
	re := regexp.QuoteMeta(pattern)
	re = strings.NewReplacer(`\*`, `[^:]*`, `\?`, `[^:]`).Replace(re)
	return regexp.MustCompile("^" + re + "$").MatchString(s)
}
