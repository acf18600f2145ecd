package deploy_test

import (
	"maps"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation"

	"github.com/serialguard/serialguard/deploy"
	"github.com/serialguard/serialguard/deploy/cfn"
)

// Account ids and values from the AWS documentation's examples.
const (
	centralAccount    = "111122223333"
	managementAccount = "777788889999"
	organizationID    = "o-a1b2c3d4e5"
	externalID        = "5f3c9e1a-7b2d-4c8e-9a6f-0d1e2b3c4a5f"
	managementRoleARN = "arn:aws:iam::777788889999:role/serialguard-organizations"
	centralBusARN     = "arn:aws:events:eu-west-1:111122223333:event-bus/serialguard"
)

// required holds, for every template, the parameters without defaults.
var required = map[string]map[string]string{
	deploy.Central: {
		"CodeBucket":        "amzn-s3-demo-bucket",
		"CodeKey":           "serialguard/serialguard-v1.0.0-linux-arm64.zip",
		"OrganizationId":    organizationID,
		"ExternalId":        externalID,
		"ManagementRoleArn": managementRoleARN,
	},
	deploy.MemberRole: {
		"CentralAccountId": centralAccount,
		"ExternalId":       externalID,
	},
	deploy.Management: {
		"CentralAccountId": centralAccount,
		"ExternalId":       externalID,
	},
	deploy.Forwarder: {
		"CentralBusArn": centralBusARN,
	},
}

// withOrgBus turns on every optional part of the central stack.
var withOrgBus = map[string]string{
	"OrgBusName":        "serialguard",
	"NotificationEmail": "security@example.com",
	"ScpTarget":         "ou-ab12-cdef3456",
	"AttachScp":         "true",
	"DryRun":            "false",
	"Regions":           "eu-west-1,us-east-1",
	"PolicyData":        "approvals.yaml,accounts.yaml",
}

// load parses the named template with its required parameters, extra
// ones overriding them, in the central account.
func load(t *testing.T, name string, extra map[string]string) *cloudformation.Template {
	t.Helper()
	src, err := deploy.Source(name)
	if err != nil {
		t.Fatal(err)
	}
	params := maps.Clone(required[name])
	if name == deploy.Central {
		maps.Copy(params, extra)
	}
	account := centralAccount
	if name == deploy.Management {
		account = managementAccount
	}
	tmpl, err := cfn.Parse(src, cfn.Options{Parameters: params, AccountID: account})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return tmpl
}

// variant is one way to deploy every template.
type variant struct {
	name    string
	central map[string]string
}

var variants = []variant{
	{"defaults", nil},
	{"org bus and options", withOrgBus},
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
