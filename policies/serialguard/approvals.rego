# serialguard approvals.
#
# Which approvals in data.serialguard.approvals cover a finding, and why
# the others do not. An approval names principal ARN patterns matched
# with IAM ArnLike semantics, optional accounts and regions ("*" or an
# empty list means any) and an optional RFC 3339 window. Approvals are
# referred to by their index in the list.
package serialguard

# subject_time is the time a finding is judged at: when its event
# happened, or input.now for a sweep's enabled_state, which has no event.
subject_time := input.now if input.finding.kind == "enabled_state"

subject_time := input.finding.time if input.finding.kind != "enabled_state"

subject_ns := time.parse_rfc3339_ns(subject_time)

# candidates are the approvals that could apply to the finding: those
# naming the principal for an enablement, those covering the account for
# a console session or an enabled_state.
candidates contains i if {
	input.finding.kind == "enablement"
	some i, a in data.serialguard.approvals
	some pattern in a.principals
	arn_like(pattern, input.finding.actor.principal_arn)
}

candidates contains i if {
	input.finding.kind in {"console_use", "enabled_state"}
	some i, _ in data.serialguard.approvals
	covers_account(i)
}

# active are the candidates that apply to the finding's account, region
# and time, unless a custom policy objects.
active contains i if {
	some i in candidates
	covers_account(i)
	covers_region(i)
	not starts_after(i)
	not ends_before(i)
	not objected
}

# objected is true when a custom policy objects to approving this finding
# at all: it adds sentences to the set data.serialguard.objections, for
# example to require MFA (see examples/policy). The default adds none.
objected if count(data.serialguard.objections) > 0

# approval is the approval that decides: the first active one.
approval := data.serialguard.approvals[min(active)]

# arn_like matches an ARN pattern as IAM's ArnLike does: case sensitive,
# each of the six colon-separated parts compared on its own, "*" for any
# run of characters and "?" for one, neither crossing a ":".
arn_like(pattern, arn) if glob.match(pattern, [":"], arn)

covers_account(i) if {
	in_scope(object.get(data.serialguard.approvals[i], "accounts", []), input.finding.account)
}

covers_region(i) if {
	in_scope(object.get(data.serialguard.approvals[i], "regions", []), input.finding.region)
}

# in_scope is true when x is in scope, or scope is "*" or empty.
in_scope(scope, x) if {
	count(scope) == 0
} else if {
	"*" in scope
} else if {
	x in scope
}

starts_after(i) if time.parse_rfc3339_ns(data.serialguard.approvals[i].not_before) > subject_ns

ends_before(i) if time.parse_rfc3339_ns(data.serialguard.approvals[i].not_after) < subject_ns

# misses explains, one sentence per approval and constraint, why a
# candidate approval did not apply.
misses contains msg if {
	some msg in data.serialguard.objections
}

misses contains msg if {
	some i in candidates
	not covers_account(i)
	msg := sprintf("approval %s does not cover account %s.", [data.serialguard.approvals[i].id, input.finding.account])
}

misses contains msg if {
	some i in candidates
	not covers_region(i)
	msg := sprintf("approval %s does not cover region %s.", [data.serialguard.approvals[i].id, input.finding.region])
}

misses contains msg if {
	some i in candidates
	starts_after(i)
	a := data.serialguard.approvals[i]
	msg := sprintf("approval %s starts at %s, after %s.", [a.id, a.not_before, subject_time])
}

misses contains msg if {
	some i in candidates
	ends_before(i)
	a := data.serialguard.approvals[i]
	msg := sprintf("approval %s expired at %s, before %s.", [a.id, a.not_after, subject_time])
}

# approval_facts describe the deciding approval for a responder: its
# window, ticket and reason, one sentence each.
approval_facts := array.concat([approval_window], [fact |
	some fact in [approval_ticket, approval_reason]
	fact != ""
])

approval_window := sprintf("approval %s is valid from %s until %s.", [approval.id, approval.not_before, approval.not_after]) if {
	approval.not_before
	approval.not_after
} else := sprintf("approval %s is valid until %s.", [approval.id, approval.not_after]) if {
	approval.not_after
} else := sprintf("approval %s is valid from %s with no end.", [approval.id, approval.not_before]) if {
	approval.not_before
} else := sprintf("approval %s has no time limit.", [approval.id])

approval_ticket := sprintf("ticket: %s.", [approval.ticket]) if {
	approval.ticket != ""
} else := ""

approval_reason := sprintf("reason: %s", [approval.reason]) if {
	approval.reason != ""
} else := ""
