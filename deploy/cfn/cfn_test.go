package cfn_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/tags"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/serialguard/serialguard/deploy/cfn"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func parse(t *testing.T, src []byte, opts cfn.Options) *cloudformation.Template {
	t.Helper()
	tmpl, err := cfn.Parse(src, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tmpl
}

func TestParseResolvesDefaults(t *testing.T) {
	tmpl := parse(t, readFile(t, "resolve.yaml"), cfn.Options{})

	q, err := tmpl.GetSQSQueueWithName("Queue")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *q.QueueName, "alpha-eu-west-1-111122223333"; got != want {
		t.Errorf("QueueName: got %q, want %q", got, want)
	}
	if got, want := *q.VisibilityTimeout, 30; got != want {
		t.Errorf("VisibilityTimeout: got %d, want %d", got, want)
	}
	wantRedrive := map[string]any{
		"deadLetterTargetArn": "${DeadLetters.Arn}",
		"maxReceiveCount":     float64(5),
	}
	if diff := cmp.Diff(wantRedrive, q.RedrivePolicy); diff != "" {
		t.Errorf("RedrivePolicy mismatch (-want +got):\n%s", diff)
	}
	wantTags := []tags.Tag{
		{Key: "subnets", Value: "subnet-1;subnet-2"},
		{Key: "literal", Value: "${Literal} alpha"},
		{Key: "variables", Value: "${DeadLetters}/${DeadLetters.QueueName}/30"},
		{Key: "partition", Value: "arn:aws:sqs:::amazonaws.com"},
	}
	if diff := cmp.Diff(wantTags, q.Tags,
		cmpopts.IgnoreUnexported(tags.Tag{})); diff != "" {
		t.Errorf("Tags mismatch (-want +got):\n%s", diff)
	}

	dlq, err := tmpl.GetSQSQueueWithName("DeadLetters")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *dlq.QueueName, "serialguard-dlq"; got != want {
		t.Errorf("DeadLetters QueueName: got %q, want %q", got, want)
	}

	if _, err := tmpl.GetSNSTopicWithName("OnlyWhenOn"); err == nil {
		t.Error("OnlyWhenOn exists; its condition IsOn is false")
	}
	sub, err := tmpl.GetSNSTopicWithName("Subscriber")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *sub.TopicName, "fallback"; got != want {
		t.Errorf("Subscriber TopicName: got %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"Queue", "DeadLetters"},
		sub.AWSCloudFormationDependsOn); diff != "" {
		t.Errorf("DependsOn mismatch (-want +got):\n%s", diff)
	}

	wantConds := map[string]any{
		"IsOn": false, "IsOff": true, "Both": false, "Either": true,
	}
	if diff := cmp.Diff(wantConds, tmpl.Conditions); diff != "" {
		t.Errorf("Conditions mismatch (-want +got):\n%s", diff)
	}
	if _, ok := tmpl.Outputs["TopicArn"]; ok {
		t.Error("output TopicArn exists; its condition IsOn is false")
	}
	if got, want := tmpl.Outputs["QueueArn"].Value, "${Queue.Arn}"; got != want {
		t.Errorf("output QueueArn: got %v, want %q", got, want)
	}
}

func TestParseResolvesOverrides(t *testing.T) {
	tmpl := parse(t, readFile(t, "resolve.yaml"), cfn.Options{
		Parameters: map[string]string{"Name": "beta", "Size": "45", "Mode": "on"},
		AccountID:  "444455556666",
		Region:     "cn-north-1",
		Partition:  "aws-cn",
		StackName:  "other",
	})
	q, err := tmpl.GetSQSQueueWithName("Queue")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *q.QueueName, "beta-cn-north-1-444455556666"; got != want {
		t.Errorf("QueueName: got %q, want %q", got, want)
	}
	if got, want := *q.VisibilityTimeout, 45; got != want {
		t.Errorf("VisibilityTimeout: got %d, want %d", got, want)
	}
	if got := q.RedrivePolicy.(map[string]any)["maxReceiveCount"]; got != float64(3) {
		t.Errorf("maxReceiveCount: got %v, want 3", got)
	}
	if got, want := q.Tags[3].Value, "arn:aws-cn:sqs:::amazonaws.com.cn"; got != want {
		t.Errorf("partition tag: got %q, want %q", got, want)
	}
	topic, err := tmpl.GetSNSTopicWithName("OnlyWhenOn")
	if err != nil {
		t.Fatalf("OnlyWhenOn: %v; its condition IsOn is true", err)
	}
	if got, want := *topic.TopicName, "${Queue.QueueName}"; got != want {
		t.Errorf("OnlyWhenOn TopicName: got %q, want %q", got, want)
	}
	sub, err := tmpl.GetSNSTopicWithName("Subscriber")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *sub.TopicName, "${OnlyWhenOn.TopicName}"; got != want {
		t.Errorf("Subscriber TopicName: got %q, want %q", got, want)
	}
	if got, want := tmpl.Outputs["TopicArn"].Value, "${OnlyWhenOn}"; got != want {
		t.Errorf("output TopicArn: got %v, want %q", got, want)
	}
}

// minimal is a valid template that error cases extend.
const minimal = `
Resources:
  Topic:
    Type: AWS::SNS::Topic
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		params map[string]string
		want   []string
	}{
		{name: "not YAML", src: "Resources: [", want: []string{"read template"}},
		{name: "not a mapping", src: "- a", want: []string{"read template"}},
		{name: "no resources", src: "Description: x",
			want: []string{"the template has none"}},
		{name: "resource without type", src: "Resources:\n  A: {Properties: {}}\n",
			want: []string{"resource A: no Type"}},
		{name: "unknown resource type",
			src:  "Resources:\n  A: {Type: AWS::Nothing::Here}\n",
			want: []string{"resource A: unknown type AWS::Nothing::Here"}},
		{name: "unknown property",
			src:  "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {Nmae: x}\n",
			want: []string{"read resources", "Nmae"}},
		{name: "parameter without value",
			src:  "Parameters:\n  P: {Type: String}\n" + minimal,
			want: []string{"parameter P: no value and no default"}},
		{name: "undeclared parameter", src: minimal,
			params: map[string]string{"Q": "x"},
			want:   []string{"parameter Q: given a value but not declared"}},
		{name: "value not allowed",
			src:    "Parameters:\n  P: {Type: String, AllowedValues: [a, b]}\n" + minimal,
			params: map[string]string{"P": "c"},
			want:   []string{`parameter P: value "c" is not among the AllowedValues`}},
		{name: "pattern is anchored",
			src:    "Parameters:\n  P: {Type: String, AllowedPattern: '[a-z]+'}\n" + minimal,
			params: map[string]string{"P": "abc1"},
			want:   []string{`does not match the AllowedPattern`}},
		{name: "too short",
			src:    "Parameters:\n  P: {Type: String, MinLength: 4}\n" + minimal,
			params: map[string]string{"P": "abc"},
			want:   []string{"below MinLength 4"}},
		{name: "too long",
			src:    "Parameters:\n  P: {Type: String, MaxLength: 2}\n" + minimal,
			params: map[string]string{"P": "abc"},
			want:   []string{"above MaxLength 2"}},
		{name: "too large",
			src:    "Parameters:\n  P: {Type: Number, MaxValue: 10}\n" + minimal,
			params: map[string]string{"P": "11"},
			want:   []string{"above MaxValue 10"}},
		{name: "too small",
			src:  "Parameters:\n  P: {Type: Number, MinValue: 10, Default: 5}\n" + minimal,
			want: []string{"below MinValue 10"}},
		{name: "not a number",
			src:    "Parameters:\n  P: {Type: Number}\n" + minimal,
			params: map[string]string{"P": "ten"},
			want:   []string{`value "ten" is not a number`}},
		{name: "parameter without type",
			src:  "Parameters:\n  P: {Default: x}\n" + minimal,
			want: []string{"parameter P: no Type"}},
		{name: "unused parameter",
			src:  "Parameters:\n  P: {Type: String, Default: x}\n" + minimal,
			want: []string{"parameter P: nothing refers to it"}},
		{name: "parameter and resource share a name",
			src:  "Parameters:\n  Topic: {Type: String, Default: x}\n" + minimal,
			want: []string{"resource Topic: a parameter has the same name"}},
		{name: "unknown Ref", src: topic("!Ref Nothing"),
			want: []string{"Ref: Nothing is neither a parameter"}},
		{name: "unknown GetAtt", src: topic("!GetAtt Nothing.Arn"),
			want: []string{"Fn::GetAtt: Nothing is not a resource"}},
		{name: "GetAtt without attribute", src: topic("!GetAtt Topic"),
			want: []string{"want a resource and an attribute"}},
		{name: "unknown Sub variable", src: topic(`!Sub "a-${Nothing}"`),
			want: []string{"Fn::Sub: ${Nothing}: Nothing is neither"}},
		{name: "Sub of a list", src: topic(`!Sub "${AWS::NotificationARNs}"`),
			want: []string{"is not a string"}},
		{name: "unknown condition in Fn::If", src: topic("!If [Nope, a, b]"),
			want: []string{"Fn::If: no condition Nope"}},
		{name: "unknown resource condition",
			src:  "Resources:\n  T: {Type: AWS::SNS::Topic, Condition: Nope}\n",
			want: []string{"resource T: no condition Nope"}},
		{name: "unknown output condition",
			src:  minimal + "Outputs:\n  O: {Value: x, Condition: Nope}\n",
			want: []string{"output O: no condition Nope"}},
		{name: "unknown DependsOn",
			src:  "Resources:\n  T: {Type: AWS::SNS::Topic, DependsOn: Nope}\n",
			want: []string{"resource T: DependsOn Nope, which is not a resource"}},
		{name: "condition cycle",
			src: "Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\n" +
				minimal,
			want: []string{"condition A: cycle A -> B -> A"}},
		{name: "reference to a resource that is not created",
			src: "Conditions:\n  No: !Equals [a, b]\n" +
				"Resources:\n  Gone: {Type: AWS::SNS::Topic, Condition: No}\n" +
				"  T:\n    Type: AWS::SNS::Topic\n" +
				"    Properties: {TopicName: !GetAtt Gone.TopicName}\n",
			want: []string{"Resources.T.Properties.TopicName: refers to Gone, " +
				"whose condition is false"}},
		{name: "unsupported function", src: topic("!Select [0, [a, b]]"),
			want: []string{"Resources.T.Properties.TopicName: Fn::Select is not supported"}},
		{name: "import", src: topic("!ImportValue other"),
			want: []string{"Fn::ImportValue is not supported"}},
		{name: "condition function in a property", src: topic("!Equals [a, a]"),
			want: []string{"Fn::Equals outside the Conditions section"}},
		{name: "bad Fn::Join", src: topic("!Join [',', a]"),
			want: []string{"Fn::Join: got"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cfn.Parse([]byte(tt.src), cfn.Options{Parameters: tt.params})
			if err == nil {
				t.Fatalf("Parse: got no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse: got %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// topic is a template whose one resource's TopicName is expr.
func topic(expr string) string {
	return "Resources:\n  T:\n    Type: AWS::SNS::Topic\n" +
		"    Properties:\n      TopicName: " + expr + "\n"
}

func TestParseConcurrently(t *testing.T) {
	src := readFile(t, "resolve.yaml")
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			_, err := cfn.Parse(src, cfn.Options{})
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("../cloudformation/serialguard.yaml")
	if err != nil {
		b.Fatal(err)
	}
	opts := cfn.Options{Parameters: map[string]string{
		"CodeBucket":        "amzn-s3-demo-bucket",
		"CodeKey":           "serialguard.zip",
		"OrganizationId":    "o-a1b2c3d4e5",
		"ExternalId":        "5f3c9e1a-7b2d-4c8e-9a6f-0d1e2b3c4a5f",
		"ManagementRoleArn": "arn:aws:iam::777788889999:role/serialguard-organizations",
	}}
	for b.Loop() {
		if _, err := cfn.Parse(src, opts); err != nil {
			b.Fatal(err)
		}
	}
}
