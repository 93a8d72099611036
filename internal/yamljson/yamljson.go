// Package yamljson turns a YAML tree into the values encoding/json and the
// JSON Schema validator take, refusing what JSON cannot hold (aliases,
// non-string keys, duplicate keys, custom tags, non-finite numbers) with
// the node's line and column. Scenario files and the schema overlay are
// both read through it.
package yamljson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Error says where a YAML tree cannot be JSON and what was expected.
type Error struct {
	Line, Column int
	Want, Got    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: want %s, got %s", e.Line, e.Column, e.Want, e.Got)
}

// Object is a JSON object that keeps its members in the YAML order, for
// output that must not reorder (generated files).
type Object []Member

// Member is one key and value of an Object. It is an unnamed struct type,
// so Object{{"type", "object"}} reads as a literal does in JSON.
type Member = struct {
	Key   string
	Value any
}

// MarshalJSON writes the members in order, without HTML escaping.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalRaw(m.Key)
		if err != nil {
			return nil, err
		}
		v, err := marshalRaw(m.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshalRaw is json.Marshal without HTML escaping.
func marshalRaw(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Convert turns n into JSON values: map[string]any for mappings (an Object
// when ordered), []any, string, bool, nil, and json.Number for numbers. A
// document node converts its one value.
func Convert(n *yaml.Node, ordered bool) (any, *Error) {
	at := func(n *yaml.Node, want, got string) *Error {
		return &Error{Line: n.Line, Column: n.Column, Want: want, Got: got}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, at(n, "one YAML document", fmt.Sprintf("%d", len(n.Content)))
		}
		return Convert(n.Content[0], ordered)
	case yaml.AliasNode:
		return nil, at(n, "a plain value (no anchors or aliases)", "alias *"+n.Value)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var o Object
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind == yaml.AliasNode {
				return nil, at(k, "a plain key (no anchors or aliases)", "alias *"+k.Value)
			}
			if k.Kind != yaml.ScalarNode {
				return nil, at(k, "a string key", Describe(k))
			}
			if first, dup := seen[k.Value]; dup {
				return nil, at(k, "each key once", fmt.Sprintf("key %q again (first at line %d)", k.Value, first))
			}
			seen[k.Value] = k.Line
			jv, err := Convert(val, ordered)
			if err != nil {
				return nil, err
			}
			if ordered {
				o = append(o, Member{k.Value, jv})
			} else {
				m[k.Value] = jv
			}
		}
		if ordered {
			if o == nil {
				o = Object{}
			}
			return o, nil
		}
		return m, nil
	case yaml.SequenceNode:
		a := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			jv, err := Convert(c, ordered)
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
				return nil, at(n, "true or false", Describe(n))
			}
			return b, nil
		case "!!int":
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, at(n, "an integer that fits in 64 bits", Describe(n))
			}
			return json.Number(strconv.FormatInt(i, 10)), nil
		case "!!float":
			var f float64
			if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, at(n, "a finite number", Describe(n))
			}
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
		default:
			return nil, at(n, "a plain value without a YAML tag", "tag "+n.Tag)
		}
	}
	return nil, at(n, "a YAML value", "an unsupported node")
}

// Describe says what a node is, for the "got" half of an error.
func Describe(n *yaml.Node) string {
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
