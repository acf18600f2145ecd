package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"
)

// globals holds the flags every verb shares.
type globals struct {
	logLevel  string
	logFormat string
	stderr    io.Writer
}

// logger builds the slog logger the flags ask for. Logs go to stderr so
// that stdout carries only the verb's output.
func (g *globals) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, inputError(fmt.Errorf("--log-level: %w", err))
	}
	opts := &slog.HandlerOptions{Level: level}
	switch g.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(g.stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(g.stderr, opts)), nil
	}
	return nil, inputError(fmt.Errorf(
		"--log-format: %q is not one of text, json", g.logFormat))
}

// newRootCmd builds the serialguard command with every verb, writing its
// output to stdout and its logs and errors to stderr.
func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stderr: stderr}
	root := &cobra.Command{
		Use:   "serialguard",
		Short: "Keep EC2 serial console access shut across an AWS organization",
		Long: strings.TrimSpace(`
serialguard detects EnableSerialConsoleAccess in CloudTrail events, asks an
embedded OPA policy whether the actor was approved, and disables serial
console access again where it was not, optionally attaching an SCP so it
cannot recur.

Exit codes: 0 nothing needs action, 1 something needs action, 2 usage,
input or runtime error.`),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return inputError(err)
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.logLevel, "log-level", "info",
		"log level: debug, info, warn, error")
	pf.StringVar(&g.logFormat, "log-format", "text",
		"log format on stderr: text, json")

	for _, add := range verbs {
		root.AddCommand(add(g))
	}
	return root
}

// verbs lists the constructors of every subcommand. Each verb's file adds
// its own constructor in an init function, so adding a verb touches no
// other file.
var verbs []func(*globals) *cobra.Command

// runGroup is the RunE of a command that only groups verbs: alone it
// shows its help; followed by a word that is not one of its verbs it is a
// usage error, where cobra would show the help and succeed.
func runGroup(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	return inputError(fmt.Errorf("unknown command %q for %q",
		args[0], cmd.CommandPath()))
}
