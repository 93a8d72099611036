package mock_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/mock"
)

// Replays of the request sequences real clients send (WIRE.md §1.1,
// §1.2, §1.4, §1.8), each through the whole flow: create, poll pending,
// approve (the way that client's user would), poll with the token, check the
// token the way the client does, then expiry (advance the clock; poll gets
// 404 with code 1020). Every response is parsed the way the client parses
// it: XML attributes on the root for python-plexapi, Go or C#-shaped
// structs for the others.

// flowPin is what a client takes from a pin response.
type flowPin struct {
	ID    int64
	Code  string
	Token string // "" while unclaimed
}

// clientFlow is one real client's requests and parsing.
type clientFlow struct {
	name   string
	strong bool // the kind of pin the client asks for
	// format is what the client gets back: "xml" or "json".
	format string
	// origin, when set, makes the flow a browser's: preflights first, and
	// CORS headers are checked on every answer.
	origin string
	create func(base string) *http.Request
	poll   func(base string, p flowPin) *http.Request
	// decode parses a pin response as the client does.
	decode func(t *testing.T, body []byte) flowPin
	// approve claims the pin as the client's user would.
	approve func(t *testing.T, srv *mock.Server, p flowPin)
	// checkToken uses the token after the flow, as the client does.
	checkToken func(t *testing.T, srv *mock.Server, token string)
}

func newReq(method, u string, body io.Reader, header map[string]string) *http.Request {
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		panic(err) // the URLs are built by the tests themselves
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// send does req on srv and returns status, headers and body.
func send(t *testing.T, srv *mock.Server, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	return resp, b
}

// python-plexapi's BASE_HEADERS, as requests sends them (no Accept of its
// own, so requests' "*/*").
func plexapiHeaders(extra ...string) map[string]string {
	h := map[string]string{
		"Accept":                   "*/*",
		"User-Agent":               "python-requests/2.32.3",
		"X-Plex-Platform":          "Linux",
		"X-Plex-Platform-Version":  "6.8.0",
		"X-Plex-Provides":          "controller",
		"X-Plex-Product":           "PlexAPI",
		"X-Plex-Version":           "4.16.1",
		"X-Plex-Device":            "Linux",
		"X-Plex-Device-Name":       "myhost",
		"X-Plex-Client-Identifier": "plexapi-7d3f9a",
		"X-Plex-Language":          "en",
		"X-Plex-Sync-Version":      "2",
		"X-Plex-Features":          "external-media",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// rootAttrs parses an XML body as ElementTree does and returns the root's
// tag and attributes (python-plexapi reads response.attrib.get(...)).
func rootAttrs(t *testing.T, body []byte) (string, map[string]string) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("XML body has no root element: %v\n%s", err, body)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				attrs[a.Name.Local] = a.Value
			}
			return se.Name.Local, attrs
		}
	}
}

func decodeXMLAttrs(t *testing.T, body []byte) flowPin {
	t.Helper()
	root, a := rootAttrs(t, body)
	if root != "pin" {
		t.Fatalf("root element = <%s>, want <pin>", root)
	}
	id, err := strconv.ParseInt(a["id"], 10, 64)
	if err != nil {
		t.Fatalf("attrib id = %q: %v", a["id"], err)
	}
	return flowPin{ID: id, Code: a["code"], Token: a["authToken"]}
}

// plexapiLink is MyPlexAccount.link(pin): PUT /api/v2/pins/link with a form
// body, the account's token and X-Plex-Product: Plex SSO.
func plexapiLink(t *testing.T, srv *mock.Server, p flowPin) {
	t.Helper()
	acc := srv.Accounts()[1]
	req := newReq("PUT", srv.URL+"/api/v2/pins/link", strings.NewReader("code="+strings.ToLower(p.Code)), plexapiHeaders(
		"Content-Type", "application/x-www-form-urlencoded", "X-Plex-Product", "Plex SSO",
		"X-Plex-Token", acc.AuthToken, "X-Plex-Client-Identifier", "plexapi-account-session"))
	resp, body := send(t, srv, req)
	if resp.StatusCode != 200 && resp.StatusCode != 201 && resp.StatusCode != 204 {
		t.Fatalf("link = %d, want 200, 201 or 204 (python-plexapi raises otherwise): %s", resp.StatusCode, body)
	}
}

// plexapiUser is MyPlexAccount(token=…): GET /api/v2/user in XML, reading
// root attributes and the subscription and profile children.
func plexapiUser(t *testing.T, srv *mock.Server, token string) {
	t.Helper()
	resp, body := send(t, srv, newReq("GET", srv.URL+"/api/v2/user", nil, plexapiHeaders("X-Plex-Token", token)))
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/v2/user = %d, want 200: %s", resp.StatusCode, body)
	}
	var u struct {
		XMLName      xml.Name `xml:"user"`
		ID           string   `xml:"id,attr"`
		UUID         string   `xml:"uuid,attr"`
		Username     string   `xml:"username,attr"`
		Email        string   `xml:"email,attr"`
		AuthToken    string   `xml:"authToken,attr"`
		Home         string   `xml:"home,attr"`
		JoinedAt     string   `xml:"joinedAt,attr"`
		Subscription *struct {
			Active string `xml:"active,attr"`
			Status string `xml:"status,attr"`
		} `xml:"subscription"`
		Profile *struct {
			AutoSelectAudio string `xml:"autoSelectAudio,attr"`
		} `xml:"profile"`
	}
	if err := xml.Unmarshal(body, &u); err != nil {
		t.Fatalf("user XML: %v\n%s", err, body)
	}
	if u.AuthToken != token || u.Username == "" || u.UUID == "" {
		t.Errorf("user = %+v, want the token's account", u)
	}
	if _, err := strconv.ParseInt(u.JoinedAt, 10, 64); err != nil {
		t.Errorf("joinedAt = %q, want epoch seconds (utils.toDatetime)", u.JoinedAt)
	}
	for name, v := range map[string]string{"home": u.Home} {
		if v != "0" && v != "1" {
			t.Errorf("%s = %q, want 0 or 1 (utils.cast bool)", name, v)
		}
	}
	if u.Subscription == nil || u.Profile == nil {
		t.Errorf("user lacks <subscription> or <profile>; python-plexapi's _loadData needs both")
	}
}

// radarrQuery is how Radarr identifies itself: every X-Plex-* value in the
// query string, strong=True from C#'s bool.ToString().
func radarrQuery(extra url.Values) string {
	q := url.Values{
		"X-Plex-Client-Identifier": {"radarr-5b1c2d"},
		"X-Plex-Product":           {"Radarr"},
		"X-Plex-Platform":          {"Windows"},
		"X-Plex-Platform-Version":  {"7"},
		"X-Plex-Device-Name":       {"Radarr"},
		"X-Plex-Version":           {"5.14.0.9383"},
	}
	for k, v := range extra {
		q[k] = v
	}
	return q.Encode()
}

// radarrPin is Radarr's PlexTvPinResponse: C# int ids, so an id above
// 2^31-1 would fail to decode.
type radarrPin struct {
	ID        int32  `json:"id"`
	Code      string `json:"code"`
	AuthToken string `json:"authToken"`
}

func decodeRadarr(t *testing.T, body []byte) flowPin {
	t.Helper()
	var p radarrPin
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("Radarr's PlexTvPinResponse: %v\n%s", err, body)
	}
	return flowPin{ID: int64(p.ID), Code: p.Code, Token: p.AuthToken}
}

// approveViaControl approves through the control API, as a test harness
// driving a binary would.
func approveViaControl(account string) func(*testing.T, *mock.Server, flowPin) {
	return func(t *testing.T, srv *mock.Server, p flowPin) {
		t.Helper()
		body := ""
		if account != "" {
			body = fmt.Sprintf(`{"account":%q}`, account)
		}
		resp, b := send(t, srv, newReq("POST", fmt.Sprintf("%s/__mockplex/pins/%d/approve", srv.URL, p.ID), strings.NewReader(body),
			map[string]string{"Content-Type": "application/json"}))
		if resp.StatusCode != 200 {
			t.Fatalf("control approve = %d, want 200: %s", resp.StatusCode, b)
		}
	}
}

func approveViaGo(t *testing.T, srv *mock.Server, p flowPin) {
	t.Helper()
	if _, err := srv.Approve(p.ID, ""); err != nil {
		t.Fatalf("Approve(%d): %v", p.ID, err)
	}
}

// dashoPin is dashotv/tower's PlexPin: typed times, a Location struct.
type dashoPin struct {
	ID               int64  `json:"id"`
	Code             string `json:"code"`
	Product          string `json:"product"`
	Trusted          bool   `json:"trusted"`
	QR               string `json:"qr"`
	ClientIdentifier string `json:"clientIdentifier"`
	Location         struct {
		Code                       string `json:"code"`
		EuropeanUnionMember        bool   `json:"european_union_member"`
		ContinentCode              string `json:"continent_code"`
		Country                    string `json:"country"`
		City                       string `json:"city"`
		TimeZone                   string `json:"time_zone"`
		PostalCode                 string `json:"postal_code"`
		InPrivacyRestrictedCountry bool   `json:"in_privacy_restricted_country"`
		Subdivisions               string `json:"subdivisions"`
		Coordinates                string `json:"coordinates"`
	} `json:"location"`
	ExpiresIn       int       `json:"expiresIn"`
	CreatedAt       time.Time `json:"createdAt"`
	ExpiresAt       time.Time `json:"expiresAt"`
	AuthToken       string    `json:"authToken"`
	NewRegistration bool      `json:"newRegistration"`
}

func decodeDasho(t *testing.T, body []byte) flowPin {
	t.Helper()
	var p dashoPin
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("DashoTV's PlexPin: %v\n%s", err, body)
	}
	if got := p.ExpiresAt.Sub(p.CreatedAt); got != mock.StrongLifetime {
		t.Errorf("expiresAt - createdAt = %v, want %v", got, mock.StrongLifetime)
	}
	return flowPin{ID: p.ID, Code: p.Code, Token: p.AuthToken}
}

// decodeLoose is a JavaScript client's view: JSON.parse and typeof checks
// (plex-oauth's types: id number, code string, authToken string | null).
func decodeLoose(t *testing.T, body []byte) flowPin {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("JSON.parse: %v\n%s", err, body)
	}
	id, ok := m["id"].(float64)
	if !ok {
		t.Fatalf("typeof id = %T, want number", m["id"])
	}
	code, ok := m["code"].(string)
	if !ok {
		t.Fatalf("typeof code = %T, want string", m["code"])
	}
	p := flowPin{ID: int64(id), Code: code}
	switch tok := m["authToken"].(type) {
	case nil:
	case string:
		p.Token = tok
	default:
		t.Fatalf("typeof authToken = %T, want string or null", tok)
	}
	return p
}

// goplexPin is jrudio/go-plex-client's PinResponse.
type goplexPin struct {
	ID               int    `json:"id"`
	Code             string `json:"code"`
	ClientIdentifier string `json:"clientIdentifier"`
	CreatedAt        string `json:"createdAt"`
	ExpiresAt        string `json:"expiresAt"`
	ExpiresIn        int    `json:"expiresIn"`
	AuthToken        string `json:"authToken"`
	Trusted          bool   `json:"trusted"`
	Location         struct {
		Code         string `json:"code"`
		Country      string `json:"country"`
		City         string `json:"city"`
		Subdivisions string `json:"subdivisions"`
		Coordinates  string `json:"coordinates"`
	} `json:"location"`
	Errors []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

func decodeGoplex(t *testing.T, body []byte) flowPin {
	t.Helper()
	var p goplexPin
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("go-plex-client's PinResponse: %v\n%s", err, body)
	}
	if len(p.Errors) > 0 {
		t.Fatalf("pin response carries errors: %+v", p.Errors)
	}
	return flowPin{ID: int64(p.ID), Code: p.Code, Token: p.AuthToken}
}

const goplexClient = "goplex-client-1"

func goplexHeaders(extra ...string) map[string]string {
	h := map[string]string{
		"X-Plex-Product": "go-plex-client", "X-Plex-Version": "0.0.1", "X-Plex-Client-Identifier": goplexClient,
		"X-Plex-Platform": "Linux", "X-Plex-Device": "cli",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

// goplexLink is LinkAccount: PUT /api/v2/pins/link.json, form code=, 204.
func goplexLink(t *testing.T, srv *mock.Server, p flowPin) {
	t.Helper()
	acc := srv.Accounts()[0]
	req := newReq("PUT", srv.URL+"/api/v2/pins/link.json", strings.NewReader(url.Values{"code": {p.Code}}.Encode()),
		goplexHeaders("X-Plex-Token", acc.AuthToken, "Content-Type", "application/x-www-form-urlencoded"))
	resp, body := send(t, srv, req)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("link.json = %d, want 204 (go-plex-client: should return 204 for success): %s", resp.StatusCode, body)
	}
}

// browser headers as Overseerr's and Jellyseerr's plex OAuth helpers send
// them from the page.
const browserOrigin = "http://localhost:5055"

func browserHeaders() map[string]string {
	return map[string]string{
		"Accept":                          "application/json",
		"Origin":                          browserOrigin,
		"X-Plex-Product":                  "Overseerr",
		"X-Plex-Version":                  "Plex OAuth",
		"X-Plex-Client-Identifier":        "0b6b1b9a-5d71-4c55-bb0e-1d1c3f2a9b7e",
		"X-Plex-Model":                    "Plex OAuth",
		"X-Plex-Platform":                 "Firefox",
		"X-Plex-Platform-Version":         "131.0",
		"X-Plex-Device":                   "Linux",
		"X-Plex-Device-Name":              "Firefox (Overseerr)",
		"X-Plex-Device-Screen-Resolution": "1920x1080",
		"X-Plex-Language":                 "en",
	}
}

// overseerrUser is the server side of Overseerr: GET /users/account.json
// with the token, reading {"user": {...}}.
func overseerrUser(t *testing.T, srv *mock.Server, token string) {
	t.Helper()
	resp, body := send(t, srv, newReq("GET", srv.URL+"/users/account.json", nil, map[string]string{
		"X-Plex-Token": token, "X-Plex-Client-Identifier": "overseerr-server", "Accept": "application/json",
	}))
	if resp.StatusCode != 200 {
		t.Fatalf("GET /users/account.json = %d, want 200: %s", resp.StatusCode, body)
	}
	var a struct {
		User struct {
			ID        int64  `json:"id"`
			UUID      string `json:"uuid"`
			Email     string `json:"email"`
			Username  string `json:"username"`
			Title     string `json:"title"`
			Thumb     string `json:"thumb"`
			AuthToken string `json:"authToken"`
		} `json:"user"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("account.json: %v\n%s", err, body)
	}
	if a.User.AuthToken != token || a.User.ID == 0 || a.User.Email == "" || a.User.Username == "" {
		t.Errorf("account.json user = %+v, want the token's account", a.User)
	}
}

// userJSON checks a token with GET /api/v2/user in JSON.
func userJSON(header map[string]string) func(*testing.T, *mock.Server, string) {
	return func(t *testing.T, srv *mock.Server, token string) {
		t.Helper()
		h := map[string]string{"Accept": "application/json", "X-Plex-Token": token}
		for k, v := range header {
			h[k] = v
		}
		resp, body := send(t, srv, newReq("GET", srv.URL+"/api/v2/user", nil, h))
		if resp.StatusCode != 200 {
			t.Fatalf("GET /api/v2/user = %d, want 200: %s", resp.StatusCode, body)
		}
		var u struct {
			ID        int64  `json:"id"`
			Username  string `json:"username"`
			AuthToken string `json:"authToken"`
			JoinedAt  int64  `json:"joinedAt"`
		}
		if err := json.Unmarshal(body, &u); err != nil {
			t.Fatalf("user JSON: %v\n%s", err, body)
		}
		if u.AuthToken != token || u.ID == 0 || u.JoinedAt == 0 {
			t.Errorf("user = %+v, want the token's account", u)
		}
	}
}

func clientFlows() []clientFlow {
	const radarrClient = "radarr-5b1c2d"
	return []clientFlow{
		{
			name: "python-plexapi oauth", strong: true, format: "xml",
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins?strong=True", nil, plexapiHeaders())
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), nil, plexapiHeaders())
			},
			decode:     decodeXMLAttrs,
			approve:    approveViaGo,
			checkToken: plexapiUser,
		},
		{
			name: "python-plexapi link", strong: false, format: "xml",
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins", nil, plexapiHeaders())
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), nil, plexapiHeaders())
			},
			decode:     decodeXMLAttrs,
			approve:    plexapiLink,
			checkToken: plexapiUser,
		},
		{
			name: "Radarr query string", strong: true, format: "json",
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins?"+radarrQuery(url.Values{"strong": {"True"}}), nil,
					map[string]string{"Accept": "application/json"})
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d?%s", base, p.ID, radarrQuery(nil)), nil,
					map[string]string{"Accept": "application/json"})
			},
			decode:  decodeRadarr,
			approve: approveViaControl(""),
			checkToken: func(t *testing.T, srv *mock.Server, token string) {
				t.Helper()
				q := url.Values{"X-Plex-Client-Identifier": {radarrClient}, "X-Plex-Token": {token}}
				resp, body := send(t, srv, newReq("GET", srv.URL+"/api/v2/ping?"+q.Encode(), nil, map[string]string{"Accept": "application/json"}))
				var pong struct {
					Pong bool `json:"pong"`
				}
				if resp.StatusCode != 200 || json.Unmarshal(body, &pong) != nil || !pong.Pong {
					t.Errorf("GET /api/v2/ping = %d %s, want 200 {\"pong\":true}", resp.StatusCode, body)
				}
			},
		},
		{
			name: "DashoTV form body", strong: true, format: "json",
			create: func(base string) *http.Request {
				form := url.Values{"strong": {"true"}, "X-Plex-Product": {"DashoTV"}, "X-Plex-Client-Identifier": {"dashotv-web"}}
				return newReq("POST", base+"/api/v2/pins", strings.NewReader(form.Encode()), map[string]string{
					"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded",
				})
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d?code=%s", base, p.ID, p.Code), nil, map[string]string{
					"Accept": "application/json", "X-Plex-Client-Identifier": "dashotv-web", "X-Plex-Product": "DashoTV",
				})
			},
			decode:     decodeDasho,
			approve:    approveViaGo,
			checkToken: userJSON(map[string]string{"X-Plex-Client-Identifier": "dashotv-web"}),
		},
		{
			name: "plex-oauth npm empty JSON string body", strong: true, format: "json",
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins?strong=true", strings.NewReader(`""`), map[string]string{
					"Accept": "application/json", "Content-Type": "application/json",
					"X-Plex-Product": "plex-oauth demo", "X-Plex-Client-Identifier": "plex-oauth-7c1e", "X-Plex-Version": "2.1.0",
				})
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), nil, map[string]string{
					"Accept": "application/json", "X-Plex-Client-Identifier": "plex-oauth-7c1e",
				})
			},
			decode: decodeLoose,
			approve: func(t *testing.T, srv *mock.Server, p flowPin) {
				approveViaControl(srv.Accounts()[2].Username)(t, srv, p)
			},
			checkToken: userJSON(map[string]string{"X-Plex-Client-Identifier": "plex-oauth-7c1e"}),
		},
		{
			name: "go-plex-client .json paths", strong: false, format: "json",
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins.json", nil, goplexHeaders())
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d.json", base, p.ID), nil, goplexHeaders())
			},
			decode:     decodeGoplex,
			approve:    goplexLink,
			checkToken: userJSON(map[string]string{"X-Plex-Client-Identifier": goplexClient}),
		},
		{
			name: "Overseerr browser", strong: true, format: "json", origin: browserOrigin,
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins?strong=true", nil, browserHeaders())
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), nil, browserHeaders())
			},
			decode: decodeLoose,
			approve: func(t *testing.T, srv *mock.Server, p flowPin) {
				t.Helper()
				if _, err := srv.ApproveCode(p.Code, ""); err != nil { // the auth page approves by code
					t.Fatalf("ApproveCode(%q): %v", p.Code, err)
				}
			},
			checkToken: overseerrUser,
		},
		{
			name: "axios default Accept gets XML", strong: true, format: "xml",
			create: func(base string) *http.Request {
				return newReq("POST", base+"/api/v2/pins?strong=true", nil, map[string]string{
					"Accept": "application/json, text/plain, */*", "X-Plex-Client-Identifier": "watcharr-1", "X-Plex-Product": "Watcharr",
				})
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), nil, map[string]string{
					"Accept": "application/json, text/plain, */*", "X-Plex-Client-Identifier": "watcharr-1",
				})
			},
			decode: func(t *testing.T, body []byte) flowPin {
				t.Helper()
				var v any
				if json.Unmarshal(body, &v) == nil {
					t.Errorf("body parses as JSON; plex.tv sends XML to axios's default Accept (WIRE.md §1.8)")
				}
				return decodeXMLAttrs(t, body)
			},
			approve:    approveViaGo,
			checkToken: userJSON(map[string]string{"X-Plex-Client-Identifier": "watcharr-1"}),
		},
		{
			name: "JWT variant JSON body", strong: true, format: "json",
			create: func(base string) *http.Request {
				body := `{"strong": true, "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "k1", "alg": "EdDSA"}}`
				return newReq("POST", base+"/api/v2/pins", strings.NewReader(body), map[string]string{
					"Accept": "application/json", "Content-Type": "application/json",
					"X-Plex-Client-Identifier": "jwt-device-1", "X-Plex-Product": "JWT App",
				})
			},
			poll: func(base string, p flowPin) *http.Request {
				return newReq("GET", fmt.Sprintf("%s/api/v2/pins/%d?deviceJWT=eyJhbGciOiJFZERTQSJ9.e30.sig", base, p.ID), nil, map[string]string{
					"Accept": "application/json", "X-Plex-Client-Identifier": "jwt-device-1",
				})
			},
			decode:     decodeLoose,
			approve:    approveViaGo,
			checkToken: userJSON(nil),
		},
	}
}

var (
	strongCodeRE = regexp.MustCompile(`^[a-z0-9]{25}$`)
	linkCodeRE   = regexp.MustCompile(`^[A-Z0-9]{4}$`)
)

func TestClientFlows(t *testing.T) {
	t.Parallel()
	for _, fl := range clientFlows() {
		t.Run(fl.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t)
			base := srv.URL

			check := func(step string, resp *http.Response, body []byte, status int) {
				t.Helper()
				if resp.StatusCode != status {
					t.Fatalf("%s: status %d, want %d\n%s", step, resp.StatusCode, status, body)
				}
				wantCT := map[string]string{"xml": "application/xml; charset=utf-8", "json": "application/json; charset=utf-8"}[fl.format]
				if ct := resp.Header.Get("Content-Type"); ct != wantCT {
					t.Errorf("%s: Content-Type %q, want %q", step, ct, wantCT)
				}
				if fl.origin != "" {
					if got := resp.Header.Get("Access-Control-Allow-Origin"); got != fl.origin {
						t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", step, got, fl.origin)
					}
				}
			}
			preflight := func(req *http.Request) {
				t.Helper()
				if fl.origin == "" {
					return
				}
				var names []string
				for k := range req.Header {
					if k != "Accept" && k != "Origin" {
						names = append(names, strings.ToLower(k))
					}
				}
				names = append(names, "accept")
				pf := newReq("OPTIONS", req.URL.String(), nil, map[string]string{
					"Origin": fl.origin, "Access-Control-Request-Method": req.Method,
					"Access-Control-Request-Headers": strings.Join(names, ","),
				})
				resp, body := send(t, srv, pf)
				if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
					t.Fatalf("preflight %s: status %d, want 2xx: %s", req.URL.Path, resp.StatusCode, body)
				}
				if got := resp.Header.Get("Access-Control-Allow-Origin"); got != fl.origin && got != "*" {
					t.Errorf("preflight: Access-Control-Allow-Origin %q, want %q", got, fl.origin)
				}
				if m := resp.Header.Get("Access-Control-Allow-Methods"); !strings.Contains(m, req.Method) {
					t.Errorf("preflight: Access-Control-Allow-Methods %q lacks %s", m, req.Method)
				}
				allowed := strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers"))
				for _, n := range names {
					if !strings.Contains(allowed, n) {
						t.Errorf("preflight: Access-Control-Allow-Headers %q lacks %s", allowed, n)
					}
				}
			}

			// Create.
			req := fl.create(base)
			preflight(req)
			resp, body := send(t, srv, req)
			check("create", resp, body, http.StatusCreated)
			pin := fl.decode(t, body)
			codeRE, life := linkCodeRE, mock.LinkLifetime
			if fl.strong {
				codeRE, life = strongCodeRE, mock.StrongLifetime
			}
			if !codeRE.MatchString(pin.Code) {
				t.Errorf("create: code %q does not match %s", pin.Code, codeRE)
			}
			if pin.ID <= 0 || pin.ID >= 1<<31 {
				t.Errorf("create: id %d, want in (0, 2^31)", pin.ID)
			}
			if pin.Token != "" {
				t.Errorf("create: authToken %q, want null", pin.Token)
			}

			// Poll while pending, a second later.
			srv.Clock().Advance(time.Second)
			req = fl.poll(base, pin)
			preflight(req)
			resp, body = send(t, srv, req)
			check("poll pending", resp, body, http.StatusOK)
			got := fl.decode(t, body)
			if diff := cmp.Diff(flowPin{ID: pin.ID, Code: pin.Code}, got); diff != "" {
				t.Errorf("poll pending (-want +got):\n%s", diff)
			}

			// The user approves; the next poll has the token.
			fl.approve(t, srv, pin)
			info, err := srv.PinInfo(pin.ID)
			if err != nil || info.AuthToken == nil {
				t.Fatalf("PinInfo after approval = %+v, %v; want a claimed pin", info, err)
			}
			srv.Clock().Advance(time.Second)
			resp, body = send(t, srv, fl.poll(base, pin))
			check("poll claimed", resp, body, http.StatusOK)
			got = fl.decode(t, body)
			if diff := cmp.Diff(flowPin{ID: pin.ID, Code: pin.Code, Token: *info.AuthToken}, got); diff != "" {
				t.Errorf("poll claimed (-want +got):\n%s", diff)
			}
			if _, ok := srv.AccountByToken(got.Token); !ok {
				t.Errorf("token %q belongs to no account", got.Token)
			}
			fl.checkToken(t, srv, got.Token)

			// The token stays readable until expiresAt, then the pin is gone.
			srv.Clock().Advance(life - 3*time.Second)
			resp, body = send(t, srv, fl.poll(base, pin))
			check("poll before expiry", resp, body, http.StatusOK)
			if fl.decode(t, body).Token != got.Token {
				t.Errorf("poll 1 s before expiry lost the token")
			}
			srv.Clock().Advance(time.Second)
			resp, body = send(t, srv, fl.poll(base, pin))
			check("poll after expiry", resp, body, http.StatusNotFound)
			if code := errorCode(t, fl.format, body); code != 1020 {
				t.Errorf("poll after expiry: error code %d, want 1020", code)
			}

			// The journal saw the flow in the client's format.
			for _, r := range srv.Requests(mock.RequestFilter{PinID: pin.ID, Method: "GET"}) {
				if r.Format != fl.format {
					t.Errorf("journal: %s %s recorded format %q, want %q", r.Method, r.Path, r.Format, fl.format)
				}
			}
		})
	}
}

// errorCode reads the code of plex.tv's error envelope in either format.
func errorCode(t *testing.T, format string, body []byte) int {
	t.Helper()
	if format == "json" {
		var e struct {
			Errors []struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
				Status  int    `json:"status"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
			t.Fatalf("error body %s: %v, want one error", body, err)
		}
		return e.Errors[0].Code
	}
	var e struct {
		XMLName xml.Name `xml:"errors"`
		Errors  []struct {
			Code    int    `xml:"code,attr"`
			Message string `xml:"message,attr"`
		} `xml:"error"`
	}
	if err := xml.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
		t.Fatalf("error body %s: %v, want one <error>", body, err)
	}
	return e.Errors[0].Code
}

// TestClientIdentityTransports checks where X-Plex-* values may come from
// and which wins (WIRE.md §1.1): header over query over form; names
// match case-insensitively; strong spelled true, True, 1 or JSON true.
func TestClientIdentityTransports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		path        string
		header      map[string]string
		body        string
		wantClient  string
		wantProduct string
		wantStrong  bool
	}{
		{name: "headers", path: "/api/v2/pins", header: map[string]string{"X-Plex-Client-Identifier": "h", "X-Plex-Product": "P"}, wantClient: "h", wantProduct: "P"},
		{name: "lower-case header names", path: "/api/v2/pins", header: map[string]string{"x-plex-client-identifier": "h", "x-plex-product": "P"}, wantClient: "h", wantProduct: "P"},
		{name: "query", path: "/api/v2/pins?X-Plex-Client-Identifier=q&X-Plex-Product=Q&strong=true", wantClient: "q", wantProduct: "Q", wantStrong: true},
		{name: "query lower-case names", path: "/api/v2/pins?x-plex-client-identifier=q&x-plex-product=Q&STRONG=TRUE", wantClient: "q", wantProduct: "Q", wantStrong: true},
		{name: "form", path: "/api/v2/pins", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "X-Plex-Client-Identifier=f&X-Plex-Product=F&strong=1", wantClient: "f", wantProduct: "F", wantStrong: true},
		{name: "header beats query", path: "/api/v2/pins?X-Plex-Client-Identifier=q", header: map[string]string{"X-Plex-Client-Identifier": "h"}, wantClient: "h"},
		{name: "query beats form", path: "/api/v2/pins?X-Plex-Client-Identifier=q", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "X-Plex-Client-Identifier=f", wantClient: "q"},
		{name: "strong=True", path: "/api/v2/pins?strong=True", header: map[string]string{"X-Plex-Client-Identifier": "c"}, wantClient: "c", wantStrong: true},
		{name: "strong=false", path: "/api/v2/pins?strong=false", header: map[string]string{"X-Plex-Client-Identifier": "c"}, wantClient: "c"},
		{name: "strong=yes is not strong", path: "/api/v2/pins?strong=yes", header: map[string]string{"X-Plex-Client-Identifier": "c"}, wantClient: "c"},
		{name: "JSON body strong", path: "/api/v2/pins", header: map[string]string{"X-Plex-Client-Identifier": "c", "Content-Type": "application/json"}, body: `{"strong":true}`, wantClient: "c", wantStrong: true},
		{name: "JSON body strong false", path: "/api/v2/pins", header: map[string]string{"X-Plex-Client-Identifier": "c", "Content-Type": "application/json; charset=utf-8"}, body: `{"strong":false}`, wantClient: "c"},
		{name: "JSON string body ignored", path: "/api/v2/pins?strong=true", header: map[string]string{"X-Plex-Client-Identifier": "c", "Content-Type": "application/json"}, body: `""`, wantClient: "c", wantStrong: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t)
			h := map[string]string{"Accept": "application/json"}
			for k, v := range tt.header {
				h[k] = v
			}
			req := newReq("POST", srv.URL+tt.path, strings.NewReader(tt.body), nil)
			for k, v := range h {
				req.Header[k] = []string{v} // as sent, without canonicalising
			}
			resp, body := send(t, srv, req)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST %s = %d, want 201: %s", tt.path, resp.StatusCode, body)
			}
			var p mock.Pin
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("pin JSON: %v", err)
			}
			if p.ClientIdentifier != tt.wantClient {
				t.Errorf("clientIdentifier = %q, want %q", p.ClientIdentifier, tt.wantClient)
			}
			if tt.wantProduct != "" && p.Product != tt.wantProduct {
				t.Errorf("product = %q, want %q", p.Product, tt.wantProduct)
			}
			if gotStrong := len(p.Code) == 25; gotStrong != tt.wantStrong {
				t.Errorf("code %q: strong = %v, want %v", p.Code, gotStrong, tt.wantStrong)
			}
		})
	}
}

// TestBrowserCORSRefusals checks that the control API never answers a
// browser's preflight with CORS approval.
func TestBrowserCORSRefusals(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	for _, path := range []string{"/__mockplex/pins", "/__mockplex/pins/1/approve", "/__mockplex/reset"} {
		resp, _ := send(t, srv, newReq("OPTIONS", srv.URL+path, nil, map[string]string{
			"Origin": browserOrigin, "Access-Control-Request-Method": "POST",
		}))
		if resp.StatusCode < 400 {
			t.Errorf("OPTIONS %s = %d, want a refusal (4xx)", path, resp.StatusCode)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("OPTIONS %s: Access-Control-Allow-Origin %q, want none", path, got)
		}
	}
}

// TestTokenCheckTransports replays the token checks of §1.7 in each
// transport clients use, the official forum's curl included: GET with the
// X-Plex-* values in a form body (curl -X GET -d …).
func TestTokenCheckTransports(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	token := srv.Accounts()[0].AuthToken
	form := url.Values{"X-Plex-Product": {"Forum"}, "X-Plex-Client-Identifier": {"forum-curl"}, "X-Plex-Token": {token}}.Encode()
	tests := []struct {
		name   string
		path   string
		header map[string]string
		body   string
		want   int
	}{
		{name: "header", path: "/api/v2/user", header: map[string]string{"X-Plex-Token": token}, want: 200},
		{name: "query", path: "/api/v2/user?X-Plex-Token=" + token, want: 200},
		{name: "forum curl GET with form body", path: "/api/v2/user", header: map[string]string{
			"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded",
		}, body: form, want: 200},
		{name: "wrong token in header beats right one in query", path: "/api/v2/user?X-Plex-Token=" + token, header: map[string]string{"X-Plex-Token": "wrong"}, want: 401},
		{name: "no token", path: "/api/v2/user", want: 401},
		{name: "ping query", path: "/api/v2/ping?X-Plex-Token=" + token, want: 200},
		{name: "account.json header", path: "/users/account.json", header: map[string]string{"X-Plex-Token": token}, want: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, body := send(t, srv, newReq("GET", srv.URL+tt.path, strings.NewReader(tt.body), tt.header))
			if resp.StatusCode != tt.want {
				t.Errorf("GET %s = %d, want %d: %s", tt.path, resp.StatusCode, tt.want, body)
			}
		})
	}
}

// TestLinkTransports claims link pins the ways clients do (WIRE.md
// §1.4): a form body (python-plexapi, go-plex-client), everything in the
// query string (a PHP client), and a code typed in lower case.
func TestLinkTransports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		build func(base, code, token string) *http.Request
		want  int
	}{
		{name: "form body", want: 204, build: func(base, code, token string) *http.Request {
			return newReq("PUT", base+"/api/v2/pins/link", strings.NewReader("code="+code), map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "X-Plex-Token": token, "X-Plex-Client-Identifier": "linker",
			})
		}},
		{name: "PHP query string", want: 204, build: func(base, code, token string) *http.Request {
			q := url.Values{"X-Plex-Client-Identifier": {"linker"}, "X-Plex-Token": {token}, "X-Plex-Product": {"Plex SSO"}, "code": {code}}
			return newReq("PUT", base+"/api/v2/pins/link?"+q.Encode(), nil, nil)
		}},
		{name: "lower-case code", want: 204, build: func(base, code, token string) *http.Request {
			return newReq("PUT", base+"/api/v2/pins/link", strings.NewReader("code="+strings.ToLower(code)), map[string]string{
				"Content-Type": "application/x-www-form-urlencoded", "X-Plex-Token": token, "X-Plex-Client-Identifier": "linker",
			})
		}},
		{name: "token in the form body", want: 204, build: func(base, code, token string) *http.Request {
			form := url.Values{"code": {code}, "X-Plex-Token": {token}, "X-Plex-Client-Identifier": {"linker"}}
			return newReq("PUT", base+"/api/v2/pins/link", strings.NewReader(form.Encode()), map[string]string{
				"Content-Type": "application/x-www-form-urlencoded",
			})
		}},
		{name: "no code", want: 404, build: func(base, code, token string) *http.Request {
			return newReq("PUT", base+"/api/v2/pins/link", nil, map[string]string{"X-Plex-Token": token, "X-Plex-Client-Identifier": "linker"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t)
			p, err := srv.CreatePin("tv-app", "TV", false)
			if err != nil {
				t.Fatal(err)
			}
			acc := srv.Accounts()[1]
			resp, body := send(t, srv, tt.build(srv.URL, p.Code, acc.AuthToken))
			if resp.StatusCode != tt.want {
				t.Fatalf("link = %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			info, err := srv.PinInfo(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantAccount := ""
			if tt.want == 204 {
				wantAccount = acc.Username
			}
			if info.Account != wantAccount {
				t.Errorf("pin claimed by %q, want %q", info.Account, wantAccount)
			}
			if tt.want != 204 {
				return
			}
			// Another account cannot link the claimed code.
			other := srv.Accounts()[2]
			resp, body = send(t, srv, tt.build(srv.URL, p.Code, other.AuthToken))
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("link of claimed %s by another account = %d, want 404: %s", p.Code, resp.StatusCode, body)
			}
			if info, _ := srv.PinInfo(p.ID); info.Account != acc.Username {
				t.Errorf("after another account's link the pin belongs to %q, want %q", info.Account, acc.Username)
			}
		})
	}
}

// TestLegacyV1Flow replays the v1 clients (WIRE.md §1.6): Plex for
// Kodi and node-plex-api-pinauth create with POST /pins.xml and poll
// /pins/{id}.xml, reading <auth_token>; Plex's Roku client polls the
// Location header's URL, https://plex.tv/pins/{id}, as given.
func TestLegacyV1Flow(t *testing.T) {
	t.Parallel()
	for _, followLocation := range []bool{false, true} {
		t.Run(fmt.Sprintf("follow Location=%v", followLocation), func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t, mock.WithPublicURL("http://mockplex.test"))
			h := map[string]string{"X-Plex-Client-Identifier": "kodi-1", "X-Plex-Product": "Plex for Kodi", "Accept": "*/*"}
			resp, body := send(t, srv, newReq("POST", srv.URL+"/pins.xml", nil, h))
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("POST /pins.xml = %d, want 201 (Plex for Kodi requires it): %s", resp.StatusCode, body)
			}
			var v1 struct {
				XMLName   xml.Name `xml:"pin"`
				ID        int64    `xml:"id"`
				Code      string   `xml:"code"`
				AuthToken string   `xml:"auth_token"`
				ExpiresAt string   `xml:"expires-at"`
			}
			if err := xml.Unmarshal(body, &v1); err != nil {
				t.Fatalf("v1 pin: %v\n%s", err, body)
			}
			if !linkCodeRE.MatchString(v1.Code) || v1.AuthToken != "" {
				t.Errorf("v1 create: code %q token %q, want a 4-character code and no token", v1.Code, v1.AuthToken)
			}
			loc := resp.Header.Get("Location")
			if want := fmt.Sprintf("http://mockplex.test/pins/%d", v1.ID); loc != want {
				t.Fatalf("Location = %q, want %q", loc, want)
			}
			pollURL := fmt.Sprintf("%s/pins/%d.xml", srv.URL, v1.ID)
			if followLocation {
				pollURL = srv.URL + strings.TrimPrefix(loc, "http://mockplex.test")
			}
			poll := func() (int, []byte) {
				resp, body := send(t, srv, newReq("GET", pollURL, nil, h))
				return resp.StatusCode, body
			}
			if code, body := poll(); code != 200 {
				t.Fatalf("GET %s = %d, want 200: %s", pollURL, code, body)
			}
			if _, err := srv.Approve(v1.ID, ""); err != nil {
				t.Fatal(err)
			}
			code, body := poll()
			if code != 200 {
				t.Fatalf("GET %s after approval = %d: %s", pollURL, code, body)
			}
			v1.AuthToken = ""
			if err := xml.Unmarshal(body, &v1); err != nil {
				t.Fatal(err)
			}
			if v1.AuthToken != srv.Accounts()[0].AuthToken {
				t.Errorf("auth_token = %q, want the default account's", v1.AuthToken)
			}
			srv.Clock().Advance(mock.LinkLifetime)
			if code, body := poll(); code != 404 {
				t.Errorf("GET %s after expiry = %d, want 404 (\"404 is expected for expired pins\"): %s", pollURL, code, body)
			}
		})
	}
}
