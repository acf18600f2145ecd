package policies

import (
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/serialguard/serialguard/detect"
)

// AccountContext is what serialguard knows about the finding's account,
// as input.account: its id, name, Organizations entity path (for example
// "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/") and tags.
type AccountContext struct {
	ID     string            `json:"id"`
	Name   string            `json:"name"`
	OUPath string            `json:"ou_path"`
	Tags   map[string]string `json:"tags"`
}

// Input is one question to the policy: a finding, its account and the
// time of the decision.
type Input struct {
	Finding detect.Finding
	Account AccountContext
	// Now is input.now and the time Rego's time.now_ns returns; the
	// zero time means the time of the call.
	Now time.Time
}

// Keys of the input document, shared by every input built.
var (
	kFinding      = ast.StringTerm("finding")
	kECS          = ast.StringTerm("ecs")
	kAccount      = ast.StringTerm("account")
	kNow          = ast.StringTerm("now")
	kKind         = ast.StringTerm("kind")
	kRuleID       = ast.StringTerm("rule_id")
	kEventID      = ast.StringTerm("event_id")
	kEventName    = ast.StringTerm("event_name")
	kTime         = ast.StringTerm("time")
	kRegion       = ast.StringTerm("region")
	kActor        = ast.StringTerm("actor")
	kSourceIP     = ast.StringTerm("source_ip")
	kUserAgent    = ast.StringTerm("user_agent")
	kErrorCode    = ast.StringTerm("error_code")
	kErrorMessage = ast.StringTerm("error_message")
	kInstanceID   = ast.StringTerm("instance_id")
	kManagedBy    = ast.StringTerm("managed_by")
	kSource       = ast.StringTerm("source")
	kType         = ast.StringTerm("type")
	kARN          = ast.StringTerm("arn")
	kPrincipalARN = ast.StringTerm("principal_arn")
	kAccessKeyID  = ast.StringTerm("access_key_id")
	kSessionName  = ast.StringTerm("session_name")
	kUserName     = ast.StringTerm("user_name")
	kInvokedBy    = ast.StringTerm("invoked_by")
	kID           = ast.StringTerm("id")
	kName         = ast.StringTerm("name")
	kOUPath       = ast.StringTerm("ou_path")
	kTags         = ast.StringTerm("tags")
)

func str(k *ast.Term, v string) [2]*ast.Term { return ast.Item(k, ast.StringTerm(v)) }

// inputValue builds the input document directly as an AST value, saving
// the JSON round trip a map would take. input.finding has exactly the
// keys of the finding's JSON encoding.
func inputValue(in Input, now time.Time) (ast.Value, error) {
	obj := ast.NewObject(
		ast.Item(kFinding, ast.NewTerm(findingValue(&in.Finding))),
		ast.Item(kAccount, ast.NewTerm(accountValue(&in))),
		str(kNow, now.Format(time.RFC3339Nano)),
	)
	if in.Finding.Record == nil {
		return obj, nil
	}
	ecs, err := ast.InterfaceToValue(detect.ECS(in.Finding.Record))
	if err != nil {
		return nil, fmt.Errorf("build input.ecs: %w", err)
	}
	obj.Insert(kECS, ast.NewTerm(ecs))
	return obj, nil
}

func findingValue(f *detect.Finding) ast.Object {
	obj := ast.NewObject(
		str(kKind, string(f.Kind)),
		str(kRuleID, f.RuleID),
		str(kEventID, f.EventID),
		str(kEventName, f.EventName),
		str(kTime, f.Time.Format(time.RFC3339Nano)),
		str(kAccount, f.Account),
		str(kRegion, f.Region),
		ast.Item(kActor, ast.NewTerm(actorValue(&f.Actor))),
		str(kSourceIP, f.SourceIP),
		str(kUserAgent, f.UserAgent),
		str(kErrorCode, f.ErrorCode),
		str(kErrorMessage, f.ErrorMessage),
	)
	for _, kv := range []struct {
		k *ast.Term
		v string
	}{{kInstanceID, f.InstanceID}, {kManagedBy, f.ManagedBy}, {kSource, f.Source}} {
		if kv.v != "" { // omitempty in the JSON encoding
			obj.Insert(kv.k, ast.StringTerm(kv.v))
		}
	}
	return obj
}

func actorValue(a *detect.Actor) ast.Object {
	return ast.NewObject(
		str(kType, a.Type),
		str(kARN, a.ARN),
		str(kPrincipalARN, a.PrincipalARN),
		str(kAccount, a.Account),
		str(kAccessKeyID, a.AccessKeyID),
		str(kSessionName, a.SessionName),
		str(kUserName, a.UserName),
		str(kInvokedBy, a.InvokedBy),
	)
}

// accountValue is input.account; its id defaults to the finding's
// account, and tags are an object even when none are known.
func accountValue(in *Input) ast.Object {
	id := in.Account.ID
	if id == "" {
		id = in.Finding.Account
	}
	tags := ast.NewObject()
	for k, v := range in.Account.Tags {
		tags.Insert(ast.StringTerm(k), ast.StringTerm(v))
	}
	return ast.NewObject(
		str(kID, id),
		str(kName, in.Account.Name),
		str(kOUPath, in.Account.OUPath),
		ast.Item(kTags, ast.NewTerm(tags)),
	)
}
