package serialguard_test

import data.serialguard

role := "arn:aws:iam::111122223333:role/BreakGlass"

enable := {
	"kind": "enablement",
	"event_id": "0f6c3a2e-5b7d-4c1e-9a8f-2d4b6e8c0a1f",
	"time": "2026-03-02T10:15:00Z",
	"account": "444455556666",
	"region": "eu-west-1",
	"actor": {
		"type": "AssumedRole",
		"arn": "arn:aws:sts::111122223333:assumed-role/BreakGlass/alice",
		"principal_arn": role,
		"invoked_by": "",
	},
	"instance_id": "",
	"error_code": "",
	"error_message": "",
}

change := {
	"id": "CHG-1234",
	"principals": ["arn:aws:iam::111122223333:role/Break*"],
	"accounts": ["444455556666"],
	"regions": ["eu-west-1"],
	"not_before": "2026-03-02T08:00:00Z",
	"not_after": "2026-03-02T18:00:00Z",
	"ticket": "CHG-1234",
	"reason": "debug a kernel panic on i-0abc",
}

production := {"production": {"accounts": ["444455556666"]}}

decide(finding, approvals) := d if {
	d := serialguard.decision with input as {
		"finding": finding,
		"account": {"id": finding.account, "ou_path": ""},
		"now": "2026-03-02T12:00:00Z",
	}
		with data.serialguard.approvals as approvals
}

test_enablement_without_approvals_is_remediated if {
	d := serialguard.decision with input as {"finding": enable, "now": "2026-03-02T12:00:00Z"}
	d.action == "remediate"
	d.approved == false
	d.attach_scp == false
	d.reasons == [
		"arn:aws:iam::111122223333:role/BreakGlass enabled EC2 serial console access in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z without an active approval: disable it again.",
		"no approval names principal arn:aws:iam::111122223333:role/BreakGlass.",
	]
}

test_enablement_with_active_approval_is_allowed if {
	d := decide(enable, [change])
	d.action == "allow"
	d.approved == true
	d.approval_id == "CHG-1234"
	d.attach_scp == false
	d.reasons == [
		"approval CHG-1234 covers arn:aws:iam::111122223333:role/BreakGlass enabling EC2 serial console access in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z.",
		"approval CHG-1234 is valid from 2026-03-02T08:00:00Z until 2026-03-02T18:00:00Z.",
		"ticket: CHG-1234.",
		"reason: debug a kernel panic on i-0abc",
	]
}

test_enablement_judged_at_event_time_not_now if {
	late := json.patch(change, [{"op": "replace", "path": "/not_after", "value": "2026-03-02T11:00:00Z"}])
	d := serialguard.decision with input as {"finding": enable, "now": "2026-03-09T00:00:00Z"}
		with data.serialguard.approvals as [late]
	d.action == "allow"
}

test_enablement_after_window_names_expiry if {
	d := decide(object.union(enable, {"time": "2026-03-02T19:00:00Z"}), [change])
	d.action == "remediate"
	d.reasons[1] == "approval CHG-1234 expired at 2026-03-02T18:00:00Z, before 2026-03-02T19:00:00Z."
}

test_enablement_before_window_names_start if {
	d := decide(object.union(enable, {"time": "2026-03-02T07:59:59Z"}), [change])
	d.action == "remediate"
	d.reasons[1] == "approval CHG-1234 starts at 2026-03-02T08:00:00Z, after 2026-03-02T07:59:59Z."
}

test_enablement_in_other_account_and_region if {
	d := decide(object.union(enable, {"account": "777788889999", "region": "us-east-1"}), [change])
	d.action == "remediate"
	d.reasons[1] == "approval CHG-1234 does not cover account 777788889999."
	d.reasons[2] == "approval CHG-1234 does not cover region us-east-1."
}

test_enablement_by_other_principal if {
	other := object.union(enable, {"actor": {"type": "IAMUser", "principal_arn": "arn:aws:iam::111122223333:user/mallory"}})
	d := decide(other, [change])
	d.action == "remediate"
	d.reasons[0] == "arn:aws:iam::111122223333:user/mallory enabled EC2 serial console access in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z without an active approval: disable it again."
	d.reasons[1] == "no approval names principal arn:aws:iam::111122223333:user/mallory."
}

test_enablement_without_principal_arn if {
	service := object.union(enable, {"actor": {
		"type": "AWSService",
		"principal_arn": "",
		"invoked_by": "ssm.amazonaws.com",
	}})
	d := decide(service, [change])
	d.action == "remediate"
	startswith(d.reasons[0], "AWSService (invoked by ssm.amazonaws.com) enabled")
	d.reasons[1] == "the event names no principal ARN, so no approval can cover it."
}

test_enablement_by_unnamed_principal if {
	unnamed := object.union(enable, {"actor": {"type": "Unknown", "principal_arn": "", "invoked_by": ""}})
	d := decide(unnamed, [])
	startswith(d.reasons[0], "an unnamed Unknown principal enabled")
}

test_enablement_in_production_attaches_scp if {
	d := decide(enable, []) with data.serialguard.account_classes as production
	d.action == "remediate"
	d.attach_scp == true
	d.reasons[2] == "account 444455556666 is production: attach the SCP that denies ec2:EnableSerialConsoleAccess."
}

test_enablement_in_production_ou_attaches_scp if {
	d := serialguard.decision with input as {
		"finding": enable,
		"account": {"id": "444455556666", "ou_path": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"},
		"now": "2026-03-02T12:00:00Z",
	}
		with data.serialguard.account_classes as {"production": {"ou_paths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]}}
	d.attach_scp == true
}

test_approved_enablement_in_production_attaches_no_scp if {
	d := decide(enable, [change]) with data.serialguard.account_classes as production
	d.action == "allow"
	d.attach_scp == false
}

test_several_active_approvals_pick_the_first if {
	d := decide(enable, [object.union(change, {"id": "CHG-2000"}), change])
	d.approval_id == "CHG-2000"
}

test_failed_attempt_alerts if {
	failed := object.union(enable, {
		"kind": "failed_attempt",
		"error_code": "Client.UnauthorizedOperation",
		"error_message": "You are not authorized to perform this operation.",
	})
	d := decide(failed, [change])
	d.action == "alert"
	d.approved == false
	d.reasons == ["arn:aws:iam::111122223333:role/BreakGlass tried to enable EC2 serial console access in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z and was refused (Client.UnauthorizedOperation: You are not authorized to perform this operation.): check why it tried."]
}

test_failed_attempt_without_error_code if {
	d := decide(object.union(enable, {"kind": "failed_attempt"}), [])
	contains(d.reasons[0], "was refused (no error code)")
}

console := object.union(enable, {
	"kind": "console_use",
	"event_name": "SendSerialConsoleSSHPublicKey",
	"instance_id": "i-0123456789abcdef0",
})

test_console_use_without_approval_alerts if {
	d := decide(console, [])
	d.action == "alert"
	d.reasons == [
		"arn:aws:iam::111122223333:role/BreakGlass opened a serial console session on instance i-0123456789abcdef0 in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z without an active approval for that account and region: check who used it and why.",
		"no approval covers account 444455556666.",
	]
}

test_console_use_under_approval_is_allowed if {
	d := decide(object.union(console, {"actor": {"principal_arn": "arn:aws:iam::111122223333:user/bob"}}), [change])
	d.action == "allow"
	d.approval_id == "CHG-1234"
	d.reasons[0] == "approval CHG-1234 covers the serial console session of arn:aws:iam::111122223333:user/bob on instance i-0123456789abcdef0 in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z."
}

test_console_use_in_other_region_alerts if {
	d := decide(object.union(console, {"region": "eu-central-1", "instance_id": ""}), [change])
	d.action == "alert"
	contains(d.reasons[0], "on instance (unknown)")
	d.reasons[1] == "approval CHG-1234 does not cover region eu-central-1."
}

test_disablement_is_allowed if {
	d := decide(object.union(enable, {"kind": "disablement"}), [])
	d.action == "allow"
	d.approved == false
	d.reasons == ["arn:aws:iam::111122223333:role/BreakGlass disabled EC2 serial console access in account 444455556666, region eu-west-1 at 2026-03-02T10:15:00Z."]
}

sweep := {
	"kind": "enabled_state",
	"time": "0001-01-01T00:00:00Z",
	"account": "444455556666",
	"region": "eu-west-1",
	"actor": {"type": "", "principal_arn": "", "invoked_by": ""},
	"managed_by": "account",
}

test_enabled_state_judged_at_now if {
	d := decide(sweep, [change])
	d.action == "allow"
	d.approval_id == "CHG-1234"
	d.reasons[0] == "approval CHG-1234 covers EC2 serial console access being enabled in account 444455556666, region eu-west-1 at 2026-03-02T12:00:00Z."
}

test_enabled_state_after_window_is_remediated if {
	d := serialguard.decision with input as {"finding": sweep, "now": "2026-03-03T00:00:00Z"}
		with data.serialguard.approvals as [change]
		with data.serialguard.account_classes as production
	d.action == "remediate"
	d.attach_scp == true
	d.reasons == [
		"EC2 serial console access is enabled in account 444455556666, region eu-west-1 at 2026-03-03T00:00:00Z and no active approval covers it: disable it again.",
		"approval CHG-1234 expired at 2026-03-02T18:00:00Z, before 2026-03-03T00:00:00Z.",
		"account 444455556666 is production: attach the SCP that denies ec2:EnableSerialConsoleAccess.",
	]
}

test_enabled_state_without_approvals if {
	d := decide(sweep, [])
	d.action == "remediate"
	d.reasons[1] == "no approval covers account 444455556666."
}

test_unknown_kind_is_remediated if {
	d := decide(object.union(enable, {"kind": "instance_reboot"}), [change])
	d.action == "remediate"
	d.reasons == ["the policy does not know finding kind \"instance_reboot\", so it remediates (fail closed): check the finding and update the policy."]
}

test_missing_kind_is_remediated if {
	d := serialguard.decision with input as {"now": "2026-03-02T12:00:00Z"}
	d.action == "remediate"
	contains(d.reasons[0], "finding kind \"\"")
}

test_objections_block_approvals_and_say_why if {
	d := decide(enable, [change]) with data.serialguard.objections as {"the session did not use MFA."}
	d.action == "remediate"
	d.reasons[1] == "the session did not use MFA."
}
