package schema

//go:generate go run ./internal/gen -dir .

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Profile selects which schema a document or validator describes.
type Profile string

const (
	// SDK is the field table as written: PascalCase keys, doubles, every
	// field optional, string NewRegistration, double PostalCode.
	SDK Profile = "sdk"
	// Wire is the field table plus overlay.yaml: what plex.tv sends.
	Wire Profile = "wire"
)

// Profiles lists every profile, sdk first.
func Profiles() []Profile { return []Profile{SDK, Wire} }

// ParseProfile maps "sdk" or "wire" to its Profile.
func ParseProfile(s string) (Profile, error) {
	for _, p := range Profiles() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown schema profile %q: want sdk or wire", s)
}

// GeneratedFile is the name of p's committed document under generated/,
// e.g. "pin.wire.schema.json".
func GeneratedFile(p Profile) string { return "pin." + string(p) + ".schema.json" }

// Paths inside the schema source tree (the fs.FS given to Generate).
const (
	TablesDir    = "fieldtables"
	OverlayFile  = "overlay.yaml"
	GeneratedDir = "generated"
)

const draft2020 = "https://json-schema.org/draft/2020-12/schema"

// Generate builds profile p's JSON Schema 2020-12 document from the field
// tables in fsys's fieldtables/ folder and, for the wire profile, fsys's
// overlay.yaml. The root table and the error envelope come from the overlay
// in both profiles. The output is deterministic and ends in a newline; it is
// what `go generate ./schema/...` writes to generated/.
func Generate(fsys fs.FS, p Profile) ([]byte, error) {
	if _, err := ParseProfile(string(p)); err != nil {
		return nil, err
	}
	f, err := fsys.Open(OverlayFile)
	if err != nil {
		return nil, fmt.Errorf("open the wire overlay: %w", err)
	}
	ov, err := parseOverlay(OverlayFile, f)
	f.Close()
	if err != nil {
		return nil, err
	}
	tables, err := loadTables(fsys)
	if err != nil {
		return nil, err
	}
	g := &generator{profile: p, overlay: ov, tables: tables, models: map[string]*model{}}
	doc, err := g.document()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("encode the %s schema: %w", p, err)
	}
	return buf.Bytes(), nil
}

// loadTables parses every fieldtables/*.md, keyed by file name without ".md"
// (the name links resolve to).
func loadTables(fsys fs.FS) (map[string]*Table, error) {
	names, err := fs.Glob(fsys, TablesDir+"/*.md")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no field tables in %s/: copy the SDK's *.md model pages there", TablesDir)
	}
	tables := map[string]*Table{}
	for _, name := range names {
		f, err := fsys.Open(name)
		if err != nil {
			return nil, err
		}
		t, err := ParseTable(path.Base(name), f)
		f.Close()
		if err != nil {
			return nil, err
		}
		tables[strings.TrimSuffix(path.Base(name), ".md")] = t
	}
	return tables, nil
}

type generator struct {
	profile Profile
	overlay *overlay
	tables  map[string]*Table
	models  map[string]*model
	order   []string // table names in $defs order, root first
}

type model struct {
	table      *Table
	props      []*prop
	additional bool
	requireAll bool
	renamed    bool // a names change covered this table
	comments   []string
}

type prop struct {
	field       string // the table's field name
	key         string // the JSON key in this profile
	title       string
	description string
	types       []string
	format      string
	pattern     string
	minimum     *int64
	maximum     *int64
	minLength   *int64
	ref         string
	example     string
	required    bool
	added       bool
	comments    []string
}

func (m *model) prop(field string) *prop {
	for _, p := range m.props {
		if p.field == field {
			return p
		}
	}
	return nil
}

func (g *generator) document() (object, error) {
	if _, ok := g.tables[g.overlay.Root]; !ok {
		return nil, fmt.Errorf("overlay root %q: no %s/%s.md", g.overlay.Root, TablesDir, g.overlay.Root)
	}
	if err := g.collect(g.overlay.Root); err != nil {
		return nil, err
	}
	if g.profile == Wire {
		if err := g.applyChanges(); err != nil {
			return nil, err
		}
	}
	root := g.models[g.overlay.Root]
	doc := object{
		{"$schema", draft2020},
		{"$id", g.overlay.BaseID + GeneratedFile(g.profile)},
		{"title", root.table.Name},
	}
	if root.table.Description != "" {
		doc = append(doc, member{"description", root.table.Description})
	}
	header := fmt.Sprintf("Profile %s: the SDK field table %s/%s as written.", g.profile, TablesDir, root.table.File)
	if g.profile == Wire {
		header = fmt.Sprintf("Profile wire: the SDK field table %s/%s plus %s, i.e. what plex.tv sends. Section and row references (§5 #3) are to the wire contract, plex-pin-api.md.", TablesDir, root.table.File, OverlayFile)
	}
	header += " Generated by `go generate ./schema/...`; do not edit."
	doc = append(doc, member{"$comment", strings.Join(append([]string{header}, root.comments...), "\n")})
	doc = append(doc, g.body(root)...)

	defs := object{}
	for _, name := range g.order[1:] {
		m := g.models[name]
		def := object{{"title", m.table.Name}}
		if m.table.Description != "" {
			def = append(def, member{"description", m.table.Description})
		}
		if len(m.comments) > 0 {
			def = append(def, member{"$comment", strings.Join(m.comments, "\n")})
		}
		defs = append(defs, member{name, append(def, g.body(m)...)})
	}
	for _, d := range g.overlay.Definitions {
		v, err := yamlToJSON(&d.Schema)
		if err != nil {
			return nil, fmt.Errorf("overlay definition %s: %w", d.Name, err)
		}
		obj, _ := v.(object)
		obj = append(object{{"$comment", d.Why}}, obj...)
		defs = append(defs, member{d.Name, obj})
	}
	if len(defs) > 0 {
		doc = append(doc, member{"$defs", defs})
	}
	return doc, nil
}

// collect builds the model of table name and, depth first, of every table
// it links to.
func (g *generator) collect(name string) error {
	if _, done := g.models[name]; done {
		return nil
	}
	t := g.tables[name]
	m := &model{table: t, additional: true}
	g.models[name] = m
	g.order = append(g.order, name)
	for _, f := range t.Fields {
		p := &prop{field: f.Name, key: f.Name, title: f.Name, description: f.Description, example: f.Example, required: f.Required}
		switch f.Type.Kind {
		case KindAny:
		case KindDateTime:
			p.types, p.format = []string{"string"}, "date-time"
		case KindRef:
			if _, ok := g.tables[f.Type.Ref]; !ok {
				return &TableError{File: t.File, Line: f.Line, Cell: colType,
					Want: fmt.Sprintf("a link to a table file in %s/ (%s.md is not there)", TablesDir, f.Type.Ref),
					Got:  fmt.Sprintf("[%s](%s)", f.Type.Name, f.Type.Link)}
			}
			p.ref = f.Type.Ref
		default:
			p.types = []string{string(f.Type.Kind)}
		}
		m.props = append(m.props, p)
	}
	for _, f := range t.Fields {
		if f.Type.Kind == KindRef {
			if err := g.collect(f.Type.Ref); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) applyChanges() error {
	for _, c := range g.overlay.Changes {
		if err := g.apply(c); err != nil {
			return fmt.Errorf("%s:%d: change at %s: %w", OverlayFile, c.line, c.At, err)
		}
	}
	for _, name := range g.order {
		m := g.models[name]
		if m.requireAll {
			for _, p := range m.props {
				p.required = true
			}
		}
		if !m.renamed {
			continue
		}
		seen := map[string]string{}
		for _, p := range m.props {
			if other, dup := seen[p.key]; dup {
				return fmt.Errorf("%s: %s and %s both map to the wire key %q", OverlayFile, other, p.field, p.key)
			}
			seen[p.key] = p.field
		}
	}
	return nil
}

func (g *generator) apply(c change) error {
	tableName, fieldName, hasField := strings.Cut(c.At, ".")
	m, ok := g.models[tableName]
	if !ok {
		return fmt.Errorf("no table %q reachable from %s: want one of %s", tableName, g.overlay.Root, strings.Join(g.order, ", "))
	}
	if !hasField {
		if c.Add || c.Type != nil || c.Format != "" || c.Pattern != "" || c.Minimum != nil || c.Maximum != nil ||
			c.MinLength != nil || c.Required != nil || c.Example != "" || c.Title != "" || c.Description != "" || c.Name != "" || c.After != "" {
			return errors.New("field settings (add, type, pattern, …) need at: Table.Field")
		}
		for _, field := range sortedKeys(c.Names) {
			p := m.prop(field)
			if p == nil {
				return fmt.Errorf("names: no field %q in %s", field, m.table.File)
			}
			p.key = c.Names[field]
		}
		if c.Names != nil {
			for _, p := range m.props {
				if _, ok := c.Names[p.field]; !ok && !p.added {
					return fmt.Errorf("names: field %s has no wire key: give every field of %s one", p.field, m.table.File)
				}
			}
			m.renamed = true
		}
		if c.RequireAll != nil {
			m.requireAll = *c.RequireAll
		}
		if c.AdditionalProperties != nil {
			m.additional = *c.AdditionalProperties
		}
		m.comments = append(m.comments, c.Why)
		return nil
	}
	if c.Names != nil || c.RequireAll != nil || c.AdditionalProperties != nil {
		return errors.New("table settings (names, requireAll, additionalProperties) need at: Table")
	}
	p := m.prop(fieldName)
	switch {
	case c.Add && p != nil:
		return fmt.Errorf("add: %s already has a field %s", m.table.File, fieldName)
	case c.Add:
		if c.Name == "" || c.Type == nil {
			return errors.New("add: want name (the wire key) and type")
		}
		p = &prop{field: fieldName, key: c.Name, title: fieldName, added: true}
		if c.Title != "" {
			p.title = c.Title
		}
		at := len(m.props)
		if c.After != "" {
			prev := m.prop(c.After)
			if prev == nil {
				return fmt.Errorf("after: no field %q in %s", c.After, m.table.File)
			}
			for i, q := range m.props {
				if q == prev {
					at = i + 1
				}
			}
		}
		m.props = append(m.props[:at], append([]*prop{p}, m.props[at:]...)...)
	case p == nil:
		return fmt.Errorf("no field %q in %s (use add: true for a field the table lacks)", fieldName, m.table.File)
	case c.Name != "" || c.After != "":
		return errors.New("name and after go with add: true; rename existing fields with a table-level names map")
	}
	if c.Title != "" {
		p.title = c.Title
	}
	if c.Description != "" {
		p.description = c.Description
	}
	if c.Type != nil {
		if p.ref != "" {
			return errors.New("type: the field is a nested table; change that table instead")
		}
		p.types = c.Type
		if !contains(p.types, "string") {
			p.format = ""
		}
	}
	if c.Format != "" {
		p.format = c.Format
	}
	if c.Pattern != "" {
		p.pattern = c.Pattern
	}
	if c.Minimum != nil {
		p.minimum = c.Minimum
	}
	if c.Maximum != nil {
		p.maximum = c.Maximum
	}
	if c.MinLength != nil {
		p.minLength = c.MinLength
	}
	if c.Required != nil {
		p.required = *c.Required
	}
	if c.Example != "" {
		p.example = c.Example
	}
	p.comments = append(p.comments, c.Why)
	return nil
}

// body is the object schema of m: type, properties, required, additionalProperties.
func (g *generator) body(m *model) object {
	props := object{}
	var required []string
	for _, p := range m.props {
		s := object{{"title", p.title}}
		if p.description != "" {
			s = append(s, member{"description", p.description})
		}
		if len(p.comments) > 0 {
			s = append(s, member{"$comment", strings.Join(p.comments, "\n")})
		}
		if p.ref != "" {
			s = append(s, member{"$ref", "#/$defs/" + p.ref})
		}
		switch len(p.types) {
		case 0:
		case 1:
			s = append(s, member{"type", p.types[0]})
		default:
			s = append(s, member{"type", p.types})
		}
		if p.format != "" {
			s = append(s, member{"format", p.format})
		}
		if p.pattern != "" {
			s = append(s, member{"pattern", p.pattern})
		}
		if p.minLength != nil {
			s = append(s, member{"minLength", *p.minLength})
		}
		if p.minimum != nil {
			s = append(s, member{"minimum", *p.minimum})
		}
		if p.maximum != nil {
			s = append(s, member{"maximum", *p.maximum})
		}
		if p.example != "" && p.ref == "" {
			s = append(s, member{"examples", []any{typedExample(p.types, p.example)}})
		}
		props = append(props, member{p.key, s})
		if p.required {
			required = append(required, p.key)
		}
	}
	out := object{{"type", "object"}, {"properties", props}}
	if len(required) > 0 {
		out = append(out, member{"required", required})
	}
	return append(out, member{"additionalProperties", m.additional})
}

// typedExample renders an example cell as the JSON type the schema gives
// the field: "1800" is a number for an integer field and a string for a
// string one.
func typedExample(types []string, s string) any {
	if contains(types, "integer") || contains(types, "number") {
		if isJSONNumber(s) {
			return json.Number(s)
		}
	}
	if contains(types, "boolean") {
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// exampleValue checks that an Example cell fits the field's kind.
func exampleValue(k Kind, s string) (any, error) {
	switch k {
	case KindNumber:
		if !isJSONNumber(s) {
			return nil, errors.New("not a number")
		}
		return json.Number(s), nil
	case KindInteger:
		if !isJSONNumber(s) || strings.ContainsAny(s, ".eE") {
			return nil, errors.New("not an integer")
		}
		return json.Number(s), nil
	case KindBoolean:
		if s != "true" && s != "false" {
			return nil, errors.New("not true or false")
		}
		return s == "true", nil
	case KindRef, KindObject:
		return nil, errors.New("object types take no example")
	}
	return s, nil
}

func isJSONNumber(s string) bool {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return false
	}
	n, ok := v.(json.Number)
	return ok && n.String() == s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// object is a JSON object that keeps its key order when marshalled.
type object []member

type member struct {
	key string
	val any
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalRaw(m.key)
		if err != nil {
			return nil, err
		}
		v, err := marshalRaw(m.val)
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

// marshalRaw is json.Marshal without HTML escaping, so "<code>" stays
// readable in the generated files.
func marshalRaw(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// yamlToJSON converts a YAML node to JSON values, keeping mapping order.
func yamlToJSON(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, fmt.Errorf("line %d: want one document", n.Line)
		}
		return yamlToJSON(n.Content[0])
	case yaml.MappingNode:
		o := object{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: want a string key", k.Line)
			}
			v, err := yamlToJSON(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			o = append(o, member{k.Value, v})
		}
		return o, nil
	case yaml.SequenceNode:
		a := []any{}
		for _, c := range n.Content {
			v, err := yamlToJSON(c)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		return a, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil, nil
		case "!!bool":
			var b bool
			if err := n.Decode(&b); err != nil {
				return nil, err
			}
			return b, nil
		case "!!int", "!!float":
			if !isJSONNumber(n.Value) {
				return nil, fmt.Errorf("line %d: want a JSON number, got %q", n.Line, n.Value)
			}
			return json.Number(n.Value), nil
		default:
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("line %d: want plain YAML (no aliases)", n.Line)
}

// sortedKeys is used where map order must not leak into output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
