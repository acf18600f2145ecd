package remediate

import (
	"fmt"
	"regexp"
)

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
)

// checkTarget rejects an account id or region name that AWS would not
// accept, before any call is made with it.
func checkTarget(account, region string) error {
	if !accountRE.MatchString(account) {
		return fmt.Errorf("account id %q is not 12 digits", account)
	}
	if !regionRE.MatchString(region) {
		return fmt.Errorf("region %q is not a region name", region)
	}
	return nil
}
