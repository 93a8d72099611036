package mock

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
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
		body, err := readBody(r.Body)
		if err != nil {
			return err
		}
		f, err := url.ParseQuery(string(body))
		if err != nil && len(f) == 0 {
			return errBadBody
		}
		p.form = f
	case "application/json":
		body, err := readBody(r.Body)
		if err != nil {
			return err
		}
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			p.json = m
		}
	}
	return nil
}

// readBody reads a request body through limitBody's limit: a body over it
// is errBodyTooLarge, any other failure errBadBody.
func readBody(body io.Reader) ([]byte, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errBodyTooLarge
		}
		return nil, errorf(errBadBody, "read body: %v", err)
	}
	return b, nil
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
	if v := headerGet(p.header, name); v != "" {
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

// headerGet is h.Get(name) without the allocation Get makes to
// canonicalize a name that is not canonical (deviceJWT, code): the
// canonical key is built on the stack, and a map index by string(bytes)
// does not allocate. Names of other bytes than letters, digits and '-' go
// to Get.
func headerGet(h http.Header, name string) string {
	var buf [32]byte
	if len(name) > len(buf) {
		return h.Get(name)
	}
	upper := true
	for i := range len(name) {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case c != '-' && (c < '0' || c > '9'):
			return h.Get(name)
		}
		buf[i] = c
		upper = c == '-'
	}
	if v := h[string(buf[:len(name)])]; len(v) > 0 {
		return v[0]
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

// clientID returns the request's client identifier, or errFieldTooLong.
func (p *params) clientID() (string, error) {
	id := p.get(hClientID)
	return id, checkClientID(id)
}
