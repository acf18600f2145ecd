package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"

	"github.com/serialguard/serialguard/bot"
	"github.com/serialguard/serialguard/remediate"
)

// loadAWSConfig returns a copy of given or, when given is nil, the AWS
// configuration of the environment as the AWS CLI reads it (AWS_PROFILE,
// AWS_REGION, AWS_ENDPOINT_URL, ...).
func loadAWSConfig(ctx context.Context, given *aws.Config,
	log *slog.Logger) (aws.Config, error) {
	if given != nil {
		return given.Copy(), nil
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithLogger(sdkLogger(log)))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}

// sdkLogger passes the AWS SDK's own messages, such as its fallback
// from IMDSv2, to log at debug level.
func sdkLogger(log *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(c logging.Classification, format string,
		v ...any) {
		log.Debug(fmt.Sprintf(format, v...), "component", "aws-sdk",
			"classification", string(c))
	})
}

// botAWSConfig is the base AWS configuration of the bot: loadAWSConfig's,
// in the configured region, else the environment's, else
// bot.DefaultRegion. A dry run without credentials drops the provider,
// so that remediation plans at once instead of searching for
// credentials per finding.
func botAWSConfig(ctx context.Context, cfg bot.Config, given *aws.Config,
	log *slog.Logger) (aws.Config, error) {
	awsCfg, err := loadAWSConfig(ctx, given, log)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region != "" {
		awsCfg.Region = cfg.Region
	}
	if awsCfg.Region == "" {
		awsCfg.Region = bot.DefaultRegion
	}
	if cfg.DryRun {
		if err := remediate.CheckCredentials(ctx, awsCfg); err != nil {
			log.InfoContext(ctx, "dry run without AWS credentials: "+
				"planning every call without reading state", "error", err)
			awsCfg.Credentials = nil
		}
	}
	return awsCfg, nil
}

// botSetup is what a verb that runs the bot (run, audit) builds it from.
type botSetup struct {
	cfg bot.Config
	// aws replaces the environment's AWS configuration (tests).
	aws    *aws.Config
	logger *slog.Logger
	// now is the clock of decisions; time.Now if nil (tests).
	now func() time.Time
}

// openBot builds the bot of s, its results going to stdout, and returns
// it with its base AWS configuration. Every error is a usage or input
// error.
func openBot(ctx context.Context, s botSetup, stdout io.Writer) (
	*bot.Bot, aws.Config, error) {
	if s.cfg.AuditLog == "-" {
		return nil, aws.Config{}, inputError(errors.New("config: " +
			`audit_log: "-" would mix with the output on stdout; name a file`))
	}
	awsCfg, err := botAWSConfig(ctx, s.cfg, s.aws, s.logger)
	if err != nil {
		return nil, aws.Config{}, inputError(err)
	}
	b, err := bot.New(ctx, s.cfg, bot.Options{
		AWS: awsCfg, Logger: s.logger, Stdout: stdout, Now: s.now,
	})
	if err != nil {
		return nil, aws.Config{}, inputError(err)
	}
	return b, awsCfg, nil
}
