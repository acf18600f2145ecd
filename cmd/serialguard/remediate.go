package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/spf13/cobra"

	"github.com/serialguard/serialguard/remediate"
)

func init() { verbs = append(verbs, newRemediateCmd) }

type remediateParams struct {
	account    string
	region     string
	roleName   string
	externalID string
	dryRun     bool
	format     string
	log        *slog.Logger
	// aws replaces the environment's AWS configuration (tests).
	aws *aws.Config
}

func newRemediateCmd(g *globals) *cobra.Command {
	var p remediateParams
	cmd := &cobra.Command{
		Use:   "remediate --account ID --region REGION [--role-name NAME]",
		Short: "Disable EC2 serial console access in one account and region",
		Long: `Read serial console access in the account and region, disable it when
it is enabled and the account manages it, and read it again to verify.
With --role-name the role is assumed in the account (with --external-id);
without, the AWS credentials must belong to the account itself.

AWS configuration comes from the environment as for the AWS CLI
(AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, ...). --dry-run reads the
state and plans the change; without credentials it plans without reading.

Exit codes: 0 disabled or nothing to do, 2 a call failed.`,
		Example: `  serialguard remediate --account 111122223333 --region eu-west-1 \
    --role-name serialguard-remediation --external-id "$EXTERNAL_ID" --dry-run`,
		Args: cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringVar(&p.account, "account", "",
		"account to disable access in (12 digits)")
	fs.StringVar(&p.region, "region", "",
		"region to disable access in, such as eu-west-1")
	addRoleNameFlag(fs, &p.roleName, "")
	addExternalIDFlag(fs, &p.externalID)
	addDryRunFlag(fs, &p.dryRun)
	format := addOutputFlag(fs, cmd.OutOrStdout(), "table", "json", "ndjson")
	_ = cmd.MarkFlagRequired("account")
	_ = cmd.MarkFlagRequired("region")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		log, err := g.logger()
		if err != nil {
			return err
		}
		p.format, p.log = format.String(), log
		return runRemediate(cmd.Context(), p, cmd.OutOrStdout(),
			cmd.ErrOrStderr())
	}
	return cmd
}

func runRemediate(ctx context.Context, p remediateParams, stdout, _ io.Writer) error {
	cfg, err := loadAWSConfig(ctx, p.aws, p.log)
	if err != nil {
		return err
	}
	r := remediate.New(cfg, remediate.Options{
		RoleName:   p.roleName,
		ExternalID: p.externalID,
		DryRun:     p.dryRun,
		Logger:     p.log,
	})
	res := r.Disable(ctx, p.account, p.region)
	if err := writeResult(stdout, p.format, res); err != nil {
		return err
	}
	if res.Failed() {
		return &exitError{code: exitFailure, err: firstFailure(res)}
	}
	return nil
}

// firstFailure is the detail of the first failed step, as an error.
func firstFailure(res remediate.Result) error {
	for _, s := range res.Steps {
		if s.Status == remediate.StatusFailed {
			return errors.New(s.Detail)
		}
	}
	return nil
}

// writeResult prints res: a table of its steps, one JSON document, or
// one JSON object per step.
func writeResult(w io.Writer, format string, res remediate.Result) error {
	switch format {
	case "json":
		return writeJSON(w, res)
	case "ndjson":
		nd := newNDJSONWriter(w)
		for _, s := range res.Steps {
			if err := nd.Write(s); err != nil {
				return err
			}
		}
		return nil
	}
	return writeStepTable(w, res.Steps)
}

// writeStepTable prints steps as aligned columns.
func writeStepTable(w io.Writer, steps []remediate.Step) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CALL\tACCOUNT\tREGION\tSTATUS\tDETAIL")
	for _, s := range steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Call, s.Account,
			dash(s.Region), s.Status, s.Detail)
	}
	return tw.Flush()
}
