package eventpattern_test

import (
	"fmt"

	"github.com/serialguard/serialguard/deploy/eventpattern"
)

func ExamplePattern_Match() {
	p, err := eventpattern.Parse([]byte(`{
	  "source": ["aws.ec2"],
	  "detail": {"eventName": [{"prefix": "EnableSerialConsole"}]}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{
		"EnableSerialConsoleAccess",
		"GetSerialConsoleAccessStatus",
	} {
		ev := `{"source":"aws.ec2","detail":{"eventName":"` + name + `"}}`
		ok, err := p.Match([]byte(ev))
		fmt.Println(name, ok, err)
	}
	// Output:
	// EnableSerialConsoleAccess true <nil>
	// GetSerialConsoleAccessStatus false <nil>
}
