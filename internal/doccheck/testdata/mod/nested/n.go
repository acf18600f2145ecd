package nested

func Undocumented() {}
