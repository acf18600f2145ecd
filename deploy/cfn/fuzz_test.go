package cfn_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/serialguard/serialguard/deploy/cfn"
)

// FuzzParse checks that no template, however broken, makes Parse panic,
// and that what Parse accepts it accepts again: resolution is
// deterministic.
func FuzzParse(f *testing.F) {
	paths, err := filepath.Glob("testdata/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	more, err := filepath.Glob("../cloudformation/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range append(paths, more...) {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, seed := range []string{
		minimal,
		topic(`!Sub ["${A}", {A: !Ref AWS::Region}]`),
		topic(`!If [C, !Ref AWS::NoValue, x]`),
		"Conditions: {C: !Or [!Condition C, !Condition C]}\n" + minimal,
		"Resources: {T: {Type: AWS::SNS::Topic, DependsOn: [[x]]}}",
		"Resources: !Ref x",
		"Resources:\n  T: !GetAtt [a, b, c]\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		_, err := cfn.Parse(src, cfn.Options{})
		if err != nil {
			return
		}
		if _, err := cfn.Parse(src, cfn.Options{}); err != nil {
			t.Fatalf("Parse accepted the template once, then failed: %v", err)
		}
	})
}
