package mock

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// params merges a request's parameters the way plex.tv reads them (wire
// WIRE.md §1.1): X-Plex-* values come from headers, the query string or a
// form body, names match case-insensitively, and a header wins over the
// query, which wins over the body. The first of duplicate values counts.
type params struct {
	header http.Header
	query  url.Values
	form   url.Values
	json   map[string]any
}

// readParams parses the query and, for form and JSON bodies, the body. A
// body that is not a JSON object (clients send "" with a JSON content type)
// is ignored, as plex.tv does; a form body that cannot be parsed is an error.
func readParams(r *http.Request) (*params, error) {
	p := new(params)
	if err := p.read(r); err != nil {
		return nil, err
	}
	return p, nil
}

// read is readParams into p, which a pooled exchange holds.
func (p *params) read(r *http.Request) error {
	*p = params{header: r.Header}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil && len(q) == 0 {
			return errBadBody
		}
		p.query = q
	}
	if r.Body == nil || r.Body == http.NoBody || r.Method == http.MethodHead { // GET bodies count: the forum's curl -X GET -d (WIRE.md §1.1)
		return nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err)
		}
		f, err := url.ParseQuery(string(body))
		if err != nil && len(f) == 0 {
			return errBadBody
		}
		p.form = f
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err)
		}
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			p.json = m
		}
	}
	return nil
}

func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge
	}
	return errBadBody
}

// jsonRaw returns the JSON body's member name, re-encoded, when the body
// has it and it is an object.
func (p *params) jsonRaw(name string) ([]byte, bool) {
	v, ok := jsonFold(p.json, name).(map[string]any)
	if !ok {
		return nil, false
	}
	b, err := json.Marshal(v)
	return b, err == nil
}

// get returns the merged value of name.
func (p *params) get(name string) string {
	if v := p.header.Get(name); v != "" {
		return v
	}
	if v := lookupFold(p.query, name); v != "" {
		return v
	}
	if v := lookupFold(p.form, name); v != "" {
		return v
	}
	if v, ok := jsonFold(p.json, name).(string); ok {
		return v
	}
	return ""
}

// jsonFold returns the JSON body's value for name, matched
// case-insensitively. An exact match wins; among keys that differ only in
// case, the smallest key wins, so the answer never depends on map order.
func jsonFold(m map[string]any, name string) any {
	if m == nil {
		return nil
	}
	if v, ok := m[name]; ok {
		return v
	}
	best, found := "", false
	for k := range m {
		if strings.EqualFold(k, name) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return nil
	}
	return m[best]
}

// flag reads a boolean parameter such as strong: true, True, 1 (and a JSON
// true or 1) are true; anything else is false.
func (p *params) flag(name string) bool {
	switch v := jsonFold(p.json, name).(type) {
	case bool:
		return v
	case float64:
		return v == 1
	}
	v := lookupFold(p.query, name)
	if v == "" {
		v = lookupFold(p.form, name)
	}
	if v == "" && p.json != nil {
		v = p.get(name)
	}
	return strings.EqualFold(v, "true") || v == "1"
}

func lookupFold(v url.Values, name string) string {
	if v == nil {
		return ""
	}
	if vs := v[name]; len(vs) > 0 {
		return vs[0]
	}
	// Among names that differ only in case, the smallest wins, so the
	// answer never depends on map order.
	best, found := "", false
	for k, vs := range v {
		if len(vs) > 0 && vs[0] != "" && strings.EqualFold(k, name) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return ""
	}
	return v[best][0]
}

// The X-Plex-* names mockplex reads.
const (
	hClientID = "X-Plex-Client-Identifier"
	hProduct  = "X-Plex-Product"
	hToken    = "X-Plex-Token"
	hDevice   = "X-Plex-Device"
	hPlatform = "X-Plex-Platform"
)

// Stored fields are capped (hardening: a 60 KB client identifier was
// stored whole). A client identifier is the pin's owner, so a longer one is
// refused rather than cut, which could make two clients one; a product
// name is only shown, so it is cut.
const (
	MaxClientIDLen = 256
	MaxProductLen  = 256
)

// clientID returns the request's client identifier, or ErrFieldTooLong.
func (p *params) clientID() (string, error) {
	id := p.get(hClientID)
	if len(id) > MaxClientIDLen {
		return "", fmt.Errorf("%w: X-Plex-Client-Identifier has %d bytes, at most %d are kept", ErrFieldTooLong, len(id), MaxClientIDLen)
	}
	return id, nil
}

// product returns the request's product name, cut to MaxProductLen bytes
// on a rune boundary.
func (p *params) product() string { return cut(p.get(hProduct), MaxProductLen) }

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
