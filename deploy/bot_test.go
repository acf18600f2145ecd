package deploy_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/deploy"
)

// topicARN stands for the ARN CloudFormation gives the stack's topic.
const topicARN = "arn:aws:sns:eu-west-1:111122223333:serialguard-Topic-1A2B3C4D5E6F"

// TestEnvironmentConfiguresBot: every variable the function gets sets a
// key of the bot's configuration, and together they make a valid one.
func TestEnvironmentConfiguresBot(t *testing.T) {
	keys := map[string]bool{}
	ct := reflect.TypeFor[bot.Config]()
	for i := range ct.NumField() {
		keys[bot.EnvName(ct.Field(i).Tag.Get("yaml"))] = true
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			env := functionEnv(t, v.central)
			for name := range env {
				if !keys[name] {
					t.Errorf("%s is not a bot configuration key", name)
				}
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
