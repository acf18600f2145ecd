package deploy_test

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/serialguard/serialguard/deploy"
)

// TestREADME keeps the deployment guide in step with the templates: it
// must name every template, parameter and environment variable, the
// sweep payload and the build command.
func TestREADME(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	want := []string{
		sweepPayload,
		"GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc",
		`-trimpath -ldflags "-s -w" -o bootstrap ./cmd/serialguard`,
	}
	for _, name := range deploy.Names() {
		want = append(want, "`"+name+"`")
		tmpl := load(t, name, nil)
		for _, p := range slices.Sorted(maps.Keys(tmpl.Parameters)) {
			want = append(want, "`"+p+"`")
		}
	}
	fn, err := load(t, deploy.Central, nil).GetLambdaFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range slices.Sorted(maps.Keys(fn.Environment.Variables)) {
		want = append(want, "`"+v+"`")
	}
	for _, w := range want {
		if !strings.Contains(readme, w) {
			t.Errorf("README.md does not mention %s", w)
		}
	}
}
