package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/serialguard/serialguard/policies"
	"github.com/serialguard/serialguard/remediate"
	"github.com/serialguard/serialguard/scp"
)

func init() { verbs = append(verbs, newSCPCmd) }

func newSCPCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scp",
		Short: "Render and enforce the preventive policy",
		Long: `Render the service control policy that denies
ec2:EnableSerialConsoleAccess to every principal the approvals do not name,
or the EC2 declarative policy that keeps serial console access disabled,
and enforce it through AWS Organizations.`,
		RunE: runGroup,
	}
	cmd.AddCommand(newSCPRenderCmd(g), newSCPApplyCmd(g))
	return cmd
}

// scpDocFlags choose the document render and apply share.
type scpDocFlags struct {
	declarative bool
	message     string
	policy      policyFlags
}

func addSCPDocFlags(fs *pflag.FlagSet, d *scpDocFlags) {
	fs.BoolVar(&d.declarative, "declarative", false,
		"the EC2 declarative policy instead of the SCP")
	fs.StringVar(&d.message, "exception-message", "",
		"error message the declarative policy shows (with --declarative)")
	addPolicyFlags(fs, &d.policy)
}

type scpRenderParams struct {
	doc    scpDocFlags
	format string
	log    *slog.Logger
}

func newSCPRenderCmd(g *globals) *cobra.Command {
	var p scpRenderParams
	cmd := &cobra.Command{
		Use:   "render [--declarative] [--data FILE]...",
		Short: "Print the SCP exempting the approved principals",
		Long: `Print the SCP that denies ec2:EnableSerialConsoleAccess, exempting the
principal ARN patterns of the approvals in --data that have not ended, or
with --declarative the EC2 declarative policy. json prints the exact,
minified document that apply uploads; text indents it.`,
		Example: `  serialguard scp render --data examples/approvals.yaml -o text
  serialguard scp render --declarative --exception-message "Ask SecOps"`,
		Args: cobra.NoArgs,
	}
	fs := cmd.Flags()
	addSCPDocFlags(fs, &p.doc)
	format := addOutputFlag(fs, cmd.OutOrStdout(), "json", "text")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		log, err := g.logger()
		if err != nil {
			return err
		}
		p.format, p.log = format.String(), log
		return runSCPRender(cmd.Context(), p, cmd.OutOrStdout(),
			cmd.ErrOrStderr())
	}
	return cmd
}

func runSCPRender(ctx context.Context, p scpRenderParams, stdout, _ io.Writer) error {
	doc, err := renderSCPDoc(ctx, p.doc, p.log)
	if err != nil {
		return err
	}
	if p.format == "text" {
		var buf bytes.Buffer
		if err := json.Indent(&buf, doc, "", "  "); err != nil {
			return fmt.Errorf("indent the document: %w", err)
		}
		doc = buf.Bytes()
	}
	_, err = fmt.Fprintf(stdout, "%s\n", doc)
	return err
}

// renderSCPDoc renders the document the flags ask for. The SCP's
// exemptions come from the approvals the policy engine loads.
func renderSCPDoc(ctx context.Context, d scpDocFlags, log *slog.Logger) ([]byte, error) {
	if d.declarative {
		if d.policy.path != "" || len(d.policy.data) > 0 {
			return nil, inputError(errors.New("--policy and --data do " +
				"not apply to --declarative: it exempts no principal"))
		}
		doc, err := scp.RenderDeclarative(d.message)
		return doc, inputError(err)
	}
	if d.message != "" {
		return nil, inputError(errors.New(
			"--exception-message needs --declarative"))
	}
	engine, err := policies.New(ctx, policies.Options{
		PolicyPath: d.policy.path, DataPaths: d.policy.data, Logger: log})
	if err != nil {
		return nil, inputError(err)
	}
	doc, err := scp.Render(engine.ExemptPrincipals())
	if err != nil {
		return nil, inputError(fmt.Errorf("render the SCP: %w", err))
	}
	return doc, nil
}

type scpApplyParams struct {
	doc        scpDocFlags
	target     string
	name       string
	enableType bool
	dryRun     bool
	format     string
	log        *slog.Logger
	// aws replaces the environment's AWS configuration (tests).
	aws *aws.Config
}

func newSCPApplyCmd(g *globals) *cobra.Command {
	var p scpApplyParams
	cmd := &cobra.Command{
		Use:   "apply --target ID [--declarative] [--dry-run]",
		Short: "Create, update and attach the policy through Organizations",
		Long: `Make sure the policy exists under its name with the rendered content and
is attached to the target: an account id, an OU id (ou-...) or the root
id (r-...). Nothing is changed when it already is. The credentials must
be the management account's or a delegated administrator's. SCPs do not
apply to the management account, which is refused as a target.

--enable-policy-type first enables the policy type in the root when it
is not enabled yet.

Exit codes: 0 applied or already in place, 2 refused or a call failed.`,
		Example: `  # Plan the SCP, exempting the approved principals, on an OU.
  serialguard scp apply --target ou-ab12-34cd5678 \
    --data examples/approvals.yaml --dry-run

  # Keep serial console access disabled in one account by EC2 policy.
  serialguard scp apply --target 111122223333 --declarative \
    --enable-policy-type`,
		Args: cobra.NoArgs,
	}
	fs := cmd.Flags()
	addSCPDocFlags(fs, &p.doc)
	fs.StringVar(&p.target, "target", "", "account, OU or root id")
	fs.StringVar(&p.name, "name", "",
		"policy name (default "+scp.DefaultSCPName+", or "+
			scp.DefaultDeclarativeName+" with --declarative)")
	fs.BoolVar(&p.enableType, "enable-policy-type", false,
		"enable the policy type in the root first, if needed")
	addDryRunFlag(fs, &p.dryRun)
	format := addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson")
	_ = cmd.MarkFlagRequired("target")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		log, err := g.logger()
		if err != nil {
			return err
		}
		p.format, p.log = format.String(), log
		return runSCPApply(cmd.Context(), p, cmd.OutOrStdout(),
			cmd.ErrOrStderr())
	}
	return cmd
}

func runSCPApply(ctx context.Context, p scpApplyParams, stdout, _ io.Writer) error {
	doc, err := renderSCPDoc(ctx, p.doc, p.log)
	if err != nil {
		return err
	}
	cfg, err := loadAWSConfig(ctx, p.aws, p.log)
	if err != nil {
		return err
	}
	kind := types.PolicyTypeServiceControlPolicy
	if p.doc.declarative {
		kind = types.PolicyTypeDeclarativePolicyEc2
	}
	e := scp.NewEnforcer(cfg, scp.Options{Type: kind, Content: doc,
		Name: p.name, DryRun: p.dryRun, Logger: p.log})
	steps, err := applySCP(ctx, e, p)
	res := remediate.Result{DryRun: p.dryRun,
		Steps: append([]remediate.Step{}, steps...)}
	if werr := writeResult(stdout, p.format, res); werr != nil {
		return werr
	}
	if err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	return nil
}

// applySCP enables the policy type when asked, then applies the policy.
func applySCP(ctx context.Context, e *scp.Enforcer, p scpApplyParams) ([]remediate.Step, error) {
	var steps []remediate.Step
	if p.enableType {
		s, err := e.EnablePolicyType(ctx)
		steps = append(steps, s...)
		if err != nil {
			return steps, err
		}
	}
	s, err := e.Apply(ctx, p.target)
	return append(steps, s...), err
}
