package mock_test

import (
	"bytes"
	"fmt"
	"image/png"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/mock"
	qrcode "github.com/skip2/go-qrcode"
)

// Golden-file tests: every endpoint, in XML and JSON, success and error.
// Each case runs on its own server with seed 1 and a clock frozen at
// frozenAt, so bodies are byte-for-byte reproducible. For each case
// testdata/golden/NAME.txt holds the request, the status line and the
// response headers (Date dropped), and NAME.json or NAME.xml the body,
// exactly as sent. A PNG body is summarised in the .txt as its decoded size.
//
// Values that are not reproducible are normalised before comparison and
// say so in the file: X-Request-Id and X-Runtime headers, the journal's
// durationNs, and the clock's offset from the wall clock (and its now, once
// resumed).
//
// Regenerate with: go test ./mock -run Golden -update

// Placeholders in a golden request, filled in from what the case's setup
// created: {id}, {code}, {token}, {client}, {account}.
type goldenVars map[string]string

func (v goldenVars) expand(s string) string {
	for k, val := range v {
		s = strings.ReplaceAll(s, "{"+k+"}", val)
	}
	return s
}

const (
	gClient = "golden-client"
	gOrigin = "http://localhost:5055"
)

// Request header sets used across cases.
var (
	gJSON    = map[string]string{"Accept": "application/json", "X-Plex-Client-Identifier": gClient, "X-Plex-Product": "Golden"}
	gXML     = map[string]string{"X-Plex-Client-Identifier": gClient, "X-Plex-Product": "Golden"}
	gNoID    = map[string]string{"Accept": "application/json", "X-Plex-Product": "Golden"}
	gNoIDXML = map[string]string{"X-Plex-Product": "Golden"}
)

func withHeaders(h map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(h)+len(kv)/2)
	for k, v := range h {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// Setups: each creates what a case's request needs and returns its vars.

func setupNone(t *testing.T, s *mock.Server) goldenVars { return goldenVars{} }

func setupPin(strong bool, act func(t *testing.T, s *mock.Server, id int64)) func(*testing.T, *mock.Server) goldenVars {
	return func(t *testing.T, s *mock.Server) goldenVars {
		t.Helper()
		p, err := s.CreatePin(gClient, "Golden", strong)
		if err != nil {
			t.Fatalf("CreatePin: %v", err)
		}
		if act != nil {
			act(t, s, p.ID)
		}
		acc := s.Accounts()[0]
		return goldenVars{"id": fmt.Sprint(p.ID), "code": p.Code, "token": acc.AuthToken, "account": acc.Username}
	}
}

func approve(t *testing.T, s *mock.Server, id int64) {
	t.Helper()
	if _, err := s.Approve(id, ""); err != nil {
		t.Fatalf("Approve(%d): %v", id, err)
	}
}

func advance(d time.Duration) func(*testing.T, *mock.Server, int64) {
	return func(t *testing.T, s *mock.Server, id int64) { s.Clock().Advance(d) }
}

// setupToken gives the default account's token and no pin.
func setupToken(t *testing.T, s *mock.Server) goldenVars {
	acc := s.Accounts()[0]
	return goldenVars{"token": acc.AuthToken, "account": acc.Username}
}

// setupV1 creates a pin through the legacy POST /pins.xml.
func setupV1(claim bool) func(*testing.T, *mock.Server) goldenVars {
	return func(t *testing.T, s *mock.Server) goldenVars {
		t.Helper()
		ex := roundTrip(t, s, http.MethodPost, "/pins.xml", gXML, "")
		if ex.Status != http.StatusCreated {
			t.Fatalf("POST /pins.xml = %d, want 201:\n%s", ex.Status, ex.RespBody)
		}
		pins := s.Pins()
		if len(pins) != 1 {
			t.Fatalf("Pins() after POST /pins.xml = %d pins, want 1", len(pins))
		}
		if claim {
			approve(t, s, pins[0].ID)
		}
		return goldenVars{"id": fmt.Sprint(pins[0].ID), "code": pins[0].Code}
	}
}

// setupV1Expired creates a legacy pin and lets it expire.
func setupV1Expired(t *testing.T, s *mock.Server) goldenVars {
	t.Helper()
	v := setupV1(false)(t, s)
	s.Clock().Advance(mock.LinkLifetime)
	return v
}

// setupTraffic sends a few API requests from two clients, for the journal.
func setupTraffic(t *testing.T, s *mock.Server) goldenVars {
	t.Helper()
	a := withHeaders(gJSON, "X-Plex-Client-Identifier", "client-a")
	b := withHeaders(gXML, "X-Plex-Client-Identifier", "client-b")
	roundTrip(t, s, http.MethodPost, "/api/v2/pins?strong=true", a, "")
	roundTrip(t, s, http.MethodPost, "/api/v2/pins", b, "")
	roundTrip(t, s, http.MethodGet, "/api/v2/pins/1", a, "")
	roundTrip(t, s, http.MethodGet, "/api/v2/user", b, "")
	roundTrip(t, s, http.MethodGet, "/__mockplex/pins", nil, "") // not journaled
	return setupPin(false, nil)(t, s)
}

type goldenCase struct {
	name   string
	opts   []mock.Option
	setup  func(*testing.T, *mock.Server) goldenVars
	method string
	path   string
	header map[string]string
	body   string
	// status and format are what the case is about; they are checked even
	// when -update rewrites the files.
	status int
	format string // "json", "xml", "png", "json-empty" or "" for no body
	// normalise lists extra body normalisations (see normalisers).
	normalise []string
}

func goldenCases() []goldenCase {
	form := "application/x-www-form-urlencoded"
	linkHdr := func(h map[string]string) map[string]string {
		return withHeaders(h, "X-Plex-Token", "{token}", "Content-Type", form)
	}
	pending := setupPin(false, advance(24*time.Second))
	claimed := setupPin(false, func(t *testing.T, s *mock.Server, id int64) {
		approve(t, s, id)
		s.Clock().Advance(time.Minute)
	})
	expired := setupPin(false, advance(mock.LinkLifetime))
	link := setupPin(false, nil)
	strong := setupPin(true, nil)
	tokenHdr := func(h map[string]string) map[string]string { return withHeaders(h, "X-Plex-Token", "{token}") }

	return []goldenCase{
		// POST /api/v2/pins
		{name: "create-strong-json", setup: setupNone, method: "POST", path: "/api/v2/pins?strong=true", header: gJSON, status: 201, format: "json"},
		{name: "create-strong-xml", setup: setupNone, method: "POST", path: "/api/v2/pins?strong=true", header: gXML, status: 201, format: "xml"},
		{name: "create-link-json", setup: setupNone, method: "POST", path: "/api/v2/pins", header: gJSON, status: 201, format: "json"},
		{name: "create-link-xml", setup: setupNone, method: "POST", path: "/api/v2/pins", header: withHeaders(gXML, "Accept", "*/*"), status: 201, format: "xml"},
		{name: "create-strong-dotjson", setup: setupNone, method: "POST", path: "/api/v2/pins.json?strong=true", header: gXML, status: 201, format: "json"},
		{name: "create-axios-accept-xml", setup: setupNone, method: "POST", path: "/api/v2/pins?strong=true", header: withHeaders(gJSON, "Accept", "application/json, text/plain, */*"), status: 201, format: "xml"},
		{name: "create-axios-accept-legacy-json", opts: []mock.Option{mock.WithConfig(mock.Config{LegacyAccept: true})}, setup: setupNone, method: "POST", path: "/api/v2/pins?strong=true", header: withHeaders(gJSON, "Accept", "application/json, text/plain, */*"), status: 201, format: "json"},
		{name: "create-missing-client-json", setup: setupNone, method: "POST", path: "/api/v2/pins", header: gNoID, status: 400, format: "json"},
		{name: "create-missing-client-xml", setup: setupNone, method: "POST", path: "/api/v2/pins", header: gNoIDXML, status: 400, format: "xml"},
		{name: "create-get-405-json", setup: setupNone, method: "GET", path: "/api/v2/pins", header: gJSON, status: 405, format: "json"},
		{name: "create-get-405-xml", setup: setupNone, method: "GET", path: "/api/v2/pins", header: gXML, status: 405, format: "xml"},

		// GET /api/v2/pins/{id}
		{name: "poll-pending-json", setup: pending, method: "GET", path: "/api/v2/pins/{id}", header: gJSON, status: 200, format: "json"},
		{name: "poll-pending-xml", setup: pending, method: "GET", path: "/api/v2/pins/{id}", header: gXML, status: 200, format: "xml"},
		{name: "poll-pending-dotjson", setup: pending, method: "GET", path: "/api/v2/pins/{id}.json", header: gXML, status: 200, format: "json"},
		{name: "poll-claimed-json", setup: claimed, method: "GET", path: "/api/v2/pins/{id}", header: gJSON, status: 200, format: "json"},
		{name: "poll-claimed-xml", setup: claimed, method: "GET", path: "/api/v2/pins/{id}", header: gXML, status: 200, format: "xml"},
		{name: "poll-unknown-json", setup: setupNone, method: "GET", path: "/api/v2/pins/1234567890", header: gJSON, status: 404, format: "json"},
		{name: "poll-unknown-xml", setup: setupNone, method: "GET", path: "/api/v2/pins/1234567890", header: gXML, status: 404, format: "xml"},
		{name: "poll-wrong-client-json", setup: link, method: "GET", path: "/api/v2/pins/{id}", header: withHeaders(gJSON, "X-Plex-Client-Identifier", "another-client"), status: 404, format: "json"},
		{name: "poll-expired-json", setup: expired, method: "GET", path: "/api/v2/pins/{id}", header: gJSON, status: 404, format: "json"},
		{name: "poll-expired-xml", setup: expired, method: "GET", path: "/api/v2/pins/{id}", header: gXML, status: 404, format: "xml"},
		{name: "poll-missing-client-json", setup: link, method: "GET", path: "/api/v2/pins/{id}", header: gNoID, status: 400, format: "json"},
		{name: "poll-nonnumeric-json", setup: setupNone, method: "GET", path: "/api/v2/pins/undefined", header: gJSON, status: 400, format: "json"},
		{name: "poll-nonnumeric-xml", setup: setupNone, method: "GET", path: "/api/v2/pins/undefined", header: gXML, status: 400, format: "xml"},
		{name: "poll-delete-405-json", setup: link, method: "DELETE", path: "/api/v2/pins/{id}", header: gJSON, status: 405, format: "json"},

		// PUT /api/v2/pins/link
		{name: "link-204", setup: link, method: "PUT", path: "/api/v2/pins/link", header: linkHdr(gXML), body: "code={code}", status: 204},
		{name: "link-dotjson-204", setup: link, method: "PUT", path: "/api/v2/pins/link.json", header: linkHdr(gXML), body: "code={code}", status: 204},
		{name: "link-bad-token-json", setup: link, method: "PUT", path: "/api/v2/pins/link", header: withHeaders(linkHdr(gJSON), "X-Plex-Token", "not-a-token"), body: "code={code}", status: 401, format: "json"},
		{name: "link-bad-token-xml", setup: link, method: "PUT", path: "/api/v2/pins/link", header: withHeaders(linkHdr(gXML), "X-Plex-Token", "not-a-token"), body: "code={code}", status: 401, format: "xml"},
		{name: "link-unknown-code-json", setup: link, method: "PUT", path: "/api/v2/pins/link", header: linkHdr(gJSON), body: "code=ZZZZ", status: 404, format: "json"},
		{name: "link-unknown-code-xml", setup: link, method: "PUT", path: "/api/v2/pins/link", header: linkHdr(gXML), body: "code=ZZZZ", status: 404, format: "xml"},
		{name: "link-expired-code-json", setup: expired, method: "PUT", path: "/api/v2/pins/link", header: linkHdr(gJSON), body: "code={code}", status: 404, format: "json"},
		{name: "link-missing-client-json", setup: link, method: "PUT", path: "/api/v2/pins/link", header: withHeaders(linkHdr(gJSON), "X-Plex-Client-Identifier", ""), body: "code={code}", status: 400, format: "json"},
		// The API links strong codes too (WIRE.md J2.1); the link page does not.
		{name: "link-strong-code-204", setup: strong, method: "PUT", path: "/api/v2/pins/link", header: linkHdr(gJSON), body: "code={code}", status: 204},

		// GET /api/v2/user, /users/account, /api/v2/ping
		{name: "user-json", setup: setupToken, method: "GET", path: "/api/v2/user", header: tokenHdr(gJSON), status: 200, format: "json"},
		{name: "user-xml", setup: setupToken, method: "GET", path: "/api/v2/user", header: tokenHdr(gXML), status: 200, format: "xml"},
		{name: "user-401-json", setup: setupToken, method: "GET", path: "/api/v2/user", header: withHeaders(gJSON, "X-Plex-Token", "not-a-token"), status: 401, format: "json"},
		{name: "user-401-xml", setup: setupToken, method: "GET", path: "/api/v2/user", header: gXML, status: 401, format: "xml"},
		{name: "account-dotjson", setup: setupToken, method: "GET", path: "/users/account.json", header: tokenHdr(gXML), status: 200, format: "json"},
		{name: "account-xml", setup: setupToken, method: "GET", path: "/users/account", header: tokenHdr(gXML), status: 200, format: "xml"},
		{name: "account-401-json", setup: setupToken, method: "GET", path: "/users/account.json", header: gXML, status: 401, format: "json"},
		{name: "ping-json", setup: setupToken, method: "GET", path: "/api/v2/ping", header: tokenHdr(gJSON), status: 200, format: "json"},
		{name: "ping-xml", setup: setupToken, method: "GET", path: "/api/v2/ping", header: tokenHdr(gXML), status: 200, format: "xml"},
		{name: "ping-401-json", setup: setupToken, method: "GET", path: "/api/v2/ping", header: gJSON, status: 401, format: "json"},

		// GET /api/v2/pins/qr/{code}
		{name: "qr-png", setup: link, method: "GET", path: "/api/v2/pins/qr/{code}", status: 200, format: "png"},
		{name: "qr-unknown-json", setup: setupNone, method: "GET", path: "/api/v2/pins/qr/ZZZZ", header: map[string]string{"Accept": "application/json"}, status: 404, format: "json"},

		// Legacy v1
		{name: "v1-create", setup: setupNone, method: "POST", path: "/pins.xml", header: gXML, status: 201, format: "xml"},
		{name: "v1-create-json-accept-still-xml", setup: setupNone, method: "POST", path: "/pins.xml", header: gJSON, status: 201, format: "xml"},
		{name: "v1-create-missing-client", setup: setupNone, method: "POST", path: "/pins.xml", header: gNoIDXML, status: 400, format: "xml"},
		{name: "v1-poll-pending", setup: setupV1(false), method: "GET", path: "/pins/{id}.xml", header: gXML, status: 200, format: "xml"},
		{name: "v1-poll-claimed", setup: setupV1(true), method: "GET", path: "/pins/{id}.xml", header: gXML, status: 200, format: "xml"},
		{name: "v1-poll-nonnumeric", setup: setupNone, method: "GET", path: "/pins/abc.xml", header: gXML, status: 400, format: "xml"},
		{name: "v1-poll-expired", setup: setupV1Expired, method: "GET", path: "/pins/{id}.xml", header: gXML, status: 404, format: "xml"},
		{name: "v1-poll-unknown", setup: setupNone, method: "GET", path: "/pins/1234567890.xml", header: gXML, status: 404, format: "xml"},

		// CORS
		{name: "cors-preflight-create", setup: setupNone, method: "OPTIONS", path: "/api/v2/pins?strong=true", header: map[string]string{
			"Origin": gOrigin, "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "accept,x-plex-client-identifier,x-plex-device,x-plex-device-name,x-plex-platform,x-plex-product,x-plex-version",
		}, status: 204},
		{name: "cors-preflight-no-origin", setup: setupNone, method: "OPTIONS", path: "/api/v2/pins/123", header: map[string]string{"Access-Control-Request-Method": "GET"}, status: 204},
		{name: "cors-actual-create", setup: setupNone, method: "POST", path: "/api/v2/pins?strong=true", header: withHeaders(gJSON, "Origin", gOrigin), status: 201, format: "json"},
		{name: "cors-actual-error", setup: setupNone, method: "GET", path: "/api/v2/pins/1234567890", header: withHeaders(gJSON, "Origin", gOrigin), status: 404, format: "json"},

		// Unknown routes and methods
		{name: "route-unknown-json", setup: setupNone, method: "GET", path: "/api/v2/nope", header: gJSON, status: 404, format: "json"},
		{name: "route-unknown-xml", setup: setupNone, method: "GET", path: "/api/v2/nope", header: gXML, status: 404, format: "xml"},
		{name: "route-link-get-bad-id", setup: setupNone, method: "GET", path: "/api/v2/pins/link", header: gJSON, status: 400, format: "json"},
		{name: "route-user-post-405", setup: setupNone, method: "POST", path: "/api/v2/user", header: gJSON, status: 405, format: "json"},
		{name: "scenario-header-unknown", setup: setupNone, method: "POST", path: "/api/v2/pins", header: withHeaders(gJSON, "X-Mockplex-Scenario", "no-such-scenario"), status: 400, format: "json"},

		// Health
		{name: "healthz", setup: setupNone, method: "GET", path: "/healthz", status: 200, format: "json"},
		{name: "readyz", setup: link, method: "GET", path: "/readyz", status: 200, format: "json"},

		// Control API
		{name: "ctl-pins", setup: setupTraffic, method: "GET", path: "/__mockplex/pins", status: 200, format: "json"},
		{name: "ctl-pin", setup: claimed, method: "GET", path: "/__mockplex/pins/{id}", status: 200, format: "json"},
		{name: "ctl-pin-unknown", setup: setupNone, method: "GET", path: "/__mockplex/pins/1234567890", status: 404, format: "json"},
		{name: "ctl-approve", setup: link, method: "POST", path: "/__mockplex/pins/{id}/approve", status: 200, format: "json"},
		{name: "ctl-approve-account", setup: setupPin(true, nil), method: "POST", path: "/__mockplex/pins/{id}/approve", header: map[string]string{"Content-Type": "application/json"}, body: `{"account":"{second}"}`, status: 200, format: "json"},
		{name: "ctl-approve-new-registration", setup: link, method: "POST", path: "/__mockplex/pins/{id}/approve", body: `{"newRegistration":true}`, status: 200, format: "json"},
		{name: "ctl-approve-unknown-account", setup: link, method: "POST", path: "/__mockplex/pins/{id}/approve", body: `{"account":"nobody"}`, status: 400, format: "json"},
		{name: "ctl-approve-bad-body", setup: link, method: "POST", path: "/__mockplex/pins/{id}/approve", body: `{"acount":"typo"}`, status: 400, format: "json"},
		{name: "ctl-approve-unknown-pin", setup: setupNone, method: "POST", path: "/__mockplex/pins/1234567890/approve", status: 404, format: "json"},
		{name: "ctl-approve-claimed-by-another", setup: claimed, method: "POST", path: "/__mockplex/pins/{id}/approve", body: `{"account":"{second}"}`, status: 409, format: "json"},
		{name: "ctl-approve-bad-id", setup: setupNone, method: "POST", path: "/__mockplex/pins/abc/approve", status: 400, format: "json"},
		{name: "ctl-approve-denied", setup: setupPin(false, func(t *testing.T, s *mock.Server, id int64) {
			if _, err := s.Deny(id); err != nil {
				t.Fatalf("Deny(%d): %v", id, err)
			}
		}), method: "POST", path: "/__mockplex/pins/{id}/approve", status: 409, format: "json"},
		{name: "ctl-expire-unknown", setup: setupNone, method: "POST", path: "/__mockplex/pins/1234567890/expire", status: 404, format: "json"},
		{name: "ctl-deny", setup: link, method: "POST", path: "/__mockplex/pins/{id}/deny", status: 200, format: "json"},
		{name: "ctl-expire", setup: link, method: "POST", path: "/__mockplex/pins/{id}/expire", status: 200, format: "json"},
		{name: "ctl-reset", setup: setupTraffic, method: "POST", path: "/__mockplex/reset", status: 204},
		{name: "ctl-requests", setup: setupTraffic, method: "GET", path: "/__mockplex/requests", status: 200, format: "json", normalise: []string{"duration"}},
		{name: "ctl-requests-by-client", setup: setupTraffic, method: "GET", path: "/__mockplex/requests?client=client-a", status: 200, format: "json", normalise: []string{"duration"}},
		{name: "ctl-requests-by-status-method", setup: setupTraffic, method: "GET", path: "/__mockplex/requests?status=201&method=post", status: 200, format: "json", normalise: []string{"duration"}},
		{name: "ctl-requests-by-path-limit", setup: setupTraffic, method: "GET", path: "/__mockplex/requests?path=/api/v2/pins&limit=1", status: 200, format: "json", normalise: []string{"duration"}},
		{name: "ctl-requests-bad-filter", setup: setupNone, method: "GET", path: "/__mockplex/requests?status=abc", status: 400, format: "json"},
		{name: "ctl-requests-delete", setup: setupTraffic, method: "DELETE", path: "/__mockplex/requests", status: 204},
		{name: "ctl-accounts", setup: setupNone, method: "GET", path: "/__mockplex/accounts", status: 200, format: "json"},
		{name: "ctl-clock", setup: setupNone, method: "GET", path: "/__mockplex/clock", status: 200, format: "json", normalise: []string{"offset"}},
		{name: "ctl-clock-advance", setup: setupNone, method: "POST", path: "/__mockplex/clock/advance?by=30m", status: 200, format: "json", normalise: []string{"offset"}},
		{name: "ctl-clock-advance-bad", setup: setupNone, method: "POST", path: "/__mockplex/clock/advance?by=soon", status: 400, format: "json"},
		{name: "ctl-clock-freeze", setup: setupNone, method: "POST", path: "/__mockplex/clock/freeze", status: 200, format: "json", normalise: []string{"offset"}},
		{name: "ctl-clock-resume", setup: setupNone, method: "POST", path: "/__mockplex/clock/resume", status: 200, format: "json", normalise: []string{"offset", "now"}},
		{name: "ctl-scenario-put", setup: setupNone, method: "PUT", path: "/__mockplex/clients/" + gClient + "/scenario", body: `{"scenario":"expiry"}`, status: 200, format: "json"},
		{name: "ctl-scenario-get", setup: func(t *testing.T, s *mock.Server) goldenVars {
			if err := s.SetClientScenario(gClient, "delayed-token"); err != nil {
				t.Fatalf("SetClientScenario: %v", err)
			}
			return goldenVars{}
		}, method: "GET", path: "/__mockplex/clients/" + gClient + "/scenario", status: 200, format: "json"},
		{name: "ctl-scenario-delete", setup: setupNone, method: "DELETE", path: "/__mockplex/clients/" + gClient + "/scenario", status: 204},
		{name: "ctl-scenario-unknown", setup: setupNone, method: "PUT", path: "/__mockplex/clients/" + gClient + "/scenario", body: `{"scenario":"no-such-scenario"}`, status: 400, format: "json"},
		{name: "ctl-unknown-route", setup: setupNone, method: "GET", path: "/__mockplex/nope", status: 404, format: "json"},

		// Guard
		{name: "guard-control-off", opts: []mock.Option{mock.WithControl(false)}, setup: setupNone, method: "GET", path: "/__mockplex/pins", status: 404, format: "json"},
		{name: "guard-token-missing", opts: []mock.Option{mock.WithControlToken("s3cret")}, setup: setupNone, method: "GET", path: "/__mockplex/pins", status: 401, format: "json"},
		{name: "guard-token-wrong", opts: []mock.Option{mock.WithControlToken("s3cret")}, setup: setupNone, method: "GET", path: "/__mockplex/pins", header: map[string]string{"X-Mockplex-Token": "guess"}, status: 401, format: "json"},
		{name: "guard-token-header", opts: []mock.Option{mock.WithControlToken("s3cret")}, setup: link, method: "GET", path: "/__mockplex/pins", header: map[string]string{"X-Mockplex-Token": "s3cret"}, status: 200, format: "json"},
		{name: "guard-token-bearer", opts: []mock.Option{mock.WithControlToken("s3cret")}, setup: link, method: "POST", path: "/__mockplex/pins/{id}/approve", header: map[string]string{"Authorization": "Bearer s3cret"}, status: 200, format: "json"},
		{name: "guard-token-cookie", opts: []mock.Option{mock.WithControlToken("s3cret")}, setup: setupNone, method: "GET", path: "/__mockplex/accounts", header: map[string]string{"Cookie": "mockplex_token=s3cret"}, status: 200, format: "json"},
		{name: "guard-api-unaffected", opts: []mock.Option{mock.WithControlToken("s3cret")}, setup: setupNone, method: "POST", path: "/api/v2/pins", header: gJSON, status: 201, format: "json"},
	}
}

// normalisers make a body reproducible; each is named in the golden file.
var normalisers = map[string]struct {
	re   *regexp.Regexp
	with string
}{
	"duration": {regexp.MustCompile(`"durationNs": [0-9]+`), `"durationNs": 0`},
	"offset":   {regexp.MustCompile(`"offset": "[^"]*"`), `"offset": "<offset>"`},
	"now":      {regexp.MustCompile(`"now": "[^"]*"`), `"now": "<now>"`},
}

// volatileHeaders are replaced by a placeholder; Date is dropped.
var volatileHeaders = []string{"X-Request-Id", "X-Runtime"}

func TestGolden(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, tc := range slices.Concat(goldenCases(), jwtGoldenCases(), worldGoldenCases()) {
		if seen[tc.name] {
			t.Fatalf("duplicate golden case %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t, tc.opts...)
			vars := tc.setup(t, srv)
			if accs := srv.Accounts(); len(accs) > 1 {
				vars["second"] = accs[1].Username
			}
			vars["client"] = gClient
			hdr := make(map[string]string, len(tc.header))
			for k, v := range tc.header {
				hdr[k] = vars.expand(v)
			}
			ex := roundTrip(t, srv, tc.method, vars.expand(tc.path), hdr, vars.expand(tc.body))
			checkGoldenFormat(t, tc, ex)
			head, body, ext := renderGolden(t, tc, ex)
			compareGolden(t, tc.name+".txt", head)
			if ext != "" {
				compareGolden(t, tc.name+ext, body)
			}
		})
	}
	t.Run("no-stale-files", func(t *testing.T) {
		t.Parallel()
		files, err := filepath.Glob(filepath.Join("testdata", "golden", "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := filepath.Base(f)
			name := strings.TrimSuffix(base, filepath.Ext(base))
			if !seen[name] {
				t.Errorf("testdata/golden/%s belongs to no case; delete it", base)
			}
		}
	})
}

// checkGoldenFormat checks the status and content type a case is about.
func checkGoldenFormat(t *testing.T, tc goldenCase, ex exchange) {
	t.Helper()
	if ex.Status != tc.status {
		t.Errorf("%s %s = %d, want %d\n%s", tc.method, tc.path, ex.Status, tc.status, ex.RespBody)
	}
	ct := ex.RespHeader.Get("Content-Type")
	want := map[string]string{
		"json": "application/json; charset=utf-8",
		"xml":  "application/xml; charset=utf-8",
		"png":  "image/png",
		// json-empty: a JSON content type and no body (POST
		// /api/v2/auth/jwk's 201).
		"json-empty": "application/json; charset=utf-8",
		"":           "",
	}[tc.format]
	if ct != want {
		t.Errorf("%s %s: Content-Type = %q, want %q", tc.method, tc.path, ct, want)
	}
	if (tc.format == "" || tc.format == "json-empty") && len(ex.RespBody) != 0 {
		t.Errorf("%s %s: body = %q, want none", tc.method, tc.path, ex.RespBody)
	}
}

// renderGolden returns the .txt content (request, status, headers), the
// body and the body file's extension.
func renderGolden(t *testing.T, tc goldenCase, ex exchange) (head, body []byte, ext string) {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s\n", ex.Method, ex.Path)
	for _, k := range slices.Sorted(maps.Keys(ex.Header)) {
		fmt.Fprintf(&b, "%s: %s\n", k, ex.Header[k])
	}
	if ex.Body != "" {
		fmt.Fprintf(&b, "\n%s\n", ex.Body)
	}
	fmt.Fprintf(&b, "\n%d %s\n", ex.Status, http.StatusText(ex.Status))
	h := ex.RespHeader.Clone()
	h.Del("Date")
	volatile := volatileHeaders
	if len(tc.normalise) > 0 || tc.format == "png" {
		// A normalised body changes length; a PNG's length depends on
		// the Go version's zlib.
		volatile = append(slices.Clip(volatile), "Content-Length")
	}
	for _, k := range volatile {
		if h.Get(k) != "" {
			h.Set(k, "<normalised>")
		}
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	body = ex.RespBody
	for _, n := range tc.normalise {
		nz := normalisers[n]
		body = nz.re.ReplaceAll(body, []byte(nz.with))
	}
	if len(tc.normalise) > 0 {
		fmt.Fprintf(&b, "\n(body normalised: %s)\n", strings.Join(tc.normalise, ", "))
	}
	switch tc.format {
	case "json":
		ext = ".json"
	case "xml":
		ext = ".xml"
	case "png":
		img, err := png.Decode(bytes.NewReader(ex.RespBody))
		if err != nil {
			t.Fatalf("body is not a PNG: %v", err)
		}
		fmt.Fprintf(&b, "\n(body: PNG %dx%d)\n", img.Bounds().Dx(), img.Bounds().Dy())
	}
	return b.Bytes(), body, ext
}

// compareGolden compares got with testdata/golden/name, or rewrites the file
// under -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test ./mock -run Golden -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-golden +got); if the change is intended, run go test ./mock -run Golden -update:\n%s", path, diff)
	}
}

// TestQR checks that GET /api/v2/pins/qr/{code} serves a PNG of the link
// URL (WIRE.md §1.5: https://plex.tv/link/?pin=CODE, or the public URL
// when one is set), the same bytes a QR encoder makes of that URL, and 404
// once the pin is gone.
func TestQR(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []mock.Option
		strong  bool
		method  string
		expire  bool
		wantURL string // printf pattern with the code
		wantQR  string // the pin's qr field
		status  int
	}{
		{name: "link pin", method: "GET", wantURL: "https://plex.tv/link/?pin=%s", wantQR: "https://plex.tv/api/v2/pins/qr/%s", status: 200},
		{name: "strong pin", strong: true, method: "GET", wantURL: "https://plex.tv/link/?pin=%s", wantQR: "https://plex.tv/api/v2/pins/qr/%s", status: 200},
		{name: "public url", opts: []mock.Option{mock.WithPublicURL("http://localhost:8080")}, method: "GET", wantURL: "http://localhost:8080/link?pin=%s", wantQR: "http://localhost:8080/api/v2/pins/qr/%s", status: 200},
		{name: "head", method: "HEAD", wantQR: "https://plex.tv/api/v2/pins/qr/%s", status: 200},
		{name: "expired", method: "GET", expire: true, wantQR: "https://plex.tv/api/v2/pins/qr/%s", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t, tt.opts...)
			p, err := srv.CreatePin(gClient, "QR", tt.strong)
			if err != nil {
				t.Fatalf("CreatePin: %v", err)
			}
			if want := fmt.Sprintf(tt.wantQR, p.Code); p.QR != want {
				t.Errorf("qr = %q, want %q", p.QR, want)
			}
			if tt.expire {
				srv.Clock().Advance(mock.LinkLifetime)
			}
			ex := roundTrip(t, srv, tt.method, "/api/v2/pins/qr/"+p.Code, nil, "")
			if ex.Status != tt.status {
				t.Fatalf("%s qr = %d, want %d: %s", tt.method, ex.Status, tt.status, ex.RespBody)
			}
			if tt.status != 200 {
				return
			}
			if ct := ex.RespHeader.Get("Content-Type"); ct != "image/png" {
				t.Errorf("Content-Type = %q, want image/png", ct)
			}
			if tt.method == "HEAD" {
				if len(ex.RespBody) != 0 || ex.RespHeader.Get("Content-Length") == "0" {
					t.Errorf("HEAD: body %d bytes, Content-Length %q; want no body and the GET's length", len(ex.RespBody), ex.RespHeader.Get("Content-Length"))
				}
				return
			}
			img, err := png.Decode(bytes.NewReader(ex.RespBody))
			if err != nil {
				t.Fatalf("body is not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != b.Dy() || b.Dx() < 100 {
				t.Errorf("PNG is %dx%d, want a square of at least 100 px", b.Dx(), b.Dy())
			}
			url := fmt.Sprintf(tt.wantURL, p.Code)
			want, err := qrcode.Encode(url, qrcode.Medium, 256)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ex.RespBody, want) {
				t.Errorf("PNG is not the QR code of %q", url)
			}
		})
	}
}
