package serialguard_test

import data.serialguard

change := {
	"id": "CHG-4711",
	"principals": ["arn:aws:iam::111122223333:role/BreakGlass"],
	"accounts": ["444455556666"],
	"regions": ["eu-west-1"],
	"not_before": "2026-03-02T13:00:00Z",
	"not_after": "2026-03-02T17:00:00Z",
}

enable := {
	"kind": "enablement",
	"time": "2026-03-02T14:05:00Z",
	"account": "444455556666",
	"region": "eu-west-1",
	"actor": {"type": "AssumedRole", "principal_arn": "arn:aws:iam::111122223333:role/BreakGlass", "invoked_by": ""},
}

session(mfa) := {"aws": {"cloudtrail": {"user_identity": {"session_context": {"mfa_authenticated": mfa}}}}}

decide(finding, ecs) := d if {
	d := serialguard.decision with input as {"finding": finding, "ecs": ecs, "now": "2026-03-02T16:00:00Z"}
		with data.serialguard.approvals as [change]
}

test_approved_with_mfa if {
	d := decide(enable, session("true"))
	d.action == "allow"
	d.approval_id == "CHG-4711"
}

test_approval_refused_without_mfa if {
	d := decide(enable, session("false"))
	d.action == "remediate"
	d.reasons[1] == "arn:aws:iam::111122223333:role/BreakGlass did not sign in with MFA, and this policy approves enablements only from MFA sessions."
}

test_long_term_keys_are_not_mfa if {
	d := decide(enable, {"event": {"action": "EnableSerialConsoleAccess"}})
	d.action == "remediate"
}

test_sweeps_need_no_mfa if {
	sweep := object.union(enable, {"kind": "enabled_state"})
	d := serialguard.decision with input as {"finding": sweep, "now": "2026-03-02T16:00:00Z"}
		with data.serialguard.approvals as [change]
	d.action == "allow"
}

test_unapproved_stays_remediated if {
	d := decide(object.union(enable, {"region": "us-east-1"}), session("true"))
	d.action == "remediate"
	d.reasons[1] == "approval CHG-4711 does not cover region us-east-1."
}
