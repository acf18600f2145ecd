# serialguard account classes.
#
# data.serialguard.account_classes.production lists production accounts
# by id and by Organizations entity path prefix (for example
# "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"). An unapproved enablement in a
# production account also asks for the preventive SCP.
package serialguard

default production := false

production if input.finding.account in data.serialguard.account_classes.production.accounts

production if {
	some prefix in data.serialguard.account_classes.production.ou_paths
	startswith(input.account.ou_path, prefix)
}
