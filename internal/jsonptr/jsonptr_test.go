package jsonptr

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	doc := map[string]any{
		"a":   []any{"x", map[string]any{"b/c": 1, "d~e": 2}},
		"":    "empty key",
		"nil": nil,
	}
	tests := []struct {
		ptr    string
		want   any
		wantOK bool
	}{
		{"", doc, true},
		{"/a/0", "x", true},
		{"/a/1/b~1c", 1, true},
		{"/a/1/d~0e", 2, true},
		{"/", "empty key", true},
		{"/nil", nil, true},
		{"/a/2", nil, false},
		{"/a/-1", nil, false},
		{"/a/x", nil, false},
		{"/a/0/deeper", nil, false},
		{"/missing", nil, false},
		{"a", nil, false},
	}
	for _, tc := range tests {
		got, ok := Lookup(doc, tc.ptr)
		if ok != tc.wantOK || !cmp.Equal(got, tc.want) {
			t.Errorf("Lookup(%q) = %v, %v, want %v, %v", tc.ptr, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "a/b", "a~b", "~1", "/~0/"} {
		e := Escape(s)
		if got := Unescape(e); got != s {
			t.Errorf("Unescape(Escape(%q)) = %q (escaped %q)", s, got, e)
		}
	}
	if got, want := Escape("a~/b"), "a~0~1b"; got != want {
		t.Errorf("Escape(a~/b) = %q, want %q", got, want)
	}
}
