package bot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func TestConfigLoadFile(t *testing.T) {
	c := DefaultConfig()
	if err := c.LoadFile("testdata/config.yaml"); err != nil {
		t.Fatal(err)
	}
	want := Config{
		DryRun:               true,
		Region:               "eu-west-1",
		RoleName:             "serialguard-remediation",
		ExternalID:           "0123456789abcdef",
		ManagementRoleARN:    "arn:aws:iam::111111111111:role/serialguard-management",
		Regions:              []string{"eu-west-1", "eu-central-1"},
		Data:                 []string{"approvals.yaml"},
		PolicyTimeout:        2 * time.Second,
		SNSTopicARN:          "arn:aws:sns:eu-west-1:222222222222:serialguard",
		AttachSCP:            true,
		SCPTarget:            "ou-ab12-11111111",
		SCPName:              "serialguard-deny-serial-console-enable",
		AuditLog:             "/var/log/serialguard/results.ndjson",
		DedupWindow:          30 * time.Minute,
		Concurrency:          4,
		SQSWaitTime:          10 * time.Second,
		SQSVisibilityTimeout: 15 * time.Minute,
		Listen:               ":9090",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestConfigPrecedence checks flags > env > file > defaults, key by key.
func TestConfigPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	writeFile(t, path, "role_name: from-file\nexternal_id: file-id\n"+
		"concurrency: 3\n")
	c := DefaultConfig()
	err := c.Load("", env(map[string]string{
		ConfigEnv:                     path,
		"SERIALGUARD_EXTERNAL_ID":     "env-id",
		"SERIALGUARD_CONCURRENCY":     "5",
		"SERIALGUARD_DATA":            "a.yaml, b.json",
		"SERIALGUARD_DEDUP_WINDOW":    "90s",
		"SERIALGUARD_UNRELATED_THING": "ignored",
	}))
	if err != nil {
		t.Fatal(err)
	}
	flags := Config{Concurrency: 7}
	if err := c.Override(&flags, "concurrency"); err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"role_name":    c.RoleName,
		"external_id":  c.ExternalID,
		"concurrency":  c.Concurrency,
		"data":         c.Data,
		"dedup_window": c.DedupWindow,
		"scp_name":     c.SCPName,
	}
	want := map[string]any{
		"role_name":    "from-file",                              // file
		"external_id":  "env-id",                                 // env over file
		"concurrency":  7,                                        // flag over env
		"data":         []string{"a.yaml", "b.json"},             // env list
		"dedup_window": 90 * time.Second,                         // env duration
		"scp_name":     "serialguard-deny-serial-console-enable", // default
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestConfigLoadErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	unknown := filepath.Join(dir, "unknown.yaml")
	writeFile(t, unknown, "dry_run: true\nrole_nmae: x\n")
	badType := filepath.Join(dir, "type.yaml")
	writeFile(t, badType, "concurrency: many\n")
	tests := []struct {
		name string
		path string
		env  map[string]string
		want string
	}{
		{"unknown key in file", unknown, nil, "role_nmae"},
		{"bad type in file", badType, nil, "many"},
		{"missing file", filepath.Join(dir, "none.yaml"), nil, "none.yaml"},
		{"bad bool in env", "", map[string]string{"SERIALGUARD_DRY_RUN": "yes please"},
			"config: dry_run: SERIALGUARD_DRY_RUN"},
		{"bad duration in env", "", map[string]string{"SERIALGUARD_DEDUP_WINDOW": "10"},
			"config: dedup_window: SERIALGUARD_DEDUP_WINDOW"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			err := c.Load(tt.path, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string // "" for valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"same-account mode", func(c *Config) { c.RoleName = "" }, ""},
		{"role name", func(c *Config) { c.RoleName = "bad role" },
			`config: role_name: "bad role" is not an IAM role name`},
		{"external id without role", func(c *Config) {
			c.RoleName, c.ExternalID = "", "abcdef"
		}, "config: external_id: is set but no role is assumed"},
		{"external id too short", func(c *Config) { c.ExternalID = "a" },
			"config: external_id: must be 2 to 1224 characters"},
		{"topic", func(c *Config) { c.SNSTopicARN = "arn:aws:sqs:eu-west-1:1:q" },
			"config: sns_topic_arn:"},
		{"scp target", func(c *Config) { c.SCPTarget = "ou-1" },
			`config: scp_target: "ou-1" is not a root, OU or account id`},
		{"scp name", func(c *Config) { c.AttachSCP, c.SCPName = true, "" },
			"config: scp_name:"},
		{"scp name unused", func(c *Config) { c.SCPName = "" }, ""},
		{"management role", func(c *Config) { c.ManagementRoleARN = "role/x" },
			"config: management_role_arn:"},
		{"regions", func(c *Config) { c.Regions = []string{"eu-west-1", "mars"} },
			`config: regions: "mars" is not a region name`},
		{"concurrency", func(c *Config) { c.Concurrency = 0 },
			"config: concurrency: 0 is not between 1 and 256"},
		{"wait", func(c *Config) { c.SQSWaitTime = time.Minute },
			"config: sqs_wait_time: 1m0s is not between 0s and 20s"},
		{"visibility", func(c *Config) { c.SQSVisibilityTimeout = -time.Second },
			"config: sqs_visibility_timeout:"},
		{"dedup", func(c *Config) { c.DedupWindow = -1 }, "config: dedup_window:"},
		{"policy timeout", func(c *Config) { c.PolicyTimeout = 0 },
			"config: policy_timeout: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate: got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestConfigValidateReportsEveryKey(t *testing.T) {
	c := DefaultConfig()
	c.Concurrency, c.SCPTarget = -1, "nope"
	err := c.Validate()
	for _, key := range []string{"concurrency", "scp_target"} {
		if err == nil || !strings.Contains(err.Error(), "config: "+key+":") {
			t.Errorf("Validate: got %v, want it to name %s", err, key)
		}
	}
}

func TestConfigOverrideUnknownKey(t *testing.T) {
	c := DefaultConfig()
	if err := c.Override(&Config{}, "no_such_key"); err == nil {
		t.Error("Override(no_such_key): got nil error")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func FuzzConfig(f *testing.F) {
	data, err := os.ReadFile("testdata/config.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data), "dedup_window", "15m")
	f.Add("concurrency: [1, 2]\n", "data", "a,,b")
	f.Add("{", "concurrency", "-9999999999999999999")
	f.Fuzz(func(t *testing.T, doc, key, value string) {
		c := DefaultConfig()
		if err := c.decodeYAML(strings.NewReader(doc)); err != nil {
			return
		}
		err := c.LoadEnv(env(map[string]string{EnvName(key): value}))
		if err != nil && !strings.HasPrefix(err.Error(), "config: "+key+": ") {
			t.Errorf("LoadEnv error %q does not name key %s", err, key)
		}
		if err := c.Validate(); err != nil &&
			!strings.HasPrefix(err.Error(), "config: ") {
			t.Errorf("Validate error %q does not start with config:", err)
		}
	})
}

func TestUnknownEnv(t *testing.T) {
	got := UnknownEnv([]string{
		"HOME=/root",
		"SERIALGUARD_DRY_RUN=true",
		"SERIALGUARD_ENFORCE_SCP=true",
		"SERIALGUARD_CONFIG=/etc/serialguard.yaml",
		"SERIALGUARD_LOG_LEVEL=debug",
		"SERIALGUARD_ROLE_NAME",
	}, "SERIALGUARD_LOG_LEVEL")
	if diff := cmp.Diff([]string{"SERIALGUARD_ENFORCE_SCP"}, got); diff != "" {
		t.Errorf("unknown variables (-want +got):\n%s", diff)
	}
}
