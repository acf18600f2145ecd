package skip

func Undocumented() {}
