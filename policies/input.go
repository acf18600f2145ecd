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

// inputTerms allocates the terms of one input document together, one
// block for all of them instead of one allocation each, and shares the
// empty string: an input is built for every decision.
type inputTerms struct{ buf []ast.Term }

// inputTermCount is about the number of terms in an input document
// without input.ecs; more only cost another block.
const inputTermCount = 32

func (ts *inputTerms) term(v ast.Value) *ast.Term {
	// A full block is replaced, not grown: the terms handed out so far
	// keep pointing into the old one.
	if len(ts.buf) == cap(ts.buf) {
		ts.buf = make([]ast.Term, 0, inputTermCount)
	}
	ts.buf = append(ts.buf, ast.Term{Value: v})
	return &ts.buf[len(ts.buf)-1]
}

func (ts *inputTerms) str(s string) *ast.Term {
	if s == "" {
		return ast.InternedEmptyString
	}
	return ts.term(ast.String(s))
}

func (ts *inputTerms) item(k *ast.Term, v string) [2]*ast.Term {
	return ast.Item(k, ts.str(v))
}

// inputValue builds the input document directly as an AST value, saving
// the JSON round trip a map would take. input.finding has exactly the
// keys of the finding's JSON encoding.
func inputValue(in Input, now time.Time) (ast.Value, error) {
	var ts inputTerms
	obj := ast.NewObject(
		ast.Item(kFinding, ts.term(ts.finding(&in.Finding))),
		ast.Item(kAccount, ts.term(ts.account(&in))),
		ts.item(kNow, now.Format(time.RFC3339Nano)),
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

// ecsRef is input.ecs, which costs more to build than the rest of the
// input together: about 150 allocations for a CloudTrail record.
var ecsRef = ast.InputRootRef.Append(ast.StringTerm("ecs"))

// readsECS reports whether compiled modules may read input.ecs: they
// refer to it, to input as a whole, or to a key of input that only
// evaluation knows. The engine builds input.ecs only for such policies.
func readsECS(modules map[string]*ast.Module) bool {
	reads := false
	for _, m := range modules {
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(ast.InputRootRef) && (len(r) == 1 ||
				!r[1].IsGround() || r.HasPrefix(ecsRef)) {
				reads = true
			}
			return reads
		})
	}
	return reads
}

func (ts *inputTerms) finding(f *detect.Finding) ast.Object {
	items := [...][2]*ast.Term{
		ts.item(kKind, string(f.Kind)),
		ts.item(kRuleID, f.RuleID),
		ts.item(kEventID, f.EventID),
		ts.item(kEventName, f.EventName),
		ts.item(kTime, f.Time.Format(time.RFC3339Nano)),
		ts.item(kAccount, f.Account),
		ts.item(kRegion, f.Region),
		ast.Item(kActor, ts.term(ts.actor(&f.Actor))),
		ts.item(kSourceIP, f.SourceIP),
		ts.item(kUserAgent, f.UserAgent),
		ts.item(kErrorCode, f.ErrorCode),
		ts.item(kErrorMessage, f.ErrorMessage),
		// omitempty in the JSON encoding: dropped below when empty, as the
		// shared empty string shows.
		ts.item(kInstanceID, f.InstanceID),
		ts.item(kManagedBy, f.ManagedBy),
		ts.item(kSource, f.Source),
	}
	const always = len(items) - 3
	n := always
	for _, kv := range items[always:] {
		if kv[1] != ast.InternedEmptyString {
			items[n] = kv
			n++
		}
	}
	return ast.NewObject(items[:n]...)
}

func (ts *inputTerms) actor(a *detect.Actor) ast.Object {
	return ast.NewObject(
		ts.item(kType, a.Type),
		ts.item(kARN, a.ARN),
		ts.item(kPrincipalARN, a.PrincipalARN),
		ts.item(kAccount, a.Account),
		ts.item(kAccessKeyID, a.AccessKeyID),
		ts.item(kSessionName, a.SessionName),
		ts.item(kUserName, a.UserName),
		ts.item(kInvokedBy, a.InvokedBy),
	)
}

// account is input.account; its id defaults to the finding's account,
// and tags are an object even when none are known.
func (ts *inputTerms) account(in *Input) ast.Object {
	id := in.Account.ID
	if id == "" {
		id = in.Finding.Account
	}
	tags := ast.InternedEmptyObject
	if len(in.Account.Tags) > 0 {
		obj := ast.NewObject()
		for k, v := range in.Account.Tags {
			obj.Insert(ast.StringTerm(k), ast.StringTerm(v))
		}
		tags = ast.NewTerm(obj)
	}
	return ast.NewObject(
		ts.item(kID, id),
		ts.item(kName, in.Account.Name),
		ts.item(kOUPath, in.Account.OUPath),
		ast.Item(kTags, tags),
	)
}
