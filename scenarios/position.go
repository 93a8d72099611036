package scenarios

import (
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mockplex/mockplex/internal/jsonptr"
)

// pointerTokens splits a JSON pointer, as the validator writes it (each token
// ~-escaped, then URL-path-escaped), into plain tokens.
func pointerTokens(ptr string) []string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return nil
	}
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		if u, err := url.PathUnescape(t); err == nil {
			t = u
		}
		toks[i] = jsonptr.Unescape(t)
	}
	return toks
}

// locate finds the node a JSON pointer names, and the key node of its last
// step when that step is a mapping key. It stops at the deepest node it can
// reach.
func locate(root *yaml.Node, ptr string) (node, key *yaml.Node) {
	node = root
	for _, t := range pointerTokens(ptr) {
		switch node.Kind {
		case yaml.MappingNode:
			k := mappingKey(node, t)
			if k == nil {
				return node, nil
			}
			key = k
			node = mappingValue(node, t)
		case yaml.SequenceNode:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(node.Content) {
				return node, nil
			}
			node, key = node.Content[i], nil
		default:
			return node, key
		}
	}
	return node, key
}

func mappingKey(m *yaml.Node, name string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i]
		}
	}
	return nil
}

func mappingValue(m *yaml.Node, name string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == name {
			return m.Content[i+1]
		}
	}
	return nil
}
