package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/policies"
)

type policyCheckParams struct {
	path string // empty: the embedded policy
	data []string
}

func newPolicyCheckCmd(_ *globals) *cobra.Command {
	var p policyCheckParams
	cmd := &cobra.Command{
		Use:   "check [PATH] [--data FILE]...",
		Short: "Compile a policy and its data as serialguard would load them",
		Long: `Compile the policy at PATH (or the embedded one) with its tests, strictly and
with serialguard's restricted capabilities, and validate the data files.
A call to a forbidden built-in such as http.send is named with its
location. Exit 2 on any problem.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.path = pathArg(args)
			return runPolicyCheck(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	addDataFlag(cmd.Flags(), &p.data)
	return cmd
}

func runPolicyCheck(ctx context.Context, p policyCheckParams, stdout,
	_ io.Writer) error {
	if err := policies.Check(ctx, p.path, p.data); err != nil {
		return inputError(err)
	}
	name := p.path
	if name == "" {
		name = "embedded policy"
	}
	_, err := fmt.Fprintf(stdout, "%s: ok\n", name)
	return err
}
