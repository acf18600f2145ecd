// Package cfn parses CloudFormation templates into goformation's typed
// resources the way CloudFormation would read them for one set of
// parameter values, so that tests can assert what a stack creates.
//
// goformation on its own resolves Ref only to parameter defaults, drops
// every Fn::GetAtt and every reference to a resource, and cuts unresolved
// variables out of Fn::Sub strings: a trust policy's principal ARN or a
// queue policy's source ARN comes out empty and a test of it passes or
// fails for the wrong reason. Parse resolves intrinsic functions itself:
//
//   - Ref to a parameter gives its value (the override, else the default),
//     typed by the parameter's Type; Ref to a pseudo parameter gives the
//     Options value; Ref to a resource gives the symbol "${Name}";
//   - Fn::GetAtt gives the symbol "${Name.Attribute}";
//   - Fn::Sub substitutes all three, and keeps "${!Literal}" as
//     "${Literal}";
//   - Fn::If picks the branch its condition selects, and Fn::Join joins;
//   - conditions (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) are
//     evaluated, and resources and outputs whose condition is false are
//     left out, as CloudFormation would not create them.
//
// Parse is strict. It fails on what CloudFormation would reject for the
// given values (a missing or invalid parameter value, a reference to an
// unknown name or to a resource whose condition is false, a property that
// the resource type does not have) and on what CloudFormation accepts but
// is almost surely a mistake (a parameter nothing refers to). The other
// intrinsic functions are rejected as unsupported.
package cfn

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
)

// Options are the values CloudFormation would supply when deploying.
type Options struct {
	// Parameters are parameter values by name, as strings, as the
	// CloudFormation API takes them. Parameters not given take their
	// default.
	Parameters map[string]string

	// AccountID, Region, Partition and StackName are the values of the
	// pseudo parameters; empty ones default to 111122223333, eu-west-1,
	// aws and serialguard.
	AccountID string
	Region    string
	Partition string
	StackName string
}

// yamlMu serialises goformation's YAML processing: each call registers
// its tag resolvers in a package-level map.
var yamlMu sync.Mutex

// Parse parses a YAML or JSON template and resolves it for opts.
func Parse(src []byte, opts Options) (*cloudformation.Template, error) {
	raw, err := decode(src, nil)
	if err != nil {
		return nil, err
	}
	r, err := newResolver(raw, opts.withDefaults())
	if err != nil {
		return nil, err
	}
	resolved, err := decode(src, r.processorOptions())
	if err != nil {
		return nil, err
	}
	if err := r.finish(resolved); err != nil {
		return nil, err
	}
	return r.typed(resolved)
}

// decode turns the template into generic JSON values, resolving intrinsic
// functions with the given handlers, or leaving them alone without.
func decode(src []byte, po *intrinsics.ProcessorOptions) (map[string]any, error) {
	if po == nil {
		po = &intrinsics.ProcessorOptions{NoProcess: true}
	}
	yamlMu.Lock()
	data, err := intrinsics.ProcessYAML(src, po)
	yamlMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	if doc == nil {
		return nil, errors.New("read template: not a mapping")
	}
	return doc, nil
}

// typed unmarshals the resolved template into goformation's resource
// types, which reject unknown resource types and properties, and records
// the conditions' values.
func (r *resolver) typed(doc map[string]any) (*cloudformation.Template, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode resolved template: %w", err)
	}
	tmpl, err := goformation.ParseJSONWithOptions(data,
		&intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("read resources: %w", err)
	}
	tmpl.Conditions = make(map[string]any, len(r.conds))
	for name, v := range r.conds {
		tmpl.Conditions[name] = v
	}
	return tmpl, nil
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.AccountID, "111122223333")
	def(&o.Region, "eu-west-1")
	def(&o.Partition, "aws")
	def(&o.StackName, "serialguard")
	return o
}
