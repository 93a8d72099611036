package mock

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Format is a response encoding.
type Format int

// The two encodings plex.tv speaks.
const (
	XML Format = iota
	JSON
)

const (
	contentTypeJSON = "application/json; charset=utf-8"
	contentTypeXML  = "application/xml; charset=utf-8"
	xmlHeader       = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
)

// Negotiate decides between XML and JSON the way plex.tv does (wire contract
// §1.8): a path ending in .json gets JSON and one ending in .xml gets XML;
// otherwise JSON only when Accept lists application/json and does not list
// */* (axios's "application/json, text/plain, */*" gets XML). With legacy
// set, the pre-2026 rule applies instead: the first concrete media type
// listed wins, and a bare */* still gets XML. A media range with q=0 counts
// as not listed.
func Negotiate(path string, accept []string, legacy bool) Format {
	switch {
	case strings.HasSuffix(path, ".json"):
		return JSON
	case strings.HasSuffix(path, ".xml"):
		return XML
	}
	hasJSON, hasAny := false, false
	first := ""
	for _, line := range accept {
		for line != "" {
			var part string
			part, line, _ = strings.Cut(line, ",")
			media, params, _ := strings.Cut(part, ";")
			media = strings.ToLower(strings.TrimSpace(media))
			if media == "" || zeroQ(params) {
				continue
			}
			switch media {
			case "application/json":
				hasJSON = true
			case "*/*":
				hasAny = true
				continue
			}
			if first == "" {
				first = media
			}
		}
	}
	if legacy {
		if first == "application/json" {
			return JSON
		}
		return XML
	}
	if hasJSON && !hasAny {
		return JSON
	}
	return XML
}

// zeroQ reports whether media-range parameters carry q=0.
func zeroQ(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q == 0
	}
	return false
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// write encodes v in the negotiated format and writes it with status.
// JSON values are encoded as they are; XML values must be xml-marshalable
// types (their own root element).
func write(w http.ResponseWriter, f Format, status int, jsonV, xmlV any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	h := w.Header()
	var err error
	if f == JSON {
		h.Set("Content-Type", contentTypeJSON)
		err = json.NewEncoder(buf).Encode(jsonV)
		if err == nil {
			buf.Truncate(buf.Len() - 1) // Encode's trailing newline
		}
	} else {
		h.Set("Content-Type", contentTypeXML)
		buf.WriteString(xmlHeader)
		err = xml.NewEncoder(buf).Encode(xmlV)
	}
	if err != nil {
		writeError(w, f, errInternal)
		return
	}
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorBody is plex.tv's error envelope in both encodings.
type errorBody struct {
	XMLName xml.Name    `json:"-" xml:"errors"`
	Errors  []errorItem `json:"errors" xml:"error"`
}

type errorItem struct {
	Code    int    `json:"code" xml:"code,attr"`
	Message string `json:"message" xml:"message,attr"`
	Status  int    `json:"status" xml:"status,attr"`
}

// writeError writes plex.tv's error envelope for e.
func writeError(w http.ResponseWriter, f Format, e apiError) {
	body := errorBody{Errors: []errorItem{{Code: e.Code, Message: e.Message, Status: e.Status}}}
	write(w, f, e.Status, body, body)
}

// writeControl writes a control-API JSON response.
func writeControl(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// controlError is the control API's error body.
type controlError struct {
	Error string `json:"error"`
}

func writeControlError(w http.ResponseWriter, status int, err error) {
	writeControl(w, status, controlError{Error: err.Error()})
}
