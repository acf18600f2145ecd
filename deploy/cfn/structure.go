package cfn

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// checkStructure checks the names that tie the template together.
func (r *resolver) checkStructure() {
	for _, name := range slices.Sorted(maps.Keys(r.resources)) {
		res := r.resources[name]
		if _, ok := r.params[name]; ok {
			r.fail("resource %s: a parameter has the same name", name)
		}
		r.checkType(name, res["Type"])
		r.checkCondition("resource "+name, res["Condition"])
		r.checkDependsOn(name, res["DependsOn"])
	}
}

// knownTypes are the resource types goformation has types for.
var knownTypes = sync.OnceValue(cloudformation.AllResources)

func (r *resolver) checkType(name string, typ any) {
	t, _ := typ.(string)
	_, known := knownTypes()[t]
	switch {
	case t == "":
		r.fail("resource %s: no Type", name)
	case !known && !strings.HasPrefix(t, "Custom::"):
		r.fail("resource %s: unknown type %s", name, t)
	}
}

func (r *resolver) checkCondition(what string, cond any) {
	if cond == nil {
		return
	}
	name, ok := cond.(string)
	if !ok {
		r.fail("%s: Condition is %v, not a name", what, cond)
		return
	}
	if _, ok := r.condExprs[name]; !ok {
		r.fail("%s: no condition %s", what, name)
	}
}

func (r *resolver) checkDependsOn(name string, deps any) {
	var list []any
	switch deps := deps.(type) {
	case nil:
		return
	case string:
		list = []any{deps}
	case []any:
		list = deps
	}
	if list == nil {
		r.fail("resource %s: DependsOn is %v, not names", name, deps)
	}
	for _, d := range list {
		dep, _ := d.(string)
		if _, ok := r.resources[dep]; !ok {
			r.fail("resource %s: DependsOn %v, which is not a resource", name, d)
		}
	}
}

// finish turns the resolved template into what CloudFormation would
// create, and reports what could not be resolved.
func (r *resolver) finish(doc map[string]any) error {
	delete(doc, "Conditions")
	if len(r.conds) > 0 {
		doc["Conditions"] = r.conds
	}
	r.prune(doc, "Resources")
	r.prune(doc, "Outputs")
	for _, name := range slices.Sorted(maps.Keys(r.params)) {
		if !r.used[name] {
			r.fail("parameter %s: nothing refers to it", name)
		}
	}
	r.scan("", doc)
	return errors.Join(r.errs...)
}

// prune drops the resources or outputs whose condition is false.
func (r *resolver) prune(doc map[string]any, section string) {
	entries, _ := doc[section].(map[string]any)
	for name, e := range entries {
		obj, _ := e.(map[string]any)
		if section == "Outputs" {
			r.checkCondition("output "+name, obj["Condition"])
		}
		if cond, ok := obj["Condition"].(string); ok && !r.conds[cond] {
			delete(entries, name)
		}
	}
}

// scan reports the marked strings and unresolved intrinsic functions left
// in v, naming where they are.
func (r *resolver) scan(path string, v any) {
	switch v := v.(type) {
	case string:
		if _, reason, ok := strings.Cut(v, mark); ok {
			r.fail("%s: %s", path, reason)
		}
	case []any:
		for i, e := range v {
			r.scan(fmt.Sprintf("%s[%d]", path, i), e)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if k == "Ref" || strings.HasPrefix(k, "Fn::") {
				r.fail("%s: %s is not supported", path, k)
				continue
			}
			r.scan(strings.TrimPrefix(path+"."+k, "."), v[k])
		}
	}
}
