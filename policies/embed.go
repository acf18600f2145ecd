package policies

import "embed"

// embedded is the default policy with its Rego tests.
//
//go:embed serialguard/*.rego
var embedded embed.FS

// embeddedRoot is the directory of the default policy inside embedded.
const embeddedRoot = "serialguard"
