package policies

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
)

// WriteBundle writes the policy at path (the embedded one when empty),
// without its tests, and the data files as an OPA bundle: a gzipped
// tarball that `opa run`, `opa eval --bundle` and OPA's bundle service
// load. The manifest's revision is the engine's Revision. It returns the
// revision.
func WriteBundle(ctx context.Context, w io.Writer, path string,
	dataPaths []string) (string, error) {
	p, err := loadPolicy(path, false, dataPaths)
	if err != nil {
		return "", err
	}
	if _, _, err := compile(ctx, p, p.modules); err != nil {
		return "", err
	}
	rev, err := p.revision()
	if err != nil {
		return "", err
	}
	b := bundle.Bundle{
		Manifest: bundle.Manifest{Revision: rev},
		Data:     p.data,
	}
	b.Manifest.SetRegoVersion(ast.RegoV1)
	for _, name := range slices.Sorted(maps.Keys(p.modules)) {
		b.Modules = append(b.Modules, bundle.ModuleFile{
			URL: name, Path: name, Raw: p.raw[name], Parsed: p.modules[name],
		})
	}
	if err := bundle.NewWriter(w).Write(b); err != nil {
		return "", fmt.Errorf("write bundle of %s: %w", p.name, err)
	}
	return rev, nil
}
