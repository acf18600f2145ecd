package awsfake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

const denySCP = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
	`"Action":"ec2:EnableSerialConsoleAccess","Resource":"*"}]}`

const declarativeDisabled = `{"ec2_attributes":{"serial_console_access":` +
	`{"status":{"@@assign":"disabled"}}}}`

func orgClient(t *testing.T, srv *awsfake.Server) *organizations.Client {
	t.Helper()
	return organizations.NewFromConfig(srv.Config(t.Context()))
}

func TestListAccountsPaginates(t *testing.T) {
	seed := awsfake.Org(45, 3)
	seed.Accounts[7].Status = "SUSPENDED"
	srv := awsfake.Start(t, awsfake.WithOrganization(seed))
	p := organizations.NewListAccountsPaginator(orgClient(t, srv),
		&organizations.ListAccountsInput{})
	var got []string
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.Accounts {
			got = append(got, aws.ToString(a.Id))
			if aws.ToString(a.Id) == seed.Accounts[7].ID &&
				a.Status != types.AccountStatusSuspended {
				t.Errorf("account 7 status %q, want SUSPENDED", a.Status)
			}
		}
	}
	var want []string
	for _, a := range seed.Accounts {
		want = append(want, a.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3 of at most 20", pages)
	}
}

func TestOrganizationStructure(t *testing.T) {
	seed := awsfake.Org(6, 3)
	srv := awsfake.Start(t, awsfake.WithOrganization(seed))
	c := orgClient(t, srv)
	ctx := t.Context()

	org, err := c.DescribeOrganization(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(org.Organization.MasterAccountId); got !=
		seed.ManagementAccountID {
		t.Errorf("MasterAccountId = %s, want %s", got, seed.ManagementAccountID)
	}
	roots, err := c.ListRoots(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := []types.PolicyTypeSummary{{
		Type:   types.PolicyTypeServiceControlPolicy,
		Status: types.PolicyTypeStatusEnabled,
	}}
	if diff := cmp.Diff(wantTypes, roots.Roots[0].PolicyTypes,
		cmpIgnoreUnexported()); diff != "" {
		t.Errorf("root policy types (-want +got):\n%s", diff)
	}
}

func TestOrganizationTree(t *testing.T) {
	seed := awsfake.Org(6, 3)
	srv := awsfake.Start(t, awsfake.WithOrganization(seed))
	c := orgClient(t, srv)
	ctx := t.Context()
	ous, err := c.ListOrganizationalUnitsForParent(ctx,
		&organizations.ListOrganizationalUnitsForParentInput{
			ParentId: aws.String(seed.RootID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ous.OrganizationalUnits) != 2 {
		t.Errorf("OUs under root = %d, want 2", len(ous.OrganizationalUnits))
	}
	acct := seed.Accounts[3]
	parents, err := c.ListParents(ctx, &organizations.ListParentsInput{
		ChildId: aws.String(acct.ID)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(parents.Parents[0].Id); got != acct.ParentID {
		t.Errorf("parent of %s = %s, want %s", acct.ID, got, acct.ParentID)
	}
	in, err := c.ListAccountsForParent(ctx,
		&organizations.ListAccountsForParentInput{
			ParentId: aws.String(acct.ParentID)})
	if err != nil {
		t.Fatal(err)
	}
	if !containsAccount(in.Accounts, acct.ID) {
		t.Errorf("ListAccountsForParent(%s) lacks %s", acct.ParentID, acct.ID)
	}
	d, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{
		AccountId: aws.String(acct.ID)})
	if err != nil || aws.ToString(d.Account.Name) != acct.Name {
		t.Errorf("DescribeAccount = %v, %v; want name %s", d, err, acct.Name)
	}
	_, err = c.DescribeAccount(ctx, &organizations.DescribeAccountInput{
		AccountId: aws.String("999999999999")})
	var nf *types.AccountNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("unknown account: err %v, want AccountNotFoundException", err)
	}
}

func containsAccount(as []types.Account, id string) bool {
	for _, a := range as {
		if aws.ToString(a.Id) == id {
			return true
		}
	}
	return false
}

func cmpIgnoreUnexported() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Index(-1).(cmp.StructField)
		return ok && strings.HasPrefix(sf.Name(), "noSmithyDocument")
	}, cmp.Ignore())
}

func createSCP(t *testing.T, c *organizations.Client, name, content string) string {
	t.Helper()
	out, err := c.CreatePolicy(t.Context(), &organizations.CreatePolicyInput{
		Name: aws.String(name), Content: aws.String(content),
		Description: aws.String("test"),
		Type:        types.PolicyTypeServiceControlPolicy,
	})
	if err != nil {
		t.Fatalf("CreatePolicy %s: %v", name, err)
	}
	return aws.ToString(out.Policy.PolicySummary.Id)
}

func TestPolicyLifecycle(t *testing.T) {
	srv := awsfake.Start(t)
	c := orgClient(t, srv)
	ctx := t.Context()
	id := createSCP(t, c, "deny-serial-console", denySCP)

	_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("deny-serial-console"), Content: aws.String(denySCP),
		Description: aws.String("again"),
		Type:        types.PolicyTypeServiceControlPolicy,
	})
	var dup *types.DuplicatePolicyException
	if !errors.As(err, &dup) {
		t.Errorf("same name: err %v, want DuplicatePolicyException", err)
	}

	target := aws.String(member)
	attach := &organizations.AttachPolicyInput{PolicyId: &id, TargetId: target}
	if _, err := c.AttachPolicy(ctx, attach); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachPolicy(ctx, attach)
	var dupAttach *types.DuplicatePolicyAttachmentException
	if !errors.As(err, &dupAttach) {
		t.Errorf("attach twice: err %v, want DuplicatePolicyAttachmentException", err)
	}
	checkAttached(t, c, id)
}

// checkAttached checks the listings of a policy attached to member.
func checkAttached(t *testing.T, c *organizations.Client, id string) {
	t.Helper()
	ctx := t.Context()
	target := aws.String(member)

	listed, err := c.ListPoliciesForTarget(ctx,
		&organizations.ListPoliciesForTargetInput{
			TargetId: target, Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range listed.Policies {
		names = append(names, aws.ToString(p.Name))
	}
	if diff := cmp.Diff([]string{"FullAWSAccess", "deny-serial-console"},
		names); diff != "" {
		t.Errorf("policies on target (-want +got):\n%s", diff)
	}
	targets, err := c.ListTargetsForPolicy(ctx,
		&organizations.ListTargetsForPolicyInput{PolicyId: &id})
	if err != nil || len(targets.Targets) != 1 ||
		aws.ToString(targets.Targets[0].TargetId) != member {
		t.Errorf("targets = %+v, %v; want [%s]", targets, err, member)
	}
}

func TestUpdateAndDetachPolicy(t *testing.T) {
	srv := awsfake.Start(t)
	c := orgClient(t, srv)
	ctx := t.Context()
	id := createSCP(t, c, "deny-serial-console", denySCP)
	target := aws.String(member)
	if _, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: &id, TargetId: target}); err != nil {
		t.Fatal(err)
	}
	upd, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{
		PolicyId: &id, Content: aws.String(strings.Replace(denySCP,
			"Deny", "Deny ", 1))})
	if err != nil || !strings.Contains(aws.ToString(upd.Policy.Content), "Deny ") {
		t.Errorf("UpdatePolicy = %v; content not updated", err)
	}
	got, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
	if err != nil || aws.ToString(got.Policy.Content) != aws.ToString(upd.Policy.Content) {
		t.Errorf("DescribePolicy after update = %v", err)
	}

	if _, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{
		PolicyId: &id, TargetId: target}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{
		PolicyId: &id, TargetId: target})
	var notAttached *types.PolicyNotAttachedException
	if !errors.As(err, &notAttached) {
		t.Errorf("detach twice: err %v, want PolicyNotAttachedException", err)
	}
	_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{
		PolicyId: aws.String(awsfake.FullAWSAccessID), TargetId: target})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) ||
		cv.Reason != types.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded {
		t.Errorf("detach last SCP: err %v, want MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", err)
	}
}

func TestPolicyLimits(t *testing.T) {
	srv := awsfake.Start(t)
	c := orgClient(t, srv)
	ctx := t.Context()

	big := `{"Version":"2012-10-17","Statement":[` +
		strings.Repeat(" ", 5200) + `]}`
	_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("big"), Content: aws.String(big),
		Description: aws.String("too big"),
		Type:        types.PolicyTypeServiceControlPolicy,
	})
	var cv *types.ConstraintViolationException
	if !errors.As(err, &cv) ||
		cv.Reason != types.ConstraintViolationExceptionReasonPolicyContentLimitExceeded {
		t.Errorf("5,200 chars: err %v, want POLICY_CONTENT_LIMIT_EXCEEDED", err)
	}

	_, err = c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("bad"), Content: aws.String("{not json"),
		Description: aws.String("bad"),
		Type:        types.PolicyTypeServiceControlPolicy,
	})
	var mal *types.MalformedPolicyDocumentException
	if !errors.As(err, &mal) {
		t.Errorf("bad JSON: err %v, want MalformedPolicyDocumentException", err)
	}

	// FullAWSAccess is one of the five SCPs a target may have.
	for i := range 4 {
		id := createSCP(t, c, "scp-"+string(rune('a'+i)), denySCP)
		if _, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{
			PolicyId: &id, TargetId: aws.String(member)}); err != nil {
			t.Fatalf("attach SCP %d: %v", i+2, err)
		}
	}
	id := createSCP(t, c, "scp-sixth", denySCP)
	_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: &id, TargetId: aws.String(member)})
	if !errors.As(err, &cv) ||
		cv.Reason != types.ConstraintViolationExceptionReasonMaxPolicyTypeAttachmentLimitExceeded {
		t.Errorf("sixth SCP: err %v, want MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", err)
	}
}

func TestDeclarativePolicyThroughOrganizations(t *testing.T) {
	seed := awsfake.Org(4, 1)
	srv := awsfake.Start(t, awsfake.WithOrganization(seed))
	c := orgClient(t, srv)
	ctx := t.Context()
	srv.SetSerialConsole(member, "eu-west-1", true)

	out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{
		Name: aws.String("serial-console-off"), Description: aws.String("d"),
		Content: aws.String(declarativeDisabled),
		Type:    types.PolicyTypeDeclarativePolicyEc2,
	})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Policy.PolicySummary.Id
	root := aws.String(seed.RootID)
	_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: id, TargetId: root})
	var notEnabled *types.PolicyTypeNotEnabledException
	if !errors.As(err, &notEnabled) {
		t.Fatalf("attach before enabling: err %v, want PolicyTypeNotEnabledException", err)
	}
	if _, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
		RootId: root, PolicyType: types.PolicyTypeDeclarativePolicyEc2,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: id, TargetId: root}); err != nil {
		t.Fatal(err)
	}

	cfg := assumed(t, srv, member, "")
	client := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = "eu-west-1" })
	st, err := client.GetSerialConsoleAccessStatus(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(st.SerialConsoleAccessEnabled) ||
		st.ManagedBy != ec2types.ManagedByDeclarativePolicy {
		t.Errorf("status = %v, %q; want false, declarative-policy",
			aws.ToBool(st.SerialConsoleAccessEnabled), st.ManagedBy)
	}
}

func TestOrganizationsFaultsAndAccess(t *testing.T) {
	srv := awsfake.Start(t)
	srv.Inject(awsfake.Fault{Operation: "AttachPolicy",
		Code: "ConcurrentModificationException"})
	c := orgClient(t, srv)
	_, err := c.AttachPolicy(t.Context(), &organizations.AttachPolicyInput{
		PolicyId: aws.String(awsfake.FullAWSAccessID),
		TargetId: aws.String(member)})
	var cm *types.ConcurrentModificationException
	if !errors.As(err, &cm) {
		t.Errorf("err %v, want ConcurrentModificationException", err)
	}

	memberOrg := organizations.NewFromConfig(assumed(t, srv, member, ""))
	_, err = memberOrg.ListAccounts(t.Context(), nil)
	var denied *types.AccessDeniedException
	if !errors.As(err, &denied) {
		t.Errorf("member caller: err %v, want AccessDeniedException", err)
	}
}

func TestOrganizationsThrottlingRetried(t *testing.T) {
	srv := awsfake.Start(t)
	srv.Inject(awsfake.Fault{Operation: "ListAccounts",
		Code: "TooManyRequestsException", Times: 2})
	if _, err := orgClient(t, srv).ListAccounts(t.Context(), nil); err != nil {
		t.Errorf("two throttles should be retried: %v", err)
	}
	if n := len(srv.CallsTo("ListAccounts")); n != 3 {
		t.Errorf("attempts = %d, want 3", n)
	}
}

func TestListPoliciesAndDelete(t *testing.T) {
	srv := awsfake.Start(t)
	c := orgClient(t, srv)
	ctx := t.Context()
	want := []string{"FullAWSAccess"}
	for i := range 24 {
		name := "scp-" + string(rune('a'+i))
		createSCP(t, c, name, denySCP)
		want = append(want, name)
	}
	p := organizations.NewListPoliciesPaginator(c, &organizations.ListPoliciesInput{
		Filter: types.PolicyTypeServiceControlPolicy})
	var got []string
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Policies {
			got = append(got, aws.ToString(s.Name))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies (-want +got):\n%s", diff)
	}
	decl, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{
		Filter: types.PolicyTypeDeclarativePolicyEc2})
	if err != nil || len(decl.Policies) != 0 {
		t.Errorf("declarative policies = %v, %v; want none", decl, err)
	}

	id := createSCP(t, c, "to-delete", denySCP)
	if _, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{
		PolicyId: &id, TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: &id})
	var inUse *types.PolicyInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("delete attached: err %v, want PolicyInUseException", err)
	}
	if _, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{
		PolicyId: &id, TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{
		PolicyId: &id}); err != nil {
		t.Errorf("delete detached: %v", err)
	}
	_, err = c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: &id})
	var nf *types.PolicyNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("deleted policy: err %v, want PolicyNotFoundException", err)
	}
}

func TestSeededOUs(t *testing.T) {
	srv := awsfake.Start(t)
	root := srv.RootID()
	srv.AddOU(awsfake.OU{ID: "ou-a1b2-prod0001", Name: "prod"})
	srv.AddOU(awsfake.OU{ID: "ou-a1b2-prod0002", Name: "eu",
		ParentID: "ou-a1b2-prod0001"})
	srv.AddAccount(awsfake.Account{ID: "222233334444", Name: "prod-eu",
		ParentID: "ou-a1b2-prod0002"})
	c := orgClient(t, srv)
	var path []string
	for child := "222233334444"; child != root; {
		out, err := c.ListParents(t.Context(), &organizations.ListParentsInput{
			ChildId: aws.String(child)})
		if err != nil {
			t.Fatal(err)
		}
		child = aws.ToString(out.Parents[0].Id)
		path = append(path, child)
	}
	want := []string{"ou-a1b2-prod0002", "ou-a1b2-prod0001", root}
	if diff := cmp.Diff(want, path); diff != "" {
		t.Errorf("parents (-want +got):\n%s", diff)
	}
	if n := len(srv.Accounts()); n != 5 {
		t.Errorf("Accounts() = %d, want 5", n)
	}
	if got := srv.OrganizationID(); got != "o-a1b2c3d4e5" {
		t.Errorf("OrganizationID = %s", got)
	}
}
