package awsfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

func init() {
	ops := map[string]operation{
		"DescribeOrganization":             {fn: (*Server).orgDescribe},
		"ListRoots":                        {fn: (*Server).orgListRoots},
		"ListAccounts":                     {fn: (*Server).orgListAccounts},
		"ListAccountsForParent":            {fn: (*Server).orgAccountsFor},
		"ListOrganizationalUnitsForParent": {fn: (*Server).orgOUsFor},
		"ListParents":                      {fn: (*Server).orgListParents},
		"DescribeAccount":                  {fn: (*Server).orgDescribeAccount},
		"EnablePolicyType":                 {fn: (*Server).orgEnableType},
	}
	for name, op := range policyOps {
		ops[name] = op
	}
	services["organizations"] = &service{
		proto: awsJSON{version: "1.1", messageKey: "Message"},
		ops:   ops,
		unknownOp: newError(http.StatusBadRequest,
			"UnknownOperationException", ""),
		badKey: newError(http.StatusBadRequest, "UnrecognizedClientException",
			"The security token included in the request is invalid."),
	}
}

// orgJoined is the JoinedTimestamp of every seeded account.
var orgJoined = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// orgError is an Organizations error, with a Reason when given.
func orgError(code, msg, reason string) *apiError {
	e := newError(http.StatusBadRequest, code, msg)
	if reason != "" {
		e.Fields = map[string]string{"Reason": reason}
	}
	return e
}

func errOrgInput(reason, msg string) *apiError {
	return orgError("InvalidInputException", msg, reason)
}

// orgAuthorize admits only the management account, as AWS does for these
// operations (delegated administrators are out of scope).
func (s *Server) orgAuthorize(q *request) error {
	if q.caller.account == s.org.mgmt {
		return nil
	}
	return newError(http.StatusBadRequest, "AccessDeniedException",
		"You don't have permissions to access this resource.")
}

// orgRequest decodes a request after authorising it.
func (s *Server) orgRequest(q *request, v any) error {
	if err := s.orgAuthorize(q); err != nil {
		return err
	}
	return q.decode(v)
}

// pageInput is the pagination members every List call takes.
type pageInput struct {
	NextToken  string
	MaxResults int
}

// orgPageMax is the most items Organizations returns in one page.
const orgPageMax = 20

// page cuts one page of n items: the start and end index and the next
// token, empty on the last page.
func page(in pageInput, n, max int) (start, end int, next *string, err error) {
	size := max
	if in.MaxResults > 0 {
		size = in.MaxResults
	}
	if size > max {
		return 0, 0, nil, errOrgInput("MAX_VALUE_EXCEEDED",
			"MaxResults must be at most "+strconv.Itoa(max))
	}
	if in.NextToken != "" {
		off, ok := strings.CutPrefix(in.NextToken, "awsfake-page-")
		start, err = strconv.Atoi(off)
		if !ok || err != nil || start < 0 || start > n {
			return 0, 0, nil, errOrgInput("INVALID_NEXT_TOKEN",
				"The NextToken is not valid")
		}
	}
	end = min(start+size, n)
	if end < n {
		tok := "awsfake-page-" + strconv.Itoa(end)
		next = &tok
	}
	return start, end, next, nil
}

// Wire shapes of Organizations.
type (
	policyTypeJSON struct{ Type, Status string }
	orgJSON        struct {
		Arn, Id, FeatureSet                                   string
		MasterAccountArn, MasterAccountEmail, MasterAccountId string
		AvailablePolicyTypes                                  []policyTypeJSON
	}
	rootJSON struct {
		Arn, Id, Name string
		PolicyTypes   []policyTypeJSON
	}
	accountJSON struct {
		Arn, Email, Id, Name, Status, State, JoinedMethod string
		JoinedTimestamp                                   float64
	}
	ouJSON     struct{ Arn, Id, Name string }
	parentJSON struct{ Id, Type string }
)

func (g *org) arn(kind, id string) string {
	return "arn:aws:organizations::" + g.mgmt + ":" + kind + "/" + g.id +
		"/" + id
}

func (g *org) policyTypes() []policyTypeJSON {
	var out []policyTypeJSON
	for _, t := range []string{SCPType, DeclarativeType} {
		if g.enabled[t] {
			out = append(out, policyTypeJSON{Type: t, Status: "ENABLED"})
		}
	}
	return out
}

func (g *org) accountJSON(a *Account) accountJSON {
	return accountJSON{
		Arn: g.arn("account", a.ID), Email: a.Email, Id: a.ID, Name: a.Name,
		Status: a.Status, State: a.Status, JoinedMethod: "CREATED",
		JoinedTimestamp: float64(orgJoined.Unix()),
	}
}

func (g *org) rootJSON() rootJSON {
	return rootJSON{Arn: g.arn("root", g.rootID), Id: g.rootID, Name: "Root",
		PolicyTypes: g.policyTypes()}
}

func (s *Server) orgDescribe(q *request) (any, error) {
	if err := s.orgAuthorize(q); err != nil {
		return nil, err
	}
	g := s.org
	return map[string]orgJSON{"Organization": {
		Arn:                  "arn:aws:organizations::" + g.mgmt + ":organization/" + g.id,
		Id:                   g.id,
		FeatureSet:           "ALL",
		MasterAccountId:      g.mgmt,
		MasterAccountArn:     g.arn("account", g.mgmt),
		MasterAccountEmail:   g.accounts[g.mgmt].Email,
		AvailablePolicyTypes: g.policyTypes(),
	}}, nil
}

func (s *Server) orgListRoots(q *request) (any, error) {
	var in pageInput
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	if _, _, _, err := page(in, 1, orgPageMax); err != nil {
		return nil, err
	}
	return map[string][]rootJSON{"Roots": {s.org.rootJSON()}}, nil
}

type accountsPage struct {
	Accounts  []accountJSON
	NextToken *string `json:",omitempty"`
}

func (s *Server) orgListAccounts(q *request) (any, error) {
	var in pageInput
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	return s.accountsPage(in, s.org.accountIDs)
}

func (s *Server) orgAccountsFor(q *request) (any, error) {
	var in struct {
		pageInput
		ParentId string
	}
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	if !s.org.isParent(in.ParentId) {
		return nil, orgError("ParentNotFoundException",
			"parent "+in.ParentId+" not found", "")
	}
	var ids []string
	for _, id := range s.org.accountIDs {
		if s.org.accounts[id].ParentID == in.ParentId {
			ids = append(ids, id)
		}
	}
	return s.accountsPage(in.pageInput, ids)
}

func (s *Server) accountsPage(in pageInput, ids []string) (any, error) {
	start, end, next, err := page(in, len(ids), orgPageMax)
	if err != nil {
		return nil, err
	}
	out := accountsPage{Accounts: []accountJSON{}, NextToken: next}
	for _, id := range ids[start:end] {
		out.Accounts = append(out.Accounts, s.org.accountJSON(s.org.accounts[id]))
	}
	return out, nil
}

// isParent reports whether id is the root or an OU.
func (g *org) isParent(id string) bool {
	_, ok := g.ous[id]
	return ok || id == g.rootID
}

func (s *Server) orgOUsFor(q *request) (any, error) {
	var in struct {
		pageInput
		ParentId string
	}
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	g := s.org
	if !g.isParent(in.ParentId) {
		return nil, orgError("ParentNotFoundException",
			"parent "+in.ParentId+" not found", "")
	}
	var ous []ouJSON
	for _, id := range g.ouIDs {
		if ou := g.ous[id]; ou.ParentID == in.ParentId {
			ous = append(ous, ouJSON{Arn: g.arn("ou", id), Id: id, Name: ou.Name})
		}
	}
	start, end, next, err := page(in.pageInput, len(ous), orgPageMax)
	if err != nil {
		return nil, err
	}
	return struct {
		OrganizationalUnits []ouJSON
		NextToken           *string `json:",omitempty"`
	}{append([]ouJSON{}, ous[start:end]...), next}, nil
}

func (s *Server) orgListParents(q *request) (any, error) {
	var in struct {
		pageInput
		ChildId string
	}
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	parent := s.org.parentOf(in.ChildId)
	if parent == "" {
		return nil, orgError("ChildNotFoundException",
			"child "+in.ChildId+" not found", "")
	}
	kind := "ORGANIZATIONAL_UNIT"
	if parent == s.org.rootID {
		kind = "ROOT"
	}
	return map[string][]parentJSON{
		"Parents": {{Id: parent, Type: kind}},
	}, nil
}

func (s *Server) orgDescribeAccount(q *request) (any, error) {
	var in struct{ AccountId string }
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	a, ok := s.org.accounts[in.AccountId]
	if !ok {
		return nil, orgError("AccountNotFoundException",
			"account "+in.AccountId+" not found", "")
	}
	return map[string]accountJSON{"Account": s.org.accountJSON(a)}, nil
}

func (s *Server) orgEnableType(q *request) (any, error) {
	var in struct{ RootId, PolicyType string }
	if err := s.orgRequest(q, &in); err != nil {
		return nil, err
	}
	switch {
	case in.RootId != s.org.rootID:
		return nil, orgError("RootNotFoundException",
			"root "+in.RootId+" not found", "")
	case !supportedType(in.PolicyType):
		return nil, errOrgInput("INVALID_ENUM_POLICY_TYPE",
			"unsupported policy type "+in.PolicyType)
	case s.org.enabled[in.PolicyType]:
		return nil, orgError("PolicyTypeAlreadyEnabledException",
			in.PolicyType+" is already enabled", "")
	}
	s.org.enable(in.PolicyType)
	return map[string]rootJSON{"Root": s.org.rootJSON()}, nil
}

func supportedType(t string) bool { return t == SCPType || t == DeclarativeType }
