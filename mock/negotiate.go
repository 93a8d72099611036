package mock

import (
	"strconv"
	"strings"
)

// format is a response encoding.
type format int

// The two encodings plex.tv speaks.
const (
	xmlFormat format = iota
	jsonFormat
)

const (
	contentTypeJSON = "application/json; charset=utf-8"
	contentTypeXML  = "application/xml; charset=utf-8"
	xmlHeader       = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"
)

// negotiate decides between XML and JSON the way plex.tv does (WIRE.md
// §1.8): a path ending in .json gets JSON and one ending in .xml gets XML;
// otherwise JSON only when Accept lists application/json and does not list
// */* (axios's "application/json, text/plain, */*" gets XML). With legacy
// set, the pre-2026 rule applies instead: the first concrete media type
// listed wins, and a bare */* still gets XML. A media range with q=0 counts
// as not listed.
func negotiate(path string, accept []string, legacy bool) format {
	switch {
	case strings.HasSuffix(path, ".json"):
		return jsonFormat
	case strings.HasSuffix(path, ".xml"):
		return xmlFormat
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
			return jsonFormat
		}
		return xmlFormat
	}
	if hasJSON && !hasAny {
		return jsonFormat
	}
	return xmlFormat
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
