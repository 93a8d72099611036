package mock

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
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

// bufPool recycles response buffers. Buffers that grew past maxPooledBuf
// (a big control listing) are dropped rather than kept.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuf = 64 << 10

// write encodes v in the negotiated format and writes it with status.
// JSON values are encoded as they are; XML values must be xml-marshalable
// types (their own root element). Pins take a hand-written path that
// produces the same bytes as encoding/json and encoding/xml without their
// reflection (encode_test.go holds them to that).
func write(w http.ResponseWriter, f Format, status int, jsonV, xmlV any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	var err error
	if f == JSON {
		if p, ok := jsonV.(*Pin); ok {
			buf.Write(appendPinJSON(buf.AvailableBuffer(), p))
		} else if err = json.NewEncoder(buf).Encode(jsonV); err == nil {
			buf.Truncate(buf.Len() - 1) // Encode's trailing newline
		}
	} else {
		buf.WriteString(xmlHeader)
		if p, ok := xmlV.(xmlPin); ok {
			buf.Write(appendPinXML(buf.AvailableBuffer(), p.Pin))
		} else {
			err = xml.NewEncoder(buf).Encode(xmlV)
		}
	}
	if err != nil {
		writeError(w, f, errInternal)
		return
	}
	send(w, f, status, buf.Bytes())
}

func putBuf(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuf {
		bufPool.Put(buf)
	}
}

// send writes an encoded body with its content type and length.
func send(w http.ResponseWriter, f Format, status int, body []byte) {
	// Direct assignment is Header.Set without canonicalizing keys that
	// already are canonical.
	h := w.Header()
	if f == JSON {
		h["Content-Type"] = []string{contentTypeJSON}
	} else {
		h["Content-Type"] = []string{contentTypeXML}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	_, _ = w.Write(body)
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

// writeError writes plex.tv's error envelope for e:
// {"errors":[{"code":…,"message":…,"status":…}]} or
// <errors><error code=… message=… status=…></error></errors>.
func writeError(w http.ResponseWriter, f Format, e apiError) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	if f == XML {
		buf.WriteString(xmlHeader)
	}
	buf.Write(appendErrorBody(buf.AvailableBuffer(), f, e))
	send(w, f, e.Status, buf.Bytes())
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

// The hand-written encoders below produce exactly the bytes encoding/json
// (with its default HTML escaping) and encoding/xml produce for Pin,
// Location and errorBody, which the wire contract and the golden files fix.
// encode_test.go checks them against those packages, fuzzed.

// appendPinJSON appends p as encoding/json encodes *Pin.
func appendPinJSON(b []byte, p *Pin) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"code":`...)
	b = appendJSONString(b, p.Code)
	b = append(b, `,"product":`...)
	b = appendJSONString(b, p.Product)
	b = append(b, `,"trusted":`...)
	b = strconv.AppendBool(b, p.Trusted)
	b = append(b, `,"qr":`...)
	b = appendJSONString(b, p.QR)
	b = append(b, `,"clientIdentifier":`...)
	b = appendJSONString(b, p.ClientIdentifier)
	b = append(b, `,"location":`...)
	if l := p.Location; l == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"code":`...)
		b = appendJSONString(b, l.Code)
		b = append(b, `,"european_union_member":`...)
		b = strconv.AppendBool(b, l.EuropeanUnionMember)
		b = append(b, `,"continent_code":`...)
		b = appendJSONString(b, l.ContinentCode)
		b = append(b, `,"country":`...)
		b = appendJSONString(b, l.Country)
		b = append(b, `,"city":`...)
		b = appendJSONString(b, l.City)
		b = append(b, `,"time_zone":`...)
		b = appendJSONString(b, l.TimeZone)
		b = append(b, `,"postal_code":`...)
		b = appendJSONString(b, l.PostalCode)
		b = append(b, `,"in_privacy_restricted_country":`...)
		b = strconv.AppendBool(b, l.InPrivacyRestrictedCountry)
		b = append(b, `,"in_privacy_restricted_region":`...)
		b = strconv.AppendBool(b, l.InPrivacyRestrictedRegion)
		b = append(b, `,"subdivisions":`...)
		b = appendJSONString(b, l.Subdivisions)
		b = append(b, `,"coordinates":`...)
		b = appendJSONString(b, l.Coordinates)
		b = append(b, '}')
	}
	b = append(b, `,"expiresIn":`...)
	b = strconv.AppendInt(b, p.ExpiresIn, 10)
	b = append(b, `,"createdAt":`...)
	b = appendJSONString(b, p.CreatedAt)
	b = append(b, `,"expiresAt":`...)
	b = appendJSONString(b, p.ExpiresAt)
	b = append(b, `,"authToken":`...)
	if p.AuthToken == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *p.AuthToken)
	}
	b = append(b, `,"newRegistration":`...)
	if p.NewRegistration == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendBool(b, *p.NewRegistration)
	}
	return append(b, '}')
}

// appendPinXML appends p as encoding/xml encodes plex.tv's XML form of it:
// attributes in wire order, booleans as 0 and 1, null fields omitted, and
// the location as a child element.
func appendPinXML(b []byte, p *Pin) []byte {
	b = append(b, `<pin id="`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, '"')
	b = appendXMLAttr(b, "code", p.Code)
	b = appendXMLAttr(b, "product", p.Product)
	b = appendXMLBool(b, "trusted", p.Trusted)
	b = appendXMLAttr(b, "qr", p.QR)
	b = appendXMLAttr(b, "clientIdentifier", p.ClientIdentifier)
	b = append(b, ` expiresIn="`...)
	b = strconv.AppendInt(b, p.ExpiresIn, 10)
	b = append(b, '"')
	b = appendXMLAttr(b, "createdAt", p.CreatedAt)
	b = appendXMLAttr(b, "expiresAt", p.ExpiresAt)
	if p.AuthToken != nil {
		b = appendXMLAttr(b, "authToken", *p.AuthToken)
	}
	if p.NewRegistration != nil {
		b = appendXMLBool(b, "newRegistration", *p.NewRegistration)
	}
	b = append(b, '>')
	if l := p.Location; l != nil {
		b = append(b, "<location"...)
		b = appendXMLAttr(b, "code", l.Code)
		b = appendXMLBool(b, "european_union_member", l.EuropeanUnionMember)
		b = appendXMLAttr(b, "continent_code", l.ContinentCode)
		b = appendXMLAttr(b, "country", l.Country)
		b = appendXMLAttr(b, "city", l.City)
		b = appendXMLAttr(b, "time_zone", l.TimeZone)
		b = appendXMLAttr(b, "postal_code", l.PostalCode)
		b = appendXMLBool(b, "in_privacy_restricted_country", l.InPrivacyRestrictedCountry)
		b = appendXMLBool(b, "in_privacy_restricted_region", l.InPrivacyRestrictedRegion)
		b = appendXMLAttr(b, "subdivisions", l.Subdivisions)
		b = appendXMLAttr(b, "coordinates", l.Coordinates)
		b = append(b, "></location>"...)
	}
	return append(b, "</pin>"...)
}

// appendErrorBody appends plex.tv's one-error envelope for e, as
// encoding/json or encoding/xml encodes errorBody.
func appendErrorBody(b []byte, f Format, e apiError) []byte {
	if f == JSON {
		b = append(b, `{"errors":[{"code":`...)
		b = strconv.AppendInt(b, int64(e.Code), 10)
		b = append(b, `,"message":`...)
		b = appendJSONString(b, e.Message)
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
		return append(b, "}]}"...)
	}
	b = append(b, `<errors><error code="`...)
	b = strconv.AppendInt(b, int64(e.Code), 10)
	b = append(b, '"')
	b = appendXMLAttr(b, "message", e.Message)
	b = append(b, ` status="`...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	return append(b, `"></error></errors>`...)
}

// appendXMLBool appends ` name="0"` or ` name="1"`, plex.tv's XML booleans.
func appendXMLBool(b []byte, name string, v bool) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	if v {
		return append(b, `="1"`...)
	}
	return append(b, `="0"`...)
}

// appendXMLAttr appends ` name="value"` with value escaped as encoding/xml
// escapes attribute values. name must be a plain XML name.
func appendXMLAttr(b []byte, name, value string) []byte {
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = appendXMLEscaped(b, value)
	return append(b, '"')
}

// appendXMLEscaped appends s escaped as encoding/xml's EscapeText does:
// the five markup characters and tab, newline and carriage return become
// character references, and bytes that are not valid UTF-8 or runes
// outside XML's character range become U+FFFD.
func appendXMLEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, width := utf8.DecodeRuneInString(s[i:])
			if !xmlCharOK(r) || r == utf8.RuneError && width == 1 {
				b = append(b, s[last:i]...)
				b = append(b, "\uFFFD"...)
				last = i + width
			}
			i += width
			continue
		}
		var esc string
		switch c {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if c < 0x20 {
				esc = "\uFFFD"
				break
			}
			i++
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i++
		last = i
	}
	return append(b, s[last:]...)
}

// xmlCharOK reports whether r is in XML 1.0's Char production.
func xmlCharOK(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// appendJSONString appends s as a JSON string the way encoding/json does
// by default: <, > and & as \u003c, \u003e and \u0026, control characters
// escaped, invalid UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
