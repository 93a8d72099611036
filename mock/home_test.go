package mock_test

import (
	"encoding/json"
	"encoding/xml"

	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
)

// Plex Home and server claim (wire addendum §3.7, §3.9).

// setupHome gives the admin's token (owner), the friend's, and the ids
// and uuids of the default Home's managed users: kid (PIN 1234) and teen
// (no PIN).
func setupHome(t *testing.T, s *mock.Server) goldenVars {
	v := setupWorld(t, s)
	h := s.World().Homes[0]
	v["kid"], v["kidID"], v["teen"] = h.Members[0].UUID, jsonNum(h.Members[0].ID), h.Members[1].UUID
	v["admin"] = jsonNum(h.Admin)
	return v
}

// claimHeaders are a Plex Media Server's identity headers on the exchange.
var claimHeaders = map[string]string{
	"X-Plex-Client-Identifier": "5f6e7d8c9b0a5f6e7d8c9b0a5f6e7d8c9b0a1234", "X-Plex-Product": "Plex Media Server",
	"X-Plex-Provides": "server", "X-Plex-Version": "1.42.1.10060-4e8b05daf", "X-Plex-Platform": "Linux",
	"X-Plex-Platform-Version": "6.8.0", "X-Plex-Device": "Docker Container", "X-Plex-Device-Name": "Claimed PMS",
}

// setupClaim mints a claim token for the owner, then runs after on it.
func setupClaim(after func(t *testing.T, s *mock.Server, token string)) func(*testing.T, *mock.Server) goldenVars {
	return func(t *testing.T, s *mock.Server) goldenVars {
		v := setupHome(t, s)
		ex := roundTrip(t, s, "GET", "/api/claim/token.json", map[string]string{"X-Plex-Token": v["owner"]}, "")
		var body struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(ex.RespBody, &body); err != nil || !strings.HasPrefix(body.Token, "claim-") {
			t.Fatalf("claim token = %d %s", ex.Status, ex.RespBody)
		}
		v["claim"] = body.Token
		if after != nil {
			after(t, s, body.Token)
		}
		return v
	}
}

func homeGoldenCases() []goldenCase {
	tok := func(who string, h map[string]string) map[string]string {
		return withHeaders(h, "X-Plex-Token", "{"+who+"}")
	}
	accJSON := map[string]string{"Accept": "application/json"}
	none := map[string]string{}
	bad := map[string]string{"X-Plex-Token": "not-a-token", "Accept": "application/json"}
	reused := setupClaim(func(t *testing.T, s *mock.Server, token string) {
		if ex := roundTrip(t, s, "POST", "/api/claim/exchange?token="+token, claimHeaders, ""); ex.Status != 200 {
			t.Fatalf("first exchange = %d %s", ex.Status, ex.RespBody)
		}
	})
	expired := setupClaim(func(t *testing.T, s *mock.Server, token string) { s.Clock().Advance(4 * time.Minute) })
	return []goldenCase{
		{name: "home-users-v2-json", setup: setupHome, method: "GET", path: "/api/v2/home/users", header: tok("owner", accJSON), status: 200, format: "json"},
		{name: "home-users-v2-xml", setup: setupHome, method: "GET", path: "/api/v2/home/users", header: tok("owner", none), status: 200, format: "xml"},
		{name: "home-users-v2-no-home", setup: setupHome, method: "GET", path: "/api/v2/home/users", header: tok("friend", accJSON), status: 404, format: "json"},
		{name: "home-users-v2-unknown", setup: setupHome, method: "GET", path: "/api/v2/home/users", header: bad, status: 401, format: "json"},
		{name: "home-users-v1", setup: setupHome, method: "GET", path: "/api/home/users", header: tok("owner", accJSON), status: 200, format: "xml"},
		{name: "home-users-v1-unknown", setup: setupHome, method: "GET", path: "/api/home/users", header: bad, status: 401, format: "xml"},
		{name: "switch-v2-pin-json", setup: setupHome, method: "POST", path: "/api/v2/home/users/{kid}/switch?pin=1234", header: tok("owner", accJSON), status: 200, format: "json"},
		{name: "switch-v2-pin-body-xml", setup: setupHome, method: "POST", path: "/api/v2/home/users/{kidID}/switch", header: tok("owner", map[string]string{"Content-Type": "application/json"}), body: `{"pin":"1234"}`, status: 200, format: "xml"},
		{name: "switch-v2-no-pin-admin", setup: setupHome, method: "POST", path: "/api/v2/home/users/{kid}/switch", header: tok("owner", accJSON), status: 200, format: "json"},
		{name: "switch-v2-1041", setup: setupHome, method: "POST", path: "/api/v2/home/users/{kid}/switch?pin=0000", header: tok("owner", accJSON), status: 403, format: "json"},
		{name: "switch-v2-1041-enforced", setup: setupHome, method: "POST", path: "/api/v2/home/users/{kid}/switch", header: tok("owner", withHeaders(accJSON, mock.ScenarioHeader, "home-pin-enforced")), status: 403, format: "json"},
		{name: "switch-v2-unknown-user", setup: setupHome, method: "POST", path: "/api/v2/home/users/0123456789abcdef/switch", header: tok("owner", accJSON), status: 404, format: "json"},
		{name: "switch-v2-other-home", setup: setupHome, method: "POST", path: "/api/v2/home/users/{kid}/switch?pin=1234", header: tok("friend", accJSON), status: 404, format: "json"},
		{name: "switch-v1-pin", setup: setupHome, method: "POST", path: "/api/home/users/{kidID}/switch?pin=1234", header: tok("owner", accJSON), status: 200, format: "xml"},
		{name: "switch-v1-1041", setup: setupHome, method: "POST", path: "/api/home/users/{kidID}/switch?pin=12", header: tok("owner", none), status: 403, format: "xml"},
		{name: "switch-v1-unknown-user", setup: setupHome, method: "POST", path: "/api/home/users/1/switch", header: tok("owner", none), status: 404, format: "xml"},
		{name: "home-set-pin", setup: setupHome, method: "PUT", path: "/api/home/users/{kidID}?pin=4321&currentPin=1234", header: tok("owner", none), status: 200, format: "xml"},
		{name: "home-set-pin-not-four-digits", setup: setupHome, method: "PUT", path: "/api/home/users/{kidID}?pin=12345&currentPin=1234", header: tok("owner", none), status: 400, format: "xml"},
		{name: "home-set-pin-wrong-current", setup: setupHome, method: "PUT", path: "/api/home/users/{kidID}?pin=4321&currentPin=9999", header: tok("owner", none), status: 403, format: "xml"},
		{name: "claim-token", setup: setupHome, method: "GET", path: "/api/claim/token.json", header: tok("owner", none), status: 200, format: "json"},
		{name: "claim-token-unknown", setup: setupHome, method: "GET", path: "/api/claim/token.json", header: bad, status: 401, format: "json"},
		{name: "claim-exchange", setup: setupClaim(nil), method: "POST", path: "/api/claim/exchange?token={claim}", header: claimHeaders, status: 200, format: "xml"},
		{name: "claim-exchange-expired", setup: expired, method: "POST", path: "/api/claim/exchange?token={claim}", header: claimHeaders, status: 422, format: "xml"},
		{name: "claim-exchange-reused", setup: reused, method: "POST", path: "/api/claim/exchange?token={claim}", header: claimHeaders, status: 422, format: "xml"},
		{name: "claim-exchange-no-identity", setup: setupClaim(nil), method: "POST", path: "/api/claim/exchange?token={claim}", header: map[string]string{"X-Plex-Product": "Plex Media Server"}, status: 400, format: "xml"},
	}
}

// homeDo sends a request with a token and JSON accepted, and decodes a
// JSON answer into v (when v is not nil).
func homeDo(t *testing.T, srv *mock.Server, method, path, token string, v any) int {
	t.Helper()
	ex := roundTrip(t, srv, method, path, map[string]string{"X-Plex-Token": token, "Accept": "application/json", "X-Plex-Client-Identifier": "home-test"}, "")
	if v != nil && ex.Status < 300 {
		if err := json.Unmarshal(ex.RespBody, v); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, ex.RespBody)
		}
	}
	return ex.Status
}

// TestHomeEndToEnd walks a profile picker: PIN sign-in, the Home's users,
// a switch to the protected user with its PIN, what that token sees, and
// the switch back; then a server claim.
func TestHomeEndToEnd(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	// PIN sign-in, approved by the default account (the Home's admin).
	pin, err := srv.CreatePin("picker", "Profile Picker", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Approve(pin.ID, ""); err != nil {
		t.Fatal(err)
	}
	polled, err := srv.Poll(pin.ID, "picker")
	if err != nil || polled.AuthToken == nil {
		t.Fatalf("Poll = %+v, %v", polled, err)
	}
	admin := *polled.AuthToken

	var home struct {
		ID    int64 `json:"id"`
		Users []struct {
			ID        int64  `json:"id"`
			UUID      string `json:"uuid"`
			Title     string `json:"title"`
			Admin     bool   `json:"admin"`
			Protected bool   `json:"protected"`
		} `json:"users"`
	}
	if st := homeDo(t, srv, "GET", "/api/v2/home/users", admin, &home); st != 200 || len(home.Users) != 3 || !home.Users[0].Admin {
		t.Fatalf("home users = %d %+v", st, home)
	}
	kid := home.Users[1]
	if kid.Title != "Kid" || !kid.Protected {
		t.Fatalf("second user = %+v, want the protected Kid", kid)
	}
	// A wrong PIN is 1041 whoever switches.
	if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+kid.UUID+"/switch?pin=9999", admin, nil); st != 403 {
		t.Errorf("wrong PIN = %d, want 403", st)
	}
	var switched struct {
		ID        int64  `json:"id"`
		AuthToken string `json:"authToken"`
	}
	if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+kid.UUID+"/switch?pin=1234", admin, &switched); st != 200 || switched.ID != kid.ID || switched.AuthToken == "" || switched.AuthToken == admin {
		t.Fatalf("switch = %d %+v, want a new token for the kid", st, switched)
	}
	// The switched token is a real token: /api/v2/user answers the kid.
	var user struct {
		ID         int64 `json:"id"`
		Restricted bool  `json:"restricted"`
		Home       bool  `json:"home"`
		HomeAdmin  bool  `json:"homeAdmin"`
	}
	if st := homeDo(t, srv, "GET", "/api/v2/user", switched.AuthToken, &user); st != 200 || user.ID != kid.ID || !user.Restricted || !user.Home || user.HomeAdmin {
		t.Errorf("/api/v2/user as the kid = %d %+v, want restricted, home, not homeAdmin", st, user)
	}
	// Its resources: the admin's server, not owned, home, a token of its own.
	res := v2Resources(t, srv, "/api/v2/resources", switched.AuthToken)
	var homeServers int
	for _, r := range res {
		if r.Owned || r.AccessToken == switched.AuthToken || r.AccessToken == admin {
			t.Errorf("kid's resource %+v: want not owned, with a server token of its own", r)
		}
		homeServers++
	}
	if homeServers != 1 || res[0].ClientIdentifier != srv.World().Servers[0].MachineIdentifier {
		t.Errorf("kid's resources = %+v, want the admin's server", res)
	}
	var raw []map[string]any
	if homeDo(t, srv, "GET", "/api/v2/resources", switched.AuthToken, &raw); len(raw) != 1 || raw[0]["home"] != true {
		t.Errorf("kid's resource home = %v, want true", raw)
	}
	// The kid cannot switch to the admin's other managed user without its PIN
	// when it has one, but can switch back to the admin.
	var back struct {
		ID        int64  `json:"id"`
		AuthToken string `json:"authToken"`
	}
	adminID := srv.Accounts()[0].ID
	if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+jsonNum(adminID)+"/switch", switched.AuthToken, &back); st != 200 || back.ID != adminID || back.AuthToken != admin {
		t.Errorf("switch back = %d %+v, want the admin's own token", st, back)
	}
	// Reset forgets switched tokens.
	srv.Reset()
	if st := homeDo(t, srv, "GET", "/api/v2/user", switched.AuthToken, nil); st != 401 {
		t.Errorf("switched token after Reset = %d, want 401", st)
	}

	// Claim: token, exchange with the server's identity, then the server is
	// the account's.
	var ct struct {
		Token string `json:"token"`
	}
	if st := homeDo(t, srv, "GET", "/api/claim/token.json", admin, &ct); st != 200 || !strings.HasPrefix(ct.Token, "claim-") {
		t.Fatalf("claim token = %d %+v", st, ct)
	}
	ex := roundTrip(t, srv, "POST", "/api/claim/exchange?token="+ct.Token, claimHeaders, "")
	if ex.Status != 200 {
		t.Fatalf("exchange = %d %s", ex.Status, ex.RespBody)
	}
	// pms-docker reads the token with sed from one line.
	line := ""
	for _, l := range strings.Split(string(ex.RespBody), "\n") {
		if strings.Contains(l, "<authentication-token>") {
			line = l
		}
	}
	if !strings.Contains(line, "<authentication-token>"+admin+"</authentication-token>") {
		t.Errorf("exchange body lacks the one-line authentication-token:\n%s", ex.RespBody)
	}
	found := false
	for _, r := range v2Resources(t, srv, "/api/v2/resources", admin) {
		if r.ClientIdentifier == claimHeaders["X-Plex-Client-Identifier"] && r.Owned && r.Name == "Claimed PMS" {
			found = true
		}
	}
	if !found {
		t.Error("the claimed server is not in the account's resources")
	}
}

func TestHomePINRateLimit(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	admin := srv.Accounts()[0].AuthToken
	kid := srv.World().Homes[0].Members[0].UUID
	for i := range 5 {
		if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+kid+"/switch?pin=000"+jsonNum(int64(i)), admin, nil); st != 403 {
			t.Fatalf("miss %d = %d, want 403", i+1, st)
		}
	}
	if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+kid+"/switch?pin=1234", admin, nil); st != 429 {
		t.Errorf("after 5 misses = %d, want 429 even with the right PIN", st)
	}
	srv.Clock().Advance(time.Minute)
	if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+kid+"/switch?pin=1234", admin, nil); st != 200 {
		t.Errorf("a minute later = %d, want 200", st)
	}
}

// The window is fixed, as for wrong link codes: it opens at a user's first
// wrong PIN, and once its minute has passed the count starts again, however
// recent the other misses.
func TestHomePINRateLimitWindow(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	admin := srv.Accounts()[0].AuthToken
	kid := srv.World().Homes[0].Members[0].UUID
	miss := func(want int, what string) {
		t.Helper()
		if st := homeDo(t, srv, "POST", "/api/v2/home/users/"+kid+"/switch?pin=0000", admin, nil); st != want {
			t.Fatalf("%s = %d, want %d", what, st, want)
		}
	}
	miss(403, "first miss")
	srv.Clock().Advance(50 * time.Second)
	for i := range 4 {
		miss(403, "miss "+jsonNum(int64(i+2))+", 50 s later")
	}
	miss(429, "sixth try in the window")
	srv.Clock().Advance(10 * time.Second)
	for i := range 5 {
		miss(403, "miss "+jsonNum(int64(i+1))+" of a new window")
	}
	miss(429, "sixth try in the new window")
}

// homeScenarioTests are TestShippedScenarios' cases of the Home scenarios.
func homeScenarioTests() []struct {
	scenario string
	run      func(t *testing.T, srv *mock.Server, c *scenarioClient)
} {
	type tc = struct {
		scenario string
		run      func(t *testing.T, srv *mock.Server, c *scenarioClient)
	}
	return []tc{
		{"home-pin-enforced", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			admin := srv.Accounts()[0].AuthToken
			h := srv.World().Homes[0]
			if r := c.do("POST", "/api/v2/home/users/"+h.Members[0].UUID+"/switch", map[string]string{"X-Plex-Token": admin}); r.status != 403 || !strings.Contains(string(r.body), `"code":1041`) {
				t.Errorf("admin without the PIN = %d %s, want 403/1041", r.status, r.body)
			}
			if r := c.do("POST", "/api/v2/home/users/"+h.Members[0].UUID+"/switch?pin=1234", map[string]string{"X-Plex-Token": admin}); r.status != 200 {
				t.Errorf("admin with the PIN = %d", r.status)
			}
			if r := c.do("POST", "/api/v2/home/users/"+h.Members[1].UUID+"/switch", map[string]string{"X-Plex-Token": admin}); r.status != 200 {
				t.Errorf("a user without a PIN = %d, want 200", r.status)
			}
		}},
		{"claim-expired", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			r := c.do("GET", "/api/claim/token.json", map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken})
			var ct struct {
				Token string `json:"token"`
			}
			if err := json.Unmarshal(r.body, &ct); err != nil || r.status != 200 {
				t.Fatalf("claim token = %d %s", r.status, r.body)
			}
			r = c.do("POST", "/api/claim/exchange?token="+ct.Token, map[string]string{"X-Plex-Product": "Plex Media Server"})
			var e struct {
				Error string `xml:"error"`
			}
			if r.status != 422 || xml.Unmarshal(r.body, &e) != nil || e.Error != "Invalid token" {
				t.Errorf("exchange = %d %s, want 422 Invalid token", r.status, r.body)
			}
		}},
	}
}

// TestHomeSwitchJWT: with a Plex JWT as the admin's token, the switched
// token is a Plex JWT too, and works as the managed user's.
func TestHomeSwitchJWT(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	c := &jwtClient{t: t, srv: srv, client: "home-jwt"}
	key := newDeviceKey(t, 43)
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}).want(t, "POST jwk", 201)
	jwt := c.refresh(key, "")
	teen := srv.World().Homes[0].Members[1]
	ex := roundTrip(t, srv, "POST", "/api/v2/home/users/"+teen.UUID+"/switch", map[string]string{
		"X-Plex-Token": jwt, "Accept": "application/json", "X-Plex-Client-Identifier": "home-jwt"}, "")
	var sw struct {
		AuthToken string `json:"authToken"`
	}
	if err := json.Unmarshal(ex.RespBody, &sw); ex.Status != 200 || err != nil {
		t.Fatalf("switch = %d %s", ex.Status, ex.RespBody)
	}
	if strings.Count(sw.AuthToken, ".") != 2 || !strings.HasPrefix(sw.AuthToken, "eyJ") || sw.AuthToken == jwt {
		t.Fatalf("switched token = %q, want a new Plex JWT", sw.AuthToken)
	}
	var user struct {
		ID   int64 `json:"id"`
		Home bool  `json:"home"`
	}
	ex = roundTrip(t, srv, "GET", "/api/v2/user", map[string]string{"X-Plex-Token": sw.AuthToken, "Accept": "application/json", "X-Plex-Client-Identifier": "home-jwt"}, "")
	if err := json.Unmarshal(ex.RespBody, &user); ex.Status != 200 || err != nil || user.ID != teen.ID || !user.Home {
		t.Errorf("/api/v2/user with the switched JWT = %d %s", ex.Status, ex.RespBody)
	}
}
