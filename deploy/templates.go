// Package deploy holds serialguard's CloudFormation templates, embedded so
// that tests, and a binary that wants to print them, read exactly the
// files that are deployed. Package cfn parses them.
//
// The templates, in deployment order:
//
//	management-role.yaml  the Organizations role in the management account
//	member-role.yaml      the remediation role in every account (StackSet)
//	serialguard.yaml      the central stack: function, queues, rules, sweep
//	forwarder.yaml        the event forwarder in every account and region
package deploy

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

//go:embed cloudformation/*.yaml
var files embed.FS

// Template names, as given to Source.
const (
	Central    = "serialguard.yaml"
	MemberRole = "member-role.yaml"
	Management = "management-role.yaml"
	Forwarder  = "forwarder.yaml"
)

// Names lists the embedded templates in lexical order.
func Names() []string {
	// The pattern is a constant, so Glob cannot fail.
	names, _ := fs.Glob(files, "cloudformation/*.yaml")
	for i, n := range names {
		names[i] = path.Base(n)
	}
	return names
}

// Source returns the YAML text of the named template.
func Source(name string) ([]byte, error) {
	src, err := files.ReadFile(path.Join("cloudformation", path.Base(name)))
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", name, err)
	}
	return src, nil
}
