package mock_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// The bad-input catalogue's rows for issue 18 (hardening, round 3): one
// per numbered item, each answered 4xx. Rows that need a signed-in device
// run their own exchanges over the catalogue server's real transport.

// catJWK is a syntactically valid JWK with kid.
func catJWK(kid string) string {
	return `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"` + kid + `"}`
}

// catJSON sends a JSON request to cs as client over a new connection.
func catJSON(t *testing.T, cs *catServer, method, target, client string, body any, headers ...string) catReply {
	t.Helper()
	hd := []string{hJSON}
	if client != "" {
		hd = append(hd, "X-Plex-Client-Identifier: "+client)
	}
	raw := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
		hd = append(hd, ctJSON)
	}
	return cs.send(t, method, renderReq(method, target, append(hd, headers...), raw))
}

// catDevice signs client in on cs with key and the default account's
// legacy token, and returns its Plex JWT.
func catDevice(t *testing.T, cs *catServer, client string, key *device.Key) string {
	t.Helper()
	if got := catJSON(t, cs, "POST", "/api/v2/auth/jwk", client, map[string]any{"jwk": key.JWK()}, "X-Plex-Token: "+cs.fix.token); got.status != http.StatusCreated {
		t.Fatalf("E1 = %d %s", got.status, got.body)
	}
	got := catJSON(t, cs, "GET", "/api/v2/auth/nonce", client, nil)
	var n struct{ Nonce string }
	if err := json.Unmarshal(got.body, &n); err != nil {
		t.Fatalf("nonce = %d %s", got.status, got.body)
	}
	jwt, err := key.TokenJWT(client, n.Nonce, "", cs.srv.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	got = catJSON(t, cs, "POST", "/api/v2/auth/token", client, map[string]string{"jwt": jwt})
	var tok struct {
		AuthToken string `json:"auth_token"`
	}
	if err := json.Unmarshal(got.body, &tok); err != nil || tok.AuthToken == "" {
		t.Fatalf("token = %d %s", got.status, got.body)
	}
	return tok.AuthToken
}

func hardening3Catalogue() []badRequest {
	pinJSON := h(hClient, hJSON, ctJSON)
	return []badRequest{
		// Item 1: a kid over 128 bytes is refused, not stored.
		{name: "JWK pin with a 3.9 KB kid", raw: rawReq("POST", "/api/v2/pins", pinJSON, `{"jwk":`+catJWK(strings.Repeat("k", 3900))+`}`),
			want: answer{status: 400, code: 1002}},
		// Item 2: a big device JWT is refused before anything is cached.
		{name: "token exchange with a 7.7 KB device JWT", raw: rawReq("POST", "/api/v2/auth/token", pinJSON, `{"jwt":"eyJhbGciOiJFZERTQSJ9.`+strings.Repeat("e", 7700)+`.c2ln"}`),
			want: answer{status: 422, code: 1099}},
		// Item 3: past its limit a client gets 429 with Retry-After; the
		// nonces it holds stay.
		{name: "nonce past the client's limit", run: func(t *testing.T, cs *catServer) {
			for i := range mock.NonceRate {
				if got := catJSON(t, cs, "GET", "/api/v2/auth/nonce", "nonce-flood", nil); got.status != http.StatusOK {
					t.Fatalf("nonce %d = %d", i, got.status)
				}
			}
			answer{status: 429, code: 1003, header: map[string]string{"Retry-After": "60"}}.check(t, catJSON(t, cs, "GET", "/api/v2/auth/nonce", "nonce-flood", nil))
		}},
		// Item 4: another origin cannot pick a scenario.
		{name: "scenario header from another origin", raw: rawReq("GET", "/api/v2/pins/{id}", h(hClient, hJSON, mock.ScenarioHeader+": happy-path", "Origin: https://evil.example"), ""),
			want: answer{status: 403, code: 4003}},
		// Item 5: a revoked Plex JWT stays refused after re-registration.
		{name: "revoked Plex JWT after re-registration", run: func(t *testing.T, cs *catServer) {
			key := h3Key(t, 40)
			jwt := catDevice(t, cs, "cat-revoked", key)
			if err := cs.srv.RevokeDevice("cat-revoked"); err != nil {
				t.Fatal(err)
			}
			catJSON(t, cs, "POST", "/api/v2/auth/jwk", "cat-revoked", map[string]any{"jwk": h3Key(t, 41).JWK()}, "X-Plex-Token: "+cs.fix.token)
			answer{status: 401, code: 1001}.check(t, catJSON(t, cs, "GET", "/api/v2/user", "cat-revoked", nil, "X-Plex-Token: "+jwt))
		}},
		// Item 6: another account cannot take over a JWT-enabled client id.
		{name: "E1 rebinding a JWT-enabled client id", run: func(t *testing.T, cs *catServer) {
			catDevice(t, cs, "cat-victim", h3Key(t, 42))
			other := cs.srv.Accounts()[1].AuthToken
			answer{status: 422, code: 1098}.check(t, catJSON(t, cs, "POST", "/api/v2/auth/jwk", "cat-victim", map[string]any{"jwk": h3Key(t, 43).JWK()}, "X-Plex-Token: "+other))
		}},
		// Item 7: a client id never issued a token has nothing to revoke.
		{name: "revoke of a client id never issued a token", raw: rawReq("POST", "/__mockplex/devices/nobody/revoke", nil, ""),
			want: answer{status: 404, control: true}},
		// Item 8: /api/v2/auth/token names its client.
		{name: "token exchange without a client identifier", raw: rawReq("POST", "/api/v2/auth/token", h(hJSON, ctJSON), `{"jwt":"eyJhbGciOiJFZERTQSJ9.e30.c2ln"}`),
			want: answer{status: 422, code: 1000}},
		// Item 9: a client id the control API could not name.
		{name: "E1 for a client id with a .. segment", raw: rawReq("POST", "/api/v2/auth/jwk", h("X-Plex-Client-Identifier: a/../b", "X-Plex-Token: {token}", hJSON, ctJSON), `{"jwk":`+catJWK("k1")+`}`),
			want: answer{status: 400, code: 1002}},
		// Item 10: past expiresAt a JWK pin mints nothing (and without a
		// grace it is gone).
		{name: "poll of an expired claimed JWK pin", run: func(t *testing.T, cs *catServer) {
			key := h3Key(t, 44)
			got := catJSON(t, cs, "POST", "/api/v2/pins", "cat-grace", map[string]any{"jwk": key.JWK(), "strong": true})
			var p mock.Pin
			if err := json.Unmarshal(got.body, &p); err != nil {
				t.Fatalf("create = %d %s", got.status, got.body)
			}
			if _, err := cs.srv.Approve(p.ID, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := cs.srv.Expire(p.ID); err != nil {
				t.Fatal(err)
			}
			poll, _ := key.PollJWT("cat-grace")
			answer{status: 404, code: 1020}.check(t, catJSON(t, cs, "GET", fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", p.ID, url.QueryEscape(poll)), "cat-grace", nil))
		}},
		// Item 11: a restart keeps the revocation.
		{name: "revoked Plex JWT after a restart", run: func(t *testing.T, cs *catServer) {
			jwt := catDevice(t, cs, "cat-restart", h3Key(t, 45))
			if err := cs.srv.RevokeDevice("cat-restart"); err != nil {
				t.Fatal(err)
			}
			var state bytes.Buffer
			if err := cs.srv.SaveState(&state); err != nil {
				t.Fatal(err)
			}
			s2, err := mock.New(mock.WithSeed(8))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(s2.Close)
			if err := s2.LoadState(&state); err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("GET", "/api/v2/user", nil)
			r.Header.Set("Accept", "application/json")
			r.Header.Set("X-Plex-Client-Identifier", "cat-restart")
			r.Header.Set("X-Plex-Token", jwt)
			rec := httptest.NewRecorder()
			s2.Handler().ServeHTTP(rec, r)
			answer{status: 401, code: 1001}.check(t, catReply{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()})
		}},
		// Item 12: a jwk that is not an object.
		{name: "JWK pin with a jwk that is a string", raw: rawReq("POST", "/api/v2/pins", pinJSON, `{"jwk":"x"}`),
			want: answer{status: 400, code: 1002}},
	}
}
