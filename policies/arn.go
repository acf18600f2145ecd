package policies

import (
	"errors"
	"fmt"
	"strings"
)

// validatePattern checks a principal ARN pattern of an approval. The
// policy matches patterns with glob.match and ":" as the delimiter, and
// the SCP renderer puts the same patterns in an ArnNotLike condition, so
// a pattern must mean the same to both: an ARN of six colon-separated
// parts where "*" matches any run of characters and "?" exactly one,
// neither crossing a ":", compared case-sensitively. Glob syntax that IAM
// does not have ([...], {...}, escapes, "**") is refused.
func validatePattern(p string) error {
	if p == "" {
		return errors.New("empty principal pattern")
	}
	if !strings.HasPrefix(p, "arn:") {
		return fmt.Errorf("%q does not start with \"arn:\"", p)
	}
	if n := strings.Count(p, ":"); n != 5 {
		return fmt.Errorf(
			"%q has %d colon-separated parts, an ARN pattern has 6", p, n+1)
	}
	if strings.Contains(p, "**") {
		return fmt.Errorf("%q contains \"**\": write \"*\"", p)
	}
	for _, r := range p {
		if r <= ' ' || r > '~' || strings.ContainsRune(`[]{}\`, r) {
			return fmt.Errorf("%q contains %q, which an ARN pattern may not", p, r)
		}
	}
	return nil
}
