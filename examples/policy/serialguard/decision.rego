# METADATA
# title: serialguard decision
# description: |
#   The default policy: an EC2 serial console enablement is remediated
#   unless an active approval covers its principal, account and region.
#   serialguard reads data.serialguard.decision, one object:
#   {action, approved, approval_id, attach_scp, reasons}.
package serialguard

decision := enablement if input.finding.kind == "enablement"

decision := failed_attempt if input.finding.kind == "failed_attempt"

decision := console_use if input.finding.kind == "console_use"

decision := disablement if input.finding.kind == "disablement"

decision := enabled_state if input.finding.kind == "enabled_state"

# A kind this policy does not know is remediated: fail closed.
decision := unknown_kind if not known_kind

known_kind if input.finding.kind in {"enablement", "failed_attempt", "console_use", "disablement", "enabled_state"}

enablement := allow_approved(sprintf(
	"approval %s covers %s enabling EC2 serial console access in account %s, region %s at %s.",
	[approval.id, actor, input.finding.account, input.finding.region, input.finding.time],
)) if {
	approval
} else := remediate_unapproved(sprintf(
	"%s enabled EC2 serial console access in account %s, region %s at %s without an active approval: disable it again.",
	[actor, input.finding.account, input.finding.region, input.finding.time],
))

enabled_state := allow_approved(sprintf(
	"approval %s covers EC2 serial console access being enabled in account %s, region %s at %s.",
	[approval.id, input.finding.account, input.finding.region, input.now],
)) if {
	approval
} else := remediate_unapproved(sprintf(
	"EC2 serial console access is enabled in account %s, region %s at %s and no active approval covers it: disable it again.",
	[input.finding.account, input.finding.region, input.now],
))

console_use := allow_approved(sprintf(
	"approval %s covers the serial console session of %s on instance %s in account %s, region %s at %s.",
	[approval.id, actor, instance, input.finding.account, input.finding.region, input.finding.time],
)) if {
	approval
} else := alert(array.concat(
	[sprintf(
		"%s opened a serial console session on instance %s in account %s, region %s at %s without an active approval for that account and region: check who used it and why.",
		[actor, instance, input.finding.account, input.finding.region, input.finding.time],
	)],
	miss_reasons,
))

failed_attempt := alert([sprintf(
	"%s tried to enable EC2 serial console access in account %s, region %s at %s and was refused (%s): check why it tried.",
	[actor, input.finding.account, input.finding.region, input.finding.time, refusal],
)])

disablement := {
	"action": "allow",
	"approved": false,
	"approval_id": "",
	"attach_scp": false,
	"reasons": [sprintf(
		"%s disabled EC2 serial console access in account %s, region %s at %s.",
		[actor, input.finding.account, input.finding.region, input.finding.time],
	)],
}

unknown_kind := {
	"action": "remediate",
	"approved": false,
	"approval_id": "",
	"attach_scp": false,
	"reasons": [sprintf(
		"the policy does not know finding kind %q, so it remediates (fail closed): check the finding and update the policy.",
		[given_kind],
	)],
}

# given_kind is the finding's kind, "" when it has none. It reads
# input.finding alone: a policy that reads all of input gets input.ecs
# built for every decision, which costs more than the rest of the input.
given_kind := kind if {
	kind := input.finding.kind
} else := ""

allow_approved(headline) := {
	"action": "allow",
	"approved": true,
	"approval_id": approval.id,
	"attach_scp": false,
	"reasons": array.concat([headline], approval_facts),
}

remediate_unapproved(headline) := {
	"action": "remediate",
	"approved": false,
	"approval_id": "",
	"attach_scp": production,
	"reasons": array.concat(array.concat([headline], miss_reasons), scp_reasons),
}

alert(reasons) := {
	"action": "alert",
	"approved": false,
	"approval_id": "",
	"attach_scp": false,
	"reasons": reasons,
}

# miss_reasons say why no approval applied: per candidate and constraint,
# or that there was no candidate at all.
miss_reasons := sort(misses) if count(candidates) > 0

miss_reasons := [no_candidate] if count(candidates) == 0

no_candidate := "the event names no principal ARN, so no approval can cover it." if {
	input.finding.kind == "enablement"
	input.finding.actor.principal_arn == ""
} else := sprintf("no approval names principal %s.", [input.finding.actor.principal_arn]) if {
	input.finding.kind == "enablement"
} else := sprintf("no approval covers account %s.", [input.finding.account])

scp_reasons := [sprintf(
	"account %s is production: attach the SCP that denies ec2:EnableSerialConsoleAccess.",
	[input.finding.account],
)] if production

scp_reasons := [] if not production

# actor names who made the call: the principal approvals match, else the
# service that called on someone's behalf, else the identity type.
actor := input.finding.actor.principal_arn if {
	input.finding.actor.principal_arn != ""
} else := sprintf("%s (invoked by %s)", [input.finding.actor.type, input.finding.actor.invoked_by]) if {
	input.finding.actor.invoked_by != ""
} else := sprintf("an unnamed %s principal", [input.finding.actor.type])

instance := input.finding.instance_id if {
	input.finding.instance_id != ""
} else := "(unknown)"

refusal := concat(": ", [part |
	some part in [input.finding.error_code, input.finding.error_message]
	part != ""
]) if {
	input.finding.error_code != ""
} else := "no error code"
