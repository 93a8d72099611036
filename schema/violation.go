package schema

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mockplex/mockplex/internal/jsonptr"
)

// ValidationError lists every way a document broke a profile's schema.
type ValidationError struct {
	Profile    Profile
	Strict     bool
	Subject    string // "pin" or "error envelope"
	Violations []Violation
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	strict := ""
	if e.Strict {
		strict = " strict"
	}
	fmt.Fprintf(&b, "%s does not match the %s%s schema (%d violation", e.Subject, e.Profile, strict, len(e.Violations))
	if len(e.Violations) != 1 {
		b.WriteByte('s')
	}
	b.WriteString(")")
	for i, v := range e.Violations {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Violation is one failed constraint.
type Violation struct {
	// Pointer is the RFC 6901 JSON pointer of the offending value in the
	// instance ("" is the whole document). For a missing key it points at
	// where the key should be, e.g. "/location/in_privacy_restricted_region".
	Pointer string
	// Keyword is the schema keyword that failed: type, required, pattern, …
	Keyword string
	// SchemaPath is the JSON pointer of that keyword in the schema document,
	// e.g. "/$defs/Location/properties/postal_code/type".
	SchemaPath string
	// Want is what the schema asked for, e.g. `type string` or
	// `pattern "^[a-z0-9]{25}$|^[A-Z0-9]{4}$"`.
	Want string
	// Got is what came back: compact JSON (shortened past 80 bytes), or
	// "missing" for an absent required key.
	Got string
}

func (v Violation) String() string {
	p := v.Pointer
	if p == "" {
		p = "(root)"
	}
	return fmt.Sprintf("%s: want %s, got %s", p, v.Want, v.Got)
}

const gotMissing = "missing"

// violations flattens the library's error tree into one Violation per
// failed leaf constraint, sorted by pointer and keyword.
func violations(ve *jsonschema.ValidationError, doc, instance any) []Violation {
	var out []Violation
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		out = append(out, leafViolations(e, doc, instance)...)
	}
	walk(ve)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pointer != out[j].Pointer {
			return out[i].Pointer < out[j].Pointer
		}
		return out[i].Keyword < out[j].Keyword
	})
	return out
}

func leafViolations(e *jsonschema.ValidationError, doc, instance any) []Violation {
	schemaPath := e.KeywordLocation
	if _, frag, ok := strings.Cut(e.AbsoluteKeywordLocation, "#"); ok {
		if u, err := url.PathUnescape(frag); err == nil {
			frag = u
		}
		schemaPath = frag
	}
	keyword := schemaPath[strings.LastIndexByte(schemaPath, '/')+1:]
	kw, _ := jsonptr.Lookup(doc, schemaPath)
	value, found := jsonptr.Lookup(instance, e.InstanceLocation)

	switch keyword {
	case "required":
		names, _ := kw.([]any)
		obj, _ := value.(map[string]any)
		var out []Violation
		for _, n := range names {
			name, _ := n.(string)
			if _, ok := obj[name]; ok {
				continue
			}
			out = append(out, Violation{
				Pointer: e.InstanceLocation + "/" + jsonptr.Escape(name), Keyword: keyword, SchemaPath: schemaPath,
				Want: "the key (required)", Got: gotMissing,
			})
		}
		if len(out) > 0 {
			return out
		}
	case "additionalProperties":
		parent, _ := jsonptr.Lookup(doc, strings.TrimSuffix(schemaPath, "/additionalProperties"))
		pm, _ := parent.(map[string]any)
		props, _ := pm["properties"].(map[string]any)
		obj, _ := value.(map[string]any)
		var out []Violation
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if _, ok := props[k]; ok {
				continue
			}
			out = append(out, Violation{
				Pointer: e.InstanceLocation + "/" + jsonptr.Escape(k), Keyword: keyword, SchemaPath: schemaPath,
				Want: "no key outside properties (additionalProperties false)", Got: render(obj[k]),
			})
		}
		if len(out) > 0 {
			return out
		}
	}

	want := e.Message
	if kw != nil || keyword == "type" {
		want = keyword + " " + render(kw)
		if keyword == "type" {
			want = "type " + typeNames(kw)
		}
	}
	got := gotMissing
	if found {
		got = render(value)
	}
	return []Violation{{Pointer: e.InstanceLocation, Keyword: keyword, SchemaPath: schemaPath, Want: want, Got: got}}
}

func typeNames(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		s := make([]string, 0, len(v))
		for _, t := range v {
			s = append(s, fmt.Sprint(t))
		}
		return strings.Join(s, " or ")
	}
	return render(v)
}

// render is compact JSON, shortened past 80 bytes.
func render(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	const limit = 80
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}
