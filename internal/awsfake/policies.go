package awsfake

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

var policyOps = map[string]operation{
	"ListPolicies":          {fn: (*Server).orgListPolicies},
	"DescribePolicy":        {fn: (*Server).orgDescribePolicy},
	"CreatePolicy":          {fn: (*Server).orgCreatePolicy},
	"UpdatePolicy":          {fn: (*Server).orgUpdatePolicy},
	"DeletePolicy":          {fn: (*Server).orgDeletePolicy},
	"AttachPolicy":          {fn: (*Server).orgAttachPolicy},
	"DetachPolicy":          {fn: (*Server).orgDetachPolicy},
	"ListPoliciesForTarget": {fn: (*Server).orgPoliciesFor},
	"ListTargetsForPolicy":  {fn: (*Server).orgTargetsFor},
}

// Organizations quotas the fake enforces.
const (
	maxSCPChars         = 5120
	maxDeclarativeChars = 10000
	maxSCPsPerTarget    = 5
)

type (
	policySummaryJSON struct {
		Arn, Description, Id, Name, Type string
		AwsManaged                       bool
	}
	policyJSON struct {
		Content       string
		PolicySummary policySummaryJSON
	}
	targetJSON struct{ Arn, Name, TargetId, Type string }
)

func (g *org) policySummary(p *policy) policySummaryJSON {
	arn := "arn:aws:organizations::" + g.mgmt + ":policy/" + g.id + "/" +
		strings.ToLower(p.kind) + "/" + p.id
	if p.awsManaged {
		arn = "arn:aws:organizations::aws:policy/" +
			strings.ToLower(p.kind) + "/" + p.id
	}
	return policySummaryJSON{
		Arn: arn, Description: p.description, Id: p.id, Name: p.name,
		Type: p.kind, AwsManaged: p.awsManaged,
	}
}

func (g *org) policyJSON(p *policy) map[string]policyJSON {
	return map[string]policyJSON{"Policy": {
		Content: p.content, PolicySummary: g.policySummary(p),
	}}
}

// findPolicy returns a policy by id.
func (g *org) findPolicy(id string) (*policy, error) {
	p, ok := g.policies[id]
	if !ok {
		return nil, orgError("PolicyNotFoundException",
			"policy "+id+" not found", "")
	}
	return p, nil
}

// policiesPage cuts one page of policy summaries.
func (g *org) policiesPage(in pageInput, ids []string) (any, error) {
	start, end, next, err := page(in, len(ids), orgPageMax)
	if err != nil {
		return nil, err
	}
	out := struct {
		Policies  []policySummaryJSON
		NextToken *string `json:",omitempty"`
	}{Policies: []policySummaryJSON{}, NextToken: next}
	for _, id := range ids[start:end] {
		out.Policies = append(out.Policies, g.policySummary(g.policies[id]))
	}
	return out, nil
}

// ofType returns the ids of the policies of one type.
func (g *org) ofType(ids []string, kind string) []string {
	var out []string
	for _, id := range ids {
		if g.policies[id].kind == kind {
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) orgListPolicies(q *request) (any, error) {
	var in struct {
		pageInput
		Filter string
	}
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	if !supportedType(in.Filter) {
		return nil, errOrgInput("INVALID_ENUM_POLICY_TYPE",
			"unsupported policy type "+in.Filter)
	}
	return s.org.policiesPage(in.pageInput, s.org.ofType(s.org.policyIDs, in.Filter))
}

func (s *Server) orgDescribePolicy(q *request) (any, error) {
	p, err := s.policyArg(q)
	if err != nil {
		return nil, err
	}
	return s.org.policyJSON(p), nil
}

// policyArg authorises a call whose input is a PolicyId and returns
// that policy.
func (s *Server) policyArg(q *request) (*policy, error) {
	var in struct{ PolicyId string }
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	return s.org.findPolicy(in.PolicyId)
}

type policyInput struct {
	PolicyId, Name, Description, Content, Type string
}

func (s *Server) orgCreatePolicy(q *request) (any, error) {
	var in policyInput
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	if !supportedType(in.Type) {
		return nil, errOrgInput("INVALID_ENUM_POLICY_TYPE",
			"unsupported policy type "+in.Type)
	}
	if in.Name == "" || in.Content == "" {
		return nil, errOrgInput("INPUT_REQUIRED", "Name and Content are required")
	}
	p := &policy{kind: in.Type}
	if err := s.org.setPolicy(p, in); err != nil {
		return nil, err
	}
	s.org.nextPolicy++
	p.id = fmt.Sprintf("p-awsf%04d", s.org.nextPolicy)
	s.org.policies[p.id] = p
	s.org.policyIDs = append(s.org.policyIDs, p.id)
	return s.org.policyJSON(p), nil
}

func (s *Server) orgUpdatePolicy(q *request) (any, error) {
	var in policyInput
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	p, err := s.org.findPolicy(in.PolicyId)
	if err != nil {
		return nil, err
	}
	if p.awsManaged {
		return nil, errOrgInput("IMMUTABLE_POLICY",
			"policy "+p.id+" is managed by AWS")
	}
	if err := s.org.setPolicy(p, in); err != nil {
		return nil, err
	}
	return s.org.policyJSON(p), nil
}

// setPolicy validates and applies the non-empty members of in to p.
func (g *org) setPolicy(p *policy, in policyInput) error {
	if in.Name != "" && in.Name != p.name {
		for _, id := range g.policyIDs {
			if o := g.policies[id]; o.kind == p.kind && o.name == in.Name {
				return orgError("DuplicatePolicyException",
					"A policy with the same name already exists.", "")
			}
		}
	}
	if in.Content != "" {
		assign, err := checkContent(p.kind, in.Content)
		if err != nil {
			return err
		}
		p.content, p.serialConsole = in.Content, assign
	}
	if in.Name != "" {
		p.name = in.Name
	}
	if in.Description != "" {
		p.description = in.Description
	}
	return nil
}

// checkContent validates a policy document and returns the serial console
// status a declarative policy assigns.
func checkContent(kind, content string) (string, error) {
	limit := maxSCPChars
	if kind == DeclarativeType {
		limit = maxDeclarativeChars
	}
	if utf8.RuneCountInString(content) > limit {
		return "", orgError("ConstraintViolationException",
			fmt.Sprintf("policy content exceeds %d characters", limit),
			"POLICY_CONTENT_LIMIT_EXCEEDED")
	}
	var doc struct {
		Statement json.RawMessage
		EC2       *struct {
			SerialConsole struct {
				Status struct {
					Assign string `json:"@@assign"`
				} `json:"status"`
			} `json:"serial_console_access"`
		} `json:"ec2_attributes"`
	}
	err := json.Unmarshal([]byte(content), &doc)
	switch {
	case err != nil:
	case kind == SCPType && len(doc.Statement) == 0:
		err = fmt.Errorf("missing Statement")
	case kind == DeclarativeType && doc.EC2 == nil:
		err = fmt.Errorf("missing ec2_attributes")
	case kind == DeclarativeType:
		return doc.EC2.SerialConsole.Status.Assign, nil
	}
	if err != nil {
		return "", orgError("MalformedPolicyDocumentException",
			"The provided policy document does not meet the requirements "+
				"of the specified policy type: "+err.Error(), "")
	}
	return "", nil
}

func (s *Server) orgDeletePolicy(q *request) (any, error) {
	p, err := s.policyArg(q)
	if err != nil {
		return nil, err
	}
	if p.awsManaged || len(s.org.targetsOf(p.id)) > 0 {
		return nil, orgError("PolicyInUseException",
			"policy "+p.id+" is attached or managed by AWS", "")
	}
	delete(s.org.policies, p.id)
	s.org.policyIDs = slices.DeleteFunc(s.org.policyIDs,
		func(id string) bool { return id == p.id })
	return nil, nil
}

type attachInput struct{ PolicyId, TargetId string }

// attachment validates the policy and target of an attach or detach.
func (s *Server) attachment(q *request) (*policy, attachInput, error) {
	var in attachInput
	if err := s.orgRequest(q, &in); err != nil {
		return nil, in, err
	}
	p, err := s.org.findPolicy(in.PolicyId)
	if err != nil {
		return nil, in, err
	}
	if !s.org.isTarget(in.TargetId) {
		return nil, in, orgError("TargetNotFoundException",
			"target "+in.TargetId+" not found", "")
	}
	return p, in, nil
}

func (g *org) isTarget(id string) bool {
	_, ok := g.accounts[id]
	return ok || g.isParent(id)
}

func (s *Server) orgAttachPolicy(q *request) (any, error) {
	p, in, err := s.attachment(q)
	if err != nil {
		return nil, err
	}
	g := s.org
	switch attached := g.attached[in.TargetId]; {
	case !g.enabled[p.kind]:
		return nil, orgError("PolicyTypeNotEnabledException",
			"This operation can be performed only for enabled policy types.", "")
	case slices.Contains(attached, p.id):
		return nil, orgError("DuplicatePolicyAttachmentException",
			"The selected policy is already attached to the specified target.", "")
	case p.kind == SCPType &&
		len(g.ofType(attached, SCPType)) >= maxSCPsPerTarget:
		return nil, orgError("ConstraintViolationException",
			"target "+in.TargetId+" already has the most SCPs allowed",
			"MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	}
	g.attach(p.id, in.TargetId)
	return nil, nil
}

func (s *Server) orgDetachPolicy(q *request) (any, error) {
	p, in, err := s.attachment(q)
	if err != nil {
		return nil, err
	}
	g := s.org
	attached := g.attached[in.TargetId]
	switch {
	case !slices.Contains(attached, p.id):
		return nil, orgError("PolicyNotAttachedException",
			"policy "+p.id+" is not attached to "+in.TargetId, "")
	case p.kind == SCPType && len(g.ofType(attached, SCPType)) == 1:
		return nil, orgError("ConstraintViolationException",
			"a target must keep at least one SCP",
			"MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	}
	g.attached[in.TargetId] = slices.DeleteFunc(attached,
		func(id string) bool { return id == p.id })
	return nil, nil
}

func (s *Server) orgPoliciesFor(q *request) (any, error) {
	var in struct {
		pageInput
		TargetId, Filter string
	}
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	if !s.org.isTarget(in.TargetId) {
		return nil, orgError("TargetNotFoundException",
			"target "+in.TargetId+" not found", "")
	}
	if !supportedType(in.Filter) {
		return nil, errOrgInput("INVALID_ENUM_POLICY_TYPE",
			"unsupported policy type "+in.Filter)
	}
	ids := s.org.ofType(s.org.attached[in.TargetId], in.Filter)
	return s.org.policiesPage(in.pageInput, ids)
}

func (s *Server) orgTargetsFor(q *request) (any, error) {
	var in struct {
		pageInput
		PolicyId string
	}
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	if _, err := s.org.findPolicy(in.PolicyId); err != nil {
		return nil, err
	}
	targets := s.org.targetsOf(in.PolicyId)
	start, end, next, err := page(in.pageInput, len(targets), orgPageMax)
	if err != nil {
		return nil, err
	}
	return struct {
		Targets   []targetJSON
		NextToken *string `json:",omitempty"`
	}{append([]targetJSON{}, targets[start:end]...), next}, nil
}

// targetsOf lists the targets a policy is attached to: the root, then
// OUs, then accounts.
func (g *org) targetsOf(policyID string) []targetJSON {
	var out []targetJSON
	add := func(id, kind, arnKind, name string) {
		if slices.Contains(g.attached[id], policyID) {
			out = append(out, targetJSON{Arn: g.arn(arnKind, id), Name: name,
				TargetId: id, Type: kind})
		}
	}
	add(g.rootID, "ROOT", "root", "Root")
	for _, id := range g.ouIDs {
		add(id, "ORGANIZATIONAL_UNIT", "ou", g.ous[id].Name)
	}
	for _, id := range g.accountIDs {
		add(id, "ACCOUNT", "account", g.accounts[id].Name)
	}
	return out
}
