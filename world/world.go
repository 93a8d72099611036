package world

import (
	"errors"
	"slices"
	"time"
)

// Account is what a World knows of a plex.tv account: enough to name it in
// the views (a friend's username, a shared server's sourceTitle).
type Account struct {
	ID       int64  `json:"id"`
	UUID     string `json:"uuid"`
	Username string `json:"username"`
	Title    string `json:"title"`
	Email    string `json:"email"`
	Thumb    string `json:"thumb"`
}

// World is the servers accounts own and the shares between accounts.
// Its methods do not lock: a World shared between goroutines is guarded by
// its user (the mock holds it behind a lock and swaps whole worlds).
type World struct {
	Servers []*Server `json:"servers"`
	Shares  []*Share  `json:"shares"`
	Homes   []*Home   `json:"homes"`

	accounts []Account // the accounts the world may name, by id order of arrival
}

// Server is a Plex Media Server owned by an account.
type Server struct {
	MachineIdentifier string       `json:"machineIdentifier"`
	Name              string       `json:"name"`
	Owner             int64        `json:"owner"` // the owning account's id
	Version           string       `json:"version"`
	Platform          string       `json:"platform"`
	PlatformVersion   string       `json:"platformVersion"`
	Device            string       `json:"device"`
	Presence          bool         `json:"presence"`
	PublicAddress     string       `json:"publicAddress"`
	HTTPSRequired     bool         `json:"httpsRequired"`
	CreatedAt         time.Time    `json:"createdAt"`
	LastSeenAt        time.Time    `json:"lastSeenAt"`
	Libraries         []Library    `json:"libraries"`
	Connections       []Connection `json:"connections"`
}

// Library is one library section of a server: ID is plex.tv's global
// section id (what invites name), Key the server's own.
type Library struct {
	ID    int64  `json:"id"`
	Key   int64  `json:"key"`
	Title string `json:"title"`
	Type  string `json:"type"` // movie, show, artist, photo
}

// Connection is one way to reach a server.
type Connection struct {
	Protocol string `json:"protocol"` // http or https
	Address  string `json:"address"`
	Port     int    `json:"port"`
	URI      string `json:"uri"`
	Local    bool   `json:"local"`
	Relay    bool   `json:"relay"`
	IPv6     bool   `json:"IPv6"`
}

// Share lets one account (Invitee) use a server it does not own, with an
// access token of its own for that server. A share whose AcceptedAt is nil
// is a pending invite; one with InvitedEmail and no Invitee is an invite to
// someone without an account.
type Share struct {
	ID           int64      `json:"id"`
	Server       string     `json:"server"` // machine identifier
	Invitee      int64      `json:"invitee,omitempty"`
	InvitedEmail string     `json:"invitedEmail,omitempty"`
	AllLibraries bool       `json:"allLibraries"`
	Sections     []int64    `json:"sections"` // global library ids; ignored when AllLibraries
	Settings     Settings   `json:"settings"`
	AccessToken  string     `json:"accessToken"`
	InvitedAt    time.Time  `json:"invitedAt"`
	AcceptedAt   *time.Time `json:"acceptedAt"`
}

// Settings are a share's allow* and filter* settings, as plex.tv names them.
type Settings struct {
	AllowSync          bool   `json:"allowSync"`
	AllowCameraUpload  bool   `json:"allowCameraUpload"`
	AllowChannels      bool   `json:"allowChannels"`
	AllowTuners        bool   `json:"allowTuners"`
	AllowSubtitleAdmin bool   `json:"allowSubtitleAdmin"`
	FilterAll          string `json:"filterAll"`
	FilterMovies       string `json:"filterMovies"`
	FilterMusic        string `json:"filterMusic"`
	FilterPhotos       string `json:"filterPhotos"`
	FilterTelevision   string `json:"filterTelevision"`
}

// Pending reports whether the share's invite is not accepted yet.
func (sh *Share) Pending() bool { return sh.AcceptedAt == nil }

// Caps on what a world holds, in files and at runtime: invites past
// MaxShares are refused, so a client that invites in a loop cannot grow a
// server's memory without bound.
const (
	MaxServers     = 1000
	MaxShares      = 10_000
	MaxLibraries   = 100 // per server
	MaxConnections = 32  // per server
	MaxTextLen     = 256 // any string field
)

// Errors of the queries and changes. The mock maps each to plex.tv's answer.
var (
	ErrServerNotFound   = errors.New("world: no such server")
	ErrShareNotFound    = errors.New("world: no such share")
	ErrAccountNotFound  = errors.New("world: no such account")
	ErrSectionNotFound  = errors.New("world: no such library section on this server")
	ErrNotOwner         = errors.New("world: the account does not own this server")
	ErrTooManyShares    = errors.New("world: share limit reached (world.MaxShares); remove shares or reset the world")
	ErrAlreadyShared    = errors.New("world: the server is already shared with this account")
	ErrShareWithSelf    = errors.New("world: an account cannot share a server with itself")
	ErrAlreadyAccepted  = errors.New("world: the invite is accepted already")
	ErrNotInvitee       = errors.New("world: the invite is not for this account")
	ErrInvalidInvitee   = errors.New("world: an invite needs an account or an e-mail address")
	ErrTooManyLibraries = errors.New("world: too many library sections")
)

// Accounts returns the accounts the world may name.
func (w *World) Accounts() []Account { return slices.Clone(w.accounts) }

// SetAccounts sets the accounts the world may name. Shares and servers of
// accounts no longer given stay, and render without the account's names.
func (w *World) SetAccounts(accounts []Account) { w.accounts = slices.Clone(accounts) }

// AddAccount lets the world name one more account (or updates it).
func (w *World) AddAccount(a Account) {
	for i := range w.accounts {
		if w.accounts[i].ID == a.ID {
			w.accounts[i] = a
			return
		}
	}
	w.accounts = append(w.accounts, a)
}

// Account finds an account the world may name by id.
func (w *World) Account(id int64) (Account, bool) {
	for _, a := range w.accounts {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// Clone returns a deep copy, which the caller may change freely.
func (w *World) Clone() *World {
	c := &World{accounts: slices.Clone(w.accounts)}
	c.Servers = make([]*Server, len(w.Servers))
	for i, s := range w.Servers {
		c.Servers[i] = s.clone()
	}
	c.Shares = make([]*Share, len(w.Shares))
	for i, sh := range w.Shares {
		c.Shares[i] = sh.clone()
	}
	c.Homes = make([]*Home, len(w.Homes))
	for i, h := range w.Homes {
		hc := *h
		hc.Members = make([]*Member, len(h.Members))
		for j, m := range h.Members {
			mc := *m
			hc.Members[j] = &mc
		}
		c.Homes[i] = &hc
	}
	return c
}

func (s *Server) clone() *Server {
	c := *s
	c.Libraries = slices.Clone(s.Libraries)
	c.Connections = slices.Clone(s.Connections)
	return &c
}

func (sh *Share) clone() *Share {
	c := *sh
	c.Sections = slices.Clone(sh.Sections)
	if sh.AcceptedAt != nil {
		t := *sh.AcceptedAt
		c.AcceptedAt = &t
	}
	return &c
}

// Server finds a server by machine identifier.
func (w *World) Server(machineID string) (*Server, bool) {
	for _, s := range w.Servers {
		if s.MachineIdentifier == machineID {
			return s, true
		}
	}
	return nil, false
}

// Share finds a share by id.
func (w *World) Share(id int64) (*Share, bool) {
	for _, sh := range w.Shares {
		if sh.ID == id {
			return sh, true
		}
	}
	return nil, false
}

// Library finds a library of s by global id.
func (s *Server) Library(id int64) (Library, bool) {
	for _, l := range s.Libraries {
		if l.ID == id {
			return l, true
		}
	}
	return Library{}, false
}
