package world

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mockplex/mockplex/internal/yamljson"
)

// MaxFileSize is the largest world file, in bytes, that Parse and ReadFile
// accept (4 MiB): a world at every cap fits in it.
const MaxFileSize = 4 << 20

// Error reports a bad world file: where the problem is and what was
// expected there. Every error Parse returns for file content is an *Error.
// Line and Column are 1-based; 0 when unknown.
type Error struct {
	File         string
	Line, Column int
	Want, Got    string
}

// Error returns "file:line:col: want X, got Y".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	fmt.Fprintf(&b, ": want %s, got %s", e.Want, e.Got)
	return b.String()
}

// ReadFile reads a world file, refusing one larger than MaxFileSize before
// reading it (and one that grows past it while read).
func ReadFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, &Error{File: path, Want: "a regular file", Got: info.Mode().Type().String()}
	}
	if info.Size() > MaxFileSize {
		return nil, &Error{File: path, Want: "a world file of at most 4 MiB (world.MaxFileSize)", Got: strconv.FormatInt(info.Size(), 10) + " bytes"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("world file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path, Want: "a world file of at most 4 MiB (world.MaxFileSize)", Got: "more than that (the file grew while it was read)"}
	}
	return data, nil
}

// Parse reads a world file, YAML or JSON (JSON is YAML), naming accounts
// by id, uuid, username or e-mail among accounts. Every problem with the
// content comes back as an *Error with its position: unknown keys, wrong
// types, values out of range, duplicate ids, and dangling references (a
// share of a server that does not exist, an owner who is not an account).
// now fills in the dates a file leaves out.
//
// The format is the one GET /__mockplex/world answers:
//
//	servers:
//	  - machineIdentifier: 6f1e…   # letters, digits, '.', '_' or '-'
//	    name: Box
//	    owner: jane.doe            # an account's username, e-mail, uuid or id
//	    libraries: [{id: 1001, key: 1, title: Movies, type: movie}]
//	    connections: [{protocol: http, address: 127.0.0.1, port: 32400, local: true}]
//	shares:
//	  - server: 6f1e…
//	    invitee: john.roe          # or invitedEmail: someone@example.com
//	    sections: [1001]           # or allLibraries: true
//	    acceptedAt: null           # a pending invite; leave it out for an accepted share
func Parse(file string, data []byte, accounts []Account, now time.Time) (*World, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{File: file, Want: "a world file of at most 4 MiB (world.MaxFileSize)", Got: strconv.Itoa(len(data)) + " bytes"}
	}
	p := &parser{file: file, now: now.UTC().Truncate(time.Second), w: &World{Servers: []*Server{}, Shares: []*Share{}, Homes: []*Home{}}}
	p.w.SetAccounts(accounts)
	root, err := p.document(data)
	if err != nil {
		return nil, err
	}
	if err := p.world(root); err != nil {
		return nil, err
	}
	return p.w, nil
}

type parser struct {
	file string
	now  time.Time
	w    *World
}

func (p *parser) at(n *yaml.Node, want, got string) *Error {
	return &Error{File: p.file, Line: n.Line, Column: n.Column, Want: want, Got: got}
}

func (p *parser) document(data []byte) (*yaml.Node, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: p.file, Line: 1, Column: 1, Want: "a world mapping with servers and shares", Got: "an empty file"}
		}
		return nil, syntaxError(p.file, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, syntaxError(p.file, err)
	default:
		line, col := next.Line, next.Column
		if len(next.Content) > 0 {
			line, col = next.Content[0].Line, next.Content[0].Column
		}
		return nil, &Error{File: p.file, Line: line, Column: col, Want: "one YAML document", Got: "a second document"}
	}
	// yamljson refuses what JSON cannot hold (aliases, duplicate keys,
	// tags), with positions: the world's JSON form is its file form.
	if _, cerr := yamljson.Convert(&doc, false); cerr != nil {
		return nil, &Error{File: p.file, Line: cerr.Line, Column: cerr.Column, Want: cerr.Want, Got: cerr.Got}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.at(root, "a world mapping with servers and shares", yamljson.Describe(root))
	}
	return root, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, err error) *Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Want: "valid YAML", Got: m[2]}
	}
	return &Error{File: file, Want: "valid YAML", Got: strings.TrimPrefix(msg, "yaml: ")}
}

// fields walks a mapping, calling the handler of each key; unknown keys
// are errors.
func (p *parser) fields(n *yaml.Node, what string, handlers map[string]func(v *yaml.Node) *Error) *Error {
	if n.Kind != yaml.MappingNode {
		return p.at(n, what, yamljson.Describe(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handlers[k.Value]
		if !ok {
			known := make([]string, 0, len(handlers))
			for name := range handlers {
				known = append(known, name)
			}
			return p.at(k, "one of the keys of "+what+": "+strings.Join(sorted(known), ", "), "key "+strconv.Quote(k.Value))
		}
		if err := h(v); err != nil {
			return err
		}
	}
	return nil
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func (p *parser) str(dst *string) func(*yaml.Node) *Error {
	return func(n *yaml.Node) *Error {
		if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
			return p.at(n, "a string", yamljson.Describe(n))
		}
		if len(n.Value) > MaxTextLen {
			return p.at(n, fmt.Sprintf("a string of at most %d bytes", MaxTextLen), fmt.Sprintf("%d bytes", len(n.Value)))
		}
		*dst = n.Value
		return nil
	}
}

func (p *parser) boolean(dst *bool) func(*yaml.Node) *Error {
	return func(n *yaml.Node) *Error {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			return p.at(n, "true or false", yamljson.Describe(n))
		}
		return p.decode(n, dst, "true or false")
	}
}

func (p *parser) integer(dst *int64, lo, hi int64) func(*yaml.Node) *Error {
	return func(n *yaml.Node) *Error {
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" {
			return p.at(n, fmt.Sprintf("an integer from %d to %d", lo, hi), yamljson.Describe(n))
		}
		var v int64
		if err := n.Decode(&v); err != nil || v < lo || v > hi {
			return p.at(n, fmt.Sprintf("an integer from %d to %d", lo, hi), yamljson.Describe(n))
		}
		*dst = v
		return nil
	}
}

func (p *parser) date(dst *time.Time) func(*yaml.Node) *Error {
	return func(n *yaml.Node) *Error {
		const want = "an RFC 3339 date such as 2026-10-01T22:39:52Z"
		if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
			return p.at(n, want, yamljson.Describe(n))
		}
		t, err := time.Parse(time.RFC3339, n.Value)
		if err != nil {
			return p.at(n, want, yamljson.Describe(n))
		}
		*dst = t.UTC()
		return nil
	}
}

func (p *parser) decode(n *yaml.Node, dst any, want string) *Error {
	if err := n.Decode(dst); err != nil {
		return p.at(n, want, yamljson.Describe(n))
	}
	return nil
}

// list calls fn for each item of a sequence of at most max items.
func (p *parser) list(n *yaml.Node, what string, max int, fn func(*yaml.Node) *Error) *Error {
	if n.Kind != yaml.SequenceNode {
		return p.at(n, "a list of "+what, yamljson.Describe(n))
	}
	if len(n.Content) > max {
		return p.at(n, fmt.Sprintf("at most %d %s", max, what), strconv.Itoa(len(n.Content)))
	}
	for _, c := range n.Content {
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// account resolves an account reference: an id, or a username, e-mail or
// uuid.
func (p *parser) account(n *yaml.Node) (int64, *Error) {
	const want = "an account: its id, username, e-mail or uuid"
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return 0, p.at(n, want, yamljson.Describe(n))
	}
	for _, a := range p.w.accounts {
		if n.Value == strconv.FormatInt(a.ID, 10) || n.Value == a.UUID ||
			strings.EqualFold(n.Value, a.Username) || strings.EqualFold(n.Value, a.Email) {
			return a.ID, nil
		}
	}
	names := make([]string, 0, min(len(p.w.accounts), 5))
	for _, a := range p.w.accounts[:min(len(p.w.accounts), 5)] {
		names = append(names, a.Username)
	}
	return 0, p.at(n, want+" (accounts: "+strings.Join(names, ", ")+")", "unknown account "+strconv.Quote(n.Value))
}

func (p *parser) world(root *yaml.Node) *Error {
	var servers, shares, homes *yaml.Node
	err := p.fields(root, "a world", map[string]func(*yaml.Node) *Error{
		"servers": func(v *yaml.Node) *Error { servers = v; return nil },
		"shares":  func(v *yaml.Node) *Error { shares = v; return nil },
		"homes":   func(v *yaml.Node) *Error { homes = v; return nil },
	})
	if err != nil {
		return err
	}
	libIDs := map[int64]bool{}
	if servers != nil && servers.ShortTag() != "!!null" {
		if err := p.list(servers, "servers", MaxServers, func(n *yaml.Node) *Error { return p.server(n, libIDs) }); err != nil {
			return err
		}
	}
	if shares != nil && shares.ShortTag() != "!!null" {
		ids := map[int64]bool{}
		if err := p.list(shares, "shares", MaxShares, func(n *yaml.Node) *Error { return p.share(n, ids) }); err != nil {
			return err
		}
	}
	if homes != nil && homes.ShortTag() != "!!null" {
		ids := map[int64]bool{}
		if err := p.list(homes, "homes", MaxServers, func(n *yaml.Node) *Error { return p.home(n, ids) }); err != nil {
			return err
		}
	}
	return nil
}

// home reads a Plex Home; ids holds every home and member id seen, which
// must not collide with each other nor with an account's.
func (p *parser) home(n *yaml.Node, ids map[int64]bool) *Error {
	h := &Home{Members: []*Member{}}
	var adminNode, idNode *yaml.Node
	err := p.fields(n, "a home", map[string]func(*yaml.Node) *Error{
		"id":            func(v *yaml.Node) *Error { idNode = v; return p.integer(&h.ID, 1, 1<<53)(v) },
		"name":          p.str(&h.Name),
		"admin":         func(v *yaml.Node) *Error { adminNode = v; return nil },
		"guestUserID":   p.integer(&h.GuestUserID, 0, 1<<53),
		"guestUserUUID": p.str(&h.GuestUserUUID),
		"guestEnabled":  p.boolean(&h.GuestEnabled),
		"subscription":  p.boolean(&h.Subscription),
		"members": func(v *yaml.Node) *Error {
			return p.list(v, "members", MaxHomeMembers, func(mn *yaml.Node) *Error { return p.member(mn, h, ids) })
		},
	})
	if err != nil {
		return err
	}
	if adminNode == nil {
		return p.at(n, "a home with an admin (an account)", "none")
	}
	admin, aerr := p.account(adminNode)
	if aerr != nil {
		return aerr
	}
	if _, _, in := p.w.HomeOf(admin); in {
		return p.at(adminNode, "an account in no other Home", "an account that is in one already")
	}
	h.Admin = admin
	if h.ID == 0 {
		h.ID = admin + 1_000_000_000
	} else if ids[h.ID] {
		return p.at(idNode, "each home id once", "id "+strconv.FormatInt(h.ID, 10)+" again")
	}
	ids[h.ID] = true
	if h.Name == "" {
		h.Name = "Home"
	}
	for _, m := range h.Members {
		if m.Account == admin {
			return p.at(adminNode, "an admin who is not also a member", "the admin listed as a member")
		}
	}
	p.w.Homes = append(p.w.Homes, h)
	return nil
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

func (p *parser) member(n *yaml.Node, h *Home, ids map[int64]bool) *Error {
	m := &Member{}
	var idNode, uuidNode, pinNode, accNode, profNode *yaml.Node
	err := p.fields(n, "a home member", map[string]func(*yaml.Node) *Error{
		"id":                 func(v *yaml.Node) *Error { idNode = v; return p.integer(&m.ID, 1, 1<<53)(v) },
		"uuid":               func(v *yaml.Node) *Error { uuidNode = v; return p.str(&m.UUID)(v) },
		"title":              p.str(&m.Title),
		"account":            func(v *yaml.Node) *Error { accNode = v; return nil },
		"restricted":         p.boolean(&m.Restricted),
		"restrictionProfile": func(v *yaml.Node) *Error { profNode = v; return p.str(&m.RestrictionProfile)(v) },
		"pin":                func(v *yaml.Node) *Error { pinNode = v; return p.str(&m.PIN)(v) },
		"guest":              p.boolean(&m.Guest),
	})
	if err != nil {
		return err
	}
	if accNode != nil {
		id, aerr := p.account(accNode)
		if aerr != nil {
			return aerr
		}
		if _, _, in := p.w.HomeOf(id); in {
			return p.at(accNode, "an account in no other Home", "an account that is in one already")
		}
		a, _ := p.w.Account(id)
		m.Account, m.ID, m.UUID = id, id, a.UUID
		if m.Title == "" {
			m.Title = a.Title
		}
		if m.Title == "" {
			m.Title = a.Username
		}
	}
	switch {
	case m.Title == "":
		return p.at(n, "a member with a title (or an account)", "none")
	case m.PIN != "" && !isPIN(m.PIN):
		return p.at(pinNode, "a PIN of four digits", yamljson.Describe(pinNode))
	case m.RestrictionProfile != "" && m.RestrictionProfile != "little_kid" && m.RestrictionProfile != "older_kid" && m.RestrictionProfile != "teen":
		return p.at(profNode, "a restriction profile: little_kid, older_kid or teen", yamljson.Describe(profNode))
	case m.Account == 0 && idNode == nil:
		return p.at(n, "a managed user with an id", "none")
	case m.Account == 0 && (uuidNode == nil || !uuidPattern.MatchString(m.UUID)):
		at := n
		if uuidNode != nil {
			at = uuidNode
		}
		return p.at(at, "a managed user with a uuid of 16 lower-case hex digits", "none or another form")
	}
	_, isAccount := p.w.Account(m.ID)
	if ids[m.ID] || (m.Account == 0 && isAccount) {
		at := n
		if idNode != nil {
			at = idNode
		}
		return p.at(at, "a member id used once, by no account", "id "+strconv.FormatInt(m.ID, 10)+" again")
	}
	ids[m.ID] = true
	h.Members = append(h.Members, m)
	return nil
}

var machineIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func (p *parser) server(n *yaml.Node, libIDs map[int64]bool) *Error {
	s := &Server{
		Presence: true, Version: "1.42.1.10060-4e8b05daf", Platform: "Linux", PlatformVersion: "", Device: "PC",
		CreatedAt: p.now, LastSeenAt: p.now, Libraries: []Library{}, Connections: []Connection{},
	}
	var midNode, ownerNode *yaml.Node
	err := p.fields(n, "a server", map[string]func(*yaml.Node) *Error{
		"machineIdentifier": func(v *yaml.Node) *Error { midNode = v; return p.str(&s.MachineIdentifier)(v) },
		"name":              p.str(&s.Name),
		"owner":             func(v *yaml.Node) *Error { ownerNode = v; return nil },
		"version":           p.str(&s.Version),
		"platform":          p.str(&s.Platform),
		"platformVersion":   p.str(&s.PlatformVersion),
		"device":            p.str(&s.Device),
		"presence":          p.boolean(&s.Presence),
		"publicAddress":     p.str(&s.PublicAddress),
		"httpsRequired":     p.boolean(&s.HTTPSRequired),
		"createdAt":         p.date(&s.CreatedAt),
		"lastSeenAt":        p.date(&s.LastSeenAt),
		"libraries": func(v *yaml.Node) *Error {
			keys := map[int64]bool{}
			return p.list(v, "libraries", MaxLibraries, func(ln *yaml.Node) *Error { return p.library(ln, s, libIDs, keys) })
		},
		"connections": func(v *yaml.Node) *Error {
			return p.list(v, "connections", MaxConnections, func(cn *yaml.Node) *Error { return p.connection(cn, s) })
		},
	})
	if err != nil {
		return err
	}
	switch {
	case midNode == nil:
		return p.at(n, "a server with a machineIdentifier", "none")
	case !machineIDPattern.MatchString(s.MachineIdentifier):
		return p.at(midNode, "a machine identifier of up to 64 letters, digits, '.', '_' or '-'", yamljson.Describe(midNode))
	case ownerNode == nil:
		return p.at(n, "a server with an owner", "none")
	}
	if _, dup := p.w.Server(s.MachineIdentifier); dup {
		return p.at(midNode, "each machine identifier once", "machine identifier "+strconv.Quote(s.MachineIdentifier)+" again")
	}
	owner, aerr := p.account(ownerNode)
	if aerr != nil {
		return aerr
	}
	s.Owner = owner
	if s.Name == "" {
		s.Name = s.MachineIdentifier[:min(8, len(s.MachineIdentifier))]
	}
	p.w.Servers = append(p.w.Servers, s)
	return nil
}

var libraryTypes = map[string]bool{"movie": true, "show": true, "artist": true, "photo": true}

func (p *parser) library(n *yaml.Node, s *Server, ids, keys map[int64]bool) *Error {
	var l Library
	var idNode, keyNode, typeNode *yaml.Node
	err := p.fields(n, "a library", map[string]func(*yaml.Node) *Error{
		"id":    func(v *yaml.Node) *Error { idNode = v; return p.integer(&l.ID, 1, 1<<53)(v) },
		"key":   func(v *yaml.Node) *Error { keyNode = v; return p.integer(&l.Key, 1, 1<<31)(v) },
		"title": p.str(&l.Title),
		"type":  func(v *yaml.Node) *Error { typeNode = v; return p.str(&l.Type)(v) },
	})
	switch {
	case err != nil:
		return err
	case idNode == nil || keyNode == nil || l.Title == "":
		return p.at(n, "a library with id, key and title", "a library without one of them")
	case ids[l.ID]:
		return p.at(idNode, "each library id once in the world (ids are plex.tv's global section ids)", "id "+strconv.FormatInt(l.ID, 10)+" again")
	case keys[l.Key]:
		return p.at(keyNode, "each library key once per server", "key "+strconv.FormatInt(l.Key, 10)+" again")
	}
	if l.Type == "" {
		l.Type = "movie"
	} else if !libraryTypes[l.Type] {
		return p.at(typeNode, "a library type: movie, show, artist or photo", yamljson.Describe(typeNode))
	}
	ids[l.ID], keys[l.Key] = true, true
	s.Libraries = append(s.Libraries, l)
	return nil
}

func (p *parser) connection(n *yaml.Node, s *Server) *Error {
	c := Connection{Protocol: "http"}
	var port int64
	var protoNode, uriNode, addrNode *yaml.Node
	err := p.fields(n, "a connection", map[string]func(*yaml.Node) *Error{
		"protocol": func(v *yaml.Node) *Error { protoNode = v; return p.str(&c.Protocol)(v) },
		"address":  func(v *yaml.Node) *Error { addrNode = v; return p.str(&c.Address)(v) },
		"port":     p.integer(&port, 1, 65535),
		"uri":      func(v *yaml.Node) *Error { uriNode = v; return p.str(&c.URI)(v) },
		"local":    p.boolean(&c.Local),
		"relay":    p.boolean(&c.Relay),
		"IPv6":     p.boolean(&c.IPv6),
	})
	if err != nil {
		return err
	}
	if c.Protocol != "http" && c.Protocol != "https" {
		return p.at(protoNode, "http or https", yamljson.Describe(protoNode))
	}
	if addrNode == nil || c.Address == "" {
		return p.at(n, "a connection with an address", "none")
	}
	if !validAddress(c.Address) {
		return p.at(addrNode, "an IP address or a host name of letters, digits, '.', '_' and '-'", yamljson.Describe(addrNode))
	}
	if port == 0 {
		port = 32400
	}
	c.Port = int(port)
	if c.URI == "" {
		c.URI = c.Protocol + "://" + hostPort(c.Address, c.Port)
	} else if u, err := url.Parse(c.URI); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return p.at(uriNode, "an http or https URL", yamljson.Describe(uriNode))
	}
	s.Connections = append(s.Connections, c)
	return nil
}

// validAddress reports whether a is an IP address or a host name: what a
// connection's URI is made from, so the URI it makes is one.
func validAddress(a string) bool {
	if _, err := netip.ParseAddr(a); err == nil {
		return true
	}
	if len(a) > 253 {
		return false
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func hostPort(host string, port int) string {
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(port)
}

func (p *parser) share(n *yaml.Node, ids map[int64]bool) *Error {
	sh := &Share{Sections: []int64{}, InvitedAt: p.now}
	var serverNode, inviteeNode, idNode, sectionsNode, acceptedNode *yaml.Node
	err := p.fields(n, "a share", map[string]func(*yaml.Node) *Error{
		"id":           func(v *yaml.Node) *Error { idNode = v; return p.integer(&sh.ID, 1, 1<<53)(v) },
		"server":       func(v *yaml.Node) *Error { serverNode = v; return p.str(&sh.Server)(v) },
		"invitee":      func(v *yaml.Node) *Error { inviteeNode = v; return nil },
		"invitedEmail": p.str(&sh.InvitedEmail),
		"allLibraries": p.boolean(&sh.AllLibraries),
		"sections":     func(v *yaml.Node) *Error { sectionsNode = v; return nil },
		"settings":     func(v *yaml.Node) *Error { return p.settings(v, &sh.Settings) },
		"accessToken":  p.str(&sh.AccessToken),
		"invitedAt":    p.date(&sh.InvitedAt),
		"acceptedAt":   func(v *yaml.Node) *Error { acceptedNode = v; return nil },
	})
	if err != nil {
		return err
	}
	if serverNode == nil {
		return p.at(n, "a share with a server (a machine identifier)", "none")
	}
	s, ok := p.w.Server(sh.Server)
	if !ok {
		return p.at(serverNode, "the machine identifier of a server in this world", "unknown server "+strconv.Quote(sh.Server))
	}
	switch {
	case inviteeNode != nil:
		id, aerr := p.account(inviteeNode)
		if aerr != nil {
			return aerr
		}
		if id == s.Owner {
			return p.at(inviteeNode, "an account other than the server's owner", "the owner")
		}
		sh.Invitee = id
	case sh.InvitedEmail != "":
	default:
		return p.at(n, "a share with an invitee (an account) or an invitedEmail", "neither")
	}
	if sectionsNode != nil && sectionsNode.ShortTag() != "!!null" {
		if err := p.list(sectionsNode, "library ids", MaxLibraries, func(v *yaml.Node) *Error {
			var id int64
			if err := p.integer(&id, 1, 1<<53)(v); err != nil {
				return err
			}
			if _, ok := s.Library(id); !ok {
				return p.at(v, "the id of a library of server "+strconv.Quote(s.MachineIdentifier), "id "+strconv.FormatInt(id, 10))
			}
			sh.Sections = append(sh.Sections, id)
			return nil
		}); err != nil {
			return err
		}
	}
	if !sh.AllLibraries && len(sh.Sections) == 0 {
		return p.at(n, "a share with sections (library ids) or allLibraries: true", "neither")
	}
	if idNode == nil {
		sh.ID = p.w.nextShareID()
	} else if ids[sh.ID] {
		return p.at(idNode, "each share id once", "id "+strconv.FormatInt(sh.ID, 10)+" again")
	}
	ids[sh.ID] = true
	for _, o := range p.w.Shares {
		if o.Server == sh.Server && (sh.Invitee != 0 && o.Invitee == sh.Invitee || sh.InvitedEmail != "" && strings.EqualFold(o.InvitedEmail, sh.InvitedEmail)) {
			return p.at(n, "one share per server and invitee", "a second share of "+strconv.Quote(sh.Server)+" to the same invitee")
		}
	}
	switch {
	case acceptedNode == nil:
		t := sh.InvitedAt
		sh.AcceptedAt = &t
	case acceptedNode.ShortTag() == "!!null":
	default:
		var t time.Time
		if err := p.date(&t)(acceptedNode); err != nil {
			return err
		}
		sh.AcceptedAt = &t
	}
	if sh.AcceptedAt != nil && sh.Invitee == 0 {
		return p.at(n, "an invite to an e-mail to be pending (acceptedAt: null)", "an accepted share without an invitee account")
	}
	if sh.AccessToken == "" {
		sum := sha256.Sum256([]byte(sh.Server + "/" + strconv.FormatInt(sh.ID, 10)))
		sh.AccessToken = hex.EncodeToString(sum[:])[:20]
	}
	p.w.Shares = append(p.w.Shares, sh)
	return nil
}

func (p *parser) settings(n *yaml.Node, st *Settings) *Error {
	return p.fields(n, "share settings", map[string]func(*yaml.Node) *Error{
		"allowSync":          p.boolean(&st.AllowSync),
		"allowCameraUpload":  p.boolean(&st.AllowCameraUpload),
		"allowChannels":      p.boolean(&st.AllowChannels),
		"allowTuners":        p.boolean(&st.AllowTuners),
		"allowSubtitleAdmin": p.boolean(&st.AllowSubtitleAdmin),
		"filterAll":          p.str(&st.FilterAll),
		"filterMovies":       p.str(&st.FilterMovies),
		"filterMusic":        p.str(&st.FilterMusic),
		"filterPhotos":       p.str(&st.FilterPhotos),
		"filterTelevision":   p.str(&st.FilterTelevision),
	})
}
