package serialguard_test

import data.serialguard

test_principal_patterns_follow_arn_like if {
	cases := [
		{"pattern": "arn:aws:iam::111122223333:role/BreakGlass", "arn": "arn:aws:iam::111122223333:role/BreakGlass", "want": true},
		{"pattern": "arn:aws:iam::111122223333:role/*", "arn": "arn:aws:iam::111122223333:role/ops/BreakGlass", "want": true},
		{"pattern": "arn:aws:iam::*:role/BreakGlass", "arn": "arn:aws:iam::444455556666:role/BreakGlass", "want": true},
		{"pattern": "arn:aws:iam::111122223333:role/Break?lass", "arn": "arn:aws:iam::111122223333:role/BreakGlass", "want": true},
		{"pattern": "arn:aws*:iam::111122223333:role/BreakGlass", "arn": "arn:aws-us-gov:iam::111122223333:role/BreakGlass", "want": true},
		{"pattern": "arn:aws:iam::111122223333:role/breakglass", "arn": "arn:aws:iam::111122223333:role/BreakGlass", "want": false},
		{"pattern": "arn:aws:iam::111122223333:*", "arn": "arn:aws:iam::111122223333:role/BreakGlass", "want": true},
		{"pattern": "arn:aws:iam::*", "arn": "arn:aws:iam::111122223333:role/BreakGlass", "want": false},
		{"pattern": "arn:aws:iam::111122223333:role/Break?", "arn": "arn:aws:iam::111122223333:role/BreakGlass", "want": false},
		{"pattern": "arn:aws:iam::111122223333:role/BreakGlass", "arn": "", "want": false},
	]
	every c in cases {
		matches(c.pattern, c.arn) == c.want
	}
}

matches(pattern, arn) if {
	serialguard.arn_like(pattern, arn)
} else := false

# finding is judged against approval 0 of the approvals each test sets.
finding := {"kind": "enablement", "account": "444455556666", "region": "eu-west-1", "time": "2026-03-02T12:00:00Z"}

test_empty_or_star_scope_covers_any if {
	every a in [{}, {"accounts": [], "regions": []}, {"accounts": ["*"], "regions": ["*"]}] {
		serialguard.covers_account(0) with data.serialguard.approvals as [a] with input.finding as finding
		serialguard.covers_region(0) with data.serialguard.approvals as [a] with input.finding as finding
	}
}

test_scope_lists_cover_their_entries if {
	a := {"accounts": ["111122223333", "444455556666"], "regions": ["us-east-1", "eu-west-1"]}
	serialguard.covers_account(0) with data.serialguard.approvals as [a] with input.finding as finding
	serialguard.covers_region(0) with data.serialguard.approvals as [a] with input.finding as finding
	b := {"accounts": ["111122223333"], "regions": ["us-east-1"]}
	not serialguard.covers_account(0) with data.serialguard.approvals as [b] with input.finding as finding
	not serialguard.covers_region(0) with data.serialguard.approvals as [b] with input.finding as finding
}

test_window_bounds_are_inclusive if {
	a := {"not_before": "2026-03-02T12:00:00Z", "not_after": "2026-03-02T12:00:00+00:00"}
	not serialguard.starts_after(0) with data.serialguard.approvals as [a] with input.finding as finding
	not serialguard.ends_before(0) with data.serialguard.approvals as [a] with input.finding as finding
	late := {"not_before": "2026-03-02T12:00:00.001Z"}
	serialguard.starts_after(0) with data.serialguard.approvals as [late] with input.finding as finding
	early := {"not_after": "2026-03-02T11:59:59.999Z"}
	serialguard.ends_before(0) with data.serialguard.approvals as [early] with input.finding as finding
	not serialguard.starts_after(0) with data.serialguard.approvals as [{}] with input.finding as finding
	not serialguard.ends_before(0) with data.serialguard.approvals as [{}] with input.finding as finding
}

facts_of(a) := f if {
	f := serialguard.approval_facts with data.serialguard.approvals as [object.union({"principals": ["*"]}, a)]
		with input.finding as {"kind": "enabled_state", "account": "444455556666", "region": "eu-west-1"}
		with input.now as "2026-01-15T00:00:00Z"
}

test_facts_describe_the_window if {
	facts_of({"id": "A", "not_before": "2026-01-01T00:00:00Z", "not_after": "2026-02-01T00:00:00Z"}) == ["approval A is valid from 2026-01-01T00:00:00Z until 2026-02-01T00:00:00Z."]
	facts_of({"id": "A", "not_after": "2026-02-01T00:00:00Z"}) == ["approval A is valid until 2026-02-01T00:00:00Z."]
	facts_of({"id": "A", "not_before": "2026-01-01T00:00:00Z"}) == ["approval A is valid from 2026-01-01T00:00:00Z with no end."]
	facts_of({"id": "A", "ticket": "", "reason": ""}) == ["approval A has no time limit."]
}

test_facts_add_ticket_and_reason if {
	facts_of({"id": "A", "ticket": "CHG-1", "reason": "boot debug"}) == [
		"approval A has no time limit.",
		"ticket: CHG-1.",
		"reason: boot debug",
	]
}
