package deploy_test

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/deploy"
)

func TestNames(t *testing.T) {
	want := []string{deploy.Forwarder, deploy.Management, deploy.MemberRole,
		deploy.Central}
	if diff := cmp.Diff(want, deploy.Names()); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
	for _, name := range want {
		load(t, name, nil)
	}
	if _, err := deploy.Source("nothing.yaml"); err == nil {
		t.Error("Source(nothing.yaml): got no error")
	}
}

func TestFunction(t *testing.T) {
	tmpl := load(t, deploy.Central, withOrgBus)
	fn, err := tmpl.GetLambdaFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}

	got := map[string]any{
		"Runtime":       deref(fn.Runtime),
		"Architectures": fn.Architectures,
		"Handler":       deref(fn.Handler),
		"S3Bucket":      deref(fn.Code.S3Bucket),
		"S3Key":         deref(fn.Code.S3Key),
		"Role":          fn.Role,
		"Timeout":       deref(fn.Timeout),
		"LogGroup":      deref(fn.LoggingConfig.LogGroup),
	}
	want := map[string]any{
		"Runtime":       "provided.al2023",
		"Architectures": []string{"arm64"},
		"Handler":       "bootstrap",
		"S3Bucket":      "amzn-s3-demo-bucket",
		"S3Key":         "serialguard/serialguard-v1.0.0-linux-arm64.zip",
		"Role":          "${FunctionRole.Arn}",
		"Timeout":       120,
		"LogGroup":      "${LogGroup}",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("function mismatch (-want +got):\n%s", diff)
	}
}

// TestEnvironment pins the variables the bot reads (SERIALGUARD_ plus a
// configuration key in upper case) and the parameters that set them.
func TestEnvironment(t *testing.T) {
	tests := []struct {
		name  string
		extra map[string]string
		want  map[string]string
	}{
		{"defaults", nil, map[string]string{
			"SERIALGUARD_ROLE_NAME":           "serialguard-remediation",
			"SERIALGUARD_EXTERNAL_ID":         externalID,
			"SERIALGUARD_MANAGEMENT_ROLE_ARN": managementRoleARN,
			"SERIALGUARD_DRY_RUN":             "true",
			"SERIALGUARD_ATTACH_SCP":          "false",
			"SERIALGUARD_SCP_TARGET":          "",
			"SERIALGUARD_SNS_TOPIC_ARN":       "${Topic}",
			"SERIALGUARD_REGIONS":             "",
			"SERIALGUARD_DATA":                "",
			"SERIALGUARD_AUDIT_LOG":           "-",
		}},
		{"every option", withOrgBus, map[string]string{
			"SERIALGUARD_ROLE_NAME":           "serialguard-remediation",
			"SERIALGUARD_EXTERNAL_ID":         externalID,
			"SERIALGUARD_MANAGEMENT_ROLE_ARN": managementRoleARN,
			"SERIALGUARD_DRY_RUN":             "false",
			"SERIALGUARD_ATTACH_SCP":          "true",
			"SERIALGUARD_SCP_TARGET":          "ou-ab12-cdef3456",
			"SERIALGUARD_SNS_TOPIC_ARN":       "${Topic}",
			"SERIALGUARD_REGIONS":             "eu-west-1,us-east-1",
			"SERIALGUARD_DATA":                "approvals.yaml,accounts.yaml",
			"SERIALGUARD_AUDIT_LOG":           "-",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := load(t, deploy.Central, tt.extra)
			fn, err := tmpl.GetLambdaFunctionWithName("Function")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, fn.Environment.Variables); diff != "" {
				t.Errorf("environment mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestQueues(t *testing.T) {
	tmpl := load(t, deploy.Central, nil)
	q, err := tmpl.GetSQSQueueWithName("Queue")
	if err != nil {
		t.Fatal(err)
	}
	dlq, err := tmpl.GetSQSQueueWithName("DeadLetterQueue")
	if err != nil {
		t.Fatal(err)
	}

	wantRedrive := map[string]any{
		"deadLetterTargetArn": "${DeadLetterQueue.Arn}",
		"maxReceiveCount":     float64(5),
	}
	if diff := cmp.Diff(wantRedrive, q.RedrivePolicy); diff != "" {
		t.Errorf("RedrivePolicy mismatch (-want +got):\n%s", diff)
	}
	if !deref(q.SqsManagedSseEnabled) || !deref(dlq.SqsManagedSseEnabled) {
		t.Error("a queue is not encrypted (SqsManagedSseEnabled)")
	}
	if got, min := deref(dlq.MessageRetentionPeriod),
		deref(q.MessageRetentionPeriod); got <= min {
		t.Errorf("dead-letter retention %d s, want more than the queue's %d s",
			got, min)
	}
}

// TestVisibilityTimeout checks Lambda's advice for SQS sources, a
// visibility timeout of at least six times the function's timeout, for
// the largest timeout the parameter allows.
func TestVisibilityTimeout(t *testing.T) {
	tmpl := load(t, deploy.Central, nil)
	maxTimeout := tmpl.Parameters["FunctionTimeout"].MaxValue
	if maxTimeout == nil {
		t.Fatal("FunctionTimeout has no MaxValue")
	}
	top := load(t, deploy.Central, map[string]string{
		"FunctionTimeout": strconv.FormatFloat(*maxTimeout, 'f', -1, 64)})
	fn, err := top.GetLambdaFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	q, err := top.GetSQSQueueWithName("Queue")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := deref(q.VisibilityTimeout), 6*deref(fn.Timeout); got < want {
		t.Errorf("VisibilityTimeout %d s, want at least 6 x %d s = %d s",
			got, deref(fn.Timeout), want)
	}
}

func TestEventSourceMapping(t *testing.T) {
	tmpl := load(t, deploy.Central, nil)
	m, err := tmpl.GetLambdaEventSourceMappingWithName("QueueMapping")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"FunctionName":          m.FunctionName,
		"EventSourceArn":        deref(m.EventSourceArn),
		"FunctionResponseTypes": m.FunctionResponseTypes,
	}
	want := map[string]any{
		"FunctionName":          "${Function}",
		"EventSourceArn":        "${Queue.Arn}",
		"FunctionResponseTypes": []string{"ReportBatchItemFailures"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("event source mapping mismatch (-want +got):\n%s", diff)
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name      string
		extra     map[string]string
		wantRules map[string]string // rule -> bus
		wantFrom  []any             // aws:SourceArn of the queue policy
	}{
		{"default bus only", nil,
			map[string]string{"DefaultBusRule": "default"},
			[]any{"${DefaultBusRule.Arn}"}},
		{"with the organization bus", withOrgBus,
			map[string]string{"DefaultBusRule": "default", "OrgBusRule": "${OrgBus}"},
			[]any{"${DefaultBusRule.Arn}", "${OrgBusRule.Arn}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := load(t, deploy.Central, tt.extra)
			rules := map[string]string{}
			for name, r := range tmpl.GetAllEventsRuleResources() {
				rules[name] = deref(r.EventBusName)
				if len(r.Targets) != 1 || r.Targets[0].Arn != "${Queue.Arn}" {
					t.Errorf("rule %s: targets %+v, want the queue", name, r.Targets)
				}
				if deref(r.Targets[0].DeadLetterConfig.Arn) != "${DeadLetterQueue.Arn}" {
					t.Errorf("rule %s: no dead-letter queue", name)
				}
			}
			if diff := cmp.Diff(tt.wantRules, rules); diff != "" {
				t.Errorf("rules mismatch (-want +got):\n%s", diff)
			}
			qp, err := tmpl.GetSQSQueuePolicyWithName("QueuePolicy")
			if err != nil {
				t.Fatal(err)
			}
			st := statementBySid(t, qp.PolicyDocument, "AllowRulesToSend")
			got := st["Condition"].(map[string]any)["ArnEquals"].(map[string]any)["aws:SourceArn"]
			if diff := cmp.Diff(tt.wantFrom, got); diff != "" {
				t.Errorf("queue policy aws:SourceArn mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]any{"Service": "events.amazonaws.com"},
				st["Principal"]); diff != "" {
				t.Errorf("queue policy principal mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOrgBus(t *testing.T) {
	if _, err := load(t, deploy.Central, nil).GetEventsEventBusWithName("OrgBus"); err == nil {
		t.Error("OrgBus exists without OrgBusName")
	}
	tmpl := load(t, deploy.Central, withOrgBus)
	bus, err := tmpl.GetEventsEventBusWithName("OrgBus")
	if err != nil {
		t.Fatal(err)
	}
	if bus.Name != "serialguard" {
		t.Errorf("bus name: got %q, want serialguard", bus.Name)
	}
	st := statementBySid(t, bus.Policy, "AllowOrganizationToPutEvents")
	want := map[string]any{
		"Sid":       "AllowOrganizationToPutEvents",
		"Effect":    "Allow",
		"Principal": "*",
		"Action":    "events:PutEvents",
		"Resource":  "arn:aws:events:eu-west-1:111122223333:event-bus/serialguard",
		"Condition": map[string]any{
			"StringEquals": map[string]any{"aws:PrincipalOrgID": organizationID},
		},
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("bus policy mismatch (-want +got):\n%s", diff)
	}
	if got := tmpl.Outputs["OrgBusArn"].Value; got != "${OrgBus.Arn}" {
		t.Errorf("output OrgBusArn: got %v", got)
	}
}

func TestSweep(t *testing.T) {
	tmpl := load(t, deploy.Central, nil)
	s, err := tmpl.GetSchedulerScheduleWithName("Sweep")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"ScheduleExpression": s.ScheduleExpression,
		"Arn":                s.Target.Arn,
		"RoleArn":            s.Target.RoleArn,
		"Input":              deref(s.Target.Input),
	}
	want := map[string]any{
		"ScheduleExpression": "rate(1 hour)",
		"Arn":                "${Function.Arn}",
		"RoleArn":            "${SchedulerRole.Arn}",
		"Input":              sweepPayload,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sweep schedule mismatch (-want +got):\n%s", diff)
	}
	role, err := tmpl.GetIAMRoleWithName("SchedulerRole")
	if err != nil {
		t.Fatal(err)
	}
	trust := statements(t, role.AssumeRolePolicyDocument)
	if diff := cmp.Diff(map[string]any{"Service": "scheduler.amazonaws.com"},
		trust[0]["Principal"]); diff != "" || len(trust) != 1 {
		t.Errorf("scheduler role trust mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]grant{{"lambda:InvokeFunction", "${Function.Arn}"}},
		roleGrants(t, role)); diff != "" {
		t.Errorf("scheduler role grants mismatch (-want +got):\n%s", diff)
	}
}

// sweepPayload is the scheduled input that asks for the sweep; bot's
// Lambda handler routes on it.
const sweepPayload = `{"serialguard":"sweep"}`
