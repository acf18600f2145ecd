package awsfake

import (
	"net/http"
	"slices"
	"strconv"
)

// Region is a region as DescribeRegions lists it.
type Region struct {
	Name string
	// OptInStatus is opt-in-not-required, opted-in or not-opted-in. A
	// not-opted-in region is listed only with AllRegions and refuses EC2
	// calls.
	OptInStatus string
}

// DefaultRegions returns the 17 regions enabled by default in every
// account, then three opt-in regions the accounts have not opted in to.
func DefaultRegions() []Region {
	var rs []Region
	for _, n := range []string{
		"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
		"ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
		"eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
		"us-east-1", "us-east-2", "us-west-1", "us-west-2",
	} {
		rs = append(rs, Region{Name: n, OptInStatus: "opt-in-not-required"})
	}
	for _, n := range []string{"af-south-1", "ap-east-1", "me-south-1"} {
		rs = append(rs, Region{Name: n, OptInStatus: "not-opted-in"})
	}
	return rs
}

// EnabledRegions returns the names of the regions EC2 accepts calls in.
func (s *Server) EnabledRegions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, r := range s.regions {
		if r.OptInStatus != "not-opted-in" {
			names = append(names, r.Name)
		}
	}
	return names
}

// regionEnabled reports whether EC2 accepts calls in the region. The
// caller holds s.mu.
func (s *Server) regionEnabled(name string) bool {
	for _, r := range s.regions {
		if r.Name == name {
			return r.OptInStatus != "not-opted-in"
		}
	}
	return false
}

// DeclarativePolicyErrorCode is the error Enable and Disable answer in an
// account whose serial console access a declarative policy manages.
// NOTE: AWS does not document the code; UnauthorizedOperation is how EC2
// denies other calls, and the message is AWS's documented default.
const DeclarativePolicyErrorCode = "UnauthorizedOperation"

const declarativeMessage = "This action is denied due to an " +
	"organizational policy in effect"

// Values of managedBy in GetSerialConsoleAccessStatus.
const (
	ManagedByAccount     = "account"
	ManagedByDeclarative = "declarative-policy"
)

// accountRegion keys per-account, per-region state.
type accountRegion struct{ account, region string }

// serialState is the serial console setting of one account and region.
type serialState struct {
	enabled     bool
	declarative bool // a declarative policy disables it in this region
}

func init() {
	services["ec2"] = &service{
		proto: ec2Query{},
		ops: map[string]operation{
			"EnableSerialConsoleAccess": {
				fn: (*Server).ec2Enable, noEffect: true},
			"DisableSerialConsoleAccess": {
				fn: (*Server).ec2Disable, noEffect: true},
			"GetSerialConsoleAccessStatus": {fn: (*Server).ec2Status},
			"DescribeRegions":              {fn: (*Server).ec2Regions},
		},
		unknownOp: newError(http.StatusBadRequest, "InvalidAction", ""),
		badKey: newError(http.StatusUnauthorized, "AuthFailure",
			"AWS was not able to validate the provided access credentials"),
		regional: true,
	}
}

// serialConsoleResult is the answer of all three serial console calls.
type serialConsoleResult struct {
	RequestID string `xml:"requestId"`
	Enabled   bool   `xml:"serialConsoleAccessEnabled"`
	ManagedBy string `xml:"managedBy,omitempty"`
}

func (s *Server) ec2Enable(q *request) (any, error) {
	return s.ec2Set(q, true)
}

func (s *Server) ec2Disable(q *request) (any, error) {
	return s.ec2Set(q, false)
}

// ec2Set switches serial console access unless a declarative policy
// manages it, or answers as if it had when q asks for no effect.
func (s *Server) ec2Set(q *request, enabled bool) (any, error) {
	if err := dryRun(q); err != nil {
		return nil, err
	}
	if _, managedBy := s.serialConsole(q.account, q.region); managedBy ==
		ManagedByDeclarative {
		return nil, newError(http.StatusForbidden, DeclarativePolicyErrorCode,
			declarativeMessage)
	}
	if !q.noEffect {
		s.serialStateFor(q.account, q.region).enabled = enabled
	}
	return &serialConsoleResult{RequestID: q.id, Enabled: enabled}, nil
}

func (s *Server) ec2Status(q *request) (any, error) {
	if err := dryRun(q); err != nil {
		return nil, err
	}
	enabled, managedBy := s.serialConsole(q.account, q.region)
	return &serialConsoleResult{
		RequestID: q.id, Enabled: enabled, ManagedBy: managedBy,
	}, nil
}

// dryRun answers DryRun=true as EC2 does for a permitted caller.
func dryRun(q *request) error {
	if q.form.Get("DryRun") != "true" {
		return nil
	}
	return newError(http.StatusPreconditionFailed, "DryRunOperation",
		"Request would have succeeded, but DryRun flag is set.")
}

// serialConsole returns the effective setting. The caller holds s.mu.
func (s *Server) serialConsole(account, region string) (bool, string) {
	st := s.ec2[accountRegion{account, region}]
	if st != nil && st.declarative {
		return false, ManagedByDeclarative
	}
	switch s.org.declarativeSerialConsole(account) {
	case "disabled":
		return false, ManagedByDeclarative
	case "enabled":
		return true, ManagedByDeclarative
	}
	return st != nil && st.enabled, ManagedByAccount
}

// serialStateFor returns the stored state, creating it. The caller holds
// s.mu.
func (s *Server) serialStateFor(account, region string) *serialState {
	k := accountRegion{account, region}
	st := s.ec2[k]
	if st == nil {
		st = &serialState{}
		s.ec2[k] = st
	}
	return st
}

type regionXML struct {
	Name        string `xml:"regionName"`
	Endpoint    string `xml:"regionEndpoint"`
	OptInStatus string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	RequestID string      `xml:"requestId"`
	Regions   []regionXML `xml:"regionInfo>item"`
}

// ec2Regions answers DescribeRegions with the AllRegions, RegionName and
// Filter parameters (region-name and opt-in-status).
func (s *Server) ec2Regions(q *request) (any, error) {
	if err := dryRun(q); err != nil {
		return nil, err
	}
	all := q.form.Get("AllRegions") == "true"
	names := indexedValues(q.form, "RegionName")
	filters := ec2Filters(q.form)
	res := &describeRegionsResult{RequestID: q.id}
	for _, r := range s.regions {
		if !all && r.OptInStatus == "not-opted-in" && len(names) == 0 {
			continue
		}
		if len(names) > 0 && !slices.Contains(names, r.Name) {
			continue
		}
		if !filters.match(map[string]string{
			"region-name": r.Name, "opt-in-status": r.OptInStatus,
			"endpoint": regionEndpoint(r.Name),
		}) {
			continue
		}
		res.Regions = append(res.Regions, regionXML{
			Name: r.Name, Endpoint: regionEndpoint(r.Name),
			OptInStatus: r.OptInStatus,
		})
	}
	return res, nil
}

func regionEndpoint(name string) string {
	return "ec2." + name + ".amazonaws.com"
}

// ec2FilterSet is the Filter.N.Name / Filter.N.Value.M parameters.
type ec2FilterSet map[string][]string

// ec2Filters reads EC2 filters from a form.
func ec2Filters(form map[string][]string) ec2FilterSet {
	fs := ec2FilterSet{}
	for i := 1; ; i++ {
		prefix := "Filter." + strconv.Itoa(i) + "."
		name, ok := form[prefix+"Name"]
		if !ok {
			return fs
		}
		fs[name[0]] = indexedValues(form, prefix+"Value")
	}
}

// match reports whether every filter holds a value of the attributes.
func (fs ec2FilterSet) match(attrs map[string]string) bool {
	for name, values := range fs {
		got, known := attrs[name]
		if !known {
			continue
		}
		if !slices.ContainsFunc(values, func(v string) bool {
			return wildcardMatch(v, got)
		}) {
			return false
		}
	}
	return true
}

// indexedValues reads a flat query list: prefix.1, prefix.2, ...
func indexedValues(form map[string][]string, prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := form[prefix+"."+strconv.Itoa(i)]
		if !ok || len(v) == 0 {
			return out
		}
		out = append(out, v[0])
	}
}

// wildcardMatch matches EC2 filter values, where * is any run of
// characters and ? any one character. It backtracks only to the last
// star, so it runs in O(len(pattern) * len(s)).
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
