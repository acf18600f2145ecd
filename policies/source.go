package policies

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
)

// embeddedName names the default policy in errors and reports.
const embeddedName = "embedded policy"

// policy is what an engine or a verb works on: Rego modules and data
// from the embedded default, a directory or a bundle, plus data files.
type policy struct {
	name      string
	modules   map[string]*ast.Module // by file name
	raw       map[string][]byte
	data      map[string]any
	approvals []approval
}

// loadPolicy reads the policy at path: the embedded default when path is
// empty, a bundle when path is a .tar.gz file, else a directory or file
// of Rego and data as `opa eval -d` reads it. Test modules (*_test.rego)
// are kept only when withTests is set. The data files are validated and
// merged into the policy's data.
func loadPolicy(path string, withTests bool, dataPaths []string) (*policy, error) {
	p, err := readPolicy(path, withTests)
	if err != nil {
		return nil, err
	}
	if p.approvals, err = validateData(p.name, p.data); err != nil {
		return nil, err
	}
	for _, dp := range dataPaths {
		if err := p.addData(dp); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func readPolicy(path string, withTests bool) (*policy, error) {
	filter := func(_ string, info fs.FileInfo, _ int) bool {
		return !withTests && isTestModule(info.Name())
	}
	fl := loader.NewFileLoader().
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		WithFilter(filter)
	switch {
	case path == "":
		res, err := fl.WithFS(embedded).Filtered([]string{embeddedRoot}, filter)
		if err != nil {
			return nil, fmt.Errorf("load %s: %w", embeddedName, err)
		}
		return fromResult(embeddedName, res), nil
	case isBundleFile(path):
		return readBundle(fl, path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	res, err := fl.Filtered([]string{path}, filter)
	if err != nil {
		return nil, fmt.Errorf("load policy %s: %w", path, err)
	}
	return fromResult(path, res), nil
}

func readBundle(fl loader.FileLoader, path string) (*policy, error) {
	b, err := fl.WithSkipBundleVerification(true).AsBundle(path)
	if err != nil {
		return nil, fmt.Errorf("load policy: %w", err)
	}
	p := &policy{name: path, modules: map[string]*ast.Module{},
		raw: map[string][]byte{}, data: b.Data}
	for _, m := range b.Modules {
		p.modules[m.Path] = m.Parsed
		p.raw[m.Path] = m.Raw
	}
	if p.data == nil {
		p.data = map[string]any{}
	}
	return p, nil
}

func fromResult(name string, res *loader.Result) *policy {
	p := &policy{name: name, modules: map[string]*ast.Module{},
		raw: map[string][]byte{}, data: res.Documents}
	for _, f := range res.Modules {
		p.modules[f.Name] = f.Parsed
		p.raw[f.Name] = f.Raw
	}
	return p
}

func isTestModule(name string) bool { return strings.HasSuffix(name, "_test.rego") }

func isBundleFile(path string) bool {
	return strings.HasSuffix(path, ".tar.gz") || strings.HasSuffix(path, ".tgz")
}

// addData validates the data file at path and merges it into p.data.
func (p *policy) addData(path string) error {
	doc, err := readDataFile(path)
	if err != nil {
		return err
	}
	approvals, err := validateData(path, doc)
	if err != nil {
		return err
	}
	for _, a := range approvals {
		if p.hasApproval(a.id) {
			return &DataError{File: path, Entry: "approval " + a.id,
				Field: "id", Err: fmt.Errorf("%q is also the id of an "+
					"approval in an earlier data file", a.id)}
		}
	}
	if err := mergeData(p.data, doc, path); err != nil {
		return err
	}
	p.approvals = append(p.approvals, approvals...)
	return nil
}

func (p *policy) hasApproval(id string) bool {
	return slices.ContainsFunc(p.approvals, func(a approval) bool {
		return a.id == id
	})
}

// policyModules returns the modules that make decisions, tests left out.
func (p *policy) policyModules() map[string]*ast.Module {
	out := make(map[string]*ast.Module, len(p.modules))
	for name, m := range p.modules {
		if !isTestModule(name) {
			out[name] = m
		}
	}
	return out
}

// revision is a short digest over the modules and data, so that every
// decision names the policy that made it.
func (p *policy) revision() (string, error) {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(p.raw)) {
		fmt.Fprintf(h, "module %s %d\n", name, len(p.raw[name]))
		h.Write(p.raw[name])
	}
	data, err := json.Marshal(p.data)
	if err != nil {
		return "", fmt.Errorf("digest data of %s: %w", p.name, err)
	}
	fmt.Fprintf(h, "data %d\n", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
