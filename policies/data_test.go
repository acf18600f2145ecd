package policies

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkData parses and validates one data document, as a file named name.
func checkData(name, src string) error {
	doc, err := parseData(name, []byte(src))
	if err != nil {
		return err
	}
	_, err = validateData(name, doc)
	return err
}

func TestValidateDataAccepts(t *testing.T) {
	for _, tc := range []struct{ name, file, src string }{
		{"empty document", "a.yaml", "{}"},
		{"other top-level data", "a.yaml", "corp:\n  cidrs: [10.0.0.0/8]\n"},
		{"minimal approval", "a.yaml", `
serialguard:
  approvals:
    - id: A
      principals: ["arn:aws:iam::111122223333:role/BreakGlass"]
`},
		{"unquoted timestamps", "a.yaml", `
serialguard:
  approvals:
    - id: A
      principals: ["arn:aws:iam::*:role/ops/*"]
      accounts: ["*"]
      regions: [us-gov-west-1, eusc-de-east-1]
      not_before: 2026-03-02T13:00:00+01:00
      not_after: 2026-03-02T17:00:00.5Z
`},
		{"json", "a.json", `{"serialguard": {"approvals": [{"id": "A",
"principals": ["arn:aws-cn:iam::111122223333:user/ops"], "accounts": [],
"ticket": "T-1", "reason": ""}], "account_classes": {"production":
{"accounts": ["012345678901"], "ou_paths": ["o-a1b2c3d4e5/"]}}}}`},
		{"example", "approvals.yaml", readExample(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkData(tc.file, tc.src); err != nil {
				t.Errorf("got %v, want no error", err)
			}
		})
	}
}

func readExample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(approvalsFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestValidateDataRejects(t *testing.T) {
	const head = "serialguard:\n  approvals:\n"
	// approval is an approval CHG-1 with fields added.
	approval := func(fields string) string {
		return head + "    - id: CHG-1\n" +
			"      principals: [\"arn:aws:iam::111122223333:role/X\"]\n" +
			fields
	}
	// principal is an approval A with one principal pattern.
	principal := func(p string) string {
		return head + "    - id: A\n      principals: [\"" + p + "\"]\n"
	}
	// production is an account class with fields.
	production := func(fields string) string {
		return "serialguard:\n  account_classes:\n    production:\n" + fields
	}
	for _, tc := range []struct{ name, file, src, want string }{
		{"bad extension", "a.toml", "",
			"a.toml: want a .json, .yaml or .yml file"},
		{"not a mapping", "a.yaml", "- 1\n",
			"the document is a list, want a mapping"},
		{"empty file", "a.yaml", "",
			"the document is null, want a mapping"},
		{"yaml syntax", "a.yaml", "a: [",
			"read data file a.yaml: yaml: line 1"},
		{"duplicate key", "a.yaml", "a: 1\na: 2\n",
			`line 2: key "a" appears twice`},
		{"json trailing data", "a.json", `{} {}`,
			"data after the JSON document"},
		{"section not a mapping", "a.yaml", "serialguard: []\n",
			"a.yaml: serialguard: is a list, want a mapping"},
		{"unknown section key", "a.yaml", "serialguard:\n  decision: {}\n",
			"a.yaml: serialguard: decision: unknown key " +
				"(known: account_classes, approvals)"},
		{"approvals not a list", "a.yaml", "serialguard:\n  approvals: {}\n",
			"a.yaml: serialguard.approvals: is a mapping, want a list"},
		{"entry not a mapping", "a.yaml", head + "    - x\n",
			"a.yaml: approvals[0]: is a string, want a mapping"},
		{"missing id", "a.yaml",
			head + "    - principals: [\"arn:aws:iam::111122223333:root\"]\n",
			"a.yaml: approvals[0]: id: missing"},
		{"misspelt field", "a.yaml",
			approval("      not_afer: 2026-01-01T00:00:00Z\n"),
			"a.yaml: approvals[0] (id CHG-1): not_afer: unknown key"},
		{"invalid time", "a.yaml",
			approval("      not_after: 2026-02-30T00:00:00Z\n"),
			`a.yaml: approvals[0] (id CHG-1): not_after: ` +
				`"2026-02-30T00:00:00Z" is not an RFC 3339 time`},
		{"date only", "a.yaml", approval("      not_after: 2026-03-01\n"),
			`not_after: "2026-03-01" is not an RFC 3339 time`},
		{"time out of range", "a.yaml",
			approval("      not_before: 2300-01-01T00:00:00Z\n"),
			`not_before: "2300-01-01T00:00:00Z" is outside the years 1678 to 2261`},
		{"window reversed", "a.yaml",
			approval("      not_before: 2026-03-02T17:00:00Z\n" +
				"      not_after: 2026-03-02T13:00:00Z\n"),
			"approvals[0] (id CHG-1): not_after: 2026-03-02T13:00:00Z " +
				"is not after not_before 2026-03-02T17:00:00Z"},
		{"empty principal", "a.yaml", principal(""),
			"a.yaml: approvals[0] (id A): principals[0]: empty principal pattern"},
		{"no principals", "a.yaml", head + "    - id: A\n      principals: []\n",
			"approvals[0] (id A): principals: is empty"},
		{"principal not an ARN", "a.yaml", principal("*"),
			`principals[0]: "*" does not start with "arn:"`},
		{"principal glob class", "a.yaml",
			principal("arn:aws:iam::111122223333:role/[ab]*"),
			`principals[0]: "arn:aws:iam::111122223333:role/[ab]*" contains '['`},
		{"account as number", "a.yaml", approval("      accounts: [111122223333]\n"),
			"accounts[0]: 111122223333 is a number: quote it as a string"},
		{"short account", "a.json", `{"serialguard": {"approvals": [{"id": "A",
			"principals": ["arn:aws:iam::111122223333:root"],
			"accounts": ["11112222333"]}]}}`,
			`a.json: approvals[0] (id A): accounts[0]: "11112222333" ` +
				`is not an AWS account id of 12 digits`},
		{"bad region", "a.yaml", approval("      regions: [EU-West-1]\n"),
			`regions[0]: "EU-West-1" is not an AWS region name`},
		{"regions not a list", "a.yaml", approval("      regions: eu-west-1\n"),
			"regions: is a string, want a list"},
		{"ticket not a string", "a.yaml", approval("      ticket: 4711\n"),
			"ticket: is a number, want a string"},
		{"duplicate id", "a.yaml", head +
			"    - {id: A, principals: [\"arn:aws:iam::111122223333:root\"]}\n" +
			"    - {id: A, principals: [\"arn:aws:iam::111122223333:root\"]}\n",
			`a.yaml: approvals[1]: id: "A" is the id of an earlier approval`},
		{"class not a mapping", "a.yaml",
			"serialguard:\n  account_classes:\n    production: [1]\n",
			"a.yaml: account_classes.production: is a list, want a mapping"},
		{"class star account", "a.yaml", production("      accounts: [\"*\"]\n"),
			`account_classes.production: accounts[0]: "*" is not an AWS account id`},
		{"ou path without slash", "a.yaml",
			production("      ou_paths: [o-a1b2c3d4e5/r-ab12/ou-ab12-11111111]\n"),
			`ou_paths[0]: "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111" ` +
				`is not an Organizations entity path`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkData(tc.file, tc.src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestValidateDataReportsEveryProblem(t *testing.T) {
	err := checkData("a.yaml", `
serialguard:
  approvals:
    - id: CHG-1
      principals: ["arn:aws:iam::111122223333:role/X", "arn:aws:iam:role"]
      accounts: ["1"]
      not_after: soon
`)
	var got []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var de *DataError
		if !errors.As(e, &de) {
			t.Fatalf("%v is not a *DataError", e)
		}
		got = append(got, de.Entry+" "+de.Field)
	}
	want := []string{
		"approvals[0] (id CHG-1) principals[1]",
		"approvals[0] (id CHG-1) accounts[0]",
		"approvals[0] (id CHG-1) not_after",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestAddDataMerges(t *testing.T) {
	dir := t.TempDir()
	second := filepath.Join(dir, "more.json")
	writeFile(t, second, `{"serialguard": {"approvals": [{"id": "CHG-5",
"principals": ["arn:aws:iam::111122223333:role/Ops"]}], "account_classes":
{"production": {"accounts": ["999900001111"]}}}}`)
	p, err := loadPolicy("", false, []string{approvalsFile, second})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range p.approvals {
		ids = append(ids, a.id)
	}
	if diff := cmp.Diff([]string{"CHG-4711", "CHG-5120", "STD-0042", "CHG-5"}, ids); diff != "" {
		t.Errorf("approval ids (-want +got):\n%s", diff)
	}
	sg := p.data["serialguard"].(map[string]any)
	prod := sg["account_classes"].(map[string]any)["production"].(map[string]any)
	if diff := cmp.Diff([]any{"111122223333", "444455556666", "999900001111"},
		prod["accounts"]); diff != "" {
		t.Errorf("production accounts (-want +got):\n%s", diff)
	}
}

func TestAddDataConflicts(t *testing.T) {
	dir := t.TempDir()
	dup := filepath.Join(dir, "dup.yaml")
	writeFile(t, dup, "serialguard:\n  approvals:\n    - id: CHG-4711\n"+
		"      principals: [\"arn:aws:iam::111122223333:root\"]\n")
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	writeFile(t, a, `{"corp": {"owner": "secops"}}`)
	writeFile(t, b, `{"corp": {"owner": "netops"}}`)
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"same approval id", []string{approvalsFile, dup},
			`dup.yaml: approval CHG-4711: id: "CHG-4711" is also the id ` +
				`of an approval in an earlier data file`},
		{"same scalar", []string{a, b},
			"merge data file " + b + ": data.corp.owner is already set " +
				"by another data file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadPolicy("", false, tc.files)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func writeFile(t *testing.T, path, src string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParseYAMLAliasBomb(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g"} {
		src += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" +
			prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
			prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	_, err := parseData("bomb.yaml", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "aliases expand too far") {
		t.Errorf("got %v, want the alias budget error", err)
	}
}

func FuzzParseData(f *testing.F) {
	f.Add("a.yaml", []byte(readExampleF(f)))
	f.Add("a.json", []byte(`{"serialguard":{"approvals":[{"id":"A",`+
		`"principals":["arn:aws:iam::1:root"]}]}}`))
	f.Add("a.yaml", []byte("serialguard:\n  approvals:\n    - {id: 1, principals: [*a]}\n"))
	f.Add("a.yaml", []byte("x: !!binary aGVsbG8=\ny: .inf\n"))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		doc, err := parseData(name, b)
		if err != nil {
			return
		}
		approvals, err := validateData(name, doc)
		if err != nil {
			return
		}
		for _, a := range approvals {
			if a.id == "" || len(a.principals) == 0 {
				t.Errorf("valid approval %+v lacks id or principals", a)
			}
			for _, p := range a.principals {
				if validatePattern(p) != nil {
					t.Errorf("valid approval has invalid pattern %q", p)
				}
			}
		}
	})
}

func readExampleF(f *testing.F) string {
	b, err := os.ReadFile(approvalsFile)
	if err != nil {
		f.Fatal(err)
	}
	return string(b)
}
