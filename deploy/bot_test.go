package deploy_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/deploy"
)

// topicARN stands for the ARN CloudFormation gives the stack's topic.
const topicARN = "arn:aws:sns:eu-west-1:111122223333:serialguard-Topic-1A2B3C4D5E6F"

// TestEnvironmentConfiguresBot: every variable the function gets sets a
// key of the bot's configuration, as bot.UnknownEnv, which the Lambda
// mode warns with, decides; together they make a valid configuration.
func TestEnvironmentConfiguresBot(t *testing.T) {
	misspelt := []string{"SERIALGUARD_ENFORCE_SCP=true"}
	if got := bot.UnknownEnv(misspelt); len(got) != 1 {
		t.Fatalf("UnknownEnv(%v) = %v, want it reported", misspelt, got)
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			env := functionEnv(t, v.central)
			var environ []string
			for name, value := range env {
				environ = append(environ, name+"="+value)
			}
			for _, name := range bot.UnknownEnv(environ) {
				t.Errorf("%s sets no bot configuration key", name)
			}
			cfg := bot.DefaultConfig()
			err := cfg.LoadEnv(func(name string) (string, bool) {
				s, ok := env[name]
				return strings.ReplaceAll(s, "${Topic}", topicARN), ok
			})
			if err != nil {
				t.Fatalf("LoadEnv: %v", err)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
			if cfg.SNSTopicARN != topicARN || cfg.AuditLog != "-" ||
				cfg.ExternalID != externalID || cfg.RoleName == "" {
				t.Errorf("configuration %+v lacks a value the stack sets", cfg)
			}
		})
	}
}

func functionEnv(t *testing.T, extra map[string]string) map[string]string {
	t.Helper()
	fn, err := load(t, deploy.Central, extra).GetLambdaFunctionWithName("Function")
	if err != nil {
		t.Fatal(err)
	}
	return fn.Environment.Variables
}

// TestDryRunReachesBot follows the DryRun and AttachScp parameters into
// the bot's configuration.
func TestDryRunReachesBot(t *testing.T) {
	tests := []struct {
		dryRun, attach string
		want           [2]bool
	}{
		{"true", "false", [2]bool{true, false}},
		{"false", "true", [2]bool{false, true}},
	}
	for _, tt := range tests {
		env := functionEnv(t, map[string]string{
			"DryRun": tt.dryRun, "AttachScp": tt.attach})
		cfg := bot.DefaultConfig()
		err := cfg.LoadEnv(func(name string) (string, bool) {
			s, ok := env[name]
			return s, ok
		})
		if err != nil {
			t.Fatal(err)
		}
		got := [2]bool{cfg.DryRun, cfg.AttachSCP}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("DryRun=%s AttachScp=%s: [dry_run attach_scp] mismatch "+
				"(-want +got):\n%s", tt.dryRun, tt.attach, diff)
		}
	}
}

func TestSweepPayloadIsBots(t *testing.T) {
	if sweepPayload != bot.SweepPayload {
		t.Errorf("the schedule sends %s, the bot expects %s",
			sweepPayload, bot.SweepPayload)
	}
}
