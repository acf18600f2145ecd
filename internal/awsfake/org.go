package awsfake

import (
	"fmt"
	"slices"
)

// Organization seeds the AWS organization a Server serves.
type Organization struct {
	ID                  string // o-...
	RootID              string // r-...
	ManagementAccountID string
	Accounts            []Account // the management account included
	OUs                 []OU      // parents before children
	// PolicyTypes are the policy types enabled on the root, such as
	// SERVICE_CONTROL_POLICY and DECLARATIVE_POLICY_EC2.
	PolicyTypes []string
}

// Account is a member account of the organization.
type Account struct {
	ID       string
	Name     string
	Email    string
	Status   string // ACTIVE (the default) or SUSPENDED
	ParentID string // the root or an OU; empty means the root
}

// OU is an organizational unit.
type OU struct {
	ID       string
	Name     string
	ParentID string // the root or an OU; empty means the root
}

// Policy types the fake supports.
const (
	SCPType         = "SERVICE_CONTROL_POLICY"
	DeclarativeType = "DECLARATIVE_POLICY_EC2"
)

// FullAWSAccessID is the id of the AWS-managed SCP attached everywhere
// while SCPs are enabled.
const FullAWSAccessID = "p-FullAWSAccess"

// Org returns a deterministic organization of nAccounts accounts (the
// management account, 100000000000, among them) and nOUs OUs, with SCPs
// enabled. The first two OUs hang off the root, each later OU under an
// earlier one; accounts are dealt round-robin over the root and the OUs.
func Org(nAccounts, nOUs int) Organization {
	o := Organization{
		ID:                  "o-a1b2c3d4e5",
		RootID:              "r-a1b2",
		ManagementAccountID: accountID(0),
		PolicyTypes:         []string{SCPType},
	}
	for i := range nOUs {
		parent := o.RootID
		if i >= 2 {
			parent = o.OUs[(i-2)/2].ID
		}
		o.OUs = append(o.OUs, OU{
			ID:       fmt.Sprintf("ou-a1b2-%08d", i),
			Name:     fmt.Sprintf("ou-%d", i),
			ParentID: parent,
		})
	}
	for i := range nAccounts {
		parent := o.RootID
		if k := i % (nOUs + 1); k > 0 && i > 0 {
			parent = o.OUs[k-1].ID
		}
		o.Accounts = append(o.Accounts, Account{
			ID:       accountID(i),
			Name:     fmt.Sprintf("account-%04d", i),
			Email:    fmt.Sprintf("aws+%04d@example.com", i),
			Status:   "ACTIVE",
			ParentID: parent,
		})
	}
	return o
}

// accountID is the id of the i-th account Org makes.
func accountID(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }

// org is the organization's state. The Server's mutex guards it.
type org struct {
	id, rootID, mgmt string
	accounts         map[string]*Account
	accountIDs       []string // sorted
	ous              map[string]*OU
	ouIDs            []string // in seed order
	enabled          map[string]bool
	policies         map[string]*policy
	policyIDs        []string            // in creation order
	attached         map[string][]string // target id -> policy ids
	nextPolicy       int
}

// policy is an organization policy.
type policy struct {
	id, name, description, kind, content string
	awsManaged                           bool
	// serialConsole is the status a declarative policy assigns to
	// ec2_attributes.serial_console_access, or empty.
	serialConsole string
}

func newOrg(o Organization) *org {
	g := &org{
		id: o.ID, rootID: o.RootID, mgmt: o.ManagementAccountID,
		accounts: map[string]*Account{},
		ous:      map[string]*OU{},
		enabled:  map[string]bool{},
		policies: map[string]*policy{},
		attached: map[string][]string{},
	}
	for _, ou := range o.OUs {
		g.addOU(ou)
	}
	for _, a := range o.Accounts {
		g.addAccount(a)
	}
	if _, ok := g.accounts[g.mgmt]; !ok {
		g.addAccount(Account{ID: g.mgmt, Name: "management"})
	}
	for _, t := range o.PolicyTypes {
		g.enable(t)
	}
	return g
}

func (g *org) addAccount(a Account) {
	if a.ParentID == "" {
		a.ParentID = g.rootID
	}
	if a.Status == "" {
		a.Status = "ACTIVE"
	}
	if a.Email == "" {
		a.Email = "aws+" + a.ID + "@example.com"
	}
	if _, ok := g.accounts[a.ID]; !ok {
		i, _ := slices.BinarySearch(g.accountIDs, a.ID)
		g.accountIDs = slices.Insert(g.accountIDs, i, a.ID)
	}
	g.accounts[a.ID] = &a
	if g.enabled[SCPType] {
		g.attach(FullAWSAccessID, a.ID)
	}
}

func (g *org) addOU(ou OU) {
	if ou.ParentID == "" {
		ou.ParentID = g.rootID
	}
	if _, ok := g.ous[ou.ID]; !ok {
		g.ouIDs = append(g.ouIDs, ou.ID)
	}
	g.ous[ou.ID] = &ou
	if g.enabled[SCPType] {
		g.attach(FullAWSAccessID, ou.ID)
	}
}

// enable turns a policy type on at the root. Enabling SCPs attaches
// FullAWSAccess to every target, as AWS does.
func (g *org) enable(kind string) {
	g.enabled[kind] = true
	if kind != SCPType {
		return
	}
	g.policies[FullAWSAccessID] = &policy{
		id: FullAWSAccessID, name: "FullAWSAccess", kind: SCPType,
		awsManaged:  true,
		description: "Allows access to every operation",
		content: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":"*","Resource":"*"}]}`,
	}
	if !slices.Contains(g.policyIDs, FullAWSAccessID) {
		g.policyIDs = append([]string{FullAWSAccessID}, g.policyIDs...)
	}
	g.attach(FullAWSAccessID, g.rootID)
	for _, id := range g.ouIDs {
		g.attach(FullAWSAccessID, id)
	}
	for _, id := range g.accountIDs {
		g.attach(FullAWSAccessID, id)
	}
}

// attach records an attachment once.
func (g *org) attach(policyID, target string) {
	if !slices.Contains(g.attached[target], policyID) {
		g.attached[target] = append(g.attached[target], policyID)
	}
}

// parentOf returns the parent id of an account or OU, or "".
func (g *org) parentOf(id string) string {
	if a, ok := g.accounts[id]; ok {
		return a.ParentID
	}
	if ou, ok := g.ous[id]; ok {
		return ou.ParentID
	}
	return ""
}

// declarativeSerialConsole returns the serial console status that the
// nearest attached declarative policy assigns to an account, or "".
func (g *org) declarativeSerialConsole(account string) string {
	if !g.enabled[DeclarativeType] {
		return ""
	}
	for id, depth := account, 0; id != "" && depth < 16; depth++ {
		for _, pid := range g.attached[id] {
			if p := g.policies[pid]; p.kind == DeclarativeType &&
				p.serialConsole != "" {
				return p.serialConsole
			}
		}
		if id == g.rootID {
			break
		}
		id = g.parentOf(id)
	}
	return ""
}
