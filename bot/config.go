package bot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/serialguard/serialguard/scp"
)

// EnvPrefix starts the name of every environment variable that sets a
// configuration key: SERIALGUARD_ plus the key in upper case, such as
// SERIALGUARD_DRY_RUN or SERIALGUARD_SNS_TOPIC_ARN.
const EnvPrefix = "SERIALGUARD_"

// DefaultRegion is the region of the bot's own AWS clients when neither
// the configuration nor the AWS environment names one. Remediation always
// acts in the finding's region; this region only serves STS, SNS, SQS and
// S3 calls that do not name their own.
const DefaultRegion = "us-east-1"

// Config is the bot's configuration, the same in every run mode. It is
// read from a YAML file, then SERIALGUARD_* environment variables, then
// flags, each overriding the one before; Validate checks the result.
// The yaml tag of each field is its key in all three.
type Config struct {
	// DryRun plans every remediation and SCP call without making it, and
	// publishes no notification.
	DryRun bool `yaml:"dry_run"`
	// Region is the region of the bot's own clients; see DefaultRegion.
	Region string `yaml:"region"`
	// RoleName is the role remediation assumes in each member account.
	RoleName string `yaml:"role_name"`
	// ExternalID is passed to AssumeRole, for the member role and the
	// management role, when their trust policies require one.
	ExternalID string `yaml:"external_id"`
	// ManagementRoleARN is a role in the management account (or an
	// Organizations delegated administrator) assumed for Organizations
	// calls: account context, the SCP and the sweep. Empty uses the base
	// credentials.
	ManagementRoleARN string `yaml:"management_role_arn"`
	// Regions limits the sweep to these regions; empty sweeps every
	// region enabled in each account.
	Regions []string `yaml:"regions"`
	// Policy is a Rego file or directory that replaces the embedded
	// policy; empty means the embedded one.
	Policy string `yaml:"policy"`
	// Data lists JSON or YAML files of approvals and account classes.
	Data []string `yaml:"data"`
	// PolicyTimeout bounds one decision; a timeout fails closed.
	PolicyTimeout time.Duration `yaml:"policy_timeout"`
	// SNSTopicARN, when set, receives a notification for every finding
	// the policy did not allow.
	SNSTopicARN string `yaml:"sns_topic_arn"`
	// AttachSCP allows the preventive SCP where a decision asks for it.
	AttachSCP bool `yaml:"attach_scp"`
	// SCPTarget is the root, OU or account the SCP is attached to;
	// empty means the finding's account.
	SCPTarget string `yaml:"scp_target"`
	// SCPName names the SCP serialguard creates and keeps up to date.
	SCPName string `yaml:"scp_name"`
	// AuditLog is a file that every result is appended to as one JSON
	// line, or "-" for standard output; empty writes no audit log.
	AuditLog string `yaml:"audit_log"`
	// DedupWindow is how long the long-running modes remember an event
	// id to drop a second delivery; zero disables it.
	DedupWindow time.Duration `yaml:"dedup_window"`
	// Concurrency bounds the events handled and objects read at once.
	Concurrency int `yaml:"concurrency"`
	// SQSWaitTime is the long-polling wait of ReceiveMessage, at most 20s.
	SQSWaitTime time.Duration `yaml:"sqs_wait_time"`
	// SQSVisibilityTimeout hides a received message from other consumers
	// while it is handled; zero keeps the queue's setting. It also bounds
	// the handling of one message.
	SQSVisibilityTimeout time.Duration `yaml:"sqs_visibility_timeout"`
	// Listen is the address of the /healthz and /metrics server of the
	// SQS consumer, such as ":9090"; empty serves nothing.
	Listen string `yaml:"listen"`
}

// DefaultConfig returns the configuration used where nothing is set.
func DefaultConfig() Config {
	return Config{
		RoleName:      "serialguard-remediation",
		PolicyTimeout: time.Second,
		SCPName:       scp.DefaultSCPName,
		DedupWindow:   time.Hour,
		Concurrency:   8,
		SQSWaitTime:   20 * time.Second,
	}
}

// LoadFile sets the keys that the YAML file at path sets, leaving the
// others as they are. An unknown key is an error.
func (c *Config) LoadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	if err := c.decodeYAML(f); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// decodeYAML sets the keys that one YAML document sets. An empty
// document sets nothing.
func (c *Config) decodeYAML(r io.Reader) error {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// LoadEnv sets every key whose SERIALGUARD_* variable lookup finds.
// Lists are comma-separated; durations use Go's syntax ("90s", "1h").
func (c *Config) LoadEnv(lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		key := v.Type().Field(i).Tag.Get("yaml")
		s, ok := lookup(EnvName(key))
		if !ok {
			continue
		}
		if err := setField(v.Field(i), s); err != nil {
			return fmt.Errorf("config: %s: %s: %w", key, EnvName(key), err)
		}
	}
	return nil
}

// EnvName is the environment variable that sets key.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(key)
}

var durationType = reflect.TypeFor[time.Duration]()

// setField parses s into a field of one of Config's kinds.
func setField(f reflect.Value, s string) error {
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(s)
		f.SetInt(int64(d))
		return err
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		f.SetBool(b)
		return err
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		f.SetInt(int64(n))
		return err
	case f.Kind() == reflect.Slice:
		f.Set(reflect.ValueOf(splitList(s)))
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// The patterns use + and leave lengths to the limits below: a counted repeat
// such as {1,512} compiles into a program that many times larger, which
// every start of the binary would pay for.
var (
	roleNameRE   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	roleARNRE    = regexp.MustCompile(
		`^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)
	topicARNRE = regexp.MustCompile(
		`^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$`)
	scpTargetRE = regexp.MustCompile(
		`^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|\d{12})$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d\d?$`)
	scpNameRE = regexp.MustCompile(`^[\w+=,.@ -]+$`)
)

// Length limits of the values the patterns above check, from the IAM,
// SNS and Organizations quotas.
const (
	maxRoleName = 64
	maxRoleARN  = 600 // a 512-character path and the role name
	maxTopicARN = 320 // a 256-character topic name
	maxSCPName  = 128
)

// matches reports whether s is at most limit bytes long and matches re.
func matches(re *regexp.Regexp, s string, limit int) bool {
	return len(s) <= limit && re.MatchString(s)
}

// Validate checks every key and returns all problems at once, each
// naming its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key,
			fmt.Sprintf(format, args...)))
	}
	c.validateAWS(bad)
	c.validateLimits(bad)
	return errors.Join(errs...)
}

func (c *Config) validateAWS(bad func(key, format string, args ...any)) {
	if c.RoleName != "" && !matches(roleNameRE, c.RoleName, maxRoleName) {
		bad("role_name", "%q is not an IAM role name", c.RoleName)
	}
	if c.ManagementRoleARN != "" && !matches(roleARNRE, c.ManagementRoleARN, maxRoleARN) {
		bad("management_role_arn", "%q is not an IAM role ARN",
			c.ManagementRoleARN)
	}
	switch {
	case c.ExternalID != "" && (len(c.ExternalID) < 2 ||
		len(c.ExternalID) > 1224 || !externalIDRE.MatchString(c.ExternalID)):
		bad("external_id", "must be 2 to 1224 characters of [\\w+=,.@:/-]")
	case c.ExternalID != "" && c.RoleName == "" && c.ManagementRoleARN == "":
		bad("external_id", "is set but no role is assumed: "+
			"role_name and management_role_arn are empty")
	}
	for _, r := range c.Regions {
		if !regionRE.MatchString(r) {
			bad("regions", "%q is not a region name", r)
		}
	}
	if c.SNSTopicARN != "" && !matches(topicARNRE, c.SNSTopicARN, maxTopicARN) {
		bad("sns_topic_arn", "%q is not an SNS topic ARN", c.SNSTopicARN)
	}
	if c.SCPTarget != "" && !scpTargetRE.MatchString(c.SCPTarget) {
		bad("scp_target", "%q is not a root, OU or account id", c.SCPTarget)
	}
	if c.AttachSCP && !matches(scpNameRE, c.SCPName, maxSCPName) {
		bad("scp_name", "%q is not a policy name (1 to 128 characters) "+
			"and attach_scp is true", c.SCPName)
	}
}

func (c *Config) validateLimits(bad func(key, format string, args ...any)) {
	if c.Concurrency < 1 || c.Concurrency > 256 {
		bad("concurrency", "%d is not between 1 and 256", c.Concurrency)
	}
	if c.PolicyTimeout <= 0 {
		bad("policy_timeout", "must be positive")
	}
	if c.DedupWindow < 0 {
		bad("dedup_window", "must not be negative")
	}
	if c.SQSWaitTime < 0 || c.SQSWaitTime > 20*time.Second {
		bad("sqs_wait_time", "%s is not between 0s and 20s", c.SQSWaitTime)
	}
	if c.SQSVisibilityTimeout < 0 || c.SQSVisibilityTimeout > 12*time.Hour {
		bad("sqs_visibility_timeout", "%s is not between 0s and 12h",
			c.SQSVisibilityTimeout)
	}
}

// Override copies the fields of the given keys from from, as flags do
// over the file and the environment. An unknown key is an error.
func (c *Config) Override(from *Config, keys ...string) error {
	dst, src := reflect.ValueOf(c).Elem(), reflect.ValueOf(from).Elem()
	for _, key := range keys {
		i, ok := fieldIndex(key)
		if !ok {
			return fmt.Errorf("config: %s: unknown key", key)
		}
		dst.Field(i).Set(src.Field(i))
	}
	return nil
}

// fieldIndex is the index of the Config field whose key is key.
func fieldIndex(key string) (int, bool) {
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("yaml") == key {
			return i, true
		}
	}
	return 0, false
}

// ConfigEnv names the environment variable holding the path of the
// configuration file, when no flag names one.
const ConfigEnv = EnvPrefix + "CONFIG"

// UnknownEnv returns the SERIALGUARD_* variables in environ, as
// os.Environ lists them, that set no configuration key, so that a
// misspelt one is reported rather than silently ignored. The names in
// also are known too, such as SERIALGUARD_LOG_LEVEL.
func UnknownEnv(environ []string, also ...string) []string {
	known := map[string]bool{ConfigEnv: true}
	for _, k := range also {
		known[k] = true
	}
	t := reflect.TypeFor[Config]()
	for i := range t.NumField() {
		known[EnvName(t.Field(i).Tag.Get("yaml"))] = true
	}
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix) && !known[name] {
			out = append(out, name)
		}
	}
	return out
}

// Load overrides c with the YAML file at path and then with the
// environment that lookup reads. An empty path means the file that
// SERIALGUARD_CONFIG names, if any. It does not validate: flags come
// last, then Validate.
func (c *Config) Load(path string, lookup func(string) (string, bool)) error {
	if path == "" {
		path, _ = lookup(ConfigEnv)
	}
	if path != "" {
		if err := c.LoadFile(path); err != nil {
			return err
		}
	}
	return c.LoadEnv(lookup)
}
