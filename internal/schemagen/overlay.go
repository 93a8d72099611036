package schemagen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// overlay is the decoded overlay.yaml: every place where plex.tv's wire
// differs from the SDK field table, each with the reason.
type overlay struct {
	Root        string       `yaml:"root"`    // the table the pin schema starts from
	BaseID      string       `yaml:"baseID"`  // $id prefix of the generated documents
	Changes     []change     `yaml:"changes"` // applied in order, wire profile only
	Definitions []definition `yaml:"definitions"`
}

// change is one recorded difference. At names a table ("Location") or a
// field ("Location.PostalCode"). A change with only At and Why records a
// difference that has no schema effect; its Why still lands in $comment.
type change struct {
	At   string `yaml:"at"`
	Why  string `yaml:"why"`
	line int

	// Table-level.
	Names                map[string]string `yaml:"names"` // table field name -> wire key
	RequireAll           *bool             `yaml:"requireAll"`
	AdditionalProperties *bool             `yaml:"additionalProperties"`

	// Field-level.
	Add         bool     `yaml:"add"`   // the field is not in the table
	Name        string   `yaml:"name"`  // with Add: its wire key
	After       string   `yaml:"after"` // with Add: the field it follows on the wire
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	Type        typeList `yaml:"type"`
	Format      string   `yaml:"format"`
	Pattern     string   `yaml:"pattern"`
	Minimum     *int64   `yaml:"minimum"`
	Maximum     *int64   `yaml:"maximum"`
	MinLength   *int64   `yaml:"minLength"`
	Required    *bool    `yaml:"required"`
	Example     string   `yaml:"example"` // replaces the table's example
}

// definition is an extra schema the tables lack, such as the error envelope.
type definition struct {
	Name   string    `yaml:"name"`
	Why    string    `yaml:"why"`
	Schema yaml.Node `yaml:"schema"` // a JSON Schema written as YAML
}

// typeList accepts `type: integer` and `type: [string, "null"]`.
type typeList []string

func (t *typeList) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*t = typeList{n.Value}
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*t = s
	default:
		return fmt.Errorf("line %d: want a JSON type name or a list of them", n.Line)
	}
	for _, name := range *t {
		switch name {
		case "string", "number", "integer", "boolean", "null", "object", "array":
		default:
			return fmt.Errorf("line %d: want a JSON type name (string, number, integer, boolean, null, object, array), got %q", n.Line, name)
		}
	}
	return nil
}

// parseOverlay decodes overlay.yaml strictly: unknown keys and entries
// without a why are errors.
func parseOverlay(file string, r io.Reader) (*overlay, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read overlay %s: %w", file, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var o overlay
	if err := dec.Decode(&o); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s is empty: want root, changes and definitions", file)
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	// Record each change's line for error messages.
	if len(doc.Content) == 1 {
		root := doc.Content[0]
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "changes" {
				for j, n := range root.Content[i+1].Content {
					if j < len(o.Changes) {
						o.Changes[j].line = n.Line
					}
				}
			}
		}
	}
	if o.Root == "" {
		return nil, fmt.Errorf("%s: want a root table name (root: GetPinResponseBody)", file)
	}
	for _, c := range o.Changes {
		if strings.TrimSpace(c.At) == "" {
			return nil, fmt.Errorf("%s:%d: change without at: want \"Table\" or \"Table.Field\"", file, c.line)
		}
		if strings.TrimSpace(c.Why) == "" {
			return nil, fmt.Errorf("%s:%d: change at %s has no why: cite WIRE.md (e.g. \"§5 #3, V [OMBI-5441]\")", file, c.line, c.At)
		}
	}
	for _, d := range o.Definitions {
		if d.Name == "" || d.Schema.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("%s: definition %q: want name and schema", file, d.Name)
		}
		if strings.TrimSpace(d.Why) == "" {
			return nil, fmt.Errorf("%s: definition %s has no why: cite WIRE.md", file, d.Name)
		}
	}
	return &o, nil
}
