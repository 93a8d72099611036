// Package replay serves captured plex.tv PIN API responses back over HTTP,
// so the contract suite can be run against a recording of the real service
// (and so its own tests have a known-good target that is not the mock).
//
// The handler reads a directory of captures (see contract/testdata/captures):
//
//	create-strong.json  the body of POST /api/v2/pins?strong=true
//	create-link.json    the body of POST /api/v2/pins (link pin)
//	poll-*.json         further pins, answered to polls by their own client
//	error-1020.json     the 404 body for an unknown, expired or foreign pin
//	error-1000.json     the 400 body for a missing X-Plex-Client-Identifier
//
// What it does beyond replaying bytes, all documented departures:
//   - clientIdentifier and product are replaced by the request's
//     X-Plex-Client-Identifier and X-Plex-Product, as plex.tv echoes them;
//   - a created pin is bound to the creating client, as on plex.tv;
//   - the Date header is the capture's own response time
//     (createdAt + lifetime - expiresIn), so expiresIn agrees with it;
//   - XML (the default format) is rendered from the JSON capture in the
//     shape mockplex documents, because the v2 XML was never captured;
//   - CORS preflights are answered permissively (not captured either);
//   - a non-numeric pin id gets 400 with an empty body (status captured,
//     body not).
package replay

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pinKeys and locationKeys return the wire order of §2.
func pinKeys() []string {
	return []string{"id", "code", "product", "trusted", "qr", "clientIdentifier", "location", "expiresIn", "createdAt", "expiresAt", "authToken", "newRegistration"}
}

func locationKeys() []string {
	return []string{"code", "european_union_member", "continent_code", "country", "city", "time_zone", "postal_code", "in_privacy_restricted_country", "in_privacy_restricted_region", "subdivisions", "coordinates"}
}

// Handler is the replay server.
type Handler struct {
	strong, link []byte
	err1020      []byte
	err1000      []byte
	pins         map[string][]byte // id -> capture
	mu           sync.Mutex
	owner        map[string]string // id -> client identifier bound to it
}

// New reads the captures in fsys and returns the handler.
func New(fsys fs.FS) (*Handler, error) {
	h := &Handler{pins: map[string][]byte{}, owner: map[string]string{}}
	read := func(name string) ([]byte, error) {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("replay: read capture: %w", err)
		}
		if !json.Valid(b) {
			return nil, fmt.Errorf("replay: capture %s is not valid JSON; fix or re-record it", name)
		}
		return b, nil
	}
	var err error
	if h.strong, err = read("create-strong.json"); err != nil {
		return nil, err
	}
	if h.link, err = read("create-link.json"); err != nil {
		return nil, err
	}
	if h.err1020, err = read("error-1020.json"); err != nil {
		return nil, err
	}
	if h.err1000, err = read("error-1000.json"); err != nil {
		return nil, err
	}
	polls, err := fs.Glob(fsys, "poll-*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range append([]string{"create-strong.json", "create-link.json"}, polls...) {
		b, err := read(name)
		if err != nil {
			return nil, err
		}
		var p struct {
			ID               json.Number `json:"id"`
			ClientIdentifier string      `json:"clientIdentifier"`
		}
		if err := json.Unmarshal(b, &p); err != nil || p.ID == "" {
			return nil, fmt.Errorf("replay: capture %s has no numeric id", name)
		}
		h.pins[p.ID.String()] = b
		h.owner[p.ID.String()] = p.ClientIdentifier
	}
	return h, nil
}

// ServeHTTP answers the PIN API routes from the captures.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions {
		h.preflight(w, r)
		return
	}
	if o := r.Header.Get("Origin"); o != "" {
		w.Header().Set("Access-Control-Allow-Origin", o)
	}
	p := r.URL.Path
	suffix := strings.HasSuffix(p, ".json")
	p = strings.TrimSuffix(p, ".json")
	asJSON := suffix || wantsJSON(r.Header.Values("Accept"))
	client := r.Header.Get("X-Plex-Client-Identifier")
	switch {
	case p == "/api/v2/pins" && r.Method == http.MethodPost:
		if client == "" {
			writeError(w, asJSON, http.StatusBadRequest, h.err1000)
			return
		}
		body := h.link
		if s := strings.ToLower(r.URL.Query().Get("strong")); s == "true" || s == "1" {
			body = h.strong
		}
		doc, err := decode(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		id := fmt.Sprint(doc["id"])
		h.mu.Lock()
		h.owner[id] = client
		h.mu.Unlock()
		writePin(w, r, asJSON, http.StatusCreated, doc)
	case strings.HasPrefix(p, "/api/v2/pins/") && r.Method == http.MethodGet:
		id := strings.TrimPrefix(p, "/api/v2/pins/")
		if _, err := strconv.ParseUint(id, 10, 63); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if client == "" {
			writeError(w, asJSON, http.StatusBadRequest, h.err1000)
			return
		}
		h.mu.Lock()
		owner, known := h.owner[id]
		h.mu.Unlock()
		if !known || owner != client {
			writeError(w, asJSON, http.StatusNotFound, h.err1020)
			return
		}
		doc, err := decode(h.pins[id])
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writePin(w, r, asJSON, http.StatusOK, doc)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (h *Handler) preflight(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if o := r.Header.Get("Origin"); o != "" {
		hd.Set("Access-Control-Allow-Origin", o)
		hd.Set("Vary", "Origin")
	}
	hd.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
		hd.Set("Access-Control-Allow-Headers", rh)
	}
	hd.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// wantsJSON is plex.tv's 2026 rule (§1.8): JSON only when Accept lists
// application/json and not */*.
func wantsJSON(accept []string) bool {
	var js, any bool
	for _, line := range accept {
		for _, item := range strings.Split(line, ",") {
			mt, _, err := mime.ParseMediaType(strings.TrimSpace(item))
			if err != nil {
				continue
			}
			switch mt {
			case "application/json":
				js = true
			case "*/*":
				any = true
			}
		}
	}
	return js && !any
}

func decode(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("replay: decode capture: %w", err)
	}
	return m, nil
}

// writePin writes a capture with the request's identity echoed.
func writePin(w http.ResponseWriter, r *http.Request, asJSON bool, status int, doc map[string]any) {
	doc["clientIdentifier"] = r.Header.Get("X-Plex-Client-Identifier")
	if p := r.Header.Get("X-Plex-Product"); p != "" {
		doc["product"] = p
	}
	// The capture's own response time: createdAt + lifetime - expiresIn.
	created, err1 := time.Parse(time.RFC3339, fmt.Sprint(doc["createdAt"]))
	expires, err2 := time.Parse(time.RFC3339, fmt.Sprint(doc["expiresAt"]))
	left, err3 := strconv.ParseInt(fmt.Sprint(doc["expiresIn"]), 10, 64)
	if err1 == nil && err2 == nil && err3 == nil {
		at := expires.Add(-time.Duration(left) * time.Second)
		if at.Before(created) {
			at = created
		}
		w.Header().Set("Date", at.UTC().Format(http.TimeFormat))
	}
	var body []byte
	if asJSON {
		var err error
		if body, err = marshalOrdered(doc); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		body = pinXML(doc)
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// marshalOrdered writes the pin with its keys in wire order.
func marshalOrdered(doc map[string]any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for _, k := range pinKeys() {
		v, ok := doc[k]
		if !ok {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		if k == "location" {
			loc, _ := v.(map[string]any)
			b.WriteByte('{')
			first := true
			for _, lk := range locationKeys() {
				lv, ok := loc[lk]
				if !ok {
					continue
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				kb, _ := json.Marshal(lk)
				vb, err := json.Marshal(lv)
				if err != nil {
					return nil, err
				}
				b.Write(kb)
				b.WriteByte(':')
				b.Write(vb)
			}
			b.WriteByte('}')
			continue
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// attr renders a JSON value as an XML attribute value; ok is false for null.
func attr(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case bool:
		if x {
			return "1", true
		}
		return "0", true
	case json.Number:
		return x.String(), true
	case string:
		return x, true
	}
	return fmt.Sprint(v), true
}

func writeAttrs(b *bytes.Buffer, m map[string]any, keys []string) {
	for _, k := range keys {
		if k == "location" {
			continue
		}
		s, ok := attr(m[k])
		if !ok {
			continue
		}
		b.WriteString(" " + k + `="`)
		escape(b, s)
		b.WriteByte('"')
	}
}

func escape(b *bytes.Buffer, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;", "\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;")
	_, _ = r.WriteString(b, s)
}

// pinXML renders a pin in mockplex's documented v2 XML shape.
func pinXML(doc map[string]any) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<pin")
	writeAttrs(&b, doc, pinKeys())
	b.WriteString(">")
	if loc, ok := doc["location"].(map[string]any); ok {
		b.WriteString("<location")
		writeAttrs(&b, loc, locationKeys())
		b.WriteString("/>")
	}
	b.WriteString("</pin>\n")
	return b.Bytes()
}

// writeError writes an error capture, as JSON or as the XML mirror.
func writeError(w http.ResponseWriter, asJSON bool, status int, capture []byte) {
	if asJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(capture)
		return
	}
	var env struct {
		Errors []map[string]any `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(capture))
	dec.UseNumber()
	_ = dec.Decode(&env)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<errors>")
	for _, e := range env.Errors {
		b.WriteString("<error")
		if _, ok := e["status"]; !ok {
			e["status"] = json.Number(strconv.Itoa(status))
		}
		writeAttrs(&b, e, []string{"code", "message", "status"})
		b.WriteString("/>")
	}
	b.WriteString("</errors>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
