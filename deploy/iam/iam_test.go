package iam_test

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/serialguard/serialguard/deploy/iam"
	"github.com/serialguard/serialguard/internal/awsfake"
)

// documentFor names the document that must grant a service's calls: EC2
// and CloudTrail run in target accounts through the member role,
// Organizations through the management role, the rest as the bot.
var documentFor = map[string]string{
	"ec2":           iam.MemberRemediation,
	"cloudtrail":    iam.MemberRemediation,
	"organizations": iam.Organizations,
	"sts":           iam.Bot,
	"sqs":           iam.Bot,
	"s3":            iam.Bot,
	"sns":           iam.Bot,
	"logs":          iam.Bot, // the Lambda runtime, as the function's role
}

// needsNoGrant are actions AWS allows every principal whatever its
// policies say.
var needsNoGrant = map[string]bool{"sts:GetCallerIdentity": true}

// pending are granted actions that serialguard's code never calls, each
// with what calls them: the Lambda service, as the function's role
// (lambda_test.go checks the central stack's role for them). The test
// fails when a scenario calls one.
var pending = map[string]string{
	// Lambda's SQS event source mapping reads the queue's attributes;
	// the bot's SQS consumer only receives and deletes.
	"sqs:GetQueueAttributes": "the SQS event source mapping",
	// The Lambda runtime writes the function's logs.
	"logs:CreateLogStream": "the Lambda runtime",
	"logs:PutLogEvents":    "the Lambda runtime",
}

// TestGrantsMatchCalls runs every scenario and checks both directions:
// each call is granted by the document of its service, and each grant is
// called by some scenario or waits in pending.
func TestGrantsMatchCalls(t *testing.T) {
	granted := map[string]map[string]bool{}
	for _, name := range []string{iam.MemberRemediation, iam.Organizations,
		iam.Bot} {
		granted[name] = allowedActions(t, name)
	}
	called := map[string]string{} // action -> first scenario calling it
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			sc.run(t, srv)
			for _, c := range srv.Calls() {
				checkGranted(t, granted, c)
				if _, ok := called[c.IAMAction()]; !ok {
					called[c.IAMAction()] = sc.name
				}
			}
		})
	}
	for _, name := range slices.Sorted(maps.Keys(granted)) {
		for _, a := range slices.Sorted(maps.Keys(granted[name])) {
			by, used := called[a]
			why, waits := pending[a]
			switch {
			case used && waits:
				t.Errorf("%s is called by %q: remove it from pending (%s)",
					a, by, why)
			case !used && !waits:
				t.Errorf("%s grants %s, which no scenario calls", name, a)
			}
		}
	}
	for a := range pending {
		if !granted[documentFor[service(a)]][a] {
			t.Errorf("pending action %s is granted by no document", a)
		}
	}
}

// checkGranted fails when the document of c's service does not allow c.
func checkGranted(t *testing.T, granted map[string]map[string]bool, c awsfake.Call) {
	t.Helper()
	action := c.IAMAction()
	if needsNoGrant[action] {
		return
	}
	doc, ok := documentFor[c.Service]
	if !ok {
		t.Errorf("%s: no document is responsible for service %s",
			action, c.Service)
		return
	}
	if !granted[doc][action] {
		t.Errorf("the code calls %s (in %s/%s), which %s does not grant",
			action, c.Account, c.Region, doc)
	}
}

func service(action string) string {
	s, _, _ := strings.Cut(action, ":")
	return s
}

// policy is the part of an IAM policy document the tests read.
type policy struct {
	Version   string
	Statement []struct {
		Sid       string
		Effect    string
		Action    any
		NotAction any
		Resource  any
		Condition map[string]any
	}
}

func readPolicy(t *testing.T, name string) policy {
	t.Helper()
	b, err := iam.Documents.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var p policy
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if p.Version != "2012-10-17" || len(p.Statement) == 0 {
		t.Fatalf("%s: want Version 2012-10-17 and statements", name)
	}
	return p
}

// allowedActions returns the actions a document allows.
func allowedActions(t *testing.T, name string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, st := range readPolicy(t, name).Statement {
		if st.Effect == "Allow" {
			for _, a := range strs(st.Action) {
				out[a] = true
			}
		}
	}
	return out
}

// strs reads a string or a list of strings.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			s, _ := e.(string)
			out = append(out, s)
		}
		return out
	}
	return nil
}

// placeholder matches ${Name}, CloudFormation's Fn::Sub syntax.
var placeholder = regexp.MustCompile(`\$\{[^}]*\}`)

// TestDocumentsAreExact checks the shape of every document: only Allow
// statements, with exact actions and no Not* element, never enabling
// serial console access, and only the documented placeholder.
func TestDocumentsAreExact(t *testing.T) {
	entries, err := iam.Documents.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 3 {
		t.Errorf("documents = %d, want 3", len(entries))
	}
	for _, e := range entries {
		for _, st := range readPolicy(t, e.Name()).Statement {
			checkStatement(t, e.Name(), st.Sid, st.Effect, st.NotAction,
				strs(st.Action), strs(st.Resource))
		}
		b, _ := iam.Documents.ReadFile(e.Name())
		for _, p := range placeholder.FindAllString(string(b), -1) {
			if p != "${CloudTrailBucket}" {
				t.Errorf("%s: undocumented placeholder %s", e.Name(), p)
			}
		}
	}
}

func checkStatement(t *testing.T, doc, sid, effect string, notAction any,
	actions, resources []string) {
	t.Helper()
	where := doc + " " + sid
	if effect != "Allow" || notAction != nil {
		t.Errorf("%s: want Allow with Action, got %s (NotAction %v)",
			where, effect, notAction)
	}
	if sid == "" || len(actions) == 0 || len(resources) == 0 {
		t.Errorf("%s: want a Sid, actions and resources", where)
	}
	for _, a := range actions {
		if strings.ContainsAny(a, "*?") || !strings.Contains(a, ":") {
			t.Errorf("%s: action %q is not one exact action", where, a)
		}
		if strings.EqualFold(a, "ec2:EnableSerialConsoleAccess") {
			t.Errorf("%s: allows enabling serial console access", where)
		}
	}
}
