package testsonly

func Undocumented() {}
