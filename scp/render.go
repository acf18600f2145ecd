package scp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// Size quotas of AWS Organizations, in characters of the document as
// uploaded. The rendered documents are minified, so every character
// counts towards the quota.
const (
	MaxSCPSize         = 5120
	MaxDeclarativeSize = 10000
)

// Statement and action of the SCP.
const (
	// SCPStatementID is the Sid of the statement Render writes.
	SCPStatementID = "DenySerialConsoleEnable"
	// DeniedAction is the only action the SCP denies. Status reads stay
	// allowed: audits need ec2:GetSerialConsoleAccessStatus.
	DeniedAction = "ec2:EnableSerialConsoleAccess"
)

// SizeError is a document over its quota.
type SizeError struct {
	Kind  string // "SCP" or "declarative policy"
	Size  int    // characters
	Limit int
}

// Error says which document is how far over its quota.
func (e *SizeError) Error() string {
	return fmt.Sprintf("%s is %d characters, over the quota of %d",
		e.Kind, e.Size, e.Limit)
}

type scpDocument struct {
	Version   string         `json:"Version"`
	Statement []scpStatement `json:"Statement"`
}

type scpStatement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    string                         `json:"Action"`
	Resource  string                         `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// Render returns the SCP that denies ec2:EnableSerialConsoleAccess on
// every resource, except to principals whose ARN matches one of exempt
// (ArnNotLike on aws:PrincipalArn; * and ? are wildcards). The patterns
// are sorted and deduplicated, so the output depends only on their set.
// It fails on a pattern that is not a principal ARN pattern and when the
// minified document exceeds MaxSCPSize.
func Render(exempt []string) ([]byte, error) {
	patterns, err := principalPatterns(exempt)
	if err != nil {
		return nil, err
	}
	st := scpStatement{
		Sid:      SCPStatementID,
		Effect:   "Deny",
		Action:   DeniedAction,
		Resource: "*",
	}
	if len(patterns) > 0 {
		st.Condition = map[string]map[string][]string{
			"ArnNotLike": {"aws:PrincipalArn": patterns},
		}
	}
	doc := scpDocument{Version: "2012-10-17", Statement: []scpStatement{st}}
	return marshal(doc, types.PolicyTypeServiceControlPolicy)
}

// principalPatterns checks, sorts and deduplicates exempt patterns.
func principalPatterns(exempt []string) ([]string, error) {
	out := make([]string, 0, len(exempt))
	for _, p := range exempt {
		if err := checkPattern(p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// checkPattern accepts arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE with
// wildcards, and refuses one that would exempt every principal.
func checkPattern(p string) error {
	parts := strings.SplitN(p, ":", 6)
	switch {
	case len(parts) != 6 || parts[0] != "arn" || parts[5] == "":
		return fmt.Errorf("exempt principal %q is not an ARN pattern", p)
	case strings.ContainsFunc(p, isSpaceOrControl):
		return fmt.Errorf("exempt principal %q contains white space "+
			"or a control character", p)
	case strings.Trim(p[len("arn:"):], "*?:/") == "":
		return fmt.Errorf("exempt principal %q matches every principal", p)
	}
	return nil
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

type assign struct {
	Assign string `json:"@@assign"`
}

type declarativeDocument struct {
	EC2 struct {
		ExceptionMessage    *assign `json:"exception_message,omitempty"`
		SerialConsoleAccess struct {
			Status assign `json:"status"`
		} `json:"serial_console_access"`
	} `json:"ec2_attributes"`
}

// RenderDeclarative returns the EC2 declarative policy
// (DECLARATIVE_POLICY_EC2) that keeps serial console access disabled.
// A non-empty msg becomes ec2_attributes.exception_message, the error
// text users see when the policy refuses their call.
func RenderDeclarative(msg string) ([]byte, error) {
	if !utf8.ValidString(msg) {
		return nil, errors.New("exception message is not valid UTF-8")
	}
	var doc declarativeDocument
	doc.EC2.SerialConsoleAccess.Status.Assign = "disabled"
	if msg != "" {
		doc.EC2.ExceptionMessage = &assign{Assign: msg}
	}
	return marshal(doc, types.PolicyTypeDeclarativePolicyEc2)
}

// marshal writes v minified, without HTML escaping, and checks its size
// against the quota of policy type t.
func marshal(v any, t types.PolicyType) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode %s: %w", t, err)
	}
	doc := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err := checkSize(doc, t); err != nil {
		return nil, err
	}
	return doc, nil
}

// checkSize fails with a SizeError when doc, counted in characters, is
// over the quota of policy type t.
func checkSize(doc []byte, t types.PolicyType) error {
	kind, limit := quota(t)
	if n := utf8.RuneCount(doc); n > limit {
		return &SizeError{Kind: kind, Size: n, Limit: limit}
	}
	return nil
}

// quota returns how SizeError names documents of policy type t, and their
// size quota.
func quota(t types.PolicyType) (string, int) {
	if t == types.PolicyTypeDeclarativePolicyEc2 {
		return "declarative policy", MaxDeclarativeSize
	}
	return "SCP", MaxSCPSize
}

// Normalize returns doc minified with object keys sorted, so that two
// documents that differ only in layout compare equal.
func Normalize(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("parse policy document: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("parse policy document: data after the " +
			"JSON value")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode policy document: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
