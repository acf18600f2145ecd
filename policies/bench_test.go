package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
)

// BenchmarkDecide is one decision on the prepared query, with the example
// approvals: an approved enablement, without and with its CloudTrail
// record (input.ecs), an expired approval, a sweep's enabled_state.
func BenchmarkDecide(b *testing.B) {
	e := newEngine(b, Options{DataPaths: []string{approvalsFile}})
	findings := readFindings(b)
	withRecord := fixtureInput(findings[0])
	withRecord.Finding.Record = breakGlassRecord("true")
	for _, tc := range []struct {
		name string
		in   Input
	}{
		{"approved", fixtureInput(findings[0])},
		{"approved_with_ecs", withRecord},
		{"expired", fixtureInput(findings[1])},
		{"sweep", fixtureInput(findings[11])},
	} {
		in := tc.in
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if d := e.Decide(ctx, in); d.Error != "" {
					b.Fatal(d.Error)
				}
			}
		})
	}
}

// BenchmarkDecideManyApprovals decides an enablement that none of 100
// approvals names: what scanning one more approval costs.
func BenchmarkDecideManyApprovals(b *testing.B) {
	var approvals []any
	for i := range 100 {
		approvals = append(approvals, map[string]any{
			"id": fmt.Sprintf("CHG-%d", i),
			"principals": []string{
				fmt.Sprintf("arn:aws:iam::%012d:role/BreakGlass", i)},
			"accounts": []string{"444455556666"},
			"regions":  []string{"eu-west-1"},
		})
	}
	doc, err := json.Marshal(map[string]any{
		"serialguard": map[string]any{"approvals": approvals}})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "approvals.json")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		b.Fatal(err)
	}
	e := newEngine(b, Options{DataPaths: []string{path}})
	in := fixtureInput(readFindings(b)[0])
	b.ReportAllocs()
	for b.Loop() {
		if d := e.Decide(context.Background(), in); d.Action != ActionRemediate {
			b.Fatalf("got %+v, want remediate", d)
		}
	}
}

// BenchmarkDecideOneRule is the engine's own cost per decision: input,
// evaluation and result checks around a policy of one rule.
func BenchmarkDecideOneRule(b *testing.B) {
	dir := b.TempDir()
	src := `package serialguard

decision := {"action": "remediate", "approved": false, "approval_id": "",
	"attach_scp": false, "reasons": [input.finding.actor.principal_arn]}
`
	if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(src), 0o644); err != nil {
		b.Fatal(err)
	}
	e := newEngine(b, Options{PolicyPath: dir})
	in := fixtureInput(readFindings(b)[0])
	b.ReportAllocs()
	for b.Loop() {
		if d := e.Decide(context.Background(), in); d.Error != "" {
			b.Fatal(d.Error)
		}
	}
}

// BenchmarkDecideParallel shares one engine across goroutines, as the bot
// does.
func BenchmarkDecideParallel(b *testing.B) {
	e := newEngine(b, Options{DataPaths: []string{approvalsFile}})
	in := fixtureInput(readFindings(b)[0])
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e.Decide(context.Background(), in)
		}
	})
}

// BenchmarkOneShot is what the prepared query saves: parse, compile and
// evaluate the policy for every decision, as a naive rego.New().Eval
// would.
func BenchmarkOneShot(b *testing.B) {
	ctx := context.Background()
	p, err := loadPolicy("", false, []string{approvalsFile})
	if err != nil {
		b.Fatal(err)
	}
	in := fixtureInput(readFindings(b)[0])
	input, err := inputValue(in, in.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		opts := []func(*rego.Rego){rego.Query(DecisionPath),
			rego.Store(mustStore(b, p.data)), rego.ParsedInput(input)}
		for name, raw := range p.raw {
			opts = append(opts, rego.Module(name, string(raw)))
		}
		rs, err := rego.New(opts...).Eval(ctx)
		if err != nil || len(rs) != 1 {
			b.Fatal(err, rs)
		}
	}
}

func mustStore(b *testing.B, data map[string]any) storage.Store {
	s, err := newStore(context.Background(), data)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkInput compares building input as an AST value, as the engine
// does, with the JSON round trip it avoids.
func BenchmarkInput(b *testing.B) {
	in := fixtureInput(readFindings(b)[0])
	b.Run("ast", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inputValue(in, in.Now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			doc := map[string]any{"finding": in.Finding,
				"account": in.Account, "now": in.Now}
			raw, err := json.Marshal(doc)
			if err != nil {
				b.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
			if _, err := ast.InterfaceToValue(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}
