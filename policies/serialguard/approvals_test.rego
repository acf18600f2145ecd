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

# matches is true when an approval with pattern is a candidate for an
# enablement by arn.
matches(pattern, arn) if {
	serialguard.candidates[0] with data.serialguard.approvals as [{"principals": [pattern]}]
		with input.finding as {"kind": "enablement", "actor": {"principal_arn": arn}}
} else := false

test_any_pattern_of_an_approval_names_the_principal if {
	patterns := ["arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:role/BreakGlass"]
	serialguard.candidates == {0: {"principals": patterns}} with data.serialguard.approvals as [{"principals": patterns}]
		with input.finding as {"kind": "enablement", "actor": {"principal_arn": "arn:aws:iam::111122223333:role/BreakGlass"}}
}

test_empty_or_star_scope_covers_any if {
	every a in [{}, {"accounts": [], "regions": []}, {"accounts": ["*"], "regions": ["*"]}] {
		serialguard.in_scope(a, "accounts", "444455556666")
		serialguard.in_scope(a, "regions", "eu-west-1")
	}
}

test_scope_lists_cover_their_entries if {
	a := {"accounts": ["111122223333", "444455556666"], "regions": ["us-east-1", "eu-west-1"]}
	serialguard.in_scope(a, "accounts", "444455556666")
	serialguard.in_scope(a, "regions", "eu-west-1")
	b := {"accounts": ["111122223333"], "regions": ["us-east-1"]}
	not serialguard.in_scope(b, "accounts", "444455556666")
	not serialguard.in_scope(b, "regions", "eu-west-1")
}

# finding is the finding the window tests judge approvals at.
finding := {"kind": "enablement", "account": "444455556666", "region": "eu-west-1", "time": "2026-03-02T12:00:00Z"}

test_window_bounds_are_inclusive if {
	a := {"not_before": "2026-03-02T12:00:00Z", "not_after": "2026-03-02T12:00:00+00:00"}
	not serialguard.starts_after(a) with input.finding as finding
	not serialguard.ends_before(a) with input.finding as finding
	serialguard.starts_after({"not_before": "2026-03-02T12:00:00.001Z"}) with input.finding as finding
	serialguard.ends_before({"not_after": "2026-03-02T11:59:59.999Z"}) with input.finding as finding
	not serialguard.starts_after({}) with input.finding as finding
	not serialguard.ends_before({}) with input.finding as finding
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
