package cfn_test

import (
	"fmt"

	"github.com/serialguard/serialguard/deploy/cfn"
)

func ExampleParse() {
	src := []byte(`
Parameters:
  CentralAccountId: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:${AWS::Partition}:iam::${CentralAccountId}:root
            Action: sts:AssumeRole
Outputs:
  Arn:
    Value: !GetAtt Role.Arn
`)
	tmpl, err := cfn.Parse(src, cfn.Options{
		Parameters: map[string]string{"CentralAccountId": "444455556666"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	role, err := tmpl.GetIAMRoleWithName("Role")
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := role.AssumeRolePolicyDocument.(map[string]any)
	st := doc["Statement"].([]any)[0].(map[string]any)
	fmt.Println(st["Principal"])
	fmt.Println(tmpl.Outputs["Arn"].Value)
	// Output:
	// map[AWS:arn:aws:iam::444455556666:root]
	// ${Role.Arn}
}
