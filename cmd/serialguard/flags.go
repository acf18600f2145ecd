package main

import (
	"context"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/serialguard/serialguard/bot"
)

// The flags that more than one verb takes are spelled and described
// here, once, so that a flag reads the same in every verb.

// addDryRunFlag registers --dry-run.
func addDryRunFlag(fs *pflag.FlagSet, p *bool) {
	fs.BoolVar(p, "dry-run", false, "plan every change without making it; "+
		"the current state is read where AWS credentials allow")
}

// addRoleNameFlag registers --role-name with its default.
func addRoleNameFlag(fs *pflag.FlagSet, p *string, def string) {
	fs.StringVar(p, "role-name", def, "role to assume in the target "+
		"account; empty acts with the base credentials")
}

// addExternalIDFlag registers --external-id.
func addExternalIDFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "external-id", "",
		"external id the role's trust policy requires for AssumeRole")
}

// addPolicyFlag registers --policy.
func addPolicyFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "policy", "",
		"policy directory or bundle (.tar.gz) replacing the embedded policy")
}

// addDataFlag registers --data.
func addDataFlag(fs *pflag.FlagSet, p *[]string) {
	fs.StringArrayVar(p, "data", nil,
		"YAML or JSON file of approvals and account classes (repeatable)")
}

// policyFlags choose the policy and its data in the verbs that decide
// without the bot: policy eval and bundle, scp render and apply.
type policyFlags struct {
	path string
	data []string
}

// addPolicyFlags registers --policy and --data.
func addPolicyFlags(fs *pflag.FlagSet, p *policyFlags) {
	addPolicyFlag(fs, &p.path)
	addDataFlag(fs, &p.data)
}

// configKeyAnnotation marks a flag that sets a configuration key; its
// value is the key.
const configKeyAnnotation = "serialguard/config-key"

// configFlags are the flags of the verbs that run the bot: --config,
// and a flag for each configuration key the verb takes, named as the
// key with dashes.
type configFlags struct {
	file   string
	values bot.Config // the flags' values; only those set apply
}

// addConfigFlags registers --config and the flags of keys.
func addConfigFlags(fs *pflag.FlagSet, c *configFlags, keys ...string) {
	fs.StringVar(&c.file, "config", "",
		"YAML configuration file (default $"+bot.ConfigEnv+")")
	for _, key := range keys {
		addConfigFlag(fs, &c.values, key)
		name := strings.ReplaceAll(key, "_", "-")
		if err := fs.SetAnnotation(name, configKeyAnnotation,
			[]string{key}); err != nil {
			panic("config flag " + key + ": " + err.Error())
		}
	}
}

// addConfigFlag registers the flag of one configuration key. Its
// default is bot.DefaultConfig's.
func addConfigFlag(fs *pflag.FlagSet, c *bot.Config, key string) {
	d := bot.DefaultConfig()
	switch key {
	case "dry_run":
		addDryRunFlag(fs, &c.DryRun)
	case "role_name":
		addRoleNameFlag(fs, &c.RoleName, d.RoleName)
	case "external_id":
		addExternalIDFlag(fs, &c.ExternalID)
	case "policy":
		addPolicyFlag(fs, &c.Policy)
	case "data":
		addDataFlag(fs, &c.Data)
	case "region":
		fs.StringVar(&c.Region, "region", "", "region of serialguard's "+
			"own AWS clients, not of remediation (default: the AWS "+
			"environment's, else "+bot.DefaultRegion+")")
	case "management_role_arn":
		fs.StringVar(&c.ManagementRoleARN, "management-role-arn", "",
			"role assumed for Organizations calls (default: the base "+
				"credentials)")
	case "regions":
		fs.StringSliceVar(&c.Regions, "regions", nil, `sweep these `+
			`regions, comma-separated; "all" (the default) discovers `+
			`the regions each account has enabled`)
	case "sns_topic_arn":
		fs.StringVar(&c.SNSTopicARN, "sns-topic-arn", "",
			"SNS topic notified of every finding the policy did not allow")
	case "attach_scp":
		fs.BoolVar(&c.AttachSCP, "attach-scp", false,
			"attach the SCP where a decision asks for it")
	case "audit_log":
		fs.StringVar(&c.AuditLog, "audit-log", "",
			"append every result as a JSON line to this file")
	case "concurrency":
		fs.IntVar(&c.Concurrency, "concurrency", d.Concurrency,
			"events handled and S3 objects read at once, 1 to 256")
	case "listen":
		fs.StringVar(&c.Listen, "listen", "",
			"serve /healthz and /metrics on this address, such as :9090")
	default:
		panic("no flag for configuration key " + key)
	}
}

// resolve returns the configuration: the defaults, then the file, then
// the SERIALGUARD_* environment variables, then the flags set on fs. It
// warns about the variables that set nothing. Its errors are usage
// errors.
func (c *configFlags) resolve(ctx context.Context, fs *pflag.FlagSet,
	log *slog.Logger) (bot.Config, error) {
	warnUnknownEnv(ctx, log, os.Environ())
	cfg := bot.DefaultConfig()
	if err := cfg.Load(c.file, os.LookupEnv); err != nil {
		return cfg, inputError(err)
	}
	var keys []string
	fs.Visit(func(f *pflag.Flag) {
		if key := f.Annotations[configKeyAnnotation]; len(key) == 1 {
			keys = append(keys, key[0])
		}
	})
	return cfg, inputError(cfg.Override(&c.values, keys...))
}

// warnUnknownEnv logs the SERIALGUARD_* variables that set nothing, such
// as a misspelt key.
func warnUnknownEnv(ctx context.Context, log *slog.Logger, environ []string) {
	for _, name := range bot.UnknownEnv(environ, logLevelEnv,
		bot.EnvPrefix+"LOG_FORMAT") {
		log.WarnContext(ctx, "environment variable sets no configuration "+
			"key; ignored", "name", name)
	}
}
