package x

func Undocumented() {}
