package cfn

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/intrinsics"
)

// mark starts a string that stands for something the resolved template
// must not contain: finish reports every marked string left in it, with
// the reason that follows the mark.
const mark = "\x00cfn: "

// processorOptions replaces every intrinsic function handler goformation
// has, so that none of its lossy defaults runs.
func (r *resolver) processorOptions() *intrinsics.ProcessorOptions {
	h := map[string]intrinsics.IntrinsicHandler{
		"Ref":        r.handler("Ref", r.ref),
		"Fn::GetAtt": r.handler("Fn::GetAtt", r.getAtt),
		"Fn::Sub":    r.handler("Fn::Sub", r.sub),
		"Fn::If":     r.handler("Fn::If", r.ifThen),
		"Fn::Join":   r.handler("Fn::Join", join),
	}
	// Conditions are evaluated from the unresolved template; finish puts
	// their values in place of the Conditions section.
	for _, fn := range []string{"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or"} {
		h[fn] = marker(fn + " outside the Conditions section")
	}
	for _, fn := range []string{
		"Fn::Base64", "Fn::FindInMap", "Fn::GetAZs", "Fn::ImportValue",
		"Fn::Select", "Fn::Split", "Fn::Cidr", "Fn::Transform",
	} {
		h[fn] = marker(fn + " is not supported")
	}
	return &intrinsics.ProcessorOptions{IntrinsicHandlerOverrides: h}
}

// handler adapts a resolving function to goformation, recording its error.
func (r *resolver) handler(name string, fn func(any) (any, error)) intrinsics.IntrinsicHandler {
	return func(_ string, arg, _ any) any {
		v, err := fn(arg)
		if err != nil {
			r.errs = append(r.errs, fmt.Errorf("%s: %w", name, err))
			return nil
		}
		return v
	}
}

func marker(reason string) intrinsics.IntrinsicHandler {
	return func(string, any, any) any { return mark + reason }
}

func (r *resolver) ref(arg any) (any, error) {
	name, ok := arg.(string)
	if !ok {
		return nil, fmt.Errorf("got %v, want a name", arg)
	}
	if _, ok := r.resources[name]; ok {
		return r.symbol(name, name), nil
	}
	return r.paramOrPseudo(name)
}

func (r *resolver) paramOrPseudo(name string) (any, error) {
	if v, ok := r.values[name]; ok {
		r.used[name] = true
		return v, nil
	}
	if v, ok := r.pseudo(name); ok {
		return v, nil
	}
	return nil, fmt.Errorf("%s is neither a parameter, a resource nor a pseudo parameter",
		name)
}

func (r *resolver) pseudo(name string) (any, bool) {
	o := r.opts
	switch name {
	case "AWS::AccountId":
		return o.AccountID, true
	case "AWS::Region":
		return o.Region, true
	case "AWS::Partition":
		return o.Partition, true
	case "AWS::StackName":
		return o.StackName, true
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/"+
			"00000000-0000-0000-0000-000000000000",
			o.Partition, o.Region, o.AccountID, o.StackName), true
	case "AWS::URLSuffix":
		if o.Partition == "aws-cn" {
			return "amazonaws.com.cn", true
		}
		return "amazonaws.com", true
	case "AWS::NotificationARNs":
		return []any{}, true
	case "AWS::NoValue":
		return nil, true
	}
	return nil, false
}

// symbol stands for a value CloudFormation knows only once the resource
// exists: "${Name}" or "${Name.Attribute}".
func (r *resolver) symbol(resource, text string) string {
	if !r.exists(resource) {
		return mark + "refers to " + resource + ", whose condition is false"
	}
	return "${" + text + "}"
}

// exists reports whether CloudFormation would create the resource.
func (r *resolver) exists(resource string) bool {
	cond, ok := r.resources[resource]["Condition"].(string)
	return !ok || r.conds[cond]
}

func (r *resolver) getAtt(arg any) (any, error) {
	var res, attr string
	switch arg := arg.(type) {
	case string:
		res, attr, _ = strings.Cut(arg, ".")
	case []any:
		if len(arg) == 2 {
			res, _ = arg[0].(string)
			attr, _ = arg[1].(string)
		}
	}
	if res == "" || attr == "" {
		return nil, fmt.Errorf("got %v, want a resource and an attribute", arg)
	}
	if _, ok := r.resources[res]; !ok {
		return nil, fmt.Errorf("%s is not a resource", res)
	}
	return r.symbol(res, res+"."+attr), nil
}

var subVariable = regexp.MustCompile(`\$\{[^}]*\}`)

func (r *resolver) sub(arg any) (any, error) {
	text, vars, err := subArgs(arg)
	if err != nil {
		return nil, err
	}
	var errs []error
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			return "${" + lit + "}"
		}
		v, err := r.subValue(name, vars)
		if err != nil {
			errs = append(errs, fmt.Errorf("${%s}: %w", name, err))
			return m
		}
		return v
	})
	return out, errors.Join(errs...)
}

func subArgs(arg any) (string, map[string]any, error) {
	if s, ok := arg.(string); ok {
		return s, nil, nil
	}
	if list, ok := arg.([]any); ok && len(list) == 2 {
		s, ok1 := list[0].(string)
		vars, ok2 := list[1].(map[string]any)
		if ok1 && ok2 {
			return s, vars, nil
		}
	}
	return "", nil, fmt.Errorf("got %v, want a string or [string, variables]", arg)
}

func (r *resolver) subValue(name string, vars map[string]any) (string, error) {
	v, ok := vars[name]
	if !ok {
		var err error
		if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(name)
		} else {
			v, err = r.ref(name)
		}
		if err != nil {
			return "", err
		}
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("value %v is not a string", v)
}

func (r *resolver) ifThen(arg any) (any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != 3 {
		return nil, fmt.Errorf("got %v, want [condition, then, else]", arg)
	}
	name, _ := list[0].(string)
	v, ok := r.conds[name]
	if !ok {
		return nil, fmt.Errorf("no condition %v", list[0])
	}
	if v {
		return list[1], nil
	}
	return list[2], nil
}

func join(arg any) (any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != 2 {
		return nil, fmt.Errorf("got %v, want [delimiter, list]", arg)
	}
	delim, ok1 := list[0].(string)
	parts, ok2 := list[1].([]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("got %v, want [delimiter, list]", arg)
	}
	strs := make([]string, len(parts))
	for i, p := range parts {
		s, ok := p.(string)
		if !ok {
			return nil, fmt.Errorf("element %d is %v, not a string", i, p)
		}
		strs[i] = s
	}
	return strings.Join(strs, delim), nil
}
