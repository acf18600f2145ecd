package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/policies"
)

type policyBundleParams struct {
	policy policyFlags
	out    string // file, or - for stdout
}

func newPolicyBundleCmd(_ *globals) *cobra.Command {
	var p policyBundleParams
	cmd := &cobra.Command{
		Use:   "bundle -o FILE [--policy PATH] [--data FILE]...",
		Short: "Write the policy and its data as an OPA bundle",
		Long: `Write the policy (the embedded one unless --policy) and the data files as
an OPA bundle tarball, which opa run, opa eval --bundle and serialguard
--policy load. The manifest's revision is the decisions' policy_revision.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPolicyBundle(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&p.out, "output", "o", "", "bundle file to write, - for stdout")
	addPolicyFlags(fs, &p.policy)
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

func runPolicyBundle(ctx context.Context, p policyBundleParams, stdout,
	stderr io.Writer) error {
	if p.out == "-" {
		_, err := policies.WriteBundle(ctx, stdout, p.policy.path, p.policy.data)
		return inputError(err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p.out), ".bundle-*.tar.gz")
	if err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	defer os.Remove(tmp.Name())
	rev, err := policies.WriteBundle(ctx, tmp, p.policy.path, p.policy.data)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err != nil {
		tmp.Close()
		return inputError(err)
	}
	if err := errors.Join(tmp.Close(), os.Rename(tmp.Name(), p.out)); err != nil {
		return fmt.Errorf("write bundle %s: %w", p.out, err)
	}
	_, err = fmt.Fprintf(stderr, "wrote %s (revision %s)\n", p.out, rev)
	return err
}
