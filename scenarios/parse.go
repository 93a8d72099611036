package scenarios

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"gopkg.in/yaml.v3"
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

// Parse reads one scenario file. file names the source in errors only. Every
// problem with the content comes back as an *Error naming file, line, column,
// what the format wants there and what the file has.
//
// Parse compiles the format's schema on every call; a Registry compiles it
// once.
func Parse(file string, data []byte) (*Script, error) {
	p, err := newParser()
	if err != nil {
		return nil, err
	}
	return p.parse(file, data)
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

func (p *parser) parse(file string, data []byte) (*Script, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(file, strconv.Itoa(len(data))+" bytes")
	}
	return read(file, data, p.check)
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

// parseBuiltin reads a shipped scenario without checking it against the
// format's schema: tests do that once, so a server's start-up need not
// compile the schema at all when it loads no user files.
func parseBuiltin(file string, data []byte) (*Script, error) {
	return read(file, data, nil)
}

// read parses one YAML document, checks it with check when there is one,
// and compiles it.
func read(file string, data []byte, check func(file string, root *yaml.Node) *Error) (*Script, error) {
	root, perr := readDocument(file, data)
	if perr != nil {
		return nil, perr
	}
	if check != nil {
		if perr := check(file, root); perr != nil {
			return nil, perr
		}
	}
	s, perr := compileScript(file, root)
	if perr != nil {
		return nil, perr
	}
	return s, nil
}

// readDocument parses data as exactly one YAML document and returns its root node.
func readDocument(file string, data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: file, Line: 1, Column: 1, Want: "a scenario mapping with name, description, contract and rules", Got: "an empty file"}
		}
		return nil, syntaxError(file, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(file, err)
	default:
		line, col := next.Line, next.Column
		if len(next.Content) > 0 {
			line, col = next.Content[0].Line, next.Content[0].Column
		}
		return nil, &Error{File: file, Line: line, Column: col, Want: "one YAML document per file", Got: "a second document"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 ||
		(doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].ShortTag() == "!!null" && doc.Content[0].Value == "") {
		return nil, &Error{File: file, Line: 1, Column: 1, Want: "a scenario mapping with name, description, contract and rules", Got: "an empty document"}
	}
	return doc.Content[0], nil
}

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
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
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
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
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

// compiler turns a schema-valid tree into a Script, reporting semantic
// errors (durations, regexps, op names, ranges) with positions.
type compiler struct {
	file string
}

func (c *compiler) errAt(n *yaml.Node, want, got string) *Error {
	return &Error{File: c.file, Line: n.Line, Column: n.Column, Want: want, Got: got}
}

// pairs calls fn for each key/value of a mapping node, stopping at the first error.
func pairs(m *yaml.Node, fn func(key string, k, v *yaml.Node) *Error) *Error {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if err := fn(m.Content[i].Value, m.Content[i], m.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func compileScript(file string, root *yaml.Node) (*Script, *Error) {
	c := &compiler{file: file}
	s := &Script{File: file}
	err := pairs(root, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "name":
			s.Name = v.Value
			s.nameLine, s.nameColumn = v.Line, v.Column
		case "description":
			s.Description = v.Value
		case "contract":
			if err := v.Decode(&s.Contract); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
		case "rules":
			s.rules = make([]rule, 0, len(v.Content))
			for _, rn := range v.Content {
				r, err := c.rule(rn)
				if err != nil {
					return err
				}
				s.rules = append(s.rules, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (c *compiler) rule(n *yaml.Node) (rule, *Error) {
	var r rule
	err := pairs(n, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "name":
			r.name = v.Value
		case "stop":
			if err := v.Decode(&r.stop); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
		case "when":
			return c.when(v, &r)
		case "then":
			return c.then(v, &r)
		}
		return nil
	})
	return r, err
}

// allOps lists every op a rule may name, in documentation order.
var allOps = []Op{OpCreate, OpPoll, OpLink, OpClaim, OpUser, OpPing, OpQR, OpOptions, OpOther, OpJWK, OpNonce, OpToken, OpKeys}

// opList is allOps for error messages: "create, poll, ...".
var opList = func() string {
	names := make([]string, len(allOps))
	for i, o := range allOps {
		names[i] = string(o)
	}
	return strings.Join(names, ", ")
}()

func opBit(o Op) uint16 {
	for i, x := range allOps {
		if x == o {
			return 1 << i
		}
	}
	return 0
}

var methodName = regexp.MustCompile(`^[A-Za-z]+$`)

func (c *compiler) when(n *yaml.Node, r *rule) *Error {
	return pairs(n, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "op":
			for _, s := range stringsOf(v) {
				b := opBit(Op(s.Value))
				if b == 0 {
					return c.errAt(s, "an op: one of "+opList, describeNode(s))
				}
				r.ops |= b
			}
		case "polls":
			r.needPin = true
			return c.count(v, &r.polls)
		case "client_tokens":
			return c.count(v, &r.tokens)
		case "jwk_pin":
			var b bool
			if err := v.Decode(&b); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
			r.needPin = true
			r.jwkPin = -1
			if b {
				r.jwkPin = 1
			}
		case "device_jwt":
			for _, s := range stringsOf(v) {
				st, ok := jwtStateNamed(s.Value)
				if !ok {
					return c.errAt(s, "a device JWT state: one of absent, invalid, valid", describeNode(s))
				}
				r.deviceJWT |= 1 << st
			}
		case "after", "before":
			d, err := c.duration(v, false)
			if err != nil {
				return err
			}
			r.needPin = true
			if key == "after" {
				r.after, r.hasAfter = d, true
			} else {
				if d == 0 {
					return c.errAt(v, "a positive duration such as 30s (before: 0s never matches)", describeNode(v))
				}
				r.before, r.hasBefore = d, true
			}
		case "claimed":
			var b bool
			if err := v.Decode(&b); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
			r.needPin = true
			r.claimed = -1
			if b {
				r.claimed = 1
			}
		case "method":
			for _, s := range stringsOf(v) {
				if !methodName.MatchString(s.Value) {
					return c.errAt(s, "an HTTP method such as GET", describeNode(s))
				}
				r.methods = append(r.methods, strings.ToUpper(s.Value))
			}
		case "path":
			if _, err := path.Match(v.Value, ""); err != nil {
				return c.errAt(v, "a path glob such as /api/v2/pins/* (path.Match syntax)", describeNode(v)+": "+err.Error())
			}
			r.pathGlob, r.hasGlob = v.Value, true
		case "path_regex":
			re, err := regexp.Compile(v.Value)
			if err != nil {
				reason := err.Error()
				var se *syntax.Error
				if errors.As(err, &se) {
					reason = se.Code.String()
				}
				return c.errAt(v, "a regular expression string (RE2 syntax)", describeNode(v)+": "+reason)
			}
			r.pathRe = re
		case "header":
			return pairs(v, func(name string, hk, hv *yaml.Node) *Error {
				r.headers = append(r.headers, headerMatch{name: http.CanonicalHeaderKey(name), pattern: hv.Value})
				return nil
			})
		case "faster_than":
			d, err := c.duration(v, true)
			if err != nil {
				return err
			}
			r.fasterThan = d
		case "fraction":
			var f float64
			if err := v.Decode(&f); err != nil || !(f > 0 && f <= 1) {
				return c.errAt(v, "a fraction greater than 0 and at most 1, such as 0.3", describeNode(v))
			}
			r.fraction = f
		}
		return nil
	})
}

// stringsOf returns the string nodes of a string-or-list value.
func stringsOf(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

// jwtStateNamed returns the JWTState a scenario file calls name.
func jwtStateNamed(name string) (JWTState, bool) {
	for i, n := range jwtStateNames {
		if n == name {
			return JWTState(i), true
		}
	}
	return 0, false
}

// count reads a count trigger (polls, client_tokens): an integer, or a
// mapping of eq, gte, lte, every.
func (c *compiler) count(v *yaml.Node, cc *countCond) *Error {
	if v.Kind == yaml.ScalarNode {
		n, err := c.integer(v)
		if err != nil {
			return err
		}
		cc.eq, cc.hasEq = int(n), true
		return nil
	}
	err := pairs(v, func(key string, k, x *yaml.Node) *Error {
		n, err := c.integer(x)
		if err != nil {
			return err
		}
		switch key {
		case "eq":
			cc.eq, cc.hasEq = int(n), true
		case "gte":
			cc.gte, cc.hasGte = int(n), true
		case "lte":
			cc.lte, cc.hasLte = int(n), true
		case "every":
			cc.every = int(n)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if cc.hasGte && cc.hasLte && cc.gte > cc.lte {
		return c.errAt(v, "gte no greater than lte", fmt.Sprintf("gte %d, lte %d", cc.gte, cc.lte))
	}
	return nil
}

func (c *compiler) integer(v *yaml.Node) (int64, *Error) {
	var n int64
	if err := v.Decode(&n); err != nil {
		return 0, c.errAt(v, "an integer that fits in 64 bits", describeNode(v))
	}
	return n, nil
}

// duration parses a Go duration; positive requires > 0, otherwise >= 0.
func (c *compiler) duration(v *yaml.Node, positive bool) (time.Duration, *Error) {
	if v.Kind != yaml.ScalarNode {
		return 0, c.errAt(v, "a duration such as 200ms, 30s or 1m30s", describeNode(v))
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil {
		return 0, c.errAt(v, "a duration such as 200ms, 30s or 1m30s", describeNode(v))
	}
	switch {
	case positive && d <= 0:
		return 0, c.errAt(v, "a positive duration such as 1s", describeNode(v))
	case d < 0:
		return 0, c.errAt(v, "a non-negative duration such as 30s", describeNode(v))
	}
	return d, nil
}

func (c *compiler) then(n *yaml.Node, r *rule) *Error {
	return pairs(n, func(key string, k, v *yaml.Node) *Error {
		switch key {
		case "approve":
			a := &Approval{}
			err := pairs(v, func(key string, _, x *yaml.Node) *Error {
				switch key {
				case "account":
					a.Account = x.Value
				case "new_registration":
					if err := x.Decode(&a.NewRegistration); err != nil {
						return c.errAt(x, "true or false", describeNode(x))
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			r.approve = a
		case "deny":
			r.deny = true
		case "expire":
			r.expire = true
		case "expire_after_response":
			r.expireAfterResponse = true
		case "expire_in":
			d, err := c.duration(v, true)
			if err != nil {
				return err
			}
			r.expireIn = d
		case "set":
			return c.set(v, r)
		case "respond":
			return c.respond(v, r)
		case "delay":
			return c.delay(v, r)
		case "fault":
			r.fault = Fault(v.Value)
		case "cors":
			var b bool
			if err := v.Decode(&b); err != nil {
				return c.errAt(v, "true or false", describeNode(v))
			}
			r.cors = &b
		case "rotate_keys":
			r.rotateKeys = true
		case "token_lifetime":
			d, err := c.duration(v, true)
			if err != nil {
				return err
			}
			r.tokenLifetime = d
		}
		return nil
	})
}

func (c *compiler) set(v *yaml.Node, r *rule) *Error {
	s := &setSpec{consts: map[string]any{}}
	err := pairs(v, func(field string, _, x *yaml.Node) *Error {
		switch {
		case x.Kind == yaml.MappingNode: // {min, max} on an integer field
			var lo, hi int64
			if err := x.Decode(&struct {
				Min *int64 `yaml:"min"`
				Max *int64 `yaml:"max"`
			}{&lo, &hi}); err != nil {
				return c.errAt(x, "a mapping with min and max integers", describeNode(x))
			}
			if lo > hi {
				return c.errAt(x, "min no greater than max", fmt.Sprintf("min %d, max %d", lo, hi))
			}
			s.ranges = append(s.ranges, intRange{field: field, min: lo, max: hi})
		case x.ShortTag() == "!!null":
			s.consts[field] = nil
		case x.ShortTag() == "!!int":
			var n int64
			if err := x.Decode(&n); err != nil {
				return c.errAt(x, "an integer", describeNode(x))
			}
			s.consts[field] = n
		case x.ShortTag() == "!!bool":
			var b bool
			if err := x.Decode(&b); err != nil {
				return c.errAt(x, "true or false", describeNode(x))
			}
			s.consts[field] = b
		default:
			if field == "createdAt" || field == "expiresAt" {
				if _, err := time.Parse(time.RFC3339, x.Value); err != nil {
					return c.errAt(x, "an RFC 3339 date string such as 2026-10-01T22:39:52Z", describeNode(x))
				}
			}
			s.consts[field] = x.Value
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.set = s
	return nil
}

func (c *compiler) respond(v *yaml.Node, r *rule) *Error {
	resp := &Response{}
	err := pairs(v, func(key string, _, x *yaml.Node) *Error {
		switch key {
		case "status", "code":
			n, err := c.integer(x)
			if err != nil {
				return err
			}
			if key == "status" {
				resp.Status = int(n)
			} else {
				resp.Code = int(n)
			}
		case "message":
			resp.Message = x.Value
		case "retry_after":
			d, err := c.duration(x, true)
			if err != nil {
				return err
			}
			if d%time.Second != 0 {
				return c.errAt(x, "a whole number of seconds such as 1s or 30s (Retry-After has no fractions)", describeNode(x))
			}
			resp.RetryAfter = d
		case "header":
			resp.Header = make(map[string]string, len(x.Content)/2)
			return pairs(x, func(name string, _, hv *yaml.Node) *Error {
				resp.Header[http.CanonicalHeaderKey(name)] = hv.Value
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.respond = resp
	return nil
}

func (c *compiler) delay(v *yaml.Node, r *rule) *Error {
	if v.Kind == yaml.ScalarNode {
		d, err := c.duration(v, false)
		if err != nil {
			return err
		}
		r.delay = &delaySpec{kind: delayFixed, fixed: d}
		return nil
	}
	ds := &delaySpec{}
	var maxNode, minNode *yaml.Node
	err := pairs(v, func(kind string, _, spec *yaml.Node) *Error {
		if kind == "uniform" {
			ds.kind = delayUniform
		} else {
			ds.kind = delayLognormal
		}
		return pairs(spec, func(key string, _, x *yaml.Node) *Error {
			if key == "sigma" {
				if err := x.Decode(&ds.sigma); err != nil {
					return c.errAt(x, "a non-negative number such as 0.5", describeNode(x))
				}
				return nil
			}
			d, err := c.duration(x, key == "median")
			if err != nil {
				return err
			}
			switch key {
			case "min":
				ds.min, minNode = d, x
			case "max":
				ds.max, maxNode = d, x
			case "median":
				ds.median = d
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	switch ds.kind {
	case delayUniform:
		if ds.min > ds.max {
			return c.errAt(minNode, "min no greater than max", fmt.Sprintf("min %s, max %s", ds.min, ds.max))
		}
	case delayLognormal:
		if ds.max < ds.median {
			return c.errAt(maxNode, "max no less than median (max caps the delay)", fmt.Sprintf("max %s, median %s", ds.max, ds.median))
		}
	}
	r.delay = ds
	return nil
}
