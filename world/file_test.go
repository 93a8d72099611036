package world_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/world"
)

const good = `servers:
  - machineIdentifier: box-1
    name: Box
    owner: alice
    presence: false
    libraries:
      - {id: 7, key: 1, title: Films, type: movie}
      - {id: 8, key: 2, title: Series, type: show}
    connections:
      - {protocol: http, address: 127.0.0.1, port: 32400, local: true}
      - {protocol: https, address: 10.0.0.2, port: 32400, uri: "https://10-0-0-2.0123456789abcdef0123456789abcdef.plex.direct:32400"}
shares:
  - server: box-1
    invitee: bob@example.com
    sections: [8]
    settings: {allowSync: true, filterMovies: "label=kids"}
    accessToken: bob-box-token
  - server: box-1
    invitedEmail: someone@example.com
    allLibraries: true
    acceptedAt: null
homes:
  - admin: alice
    name: Liddells
    members:
      - {id: 501, uuid: 0123456789abcdef, title: Kid, restricted: true, restrictionProfile: little_kid, pin: "1234"}
      - {account: carol}
`

func TestParseGood(t *testing.T) {
	t.Parallel()
	w, err := world.Parse("good.yaml", []byte(good), three, t0)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Servers[0]
	if s.Owner != alice.ID || s.Presence || s.Connections[0].URI != "http://127.0.0.1:32400" || s.CreatedAt != t0 {
		t.Errorf("server = %+v", s)
	}
	if sh := w.Shares[0]; sh.Invitee != bob.ID || sh.Pending() || !sh.Settings.AllowSync || sh.Settings.FilterMovies != "label=kids" {
		t.Errorf("share 0 = %+v", sh)
	}
	if h := w.Homes[0]; h.Admin != alice.ID || len(h.Members) != 2 || !h.Members[0].Protected() || h.Members[1].Account != carol.ID || h.Members[1].Title != carol.Title {
		t.Errorf("home = %+v %+v %+v", h, h.Members[0], h.Members[1])
	}
	if got := w.Resources(501, "kid"); len(got) != 1 || !got[0].Home || got[0].AccessToken != world.ServerToken(501, "box-1") {
		t.Errorf("the kid's resources = %+v, want the admin's server through the Home", got)
	}
	if sh := w.Shares[1]; !sh.Pending() || sh.InvitedEmail != "someone@example.com" || sh.AccessToken == "" || sh.ID == w.Shares[0].ID {
		t.Errorf("share 1 = %+v", sh)
	}
	// The JSON form (GET /__mockplex/world) reads back to the same world.
	data, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := world.Parse("round-trip.json", data, three, t0)
	if err != nil {
		t.Fatalf("Parse(JSON form) = %v\n%s", err, data)
	}
	if diff := cmp.Diff(w, back, cmp.AllowUnexported(world.World{})); diff != "" {
		t.Errorf("round trip (-yaml +json):\n%s", diff)
	}
}

func TestParseBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"empty", "", "f:1:1: want a world mapping with servers and shares, got an empty file"},
		{"not a mapping", "[1]", "f:1:1: want a world mapping with servers and shares, got a sequence"},
		{"syntax", "servers: [\n", "f:1: want valid YAML, got did not find expected node content"},
		{"unknown key", "servers: []\nfriends: []\n", `f:2:1: want one of the keys of a world: homes, servers, shares, got key "friends"`},
		{"alias", "a: &x 1\nservers: *x\n", "f:2:10: want a plain value (no anchors or aliases), got alias *x"},
		{"two documents", "servers: []\n---\nshares: []\n", "f:3:1: want one YAML document, got a second document"},
		{"no machine id", "servers:\n  - owner: alice\n", "f:2:5: want a server with a machineIdentifier, got none"},
		{"bad machine id", "servers:\n  - machineIdentifier: 'a b'\n    owner: alice\n", `f:2:24: want a machine identifier of up to 64 letters, digits, '.', '_' or '-', got string "a b"`},
		{"unknown owner", "servers:\n  - machineIdentifier: m\n    owner: zed\n", `f:3:12: want an account: its id, username, e-mail or uuid (accounts: alice, bob, carol), got unknown account "zed"`},
		{"duplicate server", "servers:\n  - {machineIdentifier: m, owner: alice}\n  - {machineIdentifier: m, owner: bob}\n", `f:3:25: want each machine identifier once, got machine identifier "m" again`},
		{"bad port", "servers:\n  - machineIdentifier: m\n    owner: alice\n    connections: [{address: h, port: 70000}]\n", "f:4:38: want an integer from 1 to 65535, got integer 70000"},
		{"bad protocol", "servers:\n  - machineIdentifier: m\n    owner: alice\n    connections: [{address: h, protocol: ftp}]\n", `f:4:42: want http or https, got string "ftp"`},
		{"bad address", "servers:\n  - machineIdentifier: m\n    owner: alice\n    connections: [{address: 0 0}]\n", `f:4:29: want an IP address or a host name of letters, digits, '.', '_' and '-', got string "0 0"`},
		{"address with a path", "servers:\n  - machineIdentifier: m\n    owner: alice\n    connections: [{address: 'h/x'}]\n", `f:4:29: want an IP address or a host name of letters, digits, '.', '_' and '-', got string "h/x"`},
		{"bad uri", "servers:\n  - machineIdentifier: m\n    owner: alice\n    connections: [{address: h, uri: 'ftp://h'}]\n", `f:4:37: want an http or https URL, got string "ftp://h"`},
		{"bad library type", "servers:\n  - machineIdentifier: m\n    owner: alice\n    libraries: [{id: 1, key: 1, title: T, type: podcast}]\n", `f:4:49: want a library type: movie, show, artist or photo, got string "podcast"`},
		{"duplicate library id", "servers:\n  - machineIdentifier: m\n    owner: alice\n    libraries: [{id: 1, key: 1, title: T}, {id: 1, key: 2, title: U}]\n", "f:4:49: want each library id once in the world (ids are plex.tv's global section ids), got id 1 again"},
		{"dangling share", "servers: []\nshares:\n  - server: nope\n    invitee: bob\n    allLibraries: true\n", `f:3:13: want the machine identifier of a server in this world, got unknown server "nope"`},
		{"share to owner", "servers:\n  - {machineIdentifier: m, owner: alice}\nshares:\n  - {server: m, invitee: 101, allLibraries: true}\n", "f:4:26: want an account other than the server's owner, got the owner"},
		{"unknown section", "servers:\n  - {machineIdentifier: m, owner: alice}\nshares:\n  - {server: m, invitee: bob, sections: [9]}\n", `f:4:42: want the id of a library of server "m", got id 9`},
		{"no sections", "servers:\n  - {machineIdentifier: m, owner: alice}\nshares:\n  - {server: m, invitee: bob}\n", "f:4:5: want a share with sections (library ids) or allLibraries: true, got neither"},
		{"no invitee", "servers:\n  - {machineIdentifier: m, owner: alice}\nshares:\n  - {server: m, allLibraries: true}\n", "f:4:5: want a share with an invitee (an account) or an invitedEmail, got neither"},
		{"accepted e-mail invite", "servers:\n  - {machineIdentifier: m, owner: alice}\nshares:\n  - {server: m, invitedEmail: a@b.c, allLibraries: true}\n", "f:4:5: want an invite to an e-mail to be pending (acceptedAt: null), got an accepted share without an invitee account"},
		{"bad date", "servers:\n  - {machineIdentifier: m, owner: alice, createdAt: yesterday}\n", `f:2:53: want an RFC 3339 date such as 2026-10-01T22:39:52Z, got string "yesterday"`},
		{"unknown setting", "servers:\n  - {machineIdentifier: m, owner: alice}\nshares:\n  - {server: m, invitee: bob, allLibraries: true, settings: {allowEverything: true}}\n", `f:4:62: want one of the keys of share settings: allowCameraUpload, allowChannels, allowSubtitleAdmin, allowSync, allowTuners, filterAll, filterMovies, filterMusic, filterPhotos, filterTelevision, got key "allowEverything"`},
		{"home without admin", "homes:\n  - {name: H}\n", "f:2:5: want a home with an admin (an account), got none"},
		{"home admin twice", "homes:\n  - {admin: alice}\n  - {admin: alice}\n", "f:3:13: want an account in no other Home, got an account that is in one already"},
		{"bad member pin", "homes:\n  - admin: alice\n    members: [{id: 5, uuid: 0123456789abcdef, title: Kid, pin: '12a4'}]\n", `f:3:64: want a PIN of four digits, got string "12a4"`},
		{"bad restriction profile", "homes:\n  - admin: alice\n    members: [{id: 5, uuid: 0123456789abcdef, title: Kid, restrictionProfile: toddler}]\n", `f:3:79: want a restriction profile: little_kid, older_kid or teen, got string "toddler"`},
		{"managed user without uuid", "homes:\n  - admin: alice\n    members: [{id: 5, title: Kid}]\n", "f:3:15: want a managed user with a uuid of 16 lower-case hex digits, got none or another form"},
		{"member id of an account", "homes:\n  - admin: alice\n    members: [{id: 202, uuid: 0123456789abcdef, title: Kid}]\n", "f:3:20: want a member id used once, by no account, got id 202 again"},
		{"admin as member", "homes:\n  - admin: alice\n    members: [{account: alice}]\n", "f:2:12: want an admin who is not also a member, got the admin listed as a member"},
		{"long string", "servers:\n  - {machineIdentifier: m, owner: alice, name: " + strings.Repeat("x", 300) + "}\n", "f:2:48: want a string of at most 256 bytes, got 300 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := world.Parse("f", []byte(tt.src), three, t0)
			var we *world.Error
			if !errors.As(err, &we) {
				t.Fatalf("Parse = %v, want a *world.Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestParseCaps(t *testing.T) {
	t.Parallel()
	big := make([]byte, world.MaxFileSize+1)
	if _, err := world.Parse("big", big, three, t0); err == nil || !strings.Contains(err.Error(), "at most 4 MiB") {
		t.Errorf("Parse(too big) = %v", err)
	}
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := world.ReadFile(path); err == nil || !strings.Contains(err.Error(), "4194305 bytes") {
		t.Errorf("ReadFile(too big) = %v, want refused before reading", err)
	}
	var b strings.Builder
	b.WriteString("servers:\n")
	for range world.MaxServers + 1 {
		b.WriteString("  - {}\n")
	}
	if _, err := world.Parse("many", []byte(b.String()), three, t0); err == nil || !strings.Contains(err.Error(), "at most 1000 servers") {
		t.Errorf("Parse(too many servers) = %v", err)
	}
}
