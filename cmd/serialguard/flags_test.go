package main

import (
	"bytes"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/serialguard/serialguard/bot"
)

// TestConfigFlagsSetTheirKeys sets every configuration flag of run and
// audit and checks that each lands on its own key.
func TestConfigFlagsSetTheirKeys(t *testing.T) {
	offlineEnv(t)
	var c configFlags
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	keys := slices.Concat(runConfigKeys, auditConfigKeys)
	slices.Sort(keys)
	addConfigFlags(fs, &c, slices.Compact(keys)...)
	err := fs.Parse([]string{"--dry-run", "--region", "eu-west-2",
		"--role-name", "r", "--external-id", "xid", "--policy", "p",
		"--data", "a.yaml", "--data", "b.json",
		"--sns-topic-arn", "arn:aws:sns:eu-west-1:111122223333:t",
		"--attach-scp", "--audit-log", "audit.ndjson", "--concurrency", "3",
		"--listen", ":9090", "--management-role-arn", "arn:m",
		"--regions", "eu-west-1,us-east-1"})
	if err != nil {
		t.Fatal(err)
	}

	got, err := c.resolve(t.Context(), fs, slog.New(slog.DiscardHandler))

	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	want := bot.DefaultConfig()
	want.DryRun, want.Region, want.RoleName = true, "eu-west-2", "r"
	want.ExternalID, want.Policy = "xid", "p"
	want.Data = []string{"a.yaml", "b.json"}
	want.SNSTopicARN = "arn:aws:sns:eu-west-1:111122223333:t"
	want.AttachSCP, want.AuditLog, want.Concurrency = true, "audit.ndjson", 3
	want.Listen, want.ManagementRoleARN = ":9090", "arn:m"
	want.Regions = []string{"eu-west-1", "us-east-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

// sameNameOtherMeaning lists the flags whose name means different
// things in different verbs, and so may be described differently.
var sameNameOtherMeaning = map[string]bool{
	"help":        true, // "help for VERB"
	"output":      true, // the formats differ; a file for policy bundle
	"concurrency": true, // events at once (run), pairs at once (audit)
	"region":      true, // the bot's own clients, or remediate's target
}

// TestSharedFlagsReadTheSame checks that a flag several verbs take is
// described and defaulted the same in each, as flags.go spells it once.
func TestSharedFlagsReadTheSame(t *testing.T) {
	type flagText struct{ Usage, Default, Type string }
	seen := map[string]flagText{}
	where := map[string]string{}
	walk(newRootCmd(io.Discard, io.Discard), func(cmd *cobra.Command) {
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if sameNameOtherMeaning[f.Name] {
				return
			}
			got := flagText{f.Usage, f.DefValue, f.Value.Type()}
			if f.Name == "role-name" {
				got.Default = "" // remediate has no default role
			}
			want, ok := seen[f.Name]
			if !ok {
				seen[f.Name], where[f.Name] = got, cmd.CommandPath()
				return
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("--%s of %q differs from %q's (-want +got):\n%s",
					f.Name, cmd.CommandPath(), where[f.Name], diff)
			}
		})
	})
}

// walk calls fn for cmd and every command below it.
func walk(cmd *cobra.Command, fn func(*cobra.Command)) {
	fn(cmd)
	for _, c := range cmd.Commands() {
		walk(c, fn)
	}
}

// TestVerbHelp checks that every verb says what it does, and that the
// verbs a user starts with explain themselves and show examples.
func TestVerbHelp(t *testing.T) {
	withExamples := []string{"run", "detect", "audit", "policy eval",
		"scp render", "scp apply", "remediate"}
	walk(newRootCmd(io.Discard, io.Discard), func(cmd *cobra.Command) {
		name := strings.TrimPrefix(cmd.CommandPath(), "serialguard ")
		if cmd.Short == "" {
			t.Errorf("%s: no short help", name)
		}
		if slices.Contains(withExamples, name) &&
			(cmd.Long == "" || cmd.Example == "") {
			t.Errorf("%s: no long help or no examples", name)
		}
	})
}

// TestExamplesParse runs every example's serialguard command line as
// far as flag and argument parsing, so that no example names a flag or
// a verb that does not exist.
func TestExamplesParse(t *testing.T) {
	var examples []string
	walk(newRootCmd(io.Discard, io.Discard), func(cmd *cobra.Command) {
		examples = append(examples, exampleLines(cmd.Example)...)
	})
	if len(examples) < 10 {
		t.Fatalf("found %d examples, want 10 or more", len(examples))
	}
	for _, line := range examples {
		t.Run(line, func(t *testing.T) {
			args := shellWords(line)
			root := newRootCmd(&bytes.Buffer{}, &bytes.Buffer{})
			cmd, rest, err := root.Find(args[1:])
			if err != nil || cmd == root {
				t.Fatalf("no verb in %q: %v", line, err)
			}
			if err := cmd.ParseFlags(rest); err != nil {
				t.Fatalf("flags: %v", err)
			}
			if err := cmd.ValidateRequiredFlags(); err != nil {
				t.Errorf("required flags: %v", err)
			}
			if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
				t.Errorf("arguments: %v", err)
			}
		})
	}
}

// exampleLines returns the serialguard command lines of an Example:
// continuation lines joined, comments dropped, and of a pipeline or
// redirection only the serialguard part.
func exampleLines(example string) []string {
	var out []string
	joined := strings.ReplaceAll(example, "\\\n", " ")
	for line := range strings.Lines(joined) {
		for part := range strings.SplitSeq(line, "|") {
			part, _, _ = strings.Cut(part, ">")
			part = strings.TrimSpace(part)
			if strings.HasPrefix(part, "serialguard ") {
				out = append(out, strings.Join(strings.Fields(part), " "))
			}
		}
	}
	return out
}

// shellWords splits a command line into words as a shell does for the
// examples' simple quoting: double quotes group, and are removed.
func shellWords(line string) []string {
	var words []string
	var word strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, word.String())
				word.Reset()
			}
			inWord = false
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, word.String())
	}
	return words
}

// TestUnknownVerb checks that a verb that does not exist is a usage
// error at every level, and that a group of verbs alone shows its help.
func TestUnknownVerb(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"scp", "bogus"},
		{"policy", "evl", "examples/events"}} {
		_, _, err := runCLI(t, args...)
		want := `unknown command "` + args[len(args)-1]
		if len(args) > 1 {
			want = `unknown command "` + args[1]
		}
		if code := codeOf(err); code != exitFailure ||
			!strings.Contains(err.Error(), want) {
			t.Errorf("%v: exit %d (%v), want 2 and %s", args, code, err, want)
		}
	}
	stdout, _, err := runCLI(t, "scp")
	if err != nil || !strings.Contains(stdout, "Available Commands") {
		t.Errorf("scp alone: %v, output %q; want its help", err, stdout)
	}
}
