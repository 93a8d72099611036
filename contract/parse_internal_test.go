package contract

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"Mon, 23 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Mon, 23 Nov 2026 11:59:00 GMT", 0, true}, // in the past
		{"Monday, 23-Nov-26 12:01:00 GMT", time.Minute, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "Mon, 23 Nov 2026 12:00:30 GMT", "", "-1", "4294967296", "Sun, 06 Nov 1994 08:49:37 GMT"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 {
			t.Errorf("parseRetryAfter(%q) = %v, want never negative", s, d)
		}
		if !ok && d != 0 {
			t.Errorf("parseRetryAfter(%q) = %v, false; want 0 when not ok", s, d)
		}
		if ok && strings.TrimSpace(s) == "" {
			t.Errorf("parseRetryAfter(%q) ok for a blank value", s)
		}
		if _, err := http.ParseTime(strings.TrimSpace(s)); err == nil && !ok {
			t.Errorf("parseRetryAfter(%q) rejected a valid HTTP-date", s)
		}
	})
}

func TestXMLShape(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, root string }{
		{`<?xml version="1.0"?><pin id="1" code="A"><location code="NL"/></pin>`, "<pin id code><location code></location></pin>", "pin"},
		{`<errors><error>Invalid token</error></errors>`, "<errors><error>text</error></errors>", "errors"},
		{`{"errors":[]}`, `not XML: "{\"errors\":[]}"`, ""},
		{``, "not XML: an empty body", ""},
	}
	for _, tt := range tests {
		if got := xmlShape([]byte(tt.in)); got != tt.want {
			t.Errorf("xmlShape(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := xmlRoot([]byte(tt.in)); got != tt.root {
			t.Errorf("xmlRoot(%q) = %q, want %q", tt.in, got, tt.root)
		}
	}
}

func FuzzXMLShape(f *testing.F) {
	for _, s := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<pin id="1" code="KYLX" trusted="0"><location code="CA"/></pin>`,
		`<errors><error code="1020" message="Code not found or expired" status="404"/></errors>`,
		`<a><b><c><d><e><f/></e></d></c></b></a>`,
		`<pin`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := xmlShape(b)
		if s == "" {
			t.Errorf("xmlShape(%q) is empty", b)
		}
		if len(s) > 620 {
			t.Errorf("xmlShape(%q) has %d bytes, want it bounded", b, len(s))
		}
		_ = xmlRoot(b)
	})
}

func TestLookupAndFields(t *testing.T) {
	t.Parallel()
	doc, err := decodeJSON([]byte(`{"a/b":{"~k":[1,2.5,"x",null,true]}}`))
	if err != nil {
		t.Fatal(err)
	}
	f := fields(doc)
	want := map[string]string{
		"": "object", "/a~1b": "object", "/a~1b/~0k": "array",
		"/a~1b/~0k/0": "integer", "/a~1b/~0k/1": "number", "/a~1b/~0k/2": "string", "/a~1b/~0k/3": "null", "/a~1b/~0k/4": "boolean",
	}
	for p, typ := range want {
		if f[p] != typ {
			t.Errorf("fields[%q] = %q, want %q", p, f[p], typ)
		}
		if v, ok := lookup(doc, p); !ok || jsonType(v) != typ {
			t.Errorf("lookup(%q) = %v, %v; want a %s", p, v, ok, typ)
		}
	}
	if len(f) != len(want) {
		t.Errorf("fields has %d pointers, want %d: %v", len(f), len(want), f)
	}
	for _, p := range []string{"/nope", "/a~1b/~0k/9", "/a~1b/~0k/x", "a"} {
		if _, ok := lookup(doc, p); ok {
			t.Errorf("lookup(%q) found a value, want none", p)
		}
	}
}
