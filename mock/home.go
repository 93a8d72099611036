package mock

import (
	"encoding/xml"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/scenarios"
	"github.com/mockplex/mockplex/world"
)

// Plex Home and server claim (wire addendum §3.7, §3.9): the Home's user
// lists, the profile switch with its PINs, and claim tokens. The Home is
// part of the world; the tokens a switch mints and the claim tokens live
// here, in the world's state, and Reset forgets them.

// homeRole marks the identity a profile switch gives: a member of a Home,
// seen through /api/v2/user as restricted, home and not homeAdmin.
type homeRole struct {
	restricted bool
	protected  bool
	homeSize   int
}

// apply sets the Home fields of a /api/v2/user body; a nil role leaves
// them.
func (r *homeRole) apply(j *userJSON) {
	if r == nil {
		return
	}
	j.Restricted, j.Protected, j.Home, j.HomeAdmin, j.HomeSize = r.restricted, r.protected, true, false, r.homeSize
	j.HasPassword = false
}

// Caps on the tokens this file mints: the oldest go first.
const (
	maxSwitchedTokens = 10_000
	maxClaimTokens    = 1_000
	// claimLifetime is how long a claim token stays valid, on the mock's
	// clock: plex.tv's four minutes.
	claimLifetime = 4 * time.Minute
	// pinMisses wrong PINs for one user within a minute of the first
	// answer 429 until that minute has passed: a fixed window, as wrong
	// link codes are limited. pinTargetsMax bounds the users counted at
	// once (a backstop: a Home's members are fewer).
	pinMisses     = 5
	pinTargetsMax = 10_000
)

// msgPINRequired is plex.tv's message for a switch without the right PIN.
const msgPINRequired = "A valid PIN is required to perform this action"

// Errors of the Home and claim routes.
var (
	errPINRequired  = errors.New("a valid PIN is required to perform this action")
	errHomeUser     = errors.New("no such user in this Plex Home")
	errPINRate      = errors.New("too many wrong PINs for this user; wait a minute")
	errClaimInvalid = errors.New("the claim token is unknown, expired or used")
)

// homeState is the world's tokens: switched identities by token, claim
// tokens, and recent wrong PINs by target.
type homeState struct {
	switched      map[string]*Account
	roles         map[*Account]*homeRole // the switched identities' Home roles
	switchedOrder []string
	claims        map[string]claim
	claimOrder    []string
	misses        *fixedWindow // wrong PINs per target user, made on the first
}

type claim struct {
	account int64
	expires time.Time
	used    bool
}

// switchedAccount is the core's hook: the identity of a switched token.
func (ws *worldState) switchedAccount(token string) (*Account, bool) {
	ws.mu.RLock()
	defer ws.mu.RUnlock()
	acc, ok := ws.home.switched[token]
	return acc, ok
}

// homeRole is the Home role of a switched identity; nil for any other
// account (no lock taken until a switch has minted one).
func (s *Server) homeRole(acc *Account) *homeRole {
	s.world.mu.RLock()
	defer s.world.mu.RUnlock()
	return s.world.home.roles[acc]
}

// resetHome forgets the minted tokens; the caller holds s.world.mu.
func (s *Server) resetHomeLocked() { s.world.home = homeState{} }

// failHome answers the Home and claim routes' errors as plex.tv does: the
// v2 envelope, or v1's <errors> XML.
func (x *exchange) failHome(err error) {
	v1 := isV1(x.r.URL.Path)
	var we wireError
	switch {
	case errors.Is(err, errPINRequired):
		we = wireError{http.StatusForbidden, codePINRequired, msgPINRequired}
	case errors.Is(err, errHomeUser), errors.Is(err, world.ErrNoHome), errors.Is(err, world.ErrMemberNotFound):
		we = wireError{http.StatusNotFound, codeBadRequest, "The requested resource or endpoint could not be found"}
	case errors.Is(err, errPINRate):
		x.w.Header().Set("Retry-After", "60")
		we = wireError{http.StatusTooManyRequests, codeRateLimited, "Too many requests"}
	case errors.Is(err, world.ErrBadPIN):
		we = wireError{http.StatusBadRequest, codeBadRequest, "PIN must be 4 digits"}
	case errors.Is(err, world.ErrWrongPIN):
		we = wireError{http.StatusForbidden, codePINRequired, msgPINRequired}
	case errors.Is(err, errClaimInvalid):
		we = wireError{http.StatusUnprocessableEntity, codeNotFound, "Invalid token"}
	default:
		x.failWorld(err)
		return
	}
	if v1 {
		x.format = xmlFormat
		x.reply(we.Status, &v1Errors{Error: we.Message})
		return
	}
	x.failWire(we)
}

// homeRoutes adds the Home and claim routes.
func homeRoutes(r *mux.Router) {
	v1 := func(h func(s *Server, x *exchange)) endpoint {
		return api(func(s *Server, x *exchange) { x.format = xmlFormat; h(s, x) })
	}
	get := []string{http.MethodGet, http.MethodHead}
	r.Handle("/api/v2/home/users", api(handleHomeUsersV2)).Methods(get...)
	r.Handle("/api/home/users", v1(handleHomeUsersV1)).Methods(get...)
	r.Handle("/api/v2/home/users/{ref}/switch", api(handleSwitch)).Methods(http.MethodPost)
	r.Handle("/api/home/users/{ref}/switch", v1(handleSwitch)).Methods(http.MethodPost)
	r.Handle("/api/home/users/{ref}", v1(handleSetPIN)).Methods(http.MethodPut)
	r.Handle("/api/claim/token.json", api(handleClaimToken)).Methods(get...)
	r.Handle("/api/claim/token", api(handleClaimToken)).Methods(get...)
	r.Handle("/api/claim/exchange", v1(handleClaimExchange)).Methods(http.MethodPost)
}

// homeUser is one user of GET /api/v2/home/users (the admin included).
type homeUser struct {
	ID                 int64   `json:"id" xml:"id,attr"`
	UUID               string  `json:"uuid" xml:"uuid,attr"`
	Title              string  `json:"title" xml:"title,attr"`
	Username           *string `json:"username" xml:"username,attr,omitempty"`
	Email              *string `json:"email" xml:"email,attr,omitempty"`
	Thumb              string  `json:"thumb" xml:"thumb,attr"`
	HasPassword        bool    `json:"hasPassword" xml:"-"`
	Restricted         bool    `json:"restricted" xml:"-"`
	RestrictionProfile *string `json:"restrictionProfile" xml:"restrictionProfile,attr,omitempty"`
	Admin              bool    `json:"admin" xml:"-"`
	Guest              bool    `json:"guest" xml:"-"`
	Protected          bool    `json:"protected" xml:"-"`
	XHasPassword       xmlBool `json:"-" xml:"hasPassword,attr"`
	XRestricted        xmlBool `json:"-" xml:"restricted,attr"`
	XAdmin             xmlBool `json:"-" xml:"admin,attr"`
	XGuest             xmlBool `json:"-" xml:"guest,attr"`
	XProtected         xmlBool `json:"-" xml:"protected,attr"`
}

type homeV2 struct {
	XMLName       xml.Name   `json:"-" xml:"home"`
	ID            int64      `json:"id" xml:"id,attr"`
	Name          string     `json:"name" xml:"name,attr"`
	GuestUserID   int64      `json:"guestUserID" xml:"guestUserID,attr"`
	GuestUserUUID string     `json:"guestUserUUID" xml:"guestUserUUID,attr"`
	GuestEnabled  bool       `json:"guestEnabled" xml:"-"`
	Subscription  bool       `json:"subscription" xml:"-"`
	Users         []homeUser `json:"users" xml:"users>user"`
}

// homeUsers lists h's users, the admin first.
func homeUsers(w *world.World, h *world.Home) []homeUser {
	acc, _ := w.Account(h.Admin)
	out := []homeUser{{
		ID: acc.ID, UUID: acc.UUID, Title: acc.Title, Username: strPtr(acc.Username), Email: strPtr(acc.Email),
		Thumb: acc.Thumb, HasPassword: true, Admin: true,
	}}
	for _, m := range h.Members {
		u := homeUser{ID: m.ID, UUID: m.UUID, Title: m.Title, Restricted: m.Restricted, Guest: m.Guest, Protected: m.Protected(),
			Thumb: "https://plex.tv/users/" + m.UUID + "/avatar"}
		if m.Account != 0 {
			fa, _ := w.Account(m.Account)
			u.Username, u.Email, u.Thumb, u.HasPassword = strPtr(fa.Username), strPtr(fa.Email), fa.Thumb, true
		}
		if m.RestrictionProfile != "" {
			u.RestrictionProfile = strPtr(m.RestrictionProfile)
		}
		out = append(out, u)
	}
	for i := range out {
		u := &out[i]
		u.XHasPassword, u.XRestricted, u.XAdmin, u.XGuest, u.XProtected = xmlBool(u.HasPassword), xmlBool(u.Restricted), xmlBool(u.Admin), xmlBool(u.Guest), xmlBool(u.Protected)
	}
	return out
}

func handleHomeUsersV2(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	var out homeV2
	found := false
	s.readWorld(func(w *world.World) {
		h, _, in := w.HomeOf(acc.ID)
		if !in {
			return
		}
		found = true
		out = homeV2{ID: h.ID, Name: h.Name, GuestUserID: h.GuestUserID, GuestUserUUID: h.GuestUserUUID,
			GuestEnabled: h.GuestEnabled, Subscription: h.Subscription, Users: homeUsers(w, h)}
	})
	if !found {
		x.failHome(world.ErrNoHome)
		return
	}
	x.reply(http.StatusOK, &out)
}

type homeV1 struct {
	XMLName xml.Name `xml:"MediaContainer"`
	myPlex
	TotalSize   int        `xml:"totalSize,attr"`
	Size        int        `xml:"size,attr"`
	GuestUserID int64      `xml:"guestUserID,attr"`
	Users       []homeUser `xml:"User"`
}

func handleHomeUsersV1(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	out := homeV1{myPlex: myPlexOf(accountMachineID(acc)), Users: []homeUser{}}
	s.readWorld(func(w *world.World) {
		if h, _, in := w.HomeOf(acc.ID); in {
			out.GuestUserID = h.GuestUserID
			out.Users = homeUsers(w, h)
		}
	})
	out.Size, out.TotalSize = len(out.Users), len(out.Users)
	x.reply(http.StatusOK, &out)
}

// switchPIN reads the PIN a switch carries: ?pin=, a form value or a JSON
// body's pin (string or number).
func switchPIN(p *params) string {
	if v := p.get("pin"); v != "" {
		return v
	}
	if n, ok := jsonFold(p.json, "pin").(float64); ok {
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return ""
}

func handleSwitch(s *Server, x *exchange) {
	acc, presented, d, ok := x.viewer(s)
	if !ok {
		return
	}
	ref := mux.Vars(x.r)["ref"]
	pin := switchPIN(x.p)
	enforced := slices.Contains(d.World, "home-pin-enforced")
	now := s.core.clock.Now()
	var target *Account
	err := s.changeWorld(func(w *world.World) error {
		h, _, in := w.HomeOf(acc.ID)
		if !in {
			return world.ErrNoHome
		}
		isAdmin := acc.ID == h.Admin
		adminAcc, _ := w.Account(h.Admin)
		if ref == strconv.FormatInt(h.Admin, 10) || ref == adminAcc.UUID {
			// Back to the admin: its own account and token.
			a, found := s.core.accountByID(h.Admin)
			if !found {
				return errHomeUser
			}
			target = a
			return nil
		}
		m, found := h.Member(ref)
		if !found {
			return errHomeUser
		}
		if !s.pinAllowedLocked(m.ID, now) {
			return errPINRate
		}
		switch {
		case pin != "" && m.Protected() && pin != m.PIN, pin != "" && len(pin) != 4:
			s.missLocked(m.ID, now)
			return errPINRequired
		case pin == "" && m.Protected() && (!isAdmin || enforced):
			return errPINRequired
		}
		if m.Account != 0 {
			a, found := s.core.accountByID(m.Account)
			if !found {
				return errHomeUser
			}
			target = a
			return nil
		}
		target = s.mintSwitchedLocked(h, m, adminAcc, presented, now)
		return nil
	})
	if err != nil {
		x.failHome(err)
		return
	}
	u := target.userJSON(now)
	s.homeRole(target).apply(&u)
	x.reply(http.StatusOK, bodies{json: &u, xml: userXMLOf(u)})
}

// mintSwitchedLocked mints a token for managed user m; the caller holds
// s.world.mu for writing.
// With a Plex JWT presented, the new token is a Plex JWT too, for the same
// device, naming the managed user.
func (s *Server) mintSwitchedLocked(h *world.Home, m *world.Member, admin world.Account, presented string, now time.Time) *Account {
	st := &s.world.home
	if st.switched == nil {
		st.switched = map[string]*Account{}
	}
	if len(st.switchedOrder) >= maxSwitchedTokens {
		delete(st.roles, st.switched[st.switchedOrder[0]])
		delete(st.switched, st.switchedOrder[0])
		st.switchedOrder = st.switchedOrder[1:]
	}
	tok, isJWT := s.switchedJWT(presented, m, now)
	if !isJWT {
		tok = s.core.newToken()
	}
	a := &Account{
		ID: m.ID, UUID: m.UUID, Title: m.Title, Thumb: "https://plex.tv/users/" + m.UUID + "/avatar",
		Locale: "en", Country: "US", AuthToken: tok,
	}
	if st.roles == nil {
		st.roles = map[*Account]*homeRole{}
	}
	st.roles[a] = &homeRole{restricted: m.Restricted, protected: m.Protected(), homeSize: len(h.Members) + 1}
	if adm, ok := s.core.accountByID(admin.ID); ok {
		a.JoinedAt = adm.JoinedAt
	}
	st.switched[tok] = a
	st.switchedOrder = append(st.switchedOrder, tok)
	return a
}

// switchedJWT signs a Plex JWT for managed user m with the claims of the
// Plex JWT presented (its device, its expiry), or reports false when the
// presented token is not a valid Plex JWT.
func (s *Server) switchedJWT(presented string, m *world.Member, now time.Time) (string, bool) {
	restricted := m.Restricted
	return s.core.plexJWTFor(presented, plexjwt.User{ID: m.ID, UUID: m.UUID, Restricted: &restricted}, now)
}

// pinAllowedLocked reports whether target may take another PIN now.
func (s *Server) pinAllowedLocked(target int64, now time.Time) bool {
	m := s.world.home.misses
	return m == nil || m.allow(strconv.FormatInt(target, 10), now)
}

// missLocked counts a wrong PIN for target. Passed windows go first, so
// the table holds only users with wrong PINs in the last minute (wrong
// PINs are few: a sweep of them each time costs nothing that matters).
func (s *Server) missLocked(target int64, now time.Time) {
	st := &s.world.home
	if st.misses == nil {
		st.misses = newFixedWindow(pinMisses, time.Minute, pinTargetsMax)
	}
	st.misses.sweep(now)
	st.misses.hit(strconv.FormatInt(target, 10), now)
}

// handleSetPIN is PUT /api/home/users/{id}?pin=&currentPin=: the admin
// sets (or, with an empty pin, removes) a member's PIN.
func handleSetPIN(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	ref := mux.Vars(x.r)["ref"]
	pin, current := x.p.get("pin"), x.p.get("currentPin")
	var u homeUser
	err := s.changeWorld(func(w *world.World) error {
		h, _, in := w.HomeOf(acc.ID)
		if !in || h.Admin != acc.ID {
			return world.ErrNoHome
		}
		m, found := h.Member(ref)
		if !found {
			return errHomeUser
		}
		if err := w.SetPIN(h, m.ID, pin, current); err != nil {
			return err
		}
		for _, hu := range homeUsers(w, h) {
			if hu.ID == m.ID {
				u = hu
			}
		}
		return nil
	})
	if err != nil {
		x.failHome(err)
		return
	}
	x.reply(http.StatusOK, &struct {
		XMLName xml.Name `xml:"User"`
		homeUser
	}{homeUser: u})
}

// claimToken is GET /api/claim/token.json's body.
type claimToken struct {
	XMLName xml.Name `json:"-" xml:"claim"`
	Token   string   `json:"token" xml:"token,attr"`
}

func handleClaimToken(s *Server, x *exchange) {
	acc, _, _, ok := x.viewer(s)
	if !ok {
		return
	}
	now := s.core.clock.Now()
	tok := "claim-" + s.core.newToken()
	s.world.mu.Lock()
	st := &s.world.home
	if st.claims == nil {
		st.claims = map[string]claim{}
	}
	for len(st.claimOrder) > 0 && (len(st.claimOrder) >= maxClaimTokens || now.After(st.claims[st.claimOrder[0]].expires)) {
		delete(st.claims, st.claimOrder[0])
		st.claimOrder = st.claimOrder[1:]
	}
	st.claims[tok] = claim{account: acc.ID, expires: now.Add(claimLifetime)}
	st.claimOrder = append(st.claimOrder, tok)
	s.world.mu.Unlock()
	x.reply(http.StatusOK, &claimToken{Token: tok})
}

// claimUser is the legacy <user> XML of POST /api/claim/exchange, with
// the <authentication-token> child element on one line: the server
// images read it with sed (pms-docker's plex-common.sh).
type claimUser struct {
	XMLName             xml.Name `xml:"user"`
	Email               string   `xml:"email,attr"`
	ID                  int64    `xml:"id,attr"`
	UUID                string   `xml:"uuid,attr"`
	Thumb               string   `xml:"thumb,attr"`
	Username            string   `xml:"username,attr"`
	Title               string   `xml:"title,attr"`
	AuthToken           string   `xml:"authToken,attr"`
	AuthenticationTok   string   `xml:"authenticationToken,attr"`
	Restricted          xmlBool  `xml:"restricted,attr"`
	Home                xmlBool  `xml:"home,attr"`
	ChildUsername       string   `xml:"username"`
	ChildEmail          string   `xml:"email"`
	JoinedAt            joinedAt `xml:"joined-at"`
	AuthenticationToken string   `xml:"authentication-token"`
}

type joinedAt struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

func handleClaimExchange(s *Server, x *exchange) {
	d := s.core.decide(scenarios.OpOther, x.req)
	if x.worldTransport(d) {
		return
	}
	if x.req.client == "" {
		x.failWorld(errMissingClientID)
		return
	}
	tok := x.p.get("token")
	now := s.core.clock.Now()
	mid := x.req.client
	name := firstNonEmpty(x.p.get("X-Plex-Device-Name"), x.p.get(hProduct), pmsProduct)
	var owner *Account
	err := s.changeWorld(func(w *world.World) error {
		c, ok := s.world.home.claims[tok]
		if !ok || c.used || !now.Before(c.expires) || slices.Contains(d.World, "claim-expired") {
			return errClaimInvalid
		}
		a, found := s.core.accountByID(c.account)
		if !found {
			return errClaimInvalid
		}
		c.used = true
		s.world.home.claims[tok] = c
		owner = a
		w.AddAccount(worldAccount(a))
		seen := now.UTC().Truncate(time.Second)
		if err := w.Claim(a.ID, world.Server{
			MachineIdentifier: mid, Name: cut(name, world.MaxTextLen),
			Version: cut(x.p.get("X-Plex-Version"), world.MaxTextLen), Platform: cut(x.p.get("X-Plex-Platform"), world.MaxTextLen),
			PlatformVersion: cut(x.p.get("X-Plex-Platform-Version"), world.MaxTextLen), Device: cut(x.p.get("X-Plex-Device"), world.MaxTextLen),
			Presence: true, PublicAddress: "127.0.0.1", CreatedAt: seen, LastSeenAt: seen,
		}); err != nil {
			return errorf(errBadRequest, "mockplex: %v", err)
		}
		return nil
	})
	if err != nil {
		x.failHome(err)
		return
	}
	joined := owner.JoinedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	x.reply(http.StatusOK, &claimUser{
		Email: owner.Email, ID: owner.ID, UUID: owner.UUID, Thumb: owner.Thumb, Username: owner.Username, Title: owner.Title,
		AuthToken: owner.AuthToken, AuthenticationTok: owner.AuthToken, ChildUsername: owner.Username, ChildEmail: owner.Email,
		JoinedAt: joinedAt{Type: "datetime", Value: joined}, AuthenticationToken: owner.AuthToken,
	})
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
