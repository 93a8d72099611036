// Package jsonptr resolves and builds RFC 6901 JSON pointers over decoded
// JSON values (map[string]any, []any and scalars), for the schema,
// scenarios and contract packages.
package jsonptr

import (
	"strconv"
	"strings"
)

// Lookup returns the value ptr names in doc, and whether there is one. The
// empty pointer names doc itself; a pointer must otherwise start with "/".
func Lookup(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	cur := doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = Unescape(tok)
		switch x := cur.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// Escape escapes one reference token: ~ becomes ~0 and / becomes ~1.
func Escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// Unescape undoes Escape.
func Unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}
