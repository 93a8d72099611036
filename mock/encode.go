package mock

import (
	"strconv"
	"unicode/utf8"
)

// The hand-written encoders below produce exactly the bytes encoding/json
// and encoding/xml (through Pin.MarshalXML) produce for a Pin, and for
// plex.tv's error envelope, which WIRE.md and
// the golden files fix. encode_test.go checks them against those packages,
// fuzzed. Pins are the hot path they pay for: the pinned poll benchmark
// spends a twentieth of the server's time in encoding/json without them
// (BENCHMARKS.md).

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
func appendErrorBody(b []byte, f format, e wireError) []byte {
	if f == jsonFormat {
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
		if i+8 <= len(s) && xmlPlain8(load8(s, i)) {
			i += 8
			continue
		}
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
		if i+8 <= len(s) && jsonPlain8(load8(s, i)) {
			i += 8
			continue
		}
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

// Eight bytes at a time (SWAR): masks that pick the high bit of every byte
// and add 1 to each.
const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

// load8 returns s[i:i+8] as a little-endian word (one load once compiled).
func load8(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// hasByte reports (as non-zero) whether a byte of v is c.
func hasByte(v uint64, c byte) uint64 {
	x := v ^ lowBits*uint64(c)
	return (x - lowBits) & ^x & highBits
}

// xmlPlain8 reports whether the eight bytes of v go into an XML attribute
// as they are: ASCII, none below 0x20, and none of " ' & < >.
func xmlPlain8(v uint64) bool {
	return v&highBits|(v-lowBits*0x20)&^v&highBits|
		hasByte(v, '"')|hasByte(v, '\'')|hasByte(v, '&')|hasByte(v, '<')|hasByte(v, '>') == 0
}

// jsonPlain8 reports whether the eight bytes of v go into a JSON string as
// they are: ASCII, none below 0x20, and none of " \ < > &. appendJSONString
// skips such runs whole, which is most of a pin.
func jsonPlain8(v uint64) bool {
	return v&highBits|(v-lowBits*0x20)&^v&highBits|
		hasByte(v, '"')|hasByte(v, '\\')|hasByte(v, '<')|hasByte(v, '>')|hasByte(v, '&') == 0
}
