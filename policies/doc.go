// Package policies holds serialguard's default Rego policy, embedded in
// the binary, and the engine that asks it for a Decision on each finding.
//
// The decision is one object at one rule path, data.serialguard.decision:
//
//	{"action": "remediate"|"allow"|"alert", "approved": bool,
//	 "approval_id": string, "attach_scp": bool, "reasons": [string]}
//
// A policy sees input.finding (the finding's JSON), input.ecs (Elastic's
// ECS view of the CloudTrail record; absent for enabled_state),
// input.account ({id, name, ou_path, tags}) and input.now (RFC 3339).
// Approvals and account classes come from data.serialguard.approvals and
// data.serialguard.account_classes, loaded from YAML or JSON files whose
// top-level key is "serialguard", so that the same files work with the
// OPA CLI. input.ecs is costly to build, so the engine builds it only for
// a policy that may read it.
//
// The engine fails closed: an undefined decision, an evaluation error, a
// malformed decision or a timeout all decide remediate and say why.
// Policies run with restricted capabilities (see ForbiddenBuiltins): they
// cannot reach the network or the environment, and they are
// deterministic for a given input, data and time.
package policies
