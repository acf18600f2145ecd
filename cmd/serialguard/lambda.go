package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/serialguard/serialguard/bot"
)

// lambdaMode reports whether the process runs as a Lambda function: the
// Lambda runtime sets AWS_LAMBDA_RUNTIME_API.
func lambdaMode() bool {
	_, ok := os.LookupEnv("AWS_LAMBDA_RUNTIME_API")
	return ok
}

// runLambda starts the Lambda runtime with the bot's handler and serves
// invocations until the runtime stops the process. The configuration
// comes from SERIALGUARD_* variables (and SERIALGUARD_CONFIG, a file in
// the package); results are written to stdout as JSON lines, the logs to
// stderr as JSON, at SERIALGUARD_LOG_LEVEL. It returns only on a
// configuration error: the runtime itself exits the process when it
// fails.
func runLambda(ctx context.Context, stderr io.Writer) error {
	b, log, err := newLambdaBot(ctx, os.Environ(), os.Stdout, stderr)
	if err != nil {
		return inputError(err)
	}
	// aws-lambda-go reports a failed invocation through the standard
	// logger: make it a JSON log line too.
	slog.SetDefault(log)
	lambda.StartWithOptions(b.Lambda, lambda.WithContext(ctx))
	return errors.New("lambda runtime: start returned")
}

// logLevelEnv sets the Lambda function's log level.
const logLevelEnv = bot.EnvPrefix + "LOG_LEVEL"

// newLambdaBot configures the bot from environ, as os.Environ lists the
// environment, and returns it with its logger. Unknown SERIALGUARD_*
// variables are logged as warnings.
func newLambdaBot(ctx context.Context, environ []string,
	stdout, stderr io.Writer) (*bot.Bot, *slog.Logger, error) {
	lookup := envLookup(environ)
	log, err := lambdaLogger(lookup, stderr)
	if err != nil {
		return nil, nil, err
	}
	warnUnknownEnv(ctx, log, environ)
	cfg := bot.DefaultConfig()
	cfg.AuditLog = "-"
	if err := cfg.Load("", lookup); err != nil {
		return nil, nil, err
	}
	awsCfg, err := botAWSConfig(ctx, cfg, nil, log)
	if err != nil {
		return nil, nil, err
	}
	b, err := bot.New(ctx, cfg, bot.Options{AWS: awsCfg, Logger: log,
		Stdout: stdout})
	return b, log, err
}

// envLookup looks variables up in environ; the last setting wins, as in
// os.Getenv.
func envLookup(environ []string) func(string) (string, bool) {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// lambdaLogger logs JSON to stderr at SERIALGUARD_LOG_LEVEL (info).
func lambdaLogger(lookup func(string) (string, bool), stderr io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if v, ok := lookup(logLevelEnv); ok && v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, fmt.Errorf("%s: %w", logLevelEnv, err)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	return slog.New(slog.NewJSONHandler(stderr, opts)), nil
}
