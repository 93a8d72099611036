package world

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// Home is a Plex Home: an admin account, and members who share its
// servers. Managed members (Account 0) have no credentials of their own:
// they exist only behind a profile switch.
type Home struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	Admin         int64     `json:"admin"` // the admin's account id
	GuestUserID   int64     `json:"guestUserID"`
	GuestUserUUID string    `json:"guestUserUUID"`
	GuestEnabled  bool      `json:"guestEnabled"`
	Subscription  bool      `json:"subscription"`
	Members       []*Member `json:"members"` // the admin excluded
}

// Member is one user of a Home besides its admin: a managed user, or a
// full account (Account set) that joined it.
type Member struct {
	ID                 int64  `json:"id"`
	UUID               string `json:"uuid"`
	Title              string `json:"title"`
	Account            int64  `json:"account,omitempty"` // a full member's account id; 0 for a managed user
	Restricted         bool   `json:"restricted"`
	RestrictionProfile string `json:"restrictionProfile,omitempty"` // little_kid, older_kid, teen or ""
	PIN                string `json:"pin,omitempty"`                // four digits, or "" for none
	Guest              bool   `json:"guest"`
}

// Protected reports whether the member has a PIN: clients show a PIN pad.
func (m *Member) Protected() bool { return m.PIN != "" }

// MaxHomeMembers caps a Home, as plex.tv does (15 users, the admin
// included).
const MaxHomeMembers = 14

// Errors of Home queries and changes.
var (
	ErrNoHome         = errors.New("world: the account is in no Plex Home")
	ErrMemberNotFound = errors.New("world: no such user in this Home")
	ErrBadPIN         = errors.New("world: a PIN is four digits")
	ErrWrongPIN       = errors.New("world: the current PIN is wrong")
)

// HomeOf finds the Home an account (or a member id) belongs to, as admin
// or member, and the member entry (nil for the admin).
func (w *World) HomeOf(id int64) (*Home, *Member, bool) {
	for _, h := range w.Homes {
		if h.Admin == id {
			return h, nil, true
		}
		for _, m := range h.Members {
			if m.ID == id || (m.Account != 0 && m.Account == id) {
				return h, m, true
			}
		}
	}
	return nil, nil, false
}

// Member finds a member of h by id or uuid; the admin is not a member.
func (h *Home) Member(ref string) (*Member, bool) {
	for _, m := range h.Members {
		if m.UUID == ref || strconv.FormatInt(m.ID, 10) == ref {
			return m, true
		}
	}
	return nil, false
}

// SetPIN sets (or, with "", removes) member id's PIN, checking current
// against the PIN in force.
func (w *World) SetPIN(home *Home, id int64, pin, current string) error {
	for _, m := range home.Members {
		if m.ID != id {
			continue
		}
		if pin != "" && !isPIN(pin) {
			return ErrBadPIN
		}
		if m.PIN != "" && m.PIN != current {
			return ErrWrongPIN
		}
		m.PIN = pin
		return nil
	}
	return fmt.Errorf("%w: %d", ErrMemberNotFound, id)
}

func isPIN(s string) bool {
	if len(s) != 4 {
		return false
	}
	for i := range 4 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ServerToken is the access token a Home member uses on the admin's
// server: its own, derived from the member and the server.
func ServerToken(memberID int64, machineID string) string {
	sum := sha256.Sum256([]byte("home " + strconv.FormatInt(memberID, 10) + " " + machineID))
	return hex.EncodeToString(sum[:])[:20]
}

// AddManagedUser adds a managed user to the Home admin administers (a new
// Home when it has none), with a PIN when pin is four digits. id and uuid
// are the caller's to choose: unique, and no account's.
func (w *World) AddManagedUser(admin int64, id int64, uuid, title, pin string) (*Member, error) {
	if pin != "" && !isPIN(pin) {
		return nil, ErrBadPIN
	}
	h, m, ok := w.HomeOf(admin)
	switch {
	case ok && m != nil:
		return nil, fmt.Errorf("%w: account %d is a member of another admin's Home", ErrNoHome, admin)
	case !ok:
		h = &Home{ID: admin + 1_000_000_000, Name: "Home", Admin: admin}
		w.Homes = append(w.Homes, h)
	}
	if len(h.Members) >= MaxHomeMembers {
		return nil, fmt.Errorf("world: a Home holds at most %d users besides its admin", MaxHomeMembers)
	}
	if _, _, taken := w.HomeOf(id); taken {
		return nil, fmt.Errorf("world: id %d is taken", id)
	}
	nm := &Member{ID: id, UUID: uuid, Title: title, Restricted: true, PIN: pin}
	h.Members = append(h.Members, nm)
	return nm, nil
}

// Claim makes the server with s's machine identifier owned by account: a
// new server, or one that changes hands (a claimed server leaves its
// previous owner).
func (w *World) Claim(account int64, s Server) error {
	if !machineIDPattern.MatchString(s.MachineIdentifier) {
		return fmt.Errorf("world: %q is not a machine identifier", s.MachineIdentifier)
	}
	if old, ok := w.Server(s.MachineIdentifier); ok {
		old.Owner = account
		return nil
	}
	if len(w.Servers) >= MaxServers {
		return fmt.Errorf("world: server limit reached (world.MaxServers)")
	}
	s.Owner = account
	if s.Libraries == nil {
		s.Libraries = []Library{}
	}
	if s.Connections == nil {
		s.Connections = []Connection{}
	}
	w.Servers = append(w.Servers, &s)
	return nil
}
