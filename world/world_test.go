package world_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/world"
)

var (
	t0    = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	alice = world.Account{ID: 101, UUID: "a1a1a1a1a1a1a1a1", Username: "alice", Title: "Alice Liddell", Email: "alice@example.com"}
	bob   = world.Account{ID: 202, UUID: "b2b2b2b2b2b2b2b2", Username: "bob", Title: "Bob Roe", Email: "bob@example.com"}
	carol = world.Account{ID: 303, UUID: "c3c3c3c3c3c3c3c3", Username: "carol", Title: "Carol Doe", Email: "carol@example.com"}
	three = []world.Account{alice, bob, carol}
)

func TestDefaultIsDeterministic(t *testing.T) {
	t.Parallel()
	a, _ := json.Marshal(world.Default(7, three, t0))
	b, _ := json.Marshal(world.Default(7, three, t0))
	c, _ := json.Marshal(world.Default(8, three, t0))
	if string(a) != string(b) {
		t.Error("Default(7) differs between calls")
	}
	if string(a) == string(c) {
		t.Error("Default(7) = Default(8)")
	}
}

func TestDefaultShape(t *testing.T) {
	t.Parallel()
	w := world.Default(1, three, t0)
	if len(w.Servers) != 2 || len(w.Shares) != 2 {
		t.Fatalf("Default: %d servers, %d shares, want 2 and 2", len(w.Servers), len(w.Shares))
	}
	own := w.Servers[0]
	if own.Owner != alice.ID || !own.Presence || len(own.Libraries) != 2 || own.Libraries[0].Type != "movie" || own.Libraries[1].Type != "show" {
		t.Errorf("owned server = %+v", own)
	}
	var local, remote int
	for _, c := range own.Connections {
		if c.Address != "127.0.0.1" && c.Address != "localhost" {
			t.Errorf("connection %s leaves the machine", c.URI)
		}
		if c.Local {
			local++
		} else {
			remote++
		}
	}
	if local != 1 || remote != 1 {
		t.Errorf("connections: %d local, %d remote, want one of each", local, remote)
	}
	if got := w.Resources(alice.ID, "tok"); len(got) != 2 || !got[0].Owned || got[1].Owned {
		t.Errorf("alice's resources = %+v, want one owned and one shared", got)
	}
	if got := w.Resources(bob.ID, "tok"); len(got) != 1 || got[0].Owned || got[0].Share.Sections[0] != own.Libraries[0].ID {
		t.Errorf("bob's resources = %+v, want alice's server through a share of its movies", got)
	}
	for _, n := range []int{0, 1, 2} {
		w := world.Default(1, three[:n], t0)
		if n > 0 && len(w.Servers) != 1 || len(w.Shares) != max(0, n-1) {
			t.Errorf("Default with %d accounts: %d servers, %d shares", n, len(w.Servers), len(w.Shares))
		}
	}
}

func TestWhoSeesWhat(t *testing.T) {
	t.Parallel()
	w := world.Default(1, three, t0)
	own, other := w.Servers[0], w.Servers[1]
	tests := []struct {
		name    string
		viewer  int64
		token   string
		want    []string // machine identifiers
		owned   []bool
		tokens  []string
		friends []int64
	}{
		{"owner", alice.ID, "alice-jwt", []string{own.MachineIdentifier, other.MachineIdentifier}, []bool{true, false}, []string{"alice-jwt", w.Shares[1].AccessToken}, []int64{bob.ID, carol.ID, w.Homes[0].Members[0].ID, w.Homes[0].Members[1].ID}},
		{"friend", bob.ID, "bob-tok", []string{own.MachineIdentifier}, []bool{false}, []string{w.Shares[0].AccessToken}, []int64{alice.ID}},
		{"third", carol.ID, "carol-tok", []string{other.MachineIdentifier}, []bool{true}, []string{"carol-tok"}, []int64{alice.ID}},
		{"stranger", 999, "x", nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ids, toks []string
			var owned []bool
			for _, r := range w.Resources(tt.viewer, tt.token) {
				ids, owned, toks = append(ids, r.Server.MachineIdentifier), append(owned, r.Owned), append(toks, r.AccessToken)
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("Resources servers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.owned, owned); diff != "" {
				t.Errorf("Resources owned (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.tokens, toks); diff != "" {
				t.Errorf("Resources tokens (-want +got):\n%s", diff)
			}
			var friends []int64
			for _, f := range w.Friends(tt.viewer) {
				friends = append(friends, f.Account.ID)
			}
			if diff := cmp.Diff(tt.friends, friends); diff != "" {
				t.Errorf("Friends (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := w.SharedServers(bob.ID, own.MachineIdentifier); !errors.Is(err, world.ErrNotOwner) {
		t.Errorf("SharedServers by the friend = %v, want ErrNotOwner", err)
	}
	if _, err := w.SharedServers(alice.ID, "nope"); !errors.Is(err, world.ErrServerNotFound) {
		t.Errorf("SharedServers of an unknown server = %v, want ErrServerNotFound", err)
	}
	sv, owned, err := w.ServerView(bob.ID, own.MachineIdentifier)
	if err != nil || owned || len(sv.Libraries) != 1 {
		t.Errorf("ServerView by the friend = %d libraries, owned %v, %v; want the one shared", len(sv.Libraries), owned, err)
	}
}

func TestInviteAccept(t *testing.T) {
	t.Parallel()
	w := world.Default(1, three, t0)
	mid := w.Servers[0].MachineIdentifier
	lib := w.Servers[0].Libraries[1].ID
	base := world.Invite{Owner: alice.ID, Server: mid, Invitee: &carol, Sections: []int64{lib}, AccessToken: "new-token", Now: t0}
	bad := []struct {
		name string
		edit func(*world.Invite)
		want error
	}{
		{"unknown server", func(in *world.Invite) { in.Server = "nope" }, world.ErrServerNotFound},
		{"not the owner", func(in *world.Invite) { in.Owner = bob.ID }, world.ErrNotOwner},
		{"unknown section", func(in *world.Invite) { in.Sections = []int64{1} }, world.ErrSectionNotFound},
		{"no section", func(in *world.Invite) { in.Sections = nil }, world.ErrSectionNotFound},
		{"self", func(in *world.Invite) { in.Invitee = &alice }, world.ErrShareWithSelf},
		{"already shared", func(in *world.Invite) { in.Invitee = &bob }, world.ErrAlreadyShared},
		{"bad e-mail", func(in *world.Invite) { in.Invitee, in.Email = nil, "not an address" }, world.ErrInvalidInvitee},
		{"nobody", func(in *world.Invite) { in.Invitee = nil }, world.ErrInvalidInvitee},
	}
	for _, tt := range bad {
		in := base
		tt.edit(&in)
		before := len(w.Shares)
		if _, err := w.Invite(in); !errors.Is(err, tt.want) {
			t.Errorf("%s: Invite = %v, want %v", tt.name, err, tt.want)
		}
		if len(w.Shares) != before {
			t.Errorf("%s: a refused invite changed the world", tt.name)
		}
	}
	sh, err := w.Invite(base)
	if err != nil || !sh.Pending() {
		t.Fatalf("Invite = %+v, %v; want a pending share", sh, err)
	}
	if got := w.Resources(carol.ID, "c"); len(got) != 1 {
		t.Errorf("a pending share shows: %+v", got)
	}
	if got := w.Pending(carol.ID); len(got) != 1 || got[0].Share.ID != sh.ID {
		t.Errorf("Pending = %+v", got)
	}
	if _, err := w.Accept(bob.ID, sh.ID, t0); !errors.Is(err, world.ErrNotInvitee) {
		t.Errorf("Accept by another = %v", err)
	}
	if _, err := w.Accept(carol.ID, sh.ID, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Accept(carol.ID, sh.ID, t0); !errors.Is(err, world.ErrAlreadyAccepted) {
		t.Errorf("Accept twice = %v", err)
	}
	if got := w.Resources(carol.ID, "c"); len(got) != 2 || got[1].AccessToken != "new-token" {
		t.Errorf("after Accept: %+v", got)
	}
}

func TestInviteCap(t *testing.T) {
	t.Parallel()
	w := world.Default(1, three, t0)
	for i := len(w.Shares); i < world.MaxShares; i++ {
		w.Shares = append(w.Shares, &world.Share{ID: int64(1_000_000 + i), Server: "elsewhere", InvitedEmail: "x@example.com"})
	}
	_, err := w.Invite(world.Invite{Owner: alice.ID, Server: w.Servers[0].MachineIdentifier, Email: "new@example.com", AllLibraries: true})
	if !errors.Is(err, world.ErrTooManyShares) {
		t.Errorf("Invite at the cap = %v, want ErrTooManyShares", err)
	}
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	w := world.Default(1, three, t0)
	c := w.Clone()
	c.Servers[0].Libraries[0].Title = "changed"
	c.Shares[0].Sections[0] = 1
	*c.Shares[0].AcceptedAt = time.Time{}
	if w.Servers[0].Libraries[0].Title == "changed" || w.Shares[0].Sections[0] == 1 || w.Shares[0].AcceptedAt.IsZero() {
		t.Error("changing a clone changed the original")
	}
}

func TestVariants(t *testing.T) {
	t.Parallel()
	for _, v := range world.VariantNames {
		s := *world.Default(1, three, t0).Servers[0]
		if !s.Vary(v) {
			t.Errorf("Vary(%q) = false", v)
		}
	}
	s := *world.Default(1, three, t0).Servers[0]
	if s.Vary("upside-down") {
		t.Error("Vary(unknown) = true")
	}
	s.Connections = []world.Connection{
		{URI: "http://10.0.0.2:32400"},
		{URI: "https://10-0-0-2.0123456789abcdef0123456789abcdef.plex.direct:32400"},
		{URI: "https://relay", Relay: true},
		{URI: "http://[::1]:32400", IPv6: true},
	}
	for _, tt := range []struct {
		f    world.Filter
		want int
	}{{world.Filter{}, 1}, {world.Filter{HTTPS: true}, 2}, {world.Filter{Relay: true}, 2}, {world.Filter{IPv6: true}, 2}, {world.Filter{true, true, true}, 4}} {
		if got := len(tt.f.Connections(&s)); got != tt.want {
			t.Errorf("%+v.Connections = %d, want %d", tt.f, got, tt.want)
		}
	}
}
