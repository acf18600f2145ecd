package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/policies"
)

type policyFmtParams struct {
	path  string // file or directory; empty: stdin to stdout
	check bool
	write bool
	stdin io.Reader
}

func newPolicyFmtCmd(_ *globals) *cobra.Command {
	var p policyFmtParams
	cmd := &cobra.Command{
		Use:   "fmt [--check|--write] [PATH]",
		Short: "Format Rego files as opa fmt does",
		Long: `Format the Rego files at PATH, a file or a directory, as opa fmt does, and
print them; without PATH, format stdin. --check lists the files that are
not formatted and exits 1 if there are any; --write rewrites them.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p.path, p.stdin = pathArg(args), cmd.InOrStdin()
			return runPolicyFmt(cmd.Context(), p, cmd.OutOrStdout(),
				cmd.ErrOrStderr())
		},
	}
	cmd.Flags().BoolVar(&p.check, "check", false,
		"list files that are not formatted; exit 1 if any")
	cmd.Flags().BoolVar(&p.write, "write", false, "rewrite files in place")
	cmd.MarkFlagsMutuallyExclusive("check", "write")
	return cmd
}

func runPolicyFmt(_ context.Context, p policyFmtParams, stdout,
	_ io.Writer) error {
	if p.path == "" {
		return fmtStdin(p, stdout)
	}
	files, err := regoFiles(p.path)
	if err != nil {
		return inputError(err)
	}
	unformatted := 0
	for _, name := range files {
		changed, err := fmtFile(name, p, stdout)
		if err != nil {
			return inputError(err)
		}
		if changed {
			unformatted++
		}
	}
	if p.check && unformatted > 0 {
		return errNeedsAction
	}
	return nil
}

func fmtStdin(p policyFmtParams, stdout io.Writer) error {
	if p.write {
		return inputError(errors.New("--write needs a PATH"))
	}
	src, err := io.ReadAll(p.stdin)
	if err != nil {
		return inputError(fmt.Errorf("read stdin: %w", err))
	}
	out, err := policies.Format("stdin", src)
	if err != nil {
		return inputError(err)
	}
	if p.check {
		if !bytes.Equal(out, src) {
			fmt.Fprintln(stdout, "stdin")
			return errNeedsAction
		}
		return nil
	}
	_, err = stdout.Write(out)
	return err
}

// fmtFile formats one file as p asks and reports whether it was not
// formatted.
func fmtFile(name string, p policyFmtParams, stdout io.Writer) (bool, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return false, fmt.Errorf("format: %w", err)
	}
	out, err := policies.Format(name, src)
	if err != nil {
		return false, fmt.Errorf("format %s: %w", name, err)
	}
	changed := !bytes.Equal(out, src)
	switch {
	case p.check && changed:
		fmt.Fprintln(stdout, name)
	case p.write && changed:
		if err := os.WriteFile(name, out, 0o644); err != nil {
			return false, fmt.Errorf("format: %w", err)
		}
		fmt.Fprintln(stdout, name)
	case !p.check && !p.write:
		_, err = stdout.Write(out)
	}
	return changed, err
}

// regoFiles lists the .rego files at path, a file or a directory tree,
// in lexical order.
func regoFiles(path string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(path, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (name == path || strings.HasSuffix(name, ".rego")) {
			files = append(files, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("format: %w", err)
	}
	return files, nil
}
