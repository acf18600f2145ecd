# MFA: this policy approves an enablement only when the session that made
# it signed in with multi-factor authentication. Everything else is the
# default policy, copied unchanged beside this file.
#
# CloudTrail records MFA as userIdentity.sessionContext.attributes.
# mfaAuthenticated; serialguard passes it to policies as
# input.ecs.aws.cloudtrail.user_identity.session_context.mfa_authenticated,
# the string "true" or "false". Calls made with an IAM user's long-term
# access keys carry no session context and never count as MFA.
package serialguard

objections contains sprintf(
	"%s did not sign in with MFA, and this policy approves enablements only from MFA sessions.",
	[actor],
) if {
	input.finding.kind == "enablement"
	not signed_in_with_mfa
}

signed_in_with_mfa if input.ecs.aws.cloudtrail.user_identity.session_context.mfa_authenticated == "true"
