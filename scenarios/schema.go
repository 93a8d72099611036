package scenarios

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v3"
)

//go:embed scenario.schema.json
var schemaFS embed.FS

const schemaFile = "scenario.schema.json"

// Schema returns the JSON Schema of the scenario format (a fresh copy).
// Editors can use it for completion; Parse validates every file against it.
func Schema() []byte {
	b, err := schemaFS.ReadFile(schemaFile)
	if err != nil {
		panic("scenarios: embedded schema missing: " + err.Error()) // unreachable: go:embed guarantees the file
	}
	return b
}

// parser holds a compiled schema. It is immutable once built, so one parser
// may be used from several goroutines.
type parser struct {
	schema *jsonschema.Schema
	raw    map[string]any // the schema document, for describing failures
}

func newParser() (*parser, error) {
	doc := Schema()
	var raw map[string]any
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, fmt.Errorf("scenarios: decode embedded schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schemaFile, bytes.NewReader(doc)); err != nil {
		return nil, fmt.Errorf("scenarios: load embedded schema: %w", err)
	}
	s, err := c.Compile(schemaFile)
	if err != nil {
		return nil, fmt.Errorf("scenarios: compile embedded schema: %w", err)
	}
	return &parser{schema: s, raw: raw}, nil
}

// check validates a document against the format's schema.
func (p *parser) check(file string, root *yaml.Node) *Error {
	v, perr := toJSON(file, root)
	if perr != nil {
		return perr
	}
	if err := p.schema.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return p.schemaError(file, root, ve)
		}
		return &Error{File: file, Line: root.Line, Column: root.Column, Want: "a document the schema can check", Got: err.Error()}
	}
	return nil
}

// schemaError turns the validator's error tree into the single most useful
// *Error: the failing leaf that comes first in the file.
func (p *parser) schemaError(file string, root *yaml.Node, ve *jsonschema.ValidationError) *Error {
	var leaves []*jsonschema.ValidationError
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	// A missing key is reported only when nothing inside the same mapping is
	// wrong: an unknown key next to a missing one is usually its misspelling.
	superseded := func(req *jsonschema.ValidationError) bool {
		for _, o := range leaves {
			if o != req && !strings.HasSuffix(o.KeywordLocation, "/required") &&
				(o.InstanceLocation == req.InstanceLocation || strings.HasPrefix(o.InstanceLocation, req.InstanceLocation+"/")) {
				return true
			}
		}
		return false
	}
	var best *Error
	for _, l := range leaves {
		if strings.HasSuffix(l.KeywordLocation, "/required") && superseded(l) {
			continue
		}
		e := p.describeFailure(file, root, l)
		if best == nil || e.Line < best.Line || (e.Line == best.Line && (e.Column < best.Column ||
			(e.Column == best.Column && e.Want+e.Got < best.Want+best.Got))) {
			best = e
		}
	}
	return best
}

// describeFailure explains one leaf failure in the file's terms.
func (p *parser) describeFailure(file string, root *yaml.Node, l *jsonschema.ValidationError) *Error {
	sch, kw, args, viaNames := p.failingSchema(l.AbsoluteKeywordLocation)
	node, key := locate(root, l.InstanceLocation)
	e := &Error{File: file, Line: node.Line, Column: node.Column}
	desc, _ := sch["description"].(string)
	allowed := propertyNames(sch)
	switch {
	case viaNames && key != nil:
		e.Line, e.Column = key.Line, key.Column
		e.Want = orDefault(desc, l.Message)
		e.Got = "key " + strconv.Quote(key.Value)
	case kw == "additionalProperties" && node.Kind == yaml.MappingNode:
		e.Want = "one of the keys " + strings.Join(allowed, ", ")
		e.Got = "a key that is not one of them"
		for i := 0; i+1 < len(node.Content); i += 2 {
			k := node.Content[i]
			if !slices.Contains(allowed, k.Value) {
				e.Line, e.Column = k.Line, k.Column
				e.Got = "key " + strconv.Quote(k.Value)
				break
			}
		}
	case kw == "required" && node.Kind == yaml.MappingNode:
		var missing []string
		req, _ := sch["required"].([]any)
		for _, r := range req {
			name, _ := r.(string)
			if mappingValue(node, name) == nil {
				missing = append(missing, strconv.Quote(name))
			}
		}
		if len(missing) == 1 {
			e.Want, e.Got = "key "+missing[0], "a mapping without it"
		} else {
			e.Want, e.Got = "keys "+strings.Join(missing, ", "), "a mapping without them"
		}
		if node.Kind == yaml.MappingNode && len(node.Content) == 0 {
			e.Got = "an empty mapping"
		}
	case kw == "dependentRequired" && len(args) > 0:
		dep := args[0]
		var need []string
		if m, ok := sch["dependentRequired"].(map[string]any); ok {
			if list, ok := m[dep].([]any); ok {
				for _, x := range list {
					if s, ok := x.(string); ok && mappingValue(node, s) == nil {
						need = append(need, strconv.Quote(s))
					}
				}
			}
		}
		if k := mappingKey(node, dep); k != nil {
			e.Line, e.Column = k.Line, k.Column
		}
		e.Want = "key " + strings.Join(need, ", ") + " alongside " + strconv.Quote(dep)
		e.Got = strconv.Quote(dep) + " alone"
	case kw == "minProperties" || kw == "maxProperties":
		lo, _ := sch["minProperties"].(float64)
		hi, hasHi := sch["maxProperties"].(float64)
		switch {
		case hasHi && lo == 1 && hi == 1:
			e.Want = "exactly one of the keys " + strings.Join(allowed, ", ")
		case len(allowed) > 0:
			e.Want = "at least one of the keys " + strings.Join(allowed, ", ")
		default:
			e.Want = l.Message
		}
		if n := len(node.Content) / 2; n > 0 {
			e.Got = strconv.Itoa(n) + " keys"
		} else {
			e.Got = "an empty mapping"
		}
	case kw == "minItems":
		e.Want = "at least one item"
		e.Got = describeNode(node)
	default:
		e.Want = orDefault(desc, l.Message)
		e.Got = describeNode(node)
	}
	return e
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// propertyNames lists a schema object's declared property names, sorted.
func propertyNames(sch map[string]any) []string {
	props, _ := sch["properties"].(map[string]any)
	return slices.Sorted(maps.Keys(props))
}

// failingSchema walks an absolute keyword location (…#/$defs/x/properties/y/type)
// through the raw schema and returns the schema object that failed, the
// failing keyword, any tokens after it, and whether the path went through
// propertyNames (the failure is about a key, not a value).
func (p *parser) failingSchema(loc string) (sch map[string]any, kw string, args []string, viaNames bool) {
	frag := loc
	if i := strings.IndexByte(loc, '#'); i >= 0 {
		frag = loc[i+1:]
	}
	toks := pointerTokens(frag)
	cur := p.raw
	for i := 0; i < len(toks); {
		k := toks[i]
		switch k {
		case "properties", "$defs", "patternProperties", "dependentSchemas":
			if i+1 < len(toks) {
				if m, ok := cur[k].(map[string]any); ok {
					if sub, ok := m[toks[i+1]].(map[string]any); ok {
						cur = sub
						i += 2
						continue
					}
				}
			}
		case "items", "additionalProperties", "propertyNames", "not", "contains", "if", "then", "else":
			if sub, ok := cur[k].(map[string]any); ok && i+1 < len(toks) {
				if k == "propertyNames" {
					viaNames = true
				}
				cur = sub
				i++
				continue
			}
		case "allOf", "anyOf", "oneOf", "prefixItems":
			if i+1 < len(toks) {
				if a, ok := cur[k].([]any); ok {
					if n, err := strconv.Atoi(toks[i+1]); err == nil && n >= 0 && n < len(a) {
						if sub, ok := a[n].(map[string]any); ok {
							cur = sub
							i += 2
							continue
						}
					}
				}
			}
		}
		return cur, k, toks[i+1:], viaNames
	}
	return cur, "", nil, viaNames
}
