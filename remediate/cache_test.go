package remediate

import (
	"log/slog"
	"maps"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/internal/awsfake"
)

// TestClientsCachedPerAccount checks what a Remediator keeps between
// calls: one set of clients per account it entered, whatever the number
// of regions. A sweep of 1,000 accounts in 17 regions would otherwise
// hold 17,000 EC2 clients. An account that same-account mode refuses
// leaves nothing behind.
func TestClientsCachedPerAccount(t *testing.T) {
	tests := []struct {
		name     string
		roleName string
		accounts []string
		want     []string
	}{{
		name:     "assumed roles",
		roleName: "serialguard-audit",
		accounts: []string{"100000000001", "100000000002"},
		want:     []string{"100000000001", "100000000002"},
	}, {
		name:     "same account",
		accounts: []string{"100000000000", "100000000002"},
		want:     []string{"100000000000"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := awsfake.Start(t)
			r := New(srv.Config(t.Context()), Options{RoleName: tt.roleName,
				Logger: slog.New(slog.DiscardHandler)})

			for _, a := range tt.accounts {
				for _, region := range srv.EnabledRegions()[:4] {
					_, _ = r.Status(t.Context(), a, region)
				}
			}

			got := slices.Sorted(maps.Keys(r.accounts))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("cached accounts (-want +got):\n%s", diff)
			}
		})
	}
}
