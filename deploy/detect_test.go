package deploy_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/serialguard/serialguard/detect"
)

// TestFixturesDetected: what the rules let through, the bot acts on, and
// what they keep out it would not act on: each event fixture gives the
// finding (or none) that the rule's decision implies.
func TestFixturesDetected(t *testing.T) {
	type want struct {
		Kind            detect.Kind
		Account, Region string
	}
	tests := []struct {
		file string
		want *want
	}{
		{"enable-api-call.json", &want{detect.KindEnablement, centralAccount, "eu-west-1"}},
		{"enable-console-action.json", &want{detect.KindEnablement, centralAccount, "eu-west-1"}},
		{"enable-denied.json", &want{detect.KindFailedAttempt, centralAccount, "eu-west-1"}},
		{"enable-forwarded-member.json",
			&want{detect.KindEnablement, "444455556666", "us-east-2"}},
		{"disable-api-call.json", &want{detect.KindDisablement, centralAccount, "eu-west-1"}},
		{"send-serial-console-ssh-public-key.json",
			&want{detect.KindConsoleUse, centralAccount, "eu-west-1"}},
		{"get-status.json", nil},
		{"run-instances.json", nil},
		{"s3-put-bucket-policy.json", nil},
		{"send-ssh-public-key.json", nil},
		{"instance-state-change.json", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "events", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var got *want
			for ev := range detect.Events(tt.file, f, detect.DefaultLimits()) {
				if ev.Err != nil {
					// An event the rules keep out may be no CloudTrail
					// event at all; one they let through must decode.
					if tt.want != nil {
						t.Errorf("decode: %v", ev.Err)
					}
					continue
				}
				if fd, ok := detect.Detect(ev); ok {
					got = &want{fd.Kind, fd.Account, fd.Region}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("finding mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
