package contract

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mockplex/mockplex/internal/jsonnum"
	"github.com/mockplex/mockplex/internal/jsonptr"
)

// decodeJSON decodes one JSON document, keeping numbers as json.Number so
// integers and doubles stay apart.
func decodeJSON(b []byte) (any, error) { return jsonnum.Decode(b) }

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case int, int64:
		return "integer"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}

// describeValue renders a value for a "got": its type and, for scalars,
// the value itself.
func describeValue(v any, ok bool) string {
	if !ok {
		return "(absent)"
	}
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(truncate(x, 80))
	case bool, json.Number, float64, int, int64:
		return fmt.Sprintf("%s %v", jsonType(v), x)
	}
	return jsonType(v)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// snippet renders a body for a "got" when it could not be decoded.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "an empty body"
	}
	return strconv.Quote(truncate(s, 120))
}

// fields maps every JSON pointer of doc to its JSON type.
func fields(doc any) map[string]string {
	out := map[string]string{}
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		out[ptr] = jsonType(v)
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(ptr+"/"+jsonptr.Escape(k), c)
			}
		case []any:
			for i, c := range x {
				walk(ptr+"/"+strconv.Itoa(i), c)
			}
		}
	}
	walk("", doc)
	return out
}

// lookup resolves a JSON pointer in a decoded document.
func lookup(doc any, ptr string) (any, bool) { return jsonptr.Lookup(doc, ptr) }

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
