package policies

import (
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
)

// forbidden are the OPA built-in functions a serialguard policy may not
// call. They reach the network (http.send, net.lookup_ip_addr,
// and the JSON schema functions, which follow remote $ref), read the
// environment (opa.runtime), or give a different answer each time
// (rand.intn, uuid.rfc4122, io.jwt.encode_sign*). time.now_ns stays: the
// engine pins it to the decision time with rego.EvalTime.
var forbidden = []string{
	"http.send",
	"io.jwt.encode_sign",
	"io.jwt.encode_sign_raw",
	"json.match_schema",
	"json.verify_schema",
	"net.lookup_ip_addr",
	"opa.runtime",
	"rand.intn",
	"uuid.rfc4122",
}

// capabilities returns OPA's capabilities for this version without the
// forbidden built-ins and with no host allowed for network access.
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(caps.Builtins, func(b *ast.Builtin) bool {
		return slices.Contains(forbidden, b.Name)
	})
	caps.AllowNet = []string{}
	return caps
}

// ForbiddenBuiltins returns the names of the OPA built-in functions that
// serialguard policies may not call, sorted.
func ForbiddenBuiltins() []string { return slices.Clone(forbidden) }
