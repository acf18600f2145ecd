package nodoc

func Fn() {}
