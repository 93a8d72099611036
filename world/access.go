package world

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Who may see which server with which token: every rule of it is in this
// file.
//
//   - An account sees the servers it owns, with owned set and, as access
//     token, the token it presented (plex.tv hands back the caller's own
//     token, a Plex JWT included, which a server would refuse: wire J5).
//   - It sees each server shared with it by an accepted share, not owned,
//     with the owner as source and the share's own access token. A pending
//     share shows nothing until accepted.
//   - Only a server's owner lists and changes its shares; only the invitee
//     accepts an invite.

// Resource is one server as one account sees it.
type Resource struct {
	Server      Server  // a copy; the caller may change it
	Owned       bool    // the viewer owns the server
	AccessToken string  // the token to use on the server
	Owner       Account // the server's owner (its id at least)
	Share       *Share  // the share that grants access; nil when owned or through a Home
	Home        bool    // access through a Plex Home: a member sees its admin's servers
}

// Resources lists the servers viewer may use, owned ones first, each in
// world order. token is the token the viewer presented.
func (w *World) Resources(viewer int64, token string) []Resource {
	var out []Resource
	for _, s := range w.Servers {
		if s.Owner == viewer {
			out = append(out, Resource{Server: *s.clone(), Owned: true, AccessToken: token, Owner: w.accountOrID(s.Owner)})
		}
	}
	for _, sh := range w.Shares {
		if sh.Invitee != viewer || sh.Pending() {
			continue
		}
		s, ok := w.Server(sh.Server)
		if !ok || s.Owner == viewer {
			continue
		}
		out = append(out, Resource{Server: *s.clone(), AccessToken: sh.AccessToken, Owner: w.accountOrID(s.Owner), Share: sh.clone()})
	}
	w.homeResources(viewer, func(r *Resource) {
		r.Server = *r.Server.clone()
		out = append(out, *r)
	})
	return out
}

// homeResources calls fn for each server of viewer's Home admin, when
// viewer is a member (not the admin): not owned, home, with the member's
// own server token.
func (w *World) homeResources(viewer int64, fn func(r *Resource)) {
	h, m, ok := w.HomeOf(viewer)
	if !ok || m == nil {
		return
	}
	for _, s := range w.Servers {
		if s.Owner == h.Admin {
			fn(&Resource{Server: *s, AccessToken: ServerToken(m.ID, s.MachineIdentifier), Owner: w.accountOrID(s.Owner), Home: true})
		}
	}
}

// EachResource calls fn for each server viewer may use, in Resources'
// order, without copying the servers' libraries and connections: r.Server
// shares them with the world and is valid only during fn, which must not
// change their elements (replacing the slices is fine). It is Resources
// for a hot path.
func (w *World) EachResource(viewer int64, token string, fn func(r *Resource)) {
	var r Resource
	for _, s := range w.Servers {
		if s.Owner == viewer {
			r = Resource{Server: *s, Owned: true, AccessToken: token, Owner: w.accountOrID(s.Owner)}
			fn(&r)
		}
	}
	for _, sh := range w.Shares {
		if sh.Invitee != viewer || sh.Pending() {
			continue
		}
		if s, ok := w.Server(sh.Server); ok && s.Owner != viewer {
			r = Resource{Server: *s, AccessToken: sh.AccessToken, Owner: w.accountOrID(s.Owner), Share: sh}
			fn(&r)
		}
	}
	w.homeResources(viewer, fn)
}

// accountOrID is the account with id, or an Account with the id alone.
func (w *World) accountOrID(id int64) Account {
	if a, ok := w.Account(id); ok {
		return a
	}
	return Account{ID: id}
}

// Friend is an account the viewer has a sharing relation with, and the
// viewer's shares to it.
type Friend struct {
	Account Account
	Shares  []SharedServer // the viewer's servers shared with the account; may be empty
	Member  *Member        // set for a member of the viewer's Home (managed users have only a title)
}

// SharedServer is one share with its server.
type SharedServer struct {
	Share  Share
	Server Server
}

// Sections returns the libraries the share grants, in server order.
func (ss SharedServer) Sections() []Library {
	var out []Library
	for _, l := range ss.Server.Libraries {
		if ss.Share.AllLibraries || slices.Contains(ss.Share.Sections, l.ID) {
			out = append(out, l)
		}
	}
	return out
}

// Friends lists the accounts owner shares a server with (pending invites
// included) and, after them, the accounts that share a server with owner,
// as plex.tv's /api/users does: friends in either direction, never owner
// itself. Invites to an e-mail without an account are not friends yet.
func (w *World) Friends(owner int64) []Friend {
	var out []Friend
	index := map[int64]int{}
	add := func(id int64) int {
		if i, ok := index[id]; ok {
			return i
		}
		index[id] = len(out)
		out = append(out, Friend{Account: w.accountOrID(id), Shares: []SharedServer{}})
		return len(out) - 1
	}
	for _, sh := range w.Shares {
		s, ok := w.Server(sh.Server)
		if !ok || s.Owner != owner || sh.Invitee == 0 || sh.Invitee == owner {
			continue
		}
		i := add(sh.Invitee)
		out[i].Shares = append(out[i].Shares, SharedServer{Share: *sh.clone(), Server: *s.clone()})
	}
	for _, sh := range w.Shares {
		s, ok := w.Server(sh.Server)
		if ok && sh.Invitee == owner && !sh.Pending() && s.Owner != owner {
			add(s.Owner)
		}
	}
	// The Home's members besides the friends, never the admin: python-plexapi's
	// switchHomeUser(name) finds managed users here by title.
	if h, _, ok := w.HomeOf(owner); ok {
		for _, m := range h.Members {
			if m.ID == owner || m.Account == owner {
				continue
			}
			a := Account{ID: m.ID, UUID: m.UUID, Title: m.Title}
			if m.Account != 0 {
				a = w.accountOrID(m.Account)
			}
			if i, ok := index[a.ID]; ok {
				out[i].Member = m
				continue
			}
			index[a.ID] = len(out)
			out = append(out, Friend{Account: a, Shares: []SharedServer{}, Member: m})
		}
	}
	return out
}

// owned finds machineID and checks that owner owns it.
func (w *World) owned(owner int64, machineID string) (*Server, error) {
	s, ok := w.Server(machineID)
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrServerNotFound, machineID)
	}
	if s.Owner != owner {
		return nil, fmt.Errorf("%w (%q)", ErrNotOwner, machineID)
	}
	return s, nil
}

// SharedServers lists the shares of one of owner's servers, pending ones
// included, in world order.
func (w *World) SharedServers(owner int64, machineID string) ([]SharedServer, error) {
	s, err := w.owned(owner, machineID)
	if err != nil {
		return nil, err
	}
	out := []SharedServer{}
	for _, sh := range w.Shares {
		if sh.Server == machineID {
			out = append(out, SharedServer{Share: *sh.clone(), Server: *s.clone()})
		}
	}
	return out, nil
}

// SharedServer finds one share of one of owner's servers.
func (w *World) SharedServer(owner int64, machineID string, id int64) (SharedServer, error) {
	all, err := w.SharedServers(owner, machineID)
	if err != nil {
		return SharedServer{}, err
	}
	for _, ss := range all {
		if ss.Share.ID == id {
			return ss, nil
		}
	}
	return SharedServer{}, fmt.Errorf("%w %d on server %q", ErrShareNotFound, id, machineID)
}

// ServerView is a server as /api/servers/{machineId} shows it to one
// account: all libraries to the owner, the shared ones to an invitee.
func (w *World) ServerView(viewer int64, machineID string) (Server, bool, error) {
	s, ok := w.Server(machineID)
	if !ok {
		return Server{}, false, fmt.Errorf("%w %q", ErrServerNotFound, machineID)
	}
	if s.Owner == viewer {
		return *s.clone(), true, nil
	}
	for _, sh := range w.Shares {
		if sh.Server == machineID && sh.Invitee == viewer && !sh.Pending() {
			v := *s.clone()
			v.Libraries = SharedServer{Share: *sh, Server: *s}.Sections()
			return v, false, nil
		}
	}
	return Server{}, false, fmt.Errorf("%w (%q)", ErrNotOwner, machineID)
}

// Invite is a request to share a server.
type Invite struct {
	Owner        int64    // the inviting account, which must own the server
	Server       string   // machine identifier
	Invitee      *Account // the invited account, or nil with Email
	Email        string   // the invited address when no account has it
	AllLibraries bool
	Sections     []int64 // global library ids; empty with AllLibraries
	Settings     Settings
	AccessToken  string // the new share's token, made by the caller
	Now          time.Time
}

// Invite adds a pending share. It refuses an unknown server or section,
// a server the inviter does not own, an invitee who already has a share
// of the server, and a world at MaxShares.
func (w *World) Invite(in Invite) (Share, error) {
	s, err := w.owned(in.Owner, in.Server)
	if err != nil {
		return Share{}, err
	}
	sh := &Share{
		Server: s.MachineIdentifier, AllLibraries: in.AllLibraries, Sections: []int64{}, Settings: in.Settings,
		AccessToken: in.AccessToken, InvitedAt: in.Now.UTC().Truncate(time.Second),
	}
	switch {
	case in.Invitee != nil:
		if in.Invitee.ID == in.Owner {
			return Share{}, ErrShareWithSelf
		}
		sh.Invitee = in.Invitee.ID
		w.AddAccount(*in.Invitee)
	case in.Email != "":
		if _, err := mail.ParseAddress(in.Email); err != nil || len(in.Email) > MaxTextLen || strings.ContainsAny(in.Email, "<> ") {
			return Share{}, fmt.Errorf("%w: %q is not an e-mail address", ErrInvalidInvitee, in.Email)
		}
		sh.InvitedEmail = in.Email
	default:
		return Share{}, ErrInvalidInvitee
	}
	if !in.AllLibraries {
		if len(in.Sections) == 0 {
			return Share{}, fmt.Errorf("%w: name at least one library section, or all of them", ErrSectionNotFound)
		}
		if len(in.Sections) > MaxLibraries {
			return Share{}, ErrTooManyLibraries
		}
		for _, id := range in.Sections {
			if _, ok := s.Library(id); !ok {
				return Share{}, fmt.Errorf("%w: %d", ErrSectionNotFound, id)
			}
			if !slices.Contains(sh.Sections, id) {
				sh.Sections = append(sh.Sections, id)
			}
		}
	}
	for _, o := range w.Shares {
		if o.Server == sh.Server && (sh.Invitee != 0 && o.Invitee == sh.Invitee || sh.InvitedEmail != "" && strings.EqualFold(o.InvitedEmail, sh.InvitedEmail)) {
			return Share{}, ErrAlreadyShared
		}
	}
	if len(w.Shares) >= MaxShares {
		return Share{}, ErrTooManyShares
	}
	sh.ID = w.nextShareID()
	w.Shares = append(w.Shares, sh)
	return *sh.clone(), nil
}

func (w *World) nextShareID() int64 {
	var id int64 = 100_000_000
	for _, sh := range w.Shares {
		id = max(id, sh.ID+1)
	}
	return id
}

// Pending lists the invites waiting for invitee to accept them.
func (w *World) Pending(invitee int64) []SharedServer {
	out := []SharedServer{}
	for _, sh := range w.Shares {
		if sh.Invitee == invitee && sh.Pending() {
			if s, ok := w.Server(sh.Server); ok {
				out = append(out, SharedServer{Share: *sh.clone(), Server: *s.clone()})
			}
		}
	}
	return out
}

// Accept accepts invite id for invitee: the server then shows in the
// invitee's resources with the share's token.
func (w *World) Accept(invitee int64, id int64, now time.Time) (Share, error) {
	sh, ok := w.Share(id)
	switch {
	case !ok:
		return Share{}, fmt.Errorf("%w %d", ErrShareNotFound, id)
	case sh.Invitee != invitee:
		return Share{}, fmt.Errorf("%w (invite %d)", ErrNotInvitee, id)
	case !sh.Pending():
		return Share{}, fmt.Errorf("%w (invite %d)", ErrAlreadyAccepted, id)
	}
	t := now.UTC().Truncate(time.Second)
	sh.AcceptedAt = &t
	return *sh.clone(), nil
}
