package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/policies"
)

func init() { verbs = append(verbs, newPolicyCmd) }

func newPolicyCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Evaluate, test, format, check and bundle the Rego policy offline",
		Long: strings.TrimSpace(`
serialguard decides with an embedded Rego policy; --policy replaces it with
a directory or an OPA bundle, and --data adds approvals and account classes
from YAML or JSON files. The decision is ` + policies.DecisionPath + `.

A policy may not reach the network or the environment, nor decide at
random: these built-ins are refused:
  ` + strings.Join(policies.ForbiddenBuiltins(), "\n  ")),
		RunE: runGroup,
	}
	cmd.AddCommand(newPolicyEvalCmd(g), newPolicyTestCmd(g),
		newPolicyFmtCmd(g), newPolicyCheckCmd(g), newPolicyBundleCmd(g))
	return cmd
}

// pathArg is the optional PATH argument of test, fmt and check; empty
// means the embedded policy.
func pathArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
