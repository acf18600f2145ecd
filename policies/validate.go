package policies

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The keys serialguard reads under data.serialguard and in its entries.
// Unknown keys are errors: a misspelt not_after must not leave an
// approval open forever.
var (
	sectionKeys  = []string{"account_classes", "approvals"}
	approvalKeys = []string{"accounts", "id", "not_after", "not_before",
		"principals", "reason", "regions", "ticket"}
	classKeys = []string{"accounts", "ou_paths"}
)

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]{1,2}$`)
	ouPathRE  = regexp.MustCompile(`^o-[a-z0-9]+/(r-[a-z0-9]+/(ou-[a-z0-9-]+/)*)?$`)
)

// approval is the part of a validated approval the engine needs in Go:
// the SCP renderer exempts its principals until it ends.
type approval struct {
	id         string
	principals []string
	notAfter   time.Time // zero: no end
}

// validator collects every problem in one data document.
type validator struct {
	file      string
	errs      []error
	approvals []approval
}

// validateData checks data.serialguard in the document doc read from
// file and returns its approvals, or every problem found.
func validateData(file string, doc map[string]any) ([]approval, error) {
	v := &validator{file: file}
	section, ok := doc["serialguard"]
	if !ok {
		return nil, nil
	}
	m, ok := section.(map[string]any)
	if !ok {
		v.fail("serialguard", "", "is %s, want a mapping", typeName(section))
		return nil, errors.Join(v.errs...)
	}
	v.keys("serialguard", m, sectionKeys)
	if list, ok := m["approvals"]; ok {
		v.approvalList(list)
	}
	if classes, ok := m["account_classes"]; ok {
		v.classes(classes)
	}
	return v.approvals, errors.Join(v.errs...)
}

func (v *validator) fail(entry, field, format string, args ...any) {
	v.errs = append(v.errs, &DataError{File: v.file, Entry: entry,
		Field: field, Err: fmt.Errorf(format, args...)})
}

func (v *validator) keys(entry string, m map[string]any, known []string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(known, k) {
			v.fail(entry, k, "unknown key (known: %s)",
				strings.Join(known, ", "))
		}
	}
}

func (v *validator) approvalList(list any) {
	items, ok := list.([]any)
	if !ok {
		v.fail("serialguard.approvals", "", "is %s, want a list",
			typeName(list))
		return
	}
	seen := map[string]bool{}
	for i, item := range items {
		a, ok := v.approval(i, item)
		if !ok {
			continue
		}
		if seen[a.id] {
			v.fail(fmt.Sprintf("approvals[%d]", i), "id",
				"%q is the id of an earlier approval", a.id)
		}
		seen[a.id] = true
		v.approvals = append(v.approvals, a)
	}
}

// approval checks one approval; ok is false when it is unusable.
func (v *validator) approval(i int, item any) (approval, bool) {
	entry := fmt.Sprintf("approvals[%d]", i)
	m, ok := item.(map[string]any)
	if !ok {
		v.fail(entry, "", "is %s, want a mapping", typeName(item))
		return approval{}, false
	}
	if id, ok := m["id"].(string); ok && id != "" {
		entry += " (id " + id + ")"
	}
	before := len(v.errs)
	v.keys(entry, m, approvalKeys)
	a := approval{id: v.str(entry, m, "id", true)}
	a.principals = v.list(entry, m, "principals", true, validatePattern)
	v.list(entry, m, "accounts", false, validateAccountScope)
	v.list(entry, m, "regions", false, validateRegionScope)
	v.window(entry, m, &a)
	v.str(entry, m, "ticket", false)
	v.str(entry, m, "reason", false)
	return a, len(v.errs) == before
}

func (v *validator) window(entry string, m map[string]any, a *approval) {
	start := v.time(entry, m, "not_before")
	a.notAfter = v.time(entry, m, "not_after")
	if !start.IsZero() && !a.notAfter.IsZero() && !a.notAfter.After(start) {
		v.fail(entry, "not_after", "%s is not after not_before %s",
			a.notAfter.Format(time.RFC3339), start.Format(time.RFC3339))
	}
}

func (v *validator) str(entry string, m map[string]any, key string,
	required bool) string {
	x, ok := m[key]
	if !ok {
		if required {
			v.fail(entry, key, "missing")
		}
		return ""
	}
	s, ok := x.(string)
	switch {
	case !ok:
		v.fail(entry, key, "is %s, want a string", typeName(x))
	case s == "" && required:
		v.fail(entry, key, "is empty")
	}
	return s
}

func (v *validator) time(entry string, m map[string]any, key string) time.Time {
	if _, ok := m[key]; !ok {
		return time.Time{}
	}
	s := v.str(entry, m, key, true)
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(s)
	if err != nil {
		v.fail(entry, key, "%w", err)
	}
	return t
}

// list checks a list of strings with check; a required list must have
// at least one entry.
func (v *validator) list(entry string, m map[string]any, key string,
	required bool, check func(string) error) []string {
	x, ok := m[key]
	if !ok {
		if required {
			v.fail(entry, key, "missing")
		}
		return nil
	}
	items, ok := x.([]any)
	if !ok {
		v.fail(entry, key, "is %s, want a list", typeName(x))
		return nil
	}
	if required && len(items) == 0 {
		v.fail(entry, key, "is empty")
	}
	var out []string
	for i, item := range items {
		field := fmt.Sprintf("%s[%d]", key, i)
		if err := checkString(item, check); err != nil {
			v.fail(entry, field, "%w", err)
			continue
		}
		out = append(out, item.(string))
	}
	return out
}

func checkString(item any, check func(string) error) error {
	switch s := item.(type) {
	case string:
		return check(s)
	case json.Number:
		return fmt.Errorf("%s is a number: quote it as a string", s)
	}
	return fmt.Errorf("is %s, want a string", typeName(item))
}

func (v *validator) classes(x any) {
	m, ok := x.(map[string]any)
	if !ok {
		v.fail("serialguard.account_classes", "", "is %s, want a mapping",
			typeName(x))
		return
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		entry := "account_classes." + name
		c, ok := m[name].(map[string]any)
		if !ok {
			v.fail(entry, "", "is %s, want a mapping", typeName(m[name]))
			continue
		}
		v.keys(entry, c, classKeys)
		v.list(entry, c, "accounts", false, validateAccount)
		v.list(entry, c, "ou_paths", false, validateOUPath)
	}
}

func validateAccount(s string) error {
	if !accountRE.MatchString(s) {
		return fmt.Errorf("%q is not an AWS account id of 12 digits", s)
	}
	return nil
}

func validateAccountScope(s string) error {
	if s == "*" {
		return nil
	}
	return validateAccount(s)
}

func validateRegionScope(s string) error {
	if s == "*" || regionRE.MatchString(s) {
		return nil
	}
	return fmt.Errorf("%q is not an AWS region name such as eu-west-1", s)
}

func validateOUPath(s string) error {
	if !ouPathRE.MatchString(s) {
		return fmt.Errorf("%q is not an Organizations entity path such as "+
			"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/", s)
	}
	return nil
}
