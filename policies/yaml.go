package policies

import (
	"encoding/json"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// maxYAMLNodes bounds the values a YAML document may expand to, aliases
// included, so that a few bytes of anchors cannot exhaust memory.
const maxYAMLNodes = 1 << 20

// parseYAML decodes a YAML document into the values JSON would give:
// string keys, json.Number numbers. Scalars keep their text: a timestamp
// stays the string it was written as, so the engine and the OPA CLI read
// the same value, and duplicate keys are an error.
func parseYAML(b []byte) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return nil, err
	}
	budget := maxYAMLNodes
	return yamlValue(&n, &budget)
}

func yamlValue(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, errors.New("too many values (aliases expand too far)")
	}
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlValue(n.Content[0], budget)
	case yaml.AliasNode:
		return yamlValue(n.Alias, budget)
	case yaml.SequenceNode:
		return yamlList(n, budget)
	case yaml.MappingNode:
		return yamlMapping(n, budget)
	}
	return yamlScalar(n)
}

func yamlList(n *yaml.Node, budget *int) (any, error) {
	out := make([]any, 0, len(n.Content))
	for _, c := range n.Content {
		v, err := yamlValue(c, budget)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func yamlMapping(n *yaml.Node, budget *int) (any, error) {
	out := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			return nil, fmt.Errorf("line %d: a mapping key is not a string",
				k.Line)
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("line %d: key %q appears twice",
				k.Line, k.Value)
		}
		v, err := yamlValue(n.Content[i+1], budget)
		if err != nil {
			return nil, err
		}
		out[k.Value] = v
	}
	return out, nil
}

func yamlScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float":
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return jsonNumber(v, n.Line)
	case "!!str", "!!timestamp":
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML value of type %s",
		n.Line, n.ShortTag())
}

// jsonNumber turns a decoded YAML number into the json.Number JSON would
// give; infinities and NaN have none.
func jsonNumber(v any, line int) (json.Number, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("line %d: %v is not a JSON number", line, v)
	}
	return json.Number(b), nil
}
