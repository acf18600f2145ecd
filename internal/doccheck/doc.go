// Package doccheck finds exported Go names and packages that lack a doc
// comment. Its test walks the whole module and fails on every one, so
// that godoc stays complete as the code grows: a package says what it
// holds ("Package x ..." or, for a command, "Command x ..."), and every
// exported function, method of an exported type, type, constant and
// variable says what it is for.
package doccheck
