package remediate

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// ManagedByDeclarativePolicy is the managedBy value of a region whose
// serial console setting an EC2 declarative policy controls; accounts
// cannot change it there.
const ManagedByDeclarativePolicy = "declarative-policy"

// State is the serial console setting of one account and region.
type State struct {
	Enabled bool `json:"enabled"`
	// ManagedBy is "account", or ManagedByDeclarativePolicy.
	ManagedBy string `json:"managed_by"`
}

// String describes s for a step's detail.
func (s State) String() string {
	word := "disabled"
	if s.Enabled {
		word = "enabled"
	}
	if s.ManagedBy == "" {
		return word
	}
	return word + ", managed by " + s.ManagedBy
}

// Status reads the serial console setting of account in region. Dry run
// makes no difference: the call is read-only.
func (r *Remediator) Status(ctx context.Context, account, region string) (State, error) {
	c, err := r.connect(ctx, account, region)
	if err != nil {
		return State{}, &TargetError{actionStatus, account, region, err}
	}
	s, err := r.readStatus(ctx, c)
	if err != nil {
		return State{}, &TargetError{actionStatus, account, region, err}
	}
	return s, nil
}

// connect returns the EC2 client that acts in account, pointed at region.
func (r *Remediator) connect(ctx context.Context, account,
	region string) (ec2Target, error) {
	if err := checkTarget(account, region); err != nil {
		return ec2Target{}, err
	}
	a, err := r.enter(ctx, account, region)
	if err != nil {
		return ec2Target{}, err
	}
	return ec2Target{a.ec2, region}, nil
}

// readStatus calls GetSerialConsoleAccessStatus.
func (r *Remediator) readStatus(ctx context.Context, t ec2Target) (State, error) {
	ctx, cancel := r.callContext(ctx)
	defer cancel()
	out, err := t.client.GetSerialConsoleAccessStatus(ctx,
		&ec2.GetSerialConsoleAccessStatusInput{}, t.in)
	if err != nil {
		return State{}, err
	}
	if out.SerialConsoleAccessEnabled == nil {
		return State{}, errors.New("GetSerialConsoleAccessStatus: " +
			"the response has no serialConsoleAccessEnabled")
	}
	return State{
		Enabled:   aws.ToBool(out.SerialConsoleAccessEnabled),
		ManagedBy: string(out.ManagedBy),
	}, nil
}
