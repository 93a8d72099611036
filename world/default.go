package world

import (
	"strconv"
	"strings"
	"time"

	"github.com/brianvoe/gofakeit/v6"
)

// Default is the world a mock starts with, the same for the same seed,
// accounts and time: the first account owns one online server with a movie
// and a show library, a local connection and a remote one; the second
// account is its friend, with an accepted share of the movie library; the
// third account owns a server shared (all libraries) with the first, so the
// first sees one owned and one shared server. With fewer accounts the
// shares that need them are left out. Connections point at 127.0.0.1 and
// localhost only, so a client probing them never leaves the machine; a
// world file sets real addresses.
func Default(seed int64, accounts []Account, now time.Time) *World {
	f := gofakeit.New(seed)
	w := &World{Servers: []*Server{}, Shares: []*Share{}, Homes: []*Home{}}
	w.SetAccounts(accounts)
	if len(accounts) == 0 {
		return w
	}
	now = now.UTC().Truncate(time.Second)
	libID := int64(f.IntRange(100, 900)) * 100
	newServer := func(owner Account, port int) *Server {
		created := now.Add(-time.Duration(f.IntRange(30, 900)) * 24 * time.Hour)
		s := &Server{
			MachineIdentifier: hexString(f, 40),
			Name:              firstName(owner) + "'s " + f.RandomString([]string{"Box", "NAS", "Plex", "Server", "Media"}),
			Owner:             owner.ID,
			Version:           "1.42.1.10060-4e8b05daf",
			Platform:          "Linux",
			PlatformVersion:   "6.8.0-45-generic",
			Device:            "Docker Container",
			Presence:          true,
			PublicAddress:     "127.0.0.1",
			CreatedAt:         created,
			LastSeenAt:        now.Add(-time.Duration(f.IntRange(1, 300)) * time.Second),
		}
		for i, l := range []struct{ title, typ string }{{"Movies", "movie"}, {"TV Shows", "show"}} {
			s.Libraries = append(s.Libraries, Library{ID: libID, Key: int64(i + 1), Title: l.title, Type: l.typ})
			libID++
		}
		p := strconv.Itoa(port)
		s.Connections = []Connection{
			{Protocol: "http", Address: "127.0.0.1", Port: port, URI: "http://127.0.0.1:" + p, Local: true},
			{Protocol: "https", Address: "localhost", Port: port + 1, URI: "https://localhost:" + strconv.Itoa(port+1), Local: false},
		}
		return s
	}
	nextShare := int64(f.IntRange(100_000_000, 899_999_999))
	newShare := func(s *Server, invitee Account, all bool, sections ...int64) *Share {
		invited := now.Add(-time.Duration(f.IntRange(2, 60)) * 24 * time.Hour)
		accepted := invited.Add(time.Duration(f.IntRange(60, 86_400)) * time.Second)
		sh := &Share{
			ID: nextShare, Server: s.MachineIdentifier, Invitee: invitee.ID, AllLibraries: all, Sections: sections,
			Settings:    Settings{AllowSync: true},
			AccessToken: tokenString(f, 20), InvitedAt: invited, AcceptedAt: &accepted,
		}
		if sh.Sections == nil {
			sh.Sections = []int64{}
		}
		nextShare++
		return sh
	}
	owned := newServer(accounts[0], 32400)
	w.Servers = append(w.Servers, owned)
	if len(accounts) > 1 {
		w.Shares = append(w.Shares, newShare(owned, accounts[1], false, owned.Libraries[0].ID))
	}
	if len(accounts) > 2 {
		other := newServer(accounts[2], 32410)
		w.Servers = append(w.Servers, other)
		w.Shares = append(w.Shares, newShare(other, accounts[0], true))
	}
	// Last, so the servers and shares a seed gives stay as they were: the
	// default account is admin of a Home with two managed users: one
	// protected by PIN 1234, one without a PIN.
	member := func(title, profile, pin string) *Member {
		return &Member{ID: int64(f.IntRange(100_000_000, 199_999_999)), UUID: hexString(f, 16), Title: title,
			Restricted: true, RestrictionProfile: profile, PIN: pin}
	}
	w.Homes = append(w.Homes, &Home{
		ID: int64(f.IntRange(1_000_000, 9_999_999)), Name: firstName(accounts[0]) + "'s home", Admin: accounts[0].ID,
		GuestUserID: int64(f.IntRange(200_000_000, 299_999_999)), GuestUserUUID: hexString(f, 16),
		Members: []*Member{member("Kid", "little_kid", "1234"), member("Teen", "teen", "")},
	})
	return w
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func tokenString(f *gofakeit.Faker, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenAlphabet[f.Rand.Intn(len(tokenAlphabet))]
	}
	return string(b)
}

func hexString(f *gofakeit.Faker, n int) string {
	const hex = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = hex[f.Rand.Intn(16)]
	}
	return string(b)
}

// firstName is the first word of the account's title, else its username.
func firstName(a Account) string {
	if f := strings.Fields(a.Title); len(f) > 0 {
		return f[0]
	}
	if a.Username != "" {
		return a.Username
	}
	return "Plex"
}
