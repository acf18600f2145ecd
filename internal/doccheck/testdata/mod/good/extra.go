package good

// Extra has its doc; this file has no package comment, which is fine
// because good.go has one.
func Extra() {}
