package world

import "slices"

// Variants are the changes a scenario may make to how servers look, named
// as scenario files name them (then: {world: [offline]}).
const (
	Offline         = "offline"          // presence false
	RelayOnly       = "relay-only"       // one relay connection instead of the server's own
	HTTPSRequired   = "https-required"   // httpsRequired, and only https connections
	NoConnections   = "no-connections"   // no connections at all
	SectionsMissing = "sections-missing" // no libraries (python-plexapi's xfail on /api/servers/{id})
)

// VariantNames lists every variant, for validation and documentation.
var VariantNames = []string{Offline, RelayOnly, HTTPSRequired, NoConnections, SectionsMissing}

// Vary applies variant v to s (a copy the caller owns) and reports whether
// v is a known variant.
func (s *Server) Vary(v string) bool {
	switch v {
	case Offline:
		s.Presence = false
	case RelayOnly:
		s.Connections = []Connection{{Protocol: "https", Address: "127.0.0.1", Port: 8443, URI: "https://127.0.0.1:8443", Relay: true}}
	case HTTPSRequired:
		s.HTTPSRequired = true
		s.Connections = slices.DeleteFunc(slices.Clone(s.Connections), func(c Connection) bool { return c.Protocol != "https" })
	case NoConnections:
		s.Connections = []Connection{}
	case SectionsMissing:
		s.Libraries = []Library{}
	default:
		return false
	}
	return true
}

// Filter is what a resources request asks for (includeHttps, includeRelay,
// includeIPv6).
type Filter struct {
	HTTPS, Relay, IPv6 bool
}

// Connections returns the connections of s a request with f sees: relay
// connections only with Relay, IPv6 ones only with IPv6, and plex.direct
// names only with HTTPS (without it plex.tv lists plain addresses and
// custom https URLs only).
func (f Filter) Connections(s *Server) []Connection {
	out := make([]Connection, 0, len(s.Connections))
	for i := range s.Connections {
		if f.Sees(&s.Connections[i]) {
			out = append(out, s.Connections[i])
		}
	}
	return out
}

// Sees reports whether a request with f lists c.
func (f Filter) Sees(c *Connection) bool {
	return (!c.Relay || f.Relay) && (!c.IPv6 || f.IPv6) && (f.HTTPS || !isPlexDirect(c.URI))
}

func isPlexDirect(uri string) bool {
	return len(uri) > 0 && (containsFold(uri, ".plex.direct:") || hasSuffixFold(uri, ".plex.direct"))
}

func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && equalFold(s[len(s)-len(suffix):], suffix)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
