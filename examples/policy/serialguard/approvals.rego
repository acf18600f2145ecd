# serialguard approvals.
#
# Which approvals in data.serialguard.approvals cover a finding, and why
# the others do not. An approval names principal ARN patterns matched
# with IAM ArnLike semantics, optional accounts and regions ("*" or an
# empty list means any) and an optional RFC 3339 window. Approvals are
# referred to by their index in the list.
#
# Every decision runs these rules, so they do the least work first: one
# pass over the approvals keeps the candidates, the other constraints are
# checked on those few, and why no approval applied is worked out only
# when none did. Each rule, function call and data lookup costs
# microseconds; see BenchmarkDecide before adding any.
package serialguard

# approval is the approval that decides: the first active one.
approval := data.serialguard.approvals[min(active)]

# active are the candidates that apply to the finding's account, region
# and time, unless a custom policy objects.
active contains i if {
	not objected
	some i, a in candidates
	in_scope(a, "accounts", input.finding.account)
	in_scope(a, "regions", input.finding.region)
	not starts_after(a)
	not ends_before(a)
}

# candidates are the approvals that could apply to the finding, by
# index: those naming the principal for an enablement, those covering
# the account for a console session or an enabled_state.
#
# Principal patterns match as IAM's ArnLike does: case sensitive, each of
# the six colon-separated parts compared on its own, "*" for any run of
# characters and "?" for one, neither crossing a ":". That is glob.match
# with ":" as the only delimiter.
candidates[i] := a if {
	input.finding.kind == "enablement"
	arn := input.finding.actor.principal_arn
	some i, a in data.serialguard.approvals
	some pattern in a.principals
	glob.match(pattern, [":"], arn)
}

candidates[i] := a if {
	input.finding.kind in {"console_use", "enabled_state"}
	some i, a in data.serialguard.approvals
	in_scope(a, "accounts", input.finding.account)
}

# objected is true when a custom policy objects to approving this finding
# at all: it adds sentences to the set data.serialguard.objections, for
# example to require MFA (see examples/policy). The default adds none.
objected if count(data.serialguard.objections) > 0

# in_scope is true when approval a lists x at key, or lists "*", or
# lists nothing there: no list or an empty one means any.
in_scope(a, key, x) if {
	x in a[key]
} else if {
	"*" in a[key]
} else if {
	count(object.get(a, key, [])) == 0
}

# subject_time is the time a finding is judged at: when its event
# happened, or input.now for a sweep's enabled_state, which has no event.
subject_time := input.now if {
	input.finding.kind == "enabled_state"
} else := input.finding.time

subject_ns := time.parse_rfc3339_ns(subject_time)

# starts_after and ends_before are false for an approval without the
# bound. NOTE: written inline as "not time.parse_rfc3339_ns(a.not_before)
# > subject_ns", the check fails for such an approval instead: the
# compiler evaluates the ref to the missing key outside the "not".
starts_after(a) if time.parse_rfc3339_ns(a.not_before) > subject_ns

ends_before(a) if time.parse_rfc3339_ns(a.not_after) < subject_ns

# misses explains, one sentence per approval and constraint, why a
# candidate approval did not apply.
misses contains msg if {
	some msg in data.serialguard.objections
}

misses contains msg if {
	some a in candidates
	not in_scope(a, "accounts", input.finding.account)
	msg := sprintf("approval %s does not cover account %s.", [a.id, input.finding.account])
}

misses contains msg if {
	some a in candidates
	not in_scope(a, "regions", input.finding.region)
	msg := sprintf("approval %s does not cover region %s.", [a.id, input.finding.region])
}

misses contains msg if {
	some a in candidates
	starts_after(a)
	msg := sprintf("approval %s starts at %s, after %s.", [a.id, a.not_before, subject_time])
}

misses contains msg if {
	some a in candidates
	ends_before(a)
	msg := sprintf("approval %s expired at %s, before %s.", [a.id, a.not_after, subject_time])
}

# approval_facts describe the deciding approval for a responder: its
# window, then its ticket and reason when it has them, one sentence each.
approval_facts := array.concat([approval_window], [sprintf(msg, [approval[key]]) |
	some [key, msg] in [["ticket", "ticket: %s."], ["reason", "reason: %s"]]
	approval[key] != ""
])

approval_window := sprintf("approval %s is valid from %s until %s.", [approval.id, approval.not_before, approval.not_after]) if {
	approval.not_before
	approval.not_after
} else := sprintf("approval %s is valid until %s.", [approval.id, approval.not_after]) if {
	approval.not_after
} else := sprintf("approval %s is valid from %s with no end.", [approval.id, approval.not_before]) if {
	approval.not_before
} else := sprintf("approval %s has no time limit.", [approval.id])
