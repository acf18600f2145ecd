package good

func TestHelperInTestFile() {}

type Exported struct{}
