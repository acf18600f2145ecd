package e2e

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// The environment variables the end-to-end test reads.
const (
	EnvAccount    = "SERIALGUARD_E2E_ACCOUNT"
	EnvRegion     = "SERIALGUARD_E2E_REGION"
	EnvRole       = "SERIALGUARD_E2E_ROLE"
	EnvExternalID = "SERIALGUARD_E2E_EXTERNAL_ID"
)

// DefaultRegion is the region of a run that names none.
const DefaultRegion = "us-east-1"

// ErrNotEnabled means the end-to-end test was not asked for: no account
// is set. The test skips on it.
var ErrNotEnabled = errors.New(EnvAccount + " is not set: " +
	"the end-to-end test against a real AWS account is opt-in")

// Config is one end-to-end run: where it acts and how it gets in.
type Config struct {
	// Account is the 12-digit account whose setting the test changes.
	Account string
	// Region is the region whose setting the test changes.
	Region string
	// Role is the role assumed in Account; empty uses the base
	// credentials, which must belong to Account.
	Role string
	// ExternalID is passed to AssumeRole.
	ExternalID string
}

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	// regionRE accepts the region names of every partition, such as
	// us-east-1, us-gov-west-1, cn-north-1 and eu-isoe-west-1.
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// roleRE is an IAM role name, optionally after a path. Lengths are
	// checked apart: a counted repeat such as {1,64} compiles into a
	// program that many times larger.
	roleRE = regexp.MustCompile(`^([\w+=,.@-]+/)*[\w+=,.@-]+$`)
	// externalIDRE is the alphabet AssumeRole accepts in an external
	// id, of 2 to 1224 characters.
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// FromEnv reads a Config from the environment through getenv, such as
// os.Getenv. It returns ErrNotEnabled when no account is set, and an
// error naming the variable when a value is malformed: a run that was
// asked for but misconfigured must fail, not skip.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		Account:    getenv(EnvAccount),
		Region:     getenv(EnvRegion),
		Role:       getenv(EnvRole),
		ExternalID: getenv(EnvExternalID),
	}
	if c.Account == "" {
		return Config{}, ErrNotEnabled
	}
	if c.Region == "" {
		c.Region = DefaultRegion
	}
	if err := c.check(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// check validates every field of c. Values are quoted in errors except
// the external id, which works like a shared secret.
func (c Config) check() error {
	switch {
	case !accountRE.MatchString(c.Account):
		return fmt.Errorf("%s %q: want a 12-digit account id",
			EnvAccount, c.Account)
	case !regionRE.MatchString(c.Region):
		return fmt.Errorf("%s %q: want a region name such as %s",
			EnvRegion, c.Region, DefaultRegion)
	case c.Role != "" && !validRole(c.Role):
		return fmt.Errorf("%s %q: want an IAM role name", EnvRole, c.Role)
	case c.ExternalID != "" && c.Role == "":
		return fmt.Errorf("%s is set without %s: an external id is only "+
			"passed to AssumeRole", EnvExternalID, EnvRole)
	case c.ExternalID != "" && !validExternalID(c.ExternalID):
		return fmt.Errorf("%s: want 2 to 1224 characters of "+
			`[A-Za-z0-9_+=,.@:/-]`, EnvExternalID)
	}
	return nil
}

// validRole reports whether role is an IAM role name of at most 64
// characters, after an optional path.
func validRole(role string) bool {
	name := role[strings.LastIndexByte(role, '/')+1:]
	return len(name) <= 64 && len(role) <= 512 && roleRE.MatchString(role)
}

// validExternalID reports whether AssumeRole accepts id.
func validExternalID(id string) bool {
	return len(id) >= 2 && len(id) <= 1224 && externalIDRE.MatchString(id)
}
