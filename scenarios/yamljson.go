package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// toJSON converts a YAML tree into the values the schema validator takes,
// rejecting what JSON cannot hold: aliases, non-scalar keys, duplicate keys,
// non-finite numbers and custom tags.
func toJSON(file string, n *yaml.Node) (any, *Error) {
	at := func(n *yaml.Node, want, got string) *Error {
		return &Error{File: file, Line: n.Line, Column: n.Column, Want: want, Got: got}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, at(n, "a plain value (scenario files do not use anchors or aliases)", "alias *"+n.Value)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				return nil, at(k, "a plain key (scenario files do not use anchors or aliases)", "alias *"+k.Value)
			}
			if k.Kind != yaml.ScalarNode {
				return nil, at(k, "a string key", describeNode(k))
			}
			if first, dup := seen[k.Value]; dup {
				return nil, at(k, "each key once", fmt.Sprintf("key %q again (first at line %d)", k.Value, first))
			}
			seen[k.Value] = k.Line
			jv, err := toJSON(file, val)
			if err != nil {
				return nil, err
			}
			m[k.Value] = jv
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			jv, err := toJSON(file, c)
			if err != nil {
				return nil, err
			}
			a = append(a, jv)
		}
		return a, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!str", "!!timestamp", "!!binary":
			return n.Value, nil
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, at(n, "true or false", describeNode(n))
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, at(n, "an integer that fits in 64 bits", describeNode(n))
			}
			return json.Number(strconv.FormatInt(i, 10)), nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, at(n, "a finite number", describeNode(n))
			}
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		default:
			return nil, at(n, "a plain value without a YAML tag", "tag "+n.Tag)
		}
	}
	return nil, at(n, "a YAML value", "an unsupported node")
}

// describeNode says what a node is, for the "got" half of an error.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		if len(n.Content) == 0 {
			return "an empty mapping"
		}
		return "a mapping"
	case yaml.SequenceNode:
		if len(n.Content) == 0 {
			return "an empty sequence"
		}
		return "a sequence"
	case yaml.AliasNode:
		return "alias *" + n.Value
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!bool":
		return "boolean " + v
	case "!!int":
		return "integer " + v
	case "!!float":
		return "number " + v
	case "!!str", "!!timestamp", "!!binary":
		return "string " + strconv.Quote(v)
	}
	return "value " + strconv.Quote(v)
}
