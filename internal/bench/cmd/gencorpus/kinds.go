package main

import "fmt"

func (g *gen) describeInstances(r *record) {
	r.EventSource, r.EventName, r.ReadOnly = "ec2.amazonaws.com",
		"DescribeInstances", true
	r.RequestParameters = map[string]any{"instancesSet": map[string]any{},
		"filterSet": map[string]any{"items": []any{map[string]any{
			"name": "tag:Name", "valueSet": map[string]any{"items": []any{
				map[string]any{"value": "web-{blue,green}-*"}}}}}}}
}

func (g *gen) assumeRole(r *record) {
	acct := r.RecipientAccountID
	role := roles[g.rng.IntN(len(roles))]
	session := token(g.rng, 16)
	r.EventSource, r.EventName = "sts.amazonaws.com", "AssumeRole"
	r.RequestParameters = map[string]any{
		"roleArn":         fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, role),
		"roleSessionName": session, "durationSeconds": 3600}
	r.ResponseElements = map[string]any{
		"credentials": map[string]any{"accessKeyId": "ASIA" + token(g.rng, 16),
			"sessionToken": token(g.rng, 64),
			"expiration":   "Nov 2, 2026, 1:00:00 AM"},
		"assumedRoleUser": map[string]any{
			"assumedRoleId": "AROA" + token(g.rng, 16) + ":" + session,
			"arn": fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", acct,
				role, session)}}
	r.Resources = []any{map[string]any{"accountId": acct, "type": "AWS::IAM::Role",
		"ARN": fmt.Sprintf("arn:aws:iam::%s:role/%s", acct, role)}}
	r.SharedEventID = g.uuid()
}

func (g *gen) decrypt(r *record) {
	r.EventSource, r.EventName, r.ReadOnly = "kms.amazonaws.com", "Decrypt", true
	r.RequestParameters = map[string]any{
		"encryptionAlgorithm": "SYMMETRIC_DEFAULT",
		"encryptionContext": map[string]any{
			"aws:lambda:FunctionArn": fmt.Sprintf(
				"arn:aws:lambda:%s:%s:function:handler-%s", r.AWSRegion,
				r.RecipientAccountID, token(g.rng, 6))}}
	r.Resources = []any{map[string]any{"accountId": r.RecipientAccountID,
		"type": "AWS::KMS::Key", "ARN": fmt.Sprintf("arn:aws:kms:%s:%s:key/%s",
			r.AWSRegion, r.RecipientAccountID, g.uuid())}}
}

func (g *gen) getObject(r *record) {
	bucket := "example-data-" + r.RecipientAccountID
	key := fmt.Sprintf("reports/2026/11/%s.parquet", token(g.rng, 20))
	r.EventSource, r.EventName, r.ReadOnly = "s3.amazonaws.com", "GetObject", true
	r.EventCategory, r.ManagementEvent = "Data", false
	r.RequestParameters = map[string]any{"bucketName": bucket,
		"Host": bucket + ".s3." + r.AWSRegion + ".amazonaws.com", "key": key}
	r.AdditionalData = map[string]any{"SignatureVersion": "SigV4",
		"CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
		"AuthenticationMethod": "AuthHeader", "x-amz-id-2": token(g.rng, 76),
		"bytesTransferredOut": g.rng.IntN(1 << 24)}
	r.Resources = []any{
		map[string]any{"type": "AWS::S3::Object",
			"ARN": "arn:aws:s3:::" + bucket + "/" + key},
		map[string]any{"accountId": r.RecipientAccountID,
			"type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}}
}

func (g *gen) getParameter(r *record) {
	r.EventSource, r.EventName, r.ReadOnly = "ssm.amazonaws.com", "GetParameter", true
	r.RequestParameters = map[string]any{"name": "/app/prod/" + token(g.rng, 8),
		"withDecryption": true}
}

func (g *gen) listRoles(r *record) {
	r.EventSource, r.EventName, r.ReadOnly = "iam.amazonaws.com", "ListRoles", true
	r.AWSRegion = "us-east-1"
	r.RequestParameters = map[string]any{"maxItems": 100}
}

func (g *gen) runInstances(r *record) {
	r.EventSource, r.EventName = "ec2.amazonaws.com", "RunInstances"
	r.RequestParameters = map[string]any{
		"instancesSet": map[string]any{"items": []any{map[string]any{
			"imageId": "ami-0" + token(g.rng, 16), "minCount": 1, "maxCount": 1}}},
		"instanceType": "m7g.large", "blockDeviceMapping": map[string]any{},
		"monitoring": map[string]any{"enabled": false},
		"userData":   "<sensitiveDataRemoved>",
		"tagSpecificationSet": map[string]any{"items": []any{map[string]any{
			"resourceType": "instance", "tags": []any{
				map[string]any{"key": "Name", "value": "batch-" + token(g.rng, 6)},
				map[string]any{"key": "team", "value": "data"}}}}}}
	r.ResponseElements = map[string]any{"requestId": r.RequestID,
		"reservationId": "r-0" + token(g.rng, 16), "ownerId": r.RecipientAccountID,
		"instancesSet": map[string]any{"items": []any{g.instance(r.AWSRegion)}}}
}

// instance is one instance as RunInstances describes it.
func (g *gen) instance(region string) map[string]any {
	return map[string]any{
		"instanceId": "i-0" + token(g.rng, 16), "imageId": "ami-0" + token(g.rng, 16),
		"instanceState":  map[string]any{"code": 0, "name": "pending"},
		"privateDnsName": "ip-10-0-1-15." + region + ".compute.internal",
		"instanceType":   "m7g.large", "launchTime": 1790000000000,
		"placement": map[string]any{
			"availabilityZone": region + "a", "tenancy": "default"},
		"monitoring":       map[string]any{"state": "disabled"},
		"subnetId":         "subnet-0" + token(g.rng, 16),
		"vpcId":            "vpc-0" + token(g.rng, 16),
		"privateIpAddress": "10.0.1.15", "architecture": "arm64",
		"rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda",
		"networkInterfaceSet": map[string]any{"items": []any{map[string]any{
			"networkInterfaceId": "eni-0" + token(g.rng, 16),
			"macAddress":         "02:ab:cd:ef:12:34", "status": "in-use",
			"groupSet": map[string]any{"items": []any{map[string]any{
				"groupId": "sg-0" + token(g.rng, 16), "groupName": "default"}}}}}},
		"ebsOptimized": true, "enaSupport": true,
		"metadataOptions": map[string]any{"state": "pending",
			"httpTokens": "required", "httpEndpoint": "enabled"},
	}
}

func (g *gen) putMetric(r *record) {
	r.EventSource, r.EventName = "monitoring.amazonaws.com", "PutMetricData"
	r.RequestParameters = map[string]any{"namespace": "CWAgent",
		"metricData": []any{map[string]any{"metricName": "mem_used_percent",
			"dimensions": []any{map[string]any{"name": "InstanceId",
				"value": "i-0" + token(g.rng, 16)}},
			"value": g.rng.Float64() * 100, "unit": "Percent"}}}
}

func (g *gen) denied(r *record) {
	r.EventSource, r.EventName = "ec2.amazonaws.com", "CreateSecurityGroup"
	r.ErrorCode = "Client.UnauthorizedOperation"
	r.ErrorMessage = "You are not authorized to perform this operation. " +
		"Encoded authorization failure message: " + token(g.rng, 600)
	r.RequestParameters = map[string]any{"groupName": "open-" + token(g.rng, 5),
		"groupDescription": "temporary", "vpcId": "vpc-0" + token(g.rng, 16)}
}

func (g *gen) serialStatus(r *record) {
	r.EventSource, r.EventName, r.ReadOnly = "ec2.amazonaws.com",
		"GetSerialConsoleAccessStatus", true
	r.RequestParameters = map[string]any{"GetSerialConsoleAccessStatusRequest": ""}
}

func (g *gen) consoleLogin(r *record) {
	r.EventSource, r.EventName = "signin.amazonaws.com", "ConsoleLogin"
	r.EventType, r.RequestParameters = "AwsConsoleSignIn", nil
	r.ResponseElements = map[string]any{"ConsoleLogin": "Success"}
	r.AdditionalData = map[string]any{
		"LoginTo":       "https://console.aws.amazon.com/console/home",
		"MobileVersion": "No", "MFAUsed": "Yes"}
}
