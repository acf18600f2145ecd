package ignored

func Undocumented() {}
