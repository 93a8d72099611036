package mock_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/world"
)

// The account's world as apps read it (wire addendum §3): golden files for
// owner, friend and unknown token, replays of what real apps parse, the
// world scenarios and the control API.

// setupWorld gives the default account's token (owner), the second
// account's (friend), the shared server's machine identifier (mid) and
// the friend's share id.
func setupWorld(t *testing.T, s *mock.Server) goldenVars {
	accs := s.Accounts()
	w := s.World()
	return goldenVars{
		"owner": accs[0].AuthToken, "friend": accs[1].AuthToken, "third": accs[2].AuthToken,
		"mid": w.Servers[0].MachineIdentifier, "share": jsonNum(w.Shares[0].ID),
	}
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// setupInvite has the owner invite the third account to the movies, and
// gives the invite's id.
func setupInvite(t *testing.T, s *mock.Server) goldenVars {
	v := setupWorld(t, s)
	w := s.World()
	body := `{"shared_server":{"library_section_ids":[` + jsonNum(w.Servers[0].Libraries[0].ID) + `],"invited_id":` + jsonNum(s.Accounts()[2].ID) + `}}`
	ex := roundTrip(t, s, "POST", "/api/servers/"+v["mid"]+"/shared_servers", map[string]string{"X-Plex-Token": v["owner"], "Content-Type": "application/json"}, body)
	var got struct {
		Shared []struct {
			ID string `xml:"id,attr"`
		} `xml:"SharedServer"`
	}
	if err := xml.Unmarshal(ex.RespBody, &got); ex.Status != 200 || err != nil || len(got.Shared) != 1 {
		t.Fatalf("invite = %d %s", ex.Status, ex.RespBody)
	}
	v["invite"] = got.Shared[0].ID
	return v
}

func worldGoldenCases() []goldenCase {
	tok := func(who string, h map[string]string) map[string]string {
		return withHeaders(h, "X-Plex-Token", "{"+who+"}")
	}
	accJSON := map[string]string{"Accept": "application/json"}
	none := map[string]string{}
	var cases []goldenCase
	// v1 paths: XML whatever Accept says, for owner, friend and an unknown token.
	for _, p := range []struct{ name, path string }{
		{"resources", "/api/resources?includeHttps=1"},
		{"pms-resources", "/pms/resources"},
		{"users", "/api/users"},
		{"users-slash", "/api/users/"},
		{"server", "/api/servers/{mid}"},
		{"shared-servers", "/api/servers/{mid}/shared_servers"},
		{"shared-server", "/api/servers/{mid}/shared_servers/{share}"},
		{"pms-servers", "/pms/servers.xml"},
		{"devices", "/devices.xml"},
	} {
		friendStatus := 200
		if strings.Contains(p.path, "shared_servers") {
			friendStatus = 404 // only the owner lists a server's shares
		}
		cases = append(cases,
			goldenCase{name: "world-" + p.name + "-owner", setup: setupWorld, method: "GET", path: p.path, header: tok("owner", accJSON), status: 200, format: "xml"},
			goldenCase{name: "world-" + p.name + "-friend", setup: setupWorld, method: "GET", path: p.path, header: tok("friend", none), status: friendStatus, format: "xml"},
			goldenCase{name: "world-" + p.name + "-unknown", setup: setupWorld, method: "GET", path: p.path, header: withHeaders(accJSON, "X-Plex-Token", "not-a-token"), status: 401, format: "xml"},
		)
	}
	// v2 paths: negotiated, both formats.
	for _, p := range []struct{ name, path string }{
		{"v2-resources", "/api/v2/resources?includeHttps=1&includeRelay=1"},
		{"v2-server", "/api/v2/servers/{mid}"},
		{"geoip", "/api/v2/geoip?ip_address=203.0.113.7"},
		{"invites-pending", "/api/v2/shared_servers/invites/received/pending"},
	} {
		for _, who := range []string{"owner", "friend"} {
			cases = append(cases,
				goldenCase{name: "world-" + p.name + "-" + who + "-json", setup: setupWorld, method: "GET", path: p.path, header: tok(who, accJSON), status: 200, format: "json"},
				goldenCase{name: "world-" + p.name + "-" + who + "-xml", setup: setupWorld, method: "GET", path: p.path, header: tok(who, none), status: 200, format: "xml"},
			)
		}
		cases = append(cases,
			goldenCase{name: "world-" + p.name + "-unknown-json", setup: setupWorld, method: "GET", path: p.path, header: withHeaders(accJSON, "X-Plex-Token", "not-a-token"), status: 401, format: "json"},
			goldenCase{name: "world-" + p.name + "-unknown-xml", setup: setupWorld, method: "GET", path: p.path, header: map[string]string{"X-Plex-Token": "not-a-token"}, status: 401, format: "xml"},
		)
	}
	cases = append(cases, homeGoldenCases()...)
	accept := "/api/v2/shared_servers/invites/received/{invite}/accept"
	cases = append(cases,
		goldenCase{name: "world-invites-pending-invitee", setup: setupInvite, method: "GET", path: "/api/v2/shared_servers/invites/received/pending", header: tok("third", accJSON), status: 200, format: "json"},
		goldenCase{name: "world-accept-json", setup: setupInvite, method: "POST", path: accept, header: tok("third", accJSON), status: 200, format: "json"},
		goldenCase{name: "world-accept-xml", setup: setupInvite, method: "POST", path: accept, header: tok("third", none), status: 200, format: "xml"},
		goldenCase{name: "world-accept-not-invitee", setup: setupInvite, method: "POST", path: accept, header: tok("owner", accJSON), status: 404, format: "json"},
		goldenCase{name: "world-accept-unknown", setup: setupInvite, method: "POST", path: "/api/v2/shared_servers/invites/received/1/accept", header: tok("third", accJSON), status: 404, format: "json"},
		goldenCase{name: "world-accept-bad-token", setup: setupInvite, method: "POST", path: accept, header: map[string]string{"X-Plex-Token": "nope", "Accept": "application/json"}, status: 401, format: "json"},
	)
	invite := `{"server_id":"{mid}","shared_server":{"library_section_ids":[],"invited_email":"new.friend@example.com"},"sharing_settings":{"allowSync":"1"}}`
	cases = append(cases,
		goldenCase{name: "world-invite-owner", setup: setupWorld, method: "POST", path: "/api/servers/{mid}/shared_servers", header: tok("owner", map[string]string{"Content-Type": "application/json"}), body: invite, status: 200, format: "xml"},
		goldenCase{name: "world-invite-friend", setup: setupWorld, method: "POST", path: "/api/servers/{mid}/shared_servers", header: tok("friend", map[string]string{"Content-Type": "application/json"}), body: invite, status: 404, format: "xml"},
		goldenCase{name: "world-invite-unknown-section", setup: setupWorld, method: "POST", path: "/api/servers/{mid}/shared_servers", header: tok("owner", map[string]string{"Content-Type": "application/json"}), body: `{"shared_server":{"library_section_ids":[1],"invited_email":"x@example.com"}}`, status: 400, format: "xml"},
		goldenCase{name: "world-invite-unknown", setup: setupWorld, method: "POST", path: "/api/servers/{mid}/shared_servers", header: map[string]string{"X-Plex-Token": "nope", "Content-Type": "application/json"}, body: invite, status: 401, format: "xml"},
		goldenCase{name: "world-server-unknown-mid", setup: setupWorld, method: "GET", path: "/api/servers/0000/shared_servers", header: tok("owner", none), status: 404, format: "xml"},
		goldenCase{name: "world-v2-server-unknown-mid", setup: setupWorld, method: "GET", path: "/api/v2/servers/0000", header: tok("owner", accJSON), status: 404, format: "json"},
		goldenCase{name: "world-gone", setup: setupWorld, method: "GET", path: "/pms/friends/all", header: tok("owner", accJSON), status: 410, format: "xml"},
		goldenCase{name: "world-account-accept-json", setup: setupWorld, method: "GET", path: "/users/account", header: tok("owner", accJSON), status: 200, format: "xml"},
		goldenCase{name: "world-account-accept-json-401", setup: setupWorld, method: "GET", path: "/users/account", header: accJSON, status: 401, format: "xml"},
		goldenCase{name: "world-ctl-get", setup: setupWorld, method: "GET", path: "/__mockplex/world", status: 200, format: "json"},
		goldenCase{name: "world-ctl-put-dangling", setup: setupWorld, method: "PUT", path: "/__mockplex/world", body: "{\"servers\": [],\n \"shares\": [{\"server\": \"nope\", \"invitee\": 1, \"allLibraries\": true}]}", status: 400, format: "json"},
	)
	return cases
}

// worldGet does a GET with a token and an Accept header.
func worldGet(t *testing.T, srv *mock.Server, path, token, accept string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("X-Plex-Token", token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, body := do(t, srv, req)
	return resp.StatusCode, body, resp.Header
}

// The shapes below are what each app's parser reads, attribute for
// attribute (addendum §3's "read by" columns).

// overseerrDevice is Overseerr's PlexDevice from /api/resources.
type overseerrDevice struct {
	Name             string `xml:"name,attr"`
	Provides         string `xml:"provides,attr"`
	Owned            string `xml:"owned,attr"`
	ClientIdentifier string `xml:"clientIdentifier,attr"`
	AccessToken      string `xml:"accessToken,attr"`
	Presence         string `xml:"presence,attr"`
	Connections      []struct {
		Protocol string `xml:"protocol,attr"`
		Address  string `xml:"address,attr"`
		Port     string `xml:"port,attr"`
		URI      string `xml:"uri,attr"`
		Local    string `xml:"local,attr"`
	} `xml:"Connection"`
}

type resourcesXML struct {
	Size    int               `xml:"size,attr"`
	Devices []overseerrDevice `xml:"Device"`
}

func TestWorldReplayOverseerrWizard(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	owner := srv.Accounts()[0]
	// Overseerr sends Accept: application/json and parses XML (xml2js).
	status, body, h := worldGet(t, srv, "/api/resources?includeHttps=1", owner.AuthToken, "application/json")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/xml") {
		t.Fatalf("GET /api/resources = %d %s, want 200 XML", status, h.Get("Content-Type"))
	}
	var got resourcesXML
	if err := xml.Unmarshal(body, &got); err != nil {
		t.Fatalf("xml: %v\n%s", err, body)
	}
	var servers []overseerrDevice
	for _, d := range got.Devices {
		if d.Provides == "server" { // Overseerr's filter
			servers = append(servers, d)
		}
	}
	if len(servers) != 2 {
		t.Fatalf("servers = %d, want the owned and the shared one", len(servers))
	}
	own := servers[0]
	if own.Owned != "1" || own.AccessToken != owner.AuthToken || len(own.Connections) != 2 {
		t.Errorf("owned server = %+v, want owned=1, the owner's token, two connections", own)
	}
	local := own.Connections[0]
	if local.Local != "1" || local.URI != "http://127.0.0.1:"+local.Port || local.Address != "127.0.0.1" {
		t.Errorf("local connection = %+v", local)
	}
	for _, c := range own.Connections {
		if !strings.Contains(c.URI, "127.0.0.1") && !strings.Contains(c.URI, "localhost") {
			t.Errorf("connection %s leaves the machine", c.URI)
		}
	}
	if servers[1].Owned != "0" || servers[1].AccessToken == owner.AuthToken {
		t.Errorf("shared server = %+v, want owned=0 with a token of its own", servers[1])
	}
}

// usersXML is the Overseerr-family second-user gate's view of /api/users.
type usersXML struct {
	Users []struct {
		ID       int64  `xml:"id,attr"`
		Username string `xml:"username,attr"`
		Email    string `xml:"email,attr"`
		Title    string `xml:"title,attr"`
		Home     string `xml:"home,attr"`
		Servers  []struct {
			ID                int64  `xml:"id,attr"`
			MachineIdentifier string `xml:"machineIdentifier,attr"`
			Pending           string `xml:"pending,attr"`
		} `xml:"Server"`
	} `xml:"User"`
}

func TestWorldReplaySecondUserGate(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	accs := srv.Accounts()
	admin, friend, third := accs[0], accs[1], accs[2]
	mid := srv.World().Servers[0].MachineIdentifier
	// checkUserAccess: the admin's token lists users; the signing-in
	// user's id (from /users/account) must have a Server child with the
	// admin's machine identifier.
	gate := func(user mock.Account) bool {
		status, body, _ := worldGet(t, srv, "/api/users", admin.AuthToken, "application/json")
		if status != 200 {
			t.Fatalf("GET /api/users = %d", status)
		}
		var u usersXML
		if err := xml.Unmarshal(body, &u); err != nil {
			t.Fatal(err)
		}
		for _, x := range u.Users {
			if x.ID != user.ID {
				continue
			}
			for _, s := range x.Servers {
				if s.MachineIdentifier == mid {
					return true
				}
			}
		}
		return false
	}
	if !gate(friend) {
		t.Error("the friend with a share is refused at the gate")
	}
	if gate(third) {
		t.Error("the third account, with no share of the admin's server, is admitted")
	}
	if gate(admin) {
		t.Error("the admin is listed in its own /api/users")
	}
}

func TestWorldReplayTautulliFriendLogin(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	friend := srv.Accounts()[1]
	w := srv.World()
	status, body, _ := worldGet(t, srv, "/api/resources?includeHttps=1", friend.AuthToken, "")
	if status != 200 {
		t.Fatalf("friend's /api/resources = %d", status)
	}
	var got resourcesXML
	if err := xml.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Size != 1 || len(got.Devices) != 1 {
		t.Fatalf("friend sees %d servers, want the owner's one", len(got.Devices))
	}
	d := got.Devices[0]
	if d.ClientIdentifier != w.Servers[0].MachineIdentifier || d.Owned != "0" || d.Presence != "1" {
		t.Errorf("friend's server = %+v", d)
	}
	if d.AccessToken != w.Shares[0].AccessToken || d.AccessToken == friend.AuthToken {
		t.Errorf("accessToken = %q, want the share's %q", d.AccessToken, w.Shares[0].AccessToken)
	}
	// The same token is the SharedServer's in the owner's shared_servers.
	_, body, _ = worldGet(t, srv, "/api/servers/"+d.ClientIdentifier+"/shared_servers", srv.Accounts()[0].AuthToken, "")
	var ss struct {
		Shared []struct {
			UserID      int64  `xml:"userID,attr"`
			AccessToken string `xml:"accessToken,attr"`
			Sections    []struct {
				Key    string `xml:"key,attr"`
				Shared string `xml:"shared,attr"`
			} `xml:"Section"`
		} `xml:"SharedServer"`
	}
	if err := xml.Unmarshal(body, &ss); err != nil {
		t.Fatal(err)
	}
	if len(ss.Shared) != 1 || ss.Shared[0].UserID != friend.ID || ss.Shared[0].AccessToken != d.AccessToken {
		t.Errorf("shared_servers = %+v, want the friend's share with the same token", ss)
	}
}

// plexapiResources is python-plexapi's MyPlexResource from
// /api/v2/resources in XML.
type plexapiResources struct {
	XMLName   xml.Name `xml:"resources"`
	Resources []struct {
		Name             string `xml:"name,attr"`
		ClientIdentifier string `xml:"clientIdentifier,attr"`
		AccessToken      string `xml:"accessToken,attr"`
		Owned            string `xml:"owned,attr"`
		Provides         string `xml:"provides,attr"`
		SourceTitle      string `xml:"sourceTitle,attr"`
		Presence         string `xml:"presence,attr"`
		Connections      []struct {
			URI   string `xml:"uri,attr"`
			Local string `xml:"local,attr"`
			Relay string `xml:"relay,attr"`
			IPv6  string `xml:"IPv6,attr"`
		} `xml:"connections>connection"`
	} `xml:"resource"`
}

func TestWorldReplayPlexapi(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	accs := srv.Accounts()
	// resources(): python-plexapi asks for XML (no Accept) with all flags.
	status, body, _ := worldGet(t, srv, "/api/v2/resources?includeHttps=1&includeRelay=1&includeIPv6=1", accs[0].AuthToken, "")
	if status != 200 {
		t.Fatalf("resources = %d", status)
	}
	var res plexapiResources
	if err := xml.Unmarshal(body, &res); err != nil {
		t.Fatalf("xml: %v\n%s", err, body)
	}
	if len(res.Resources) != 2 || res.Resources[0].Owned != "1" || res.Resources[1].SourceTitle != accs[2].Username {
		t.Errorf("resources() = %+v", res.Resources)
	}
	if len(res.Resources[0].Connections) == 0 || res.Resources[0].Connections[0].Relay != "0" {
		t.Errorf("connections = %+v", res.Resources[0].Connections)
	}
	// users(): /api/users/ with a trailing slash.
	status, body, _ = worldGet(t, srv, "/api/users/", accs[0].AuthToken, "")
	var u usersXML
	if err := xml.Unmarshal(body, &u); status != 200 || err != nil {
		t.Fatalf("users() = %d %v", status, err)
	}
	if len(u.Users) != 4 || u.Users[0].Username != accs[1].Username || len(u.Users[0].Servers) != 1 {
		t.Errorf("users() = %+v, want the friend, the third account and the two managed users", u.Users)
	}
	// user("Kid"): managed Home users are found by title, with home="1"
	// and no username or e-mail (switchHomeUser relies on it).
	var kid bool
	for _, x := range u.Users {
		if x.Title == "Kid" {
			kid = x.Home == "1" && x.Username == "" && x.Email == ""
		}
		if x.ID == accs[0].ID {
			t.Error("users() lists the Home admin")
		}
	}
	if !kid {
		t.Errorf("users() has no managed user Kid with home=1: %+v", u.Users)
	}
}

// jsonResource is a v2 JSON client's (clambin, @ctrl/plex, plexgo) view.
type jsonResource struct {
	Name             string  `json:"name"`
	ClientIdentifier string  `json:"clientIdentifier"`
	Owned            bool    `json:"owned"`
	OwnerID          *int64  `json:"ownerId"`
	SourceTitle      *string `json:"sourceTitle"`
	AccessToken      string  `json:"accessToken"`
	Presence         bool    `json:"presence"`
	HTTPSRequired    bool    `json:"httpsRequired"`
	CreatedAt        string  `json:"createdAt"`
	Connections      []struct {
		Protocol string `json:"protocol"`
		Port     int    `json:"port"`
		URI      string `json:"uri"`
		Local    bool   `json:"local"`
		Relay    bool   `json:"relay"`
		IPv6     bool   `json:"IPv6"`
	} `json:"connections"`
}

func v2Resources(t *testing.T, srv *mock.Server, path, token string, hdr ...string) []jsonResource {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Token", token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, body := do(t, srv, req)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
	}
	var out []jsonResource
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("json: %v\n%s", err, body)
	}
	return out
}

func TestWorldReplayJSONClient(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	accs := srv.Accounts()
	res := v2Resources(t, srv, "/api/v2/resources?includeHttps=1", accs[0].AuthToken)
	if len(res) != 2 {
		t.Fatalf("resources = %d, want 2", len(res))
	}
	if !res[0].Owned || res[0].OwnerID != nil || res[0].SourceTitle != nil || res[0].AccessToken != accs[0].AuthToken {
		t.Errorf("owned = %+v, want owned with null ownerId and sourceTitle and the caller's token", res[0])
	}
	if res[1].Owned || res[1].OwnerID == nil || *res[1].OwnerID != accs[2].ID || res[1].AccessToken == accs[0].AuthToken {
		t.Errorf("shared = %+v", res[1])
	}
	if _, err := time.Parse(time.RFC3339, res[0].CreatedAt); err != nil || !strings.HasSuffix(res[0].CreatedAt, "Z") {
		t.Errorf("createdAt = %q, want RFC 3339 Z", res[0].CreatedAt)
	}
	// A token as ?X-Plex-Token= works too, and without includeRelay no
	// relay connection is listed even under relay-only.
	res = v2Resources(t, srv, "/api/v2/resources?X-Plex-Token="+accs[1].AuthToken, "")
	if len(res) != 1 || res[0].Owned {
		t.Errorf("friend by query token = %+v", res)
	}
}

// worldScenarioTests are TestShippedScenarios' cases of the world
// scenarios.
func worldScenarioTests() []struct {
	scenario string
	run      func(t *testing.T, srv *mock.Server, c *scenarioClient)
} {
	type tc = struct {
		scenario string
		run      func(t *testing.T, srv *mock.Server, c *scenarioClient)
	}
	resources := func(t *testing.T, srv *mock.Server, c *scenarioClient, query string) []jsonResource {
		return v2Resources(t, srv, "/api/v2/resources"+query, srv.Accounts()[0].AuthToken, "X-Plex-Client-Identifier", c.id, mock.ScenarioHeader, c.scenario)
	}
	return append(homeScenarioTests(), []tc{
		{"server-offline", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			for _, r := range resources(t, srv, c, "") {
				if r.Presence {
					t.Errorf("%s presence = true, want false", r.Name)
				}
			}
		}},
		{"relay-only", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			if r := resources(t, srv, c, ""); len(r[0].Connections) != 0 {
				t.Errorf("without includeRelay: %+v, want no connections", r[0].Connections)
			}
			r := resources(t, srv, c, "?includeRelay=1")
			if len(r[0].Connections) != 1 || !r[0].Connections[0].Relay {
				t.Errorf("with includeRelay: %+v, want one relay connection", r[0].Connections)
			}
		}},
		{"https-required", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			for _, r := range resources(t, srv, c, "") {
				if !r.HTTPSRequired || len(r.Connections) == 0 {
					t.Errorf("%s: httpsRequired %v, %d connections", r.Name, r.HTTPSRequired, len(r.Connections))
				}
				for _, cn := range r.Connections {
					if cn.Protocol != "https" {
						t.Errorf("%s lists %s", r.Name, cn.URI)
					}
				}
			}
		}},
		{"no-connections", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			for _, r := range resources(t, srv, c, "?includeRelay=1&includeIPv6=1") {
				if len(r.Connections) != 0 {
					t.Errorf("%s: %d connections, want none", r.Name, len(r.Connections))
				}
			}
		}},
		{"sections-missing", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			mid := srv.World().Servers[0].MachineIdentifier
			r := c.do("GET", "/api/v2/servers/"+mid, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken})
			var got struct {
				LibrarySections []any `json:"librarySections"`
			}
			if err := json.Unmarshal(r.body, &got); r.status != 200 || err != nil || len(got.LibrarySections) != 0 {
				t.Errorf("v2 server = %d %s, want no sections", r.status, r.body)
			}
		}},
		{"users-401", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			r := c.do("GET", "/api/users", map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken})
			if r.status != 401 || !strings.Contains(string(r.body), "<errors><error>Please sign in.</error></errors>") {
				t.Errorf("users = %d %s, want the v1 401", r.status, r.body)
			}
			if r := c.do("GET", "/api/resources", map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}); r.status != 200 {
				t.Errorf("resources = %d, want 200", r.status)
			}
		}},
		{"deprecated-410", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			for _, p := range []string{"/pms/resources", "/api/resources"} {
				r := c.do("GET", p, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken})
				if r.status != 410 || !strings.Contains(string(r.body), `<Response code="410" status="This endpoint was deprecated and removed">`) {
					t.Errorf("%s = %d %s, want 410", p, r.status, r.body)
				}
			}
			if r := c.do("GET", "/api/v2/resources", map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}); r.status != 200 {
				t.Errorf("/api/v2/resources = %d, want 200", r.status)
			}
		}},
	}...)
}

func TestWorldInviteAccept(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	accs := srv.Accounts()
	owner, third := accs[0], accs[2]
	mid := srv.World().Servers[0].MachineIdentifier
	lib := srv.World().Servers[0].Libraries[1].ID
	post := func(path, token, body string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.Header.Set("X-Plex-Token", token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		resp, b := do(t, srv, req)
		return resp.StatusCode, b
	}
	status, body := post("/api/servers/"+mid+"/shared_servers", owner.AuthToken,
		`{"server_id":"`+mid+`","shared_server":{"library_section_ids":[`+jsonNum(lib)+`],"invited_email":"`+third.Email+`"},"sharing_settings":{"allowSync":"1"}}`)
	if status != 200 {
		t.Fatalf("invite = %d %s", status, body)
	}
	var inv struct {
		Shared []struct {
			ID         int64  `xml:"id,attr"`
			AcceptedAt string `xml:"acceptedAt,attr"`
		} `xml:"SharedServer"`
	}
	if err := xml.Unmarshal(body, &inv); err != nil || len(inv.Shared) != 1 || inv.Shared[0].AcceptedAt != "" {
		t.Fatalf("invite answer = %s (%v), want one pending SharedServer", body, err)
	}
	// Pending: not in the invitee's resources yet.
	if res := v2Resources(t, srv, "/api/v2/resources", third.AuthToken); len(res) != 1 {
		t.Errorf("before accepting, the invitee sees %d servers, want its own only", len(res))
	}
	// A second invite to the same account is refused; so is one by the invitee.
	if status, _ := post("/api/servers/"+mid+"/shared_servers", owner.AuthToken, `{"shared_server":{"invited_id":`+jsonNum(third.ID)+`}}`); status != 400 {
		t.Errorf("second invite = %d, want 400", status)
	}
	if status, _ := post("/api/v2/shared_servers/invites/received/"+jsonNum(inv.Shared[0].ID)+"/accept", owner.AuthToken, ""); status != 404 {
		t.Errorf("accept by the owner = %d, want 404", status)
	}
	if status, body := post("/api/v2/shared_servers/invites/received/"+jsonNum(inv.Shared[0].ID)+"/accept", third.AuthToken, ""); status != 200 {
		t.Fatalf("accept = %d %s", status, body)
	}
	res := v2Resources(t, srv, "/api/v2/resources", third.AuthToken)
	if len(res) != 2 || res[1].ClientIdentifier != mid || res[1].Owned {
		t.Errorf("after accepting: %+v", res)
	}
	// Reset restores the world the server started with.
	srv.Reset()
	if n := len(srv.World().Shares); n != 2 {
		t.Errorf("after Reset: %d shares, want 2", n)
	}
}

func TestWorldJWTOwnedToken(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	c := &jwtClient{t: t, srv: srv, client: "world-jwt"}
	key := newDeviceKey(t, 41)
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}).want(t, "POST jwk", 201)
	tok := c.refresh(key, "")
	res := v2Resources(t, srv, "/api/v2/resources", tok, "X-Plex-Client-Identifier", c.client)
	if len(res) != 2 || res[0].AccessToken != tok {
		t.Errorf("owned server's accessToken with a Plex JWT = %q, want the JWT (wire J5)", res[0].AccessToken)
	}
	if res[1].AccessToken == tok {
		t.Error("the shared server carries the JWT, want the share's token")
	}
}

func TestWorldFileAndControl(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	probe := newFrozenServer(t)
	accs := probe.Accounts()
	file := filepath.Join(dir, "world.yaml")
	src := "servers:\n  - machineIdentifier: box-1\n    name: Box\n    owner: " + accs[1].Username + "\n" +
		"    libraries: [{id: 7, key: 1, title: Films, type: movie}]\n" +
		"    connections: [{protocol: http, address: 127.0.0.1, port: 32400, local: true}]\n" +
		"shares:\n  - server: box-1\n    invitee: " + accs[0].Email + "\n    sections: [7]\n    accessToken: share-token-1\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := newFrozenServer(t, mock.WithConfig(mock.Config{WorldFile: file}))
	res := v2Resources(t, srv, "/api/v2/resources", accs[0].AuthToken)
	if len(res) != 1 || res[0].Name != "Box" || res[0].AccessToken != "share-token-1" || res[0].Owned {
		t.Fatalf("resources from the file = %+v", res)
	}
	// A bad file fails New with its position.
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("servers: []\nshares:\n  - server: nope\n    invitee: 1\n    allLibraries: true\n"), 0o644)
	_, err := mock.New(mock.WithConfig(mock.Config{WorldFile: bad}))
	var we *world.Error
	if !errors.As(err, &we) || we.Line != 3 || we.Column != 13 {
		t.Errorf("New(bad world) = %v, want an error at 3:13", err)
	}
	// SetWorld checks like a file; Reset restores the loaded world.
	w := srv.World()
	w.Shares[0].Server = "missing"
	if err := srv.SetWorld(w); !errors.As(err, &we) {
		t.Errorf("SetWorld(dangling share) = %v, want a *world.Error", err)
	}
	w = srv.World()
	w.Shares = nil
	if err := srv.SetWorld(w); err != nil {
		t.Fatal(err)
	}
	if res := v2Resources(t, srv, "/api/v2/resources", accs[0].AuthToken); len(res) != 0 {
		t.Errorf("after SetWorld without shares: %d resources", len(res))
	}
	srv.Reset()
	if res := v2Resources(t, srv, "/api/v2/resources", accs[0].AuthToken); len(res) != 1 {
		t.Errorf("after Reset: %d resources, want the file's one", len(res))
	}
}

// do sends req to srv and reads the answer.
func do(t *testing.T, srv *mock.Server, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestWorldDashboard(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	w := srv.World()
	_, body, _ := worldGet(t, srv, "/dashboard/live", "", "")
	for _, want := range []string{"Servers and shares", w.Servers[0].Name[:5], w.Servers[0].MachineIdentifier, "http 127.0.0.1:32400 (local)",
		srv.Accounts()[1].Username + " · Movies · token <code>" + w.Shares[0].AccessToken, "all libraries",
		"Plex Home", "Kid, little_kid, PIN 1234; Teen, teen"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
}

func TestWorldFileReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "world.yaml")
	probe := newFrozenServer(t)
	owner := probe.Accounts()[0].Username
	write := func(src string) {
		t.Helper()
		tmp := filepath.Join(dir, ".tmp")
		if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, file); err != nil {
			t.Fatal(err)
		}
	}
	server := func(name string) string {
		return "servers:\n  - {machineIdentifier: m1, name: " + name + ", owner: " + owner + "}\n"
	}
	write(server("first"))
	srv := newFrozenServer(t, mock.WithConfig(mock.Config{WorldFile: file}))
	// waitFor rewrites the file until the world shows want: the watcher
	// may start after a first write.
	waitFor := func(src, want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			write(src + "# " + jsonNum(int64(i)) + "\n")
			select {
			case <-deadline:
				t.Fatalf("world not reloaded within 10s: %q", srv.World().Servers[0].Name)
			case <-tick.C:
			}
			if srv.World().Servers[0].Name == want {
				return
			}
		}
	}
	waitFor(server("second"), "second")
	// A bad file is refused; the world in force stays, and a good one after it loads.
	write("servers: [{machineIdentifier: m1}]\n")
	waitFor(server("third"), "third")
	if got := srv.World().Servers[0].Name; got != "third" {
		t.Errorf("after a bad file and a good one: %q", got)
	}
	// Reset restores the reloaded file's world, not the first.
	srv.Reset()
	if got := srv.World().Servers[0].Name; got != "third" {
		t.Errorf("after Reset: %q, want the file's current world", got)
	}
}

// TestWorldEndedToken: an account's legacy token that issuing a Plex JWT
// ended answers v1's 422 "Invalid token", not 401.
func TestWorldEndedToken(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	legacy := srv.Accounts()[0].AuthToken
	c := &jwtClient{t: t, srv: srv, client: "world-ended"}
	key := newDeviceKey(t, 44)
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": legacy}).want(t, "POST jwk", 201)
	c.refresh(key, "")
	ex := roundTrip(t, srv, "GET", "/api/resources", map[string]string{"X-Plex-Token": legacy, "X-Plex-Client-Identifier": "world-ended"}, "")
	if ex.Status != 422 || !strings.Contains(string(ex.RespBody), "<errors><error>Invalid token</error></errors>") {
		t.Errorf("ended token on /api/resources = %d %s, want 422 Invalid token", ex.Status, ex.RespBody)
	}
	ex = roundTrip(t, srv, "GET", "/api/resources", map[string]string{"X-Plex-Token": "never-issued"}, "")
	if ex.Status != 401 {
		t.Errorf("unknown token = %d, want 401", ex.Status)
	}
}
