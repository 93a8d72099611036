package schema

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mockplex/mockplex/internal/jsonnum"
)

// XMLError reports XML that cannot be turned into the JSON shape.
type XMLError struct {
	Line int    // 1-based line where the problem was found; 0 when unknown
	Want string // what the converter expected
	Got  string
	Err  error // the underlying encoding/xml error, if any
}

func (e *XMLError) Error() string {
	var b strings.Builder
	b.WriteString("xml")
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
		if e.Want == "" {
			return b.String()
		}
		b.WriteString(";")
	} else {
		b.WriteString(":")
	}
	fmt.Fprintf(&b, " want %s, got %s", e.Want, e.Got)
	return b.String()
}

func (e *XMLError) Unwrap() error { return e.Err }

// maxXMLDepth bounds element nesting; a v2 pin is two levels deep.
const maxXMLDepth = 32

var xmlIntegerRe = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// PinFromXML converts a v2 XML pin, <pin id=".." …><location …/></pin>, to
// the JSON shape, so the same schema checks both formats. Attributes are
// typed by s: integer and number properties become json.Number, boolean
// properties accept 0/1/true/false, everything else stays a string (so a
// value that does not fit its type is left for validation to report). A
// nullable property whose attribute is absent becomes null, as plex.tv
// omits null attributes. Unknown attributes are kept as strings; child
// elements become nested objects. Element text is an error: v2 XML carries
// values in attributes (a legacy v1 <pin> with child elements is refused).
//
// Under the sdk profile the wire's camelCase attributes match none of the
// table's PascalCase properties, so they stay strings.
func (s *Schema) PinFromXML(data []byte) (map[string]any, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	if root.name != "pin" {
		return nil, &XMLError{Line: root.line, Want: "root element <pin>", Got: "<" + root.name + ">"}
	}
	return toObject(root, s.pin)
}

// ErrorsFromXML converts an XML error envelope,
// <errors><error code="1020" message="…" status="404"/></errors>, to
// {"errors":[{"code":1020,"message":"…","status":404}]}, typing attributes
// by s's error envelope. The text of an <error> without a message attribute
// (plex.tv's 422 form, <error>Invalid token</error>) becomes its "message".
func (s *Schema) ErrorsFromXML(data []byte) (map[string]any, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	if root.name != "errors" {
		return nil, &XMLError{Line: root.line, Want: "root element <errors>", Got: "<" + root.name + ">"}
	}
	if t := strings.TrimSpace(root.text); t != "" {
		return nil, &XMLError{Line: root.line, Want: "only <error> elements inside <errors>", Got: fmt.Sprintf("text %q", t)}
	}
	item := deref(s.envelope)
	if item != nil {
		item = deref(item.Properties["errors"])
	}
	if item != nil {
		item = deref(item.Items2020)
	}
	list := []any{}
	for _, c := range root.children {
		if c.name != "error" {
			return nil, &XMLError{Line: c.line, Want: "<error> inside <errors>", Got: "<" + c.name + ">"}
		}
		if len(c.children) > 0 {
			return nil, &XMLError{Line: c.children[0].line, Want: "an empty <error/> with attributes", Got: "<" + c.children[0].name + ">"}
		}
		text := strings.TrimSpace(c.text)
		c.text = ""
		obj, err := toObject(c, item)
		if err != nil {
			return nil, err
		}
		if _, ok := obj["message"]; !ok && text != "" {
			obj["message"] = text
		}
		list = append(list, obj)
	}
	return map[string]any{"errors": list}, nil
}

type xmlNode struct {
	name     string
	line     int
	attrs    []xml.Attr
	children []*xmlNode
	text     string
}

// parseXML reads exactly one root element.
func parseXML(data []byte) (*xmlNode, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []*xmlNode
	var root *xmlNode
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				line = se.Line
			}
			return nil, &XMLError{Line: line, Err: err}
		}
		line, _ := d.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, &XMLError{Line: line, Want: "one root element", Got: "a second one, <" + t.Name.Local + ">"}
			}
			if len(stack) >= maxXMLDepth {
				return nil, &XMLError{Line: line, Want: fmt.Sprintf("at most %d levels of elements", maxXMLDepth), Got: "deeper nesting"}
			}
			n := &xmlNode{name: t.Name.Local, line: line, attrs: t.Attr}
			if len(stack) == 0 {
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if t := strings.TrimSpace(string(t)); t != "" {
					want := "only whitespace after the root element"
					if root == nil {
						want = "an XML document starting with an element"
					}
					return nil, &XMLError{Line: line, Want: want, Got: fmt.Sprintf("text %q", shorten(t))}
				}
				continue
			}
			stack[len(stack)-1].text += string(t)
		}
	}
	if root == nil {
		return nil, &XMLError{Want: "an XML document with a root element", Got: "none"}
	}
	return root, nil
}

// toObject turns an element's attributes and children into a JSON object
// typed by sch (which may be nil: then every value is a string).
func toObject(n *xmlNode, sch *jsonschema.Schema) (map[string]any, error) {
	sch = deref(sch)
	if t := strings.TrimSpace(n.text); t != "" {
		return nil, &XMLError{Line: n.line, Want: fmt.Sprintf("values in attributes of <%s> (v2 XML; a legacy v1 pin uses child elements)", n.name), Got: fmt.Sprintf("text %q", shorten(t))}
	}
	obj := map[string]any{}
	for _, a := range n.attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		if _, dup := obj[a.Name.Local]; dup {
			return nil, &XMLError{Line: n.line, Want: fmt.Sprintf("each attribute once on <%s>", n.name), Got: "a second " + a.Name.Local}
		}
		obj[a.Name.Local] = typedAttr(a.Value, property(sch, a.Name.Local))
	}
	for _, c := range n.children {
		if _, dup := obj[c.name]; dup {
			return nil, &XMLError{Line: c.line, Want: fmt.Sprintf("each key once in <%s>", n.name), Got: "a second " + c.name}
		}
		v, err := toObject(c, property(sch, c.name))
		if err != nil {
			return nil, err
		}
		obj[c.name] = v
	}
	if sch != nil {
		for _, name := range slices.Sorted(maps.Keys(sch.Properties)) {
			if _, ok := obj[name]; ok {
				continue
			}
			if p := deref(sch.Properties[name]); p != nil && slices.Contains(p.Types, "null") {
				obj[name] = nil
			}
		}
	}
	return obj, nil
}

// typedAttr types one attribute value by its property schema.
func typedAttr(s string, p *jsonschema.Schema) any {
	if p == nil {
		return s
	}
	switch {
	case slices.Contains(p.Types, "integer") && xmlIntegerRe.MatchString(s):
		return json.Number(s)
	case slices.Contains(p.Types, "number") && jsonnum.IsNumber(s):
		return json.Number(s)
	case slices.Contains(p.Types, "boolean") && (s == "1" || s == "true"):
		return true
	case slices.Contains(p.Types, "boolean") && (s == "0" || s == "false"):
		return false
	}
	return s
}

func property(sch *jsonschema.Schema, name string) *jsonschema.Schema {
	sch = deref(sch)
	if sch == nil {
		return nil
	}
	return deref(sch.Properties[name])
}

// deref follows $ref to the schema that holds the constraints.
func deref(s *jsonschema.Schema) *jsonschema.Schema {
	for i := 0; s != nil && s.Ref != nil && i < 16; i++ {
		s = s.Ref
	}
	return s
}

func shorten(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
