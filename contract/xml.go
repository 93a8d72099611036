package contract

import (
	"encoding/xml"
	"strings"
)

// xmlRoot returns the name of the root element, or "".
func xmlRoot(b []byte) string {
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// xmlShape summarises an XML document's elements and attribute names, e.g.
// "<pin id code ...><location code .../></pin>", for observations.
func xmlShape(b []byte) string {
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	var sb strings.Builder
	depth := 0
	seen := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			seen = true
			if depth > 3 {
				depth++
				continue
			}
			sb.WriteString("<" + t.Name.Local)
			for _, a := range t.Attr {
				sb.WriteString(" " + a.Name.Local)
			}
			sb.WriteString(">")
			depth++
		case xml.EndElement:
			depth--
			if depth <= 3 {
				sb.WriteString("</" + t.Name.Local + ">")
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" && depth > 0 && depth <= 4 {
				sb.WriteString("text")
			}
		}
	}
	if !seen {
		return "not XML: " + snippet(b)
	}
	return truncate(sb.String(), 600)
}
