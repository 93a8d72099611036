package scenarios

import (
	"github.com/mockplex/mockplex/internal/yamljson"
	"go.yaml.in/yaml/v3"
)

// toJSON converts a YAML tree into the values the schema validator takes,
// rejecting what JSON cannot hold: aliases, non-scalar keys, duplicate keys,
// non-finite numbers and custom tags.
func toJSON(file string, n *yaml.Node) (any, *Error) {
	v, err := yamljson.Convert(n, false)
	if err != nil {
		want := err.Want
		switch want {
		case "a plain value (no anchors or aliases)":
			want = "a plain value (scenario files do not use anchors or aliases)"
		case "a plain key (no anchors or aliases)":
			want = "a plain key (scenario files do not use anchors or aliases)"
		}
		return nil, &Error{File: file, Line: err.Line, Column: err.Column, Want: want, Got: err.Got}
	}
	return v, nil
}

// describeNode says what a node is, for the "got" half of an error.
func describeNode(n *yaml.Node) string { return yamljson.Describe(n) }
