package remediate_test

import (
	"log/slog"
	"testing"

	"github.com/serialguard/serialguard/internal/awsfake"
	"github.com/serialguard/serialguard/remediate"
)

// BenchmarkDisable measures one remediation of an enabled region over
// loopback HTTP with the real SDK: a status read, the Disable call and
// the verifying read, with the role's credentials cached.
func BenchmarkDisable(b *testing.B) {
	srv := awsfake.Start(b)
	srv.RequireExternalID(roleName, externalID)
	r := remediate.New(srv.Config(b.Context()), remediate.Options{
		RoleName: roleName, ExternalID: externalID,
		Logger: slog.New(slog.DiscardHandler),
	})
	for b.Loop() {
		srv.SetSerialConsole(member, region, true)
		if res := r.Disable(b.Context(), member, region); res.Failed() {
			b.Fatalf("Disable: %+v", res.Steps)
		}
	}
}
