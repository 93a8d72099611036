package mock_test

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// Golden files of the JWT family (WIRE.md J1, J2): E1-E4 answer JSON
// whatever the Accept, the JWK pin (E5, E6) negotiates as any pin. They run
// in TestGolden, on its seeded, frozen servers, and the device key is
// seeded too (goldenKeySeed); Ed25519 signatures are deterministic, so the
// nonces, device JWTs and Plex JWTs in the files are byte-stable.

// goldenKeySeed seeds the device key of every JWT golden case.
const goldenKeySeed = 1

// gOther is a second client identifier, for another device's key, nonce
// or pin.
const gOther = "another-client"

// Header sets of a JWT client: JSON bodies, and JSON or XML asked for.
var (
	gJWTJSON = withHeaders(gJSON, "Content-Type", "application/json")
	gJWTXML  = withHeaders(gXML, "Content-Type", "application/json")
)

// goldenKey is the golden device key, registered under an RFC 7638 kid
// unless opts say otherwise.
func goldenKey(t *testing.T, opts ...device.Option) *device.Key {
	t.Helper()
	k, err := device.New(rand.New(rand.NewSource(goldenKeySeed)), opts...)
	if err != nil {
		t.Fatalf("device.New: %v", err)
	}
	return k
}

// goldenPost sends a JSON body as client (with token, if any) and checks
// the status.
func goldenPost(t *testing.T, s *mock.Server, path, client, token string, body any, want int) []byte {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	h := withHeaders(gJWTJSON, "X-Plex-Client-Identifier", client)
	if token != "" {
		h["X-Plex-Token"] = token
	}
	ex := roundTrip(t, s, http.MethodPost, path, h, string(b))
	if ex.Status != want {
		t.Fatalf("setup: POST %s as %s = %d, want %d:\n%s", path, client, ex.Status, want, ex.RespBody)
	}
	return ex.RespBody
}

// goldenRegister registers key on client's device with token (E1).
func goldenRegister(t *testing.T, s *mock.Server, client, token string, key *device.Key) {
	t.Helper()
	goldenPost(t, s, "/api/v2/auth/jwk", client, token, map[string]any{"jwk": key.JWK()}, http.StatusCreated)
}

// goldenNonce gets a nonce for client (E2).
func goldenNonce(t *testing.T, s *mock.Server, client string) string {
	t.Helper()
	ex := roundTrip(t, s, http.MethodGet, "/api/v2/auth/nonce", withHeaders(gJSON, "X-Plex-Client-Identifier", client), "")
	var n struct{ Nonce string }
	if ex.Status != http.StatusOK || json.Unmarshal(ex.RespBody, &n) != nil || n.Nonce == "" {
		t.Fatalf("setup: GET nonce as %s = %d %s, want 200 {\"nonce\"}", client, ex.Status, ex.RespBody)
	}
	return n.Nonce
}

// goldenExchange trades a device JWT for a Plex JWT (E3).
func goldenExchange(t *testing.T, s *mock.Server, client, jwt string) string {
	t.Helper()
	var tok struct {
		AuthToken string `json:"auth_token"`
	}
	if err := json.Unmarshal(goldenPost(t, s, "/api/v2/auth/token", client, "", map[string]string{"jwt": jwt}, http.StatusOK), &tok); err != nil {
		t.Fatal(err)
	}
	return tok.AuthToken
}

func mustSign(t *testing.T, key *device.Key, c device.Claims) string {
	t.Helper()
	jwt, err := key.SignJWT(c)
	if err != nil {
		t.Fatalf("SignJWT: %v", err)
	}
	return jwt
}

// setupJWK gives the default account's legacy token and the golden key's
// JWK, not yet registered.
func setupJWK(t *testing.T, s *mock.Server) goldenVars {
	t.Helper()
	v := setupToken(t, s)
	v["jwk"] = string(goldenKey(t).JWK())
	return v
}

// setupJWKTaken registers the golden key on another device, with the
// second account's token.
func setupJWKTaken(t *testing.T, s *mock.Server) goldenVars {
	t.Helper()
	goldenRegister(t, s, gOther, s.Accounts()[1].AuthToken, goldenKey(t))
	return setupJWK(t, s)
}

// setupJWKExpiredJWT signs the golden client in with a JWT and lets the
// JWT expire: {token} is the expired Plex JWT.
func setupJWKExpiredJWT(t *testing.T, s *mock.Server) goldenVars {
	t.Helper()
	v := setupJWK(t, s)
	key := goldenKey(t)
	goldenRegister(t, s, gClient, v["token"], key)
	jwt, err := key.TokenJWT(gClient, goldenNonce(t, s, gClient), "username", s.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	v["token"] = goldenExchange(t, s, gClient, jwt)
	if err := s.Clock().Advance(7 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	return v
}

// setupNonceSpent asks for NonceRate nonces, the most a minute allows.
func setupNonceSpent(t *testing.T, s *mock.Server) goldenVars {
	t.Helper()
	for range mock.NonceRate {
		goldenNonce(t, s, gClient)
	}
	return goldenVars{}
}

// setupDeviceJWT registers the golden key on the golden client with the
// default account's token and gives {jwt}, the device JWT mk signs.
func setupDeviceJWT(mk func(t *testing.T, s *mock.Server, key *device.Key) string) func(*testing.T, *mock.Server) goldenVars {
	return func(t *testing.T, s *mock.Server) goldenVars {
		t.Helper()
		v := setupToken(t, s)
		key := goldenKey(t)
		goldenRegister(t, s, gClient, v["token"], key)
		v["jwt"] = mk(t, s, key)
		return v
	}
}

// tokenClaims are the claims most clients send to E3: aud plex.tv, iss the
// golden client, a nonce, scope username, iat now and exp in 5 minutes.
func tokenClaims(s *mock.Server, nonce string) device.Claims {
	now := s.Clock().Now()
	return device.Claims{
		Issuer: gClient, Audience: []string{device.Audience}, Nonce: nonce, Scope: "username",
		IssuedAt: now, Expiry: now.Add(device.TokenJWTLifetime),
	}
}

// Device JWTs for E3, good and bad.
var (
	jwtGood = func(t *testing.T, s *mock.Server, key *device.Key) string {
		return mustSign(t, key, tokenClaims(s, goldenNonce(t, s, gClient)))
	}
	jwtWrongKey = func(t *testing.T, s *mock.Server, _ *device.Key) string {
		other, err := device.New(rand.New(rand.NewSource(goldenKeySeed + 1)))
		if err != nil {
			t.Fatal(err)
		}
		return mustSign(t, other, tokenClaims(s, goldenNonce(t, s, gClient)))
	}
	// The registered key itself, but a header kid it was not registered
	// under.
	jwtKIDMismatch = func(t *testing.T, s *mock.Server, _ *device.Key) string {
		return mustSign(t, goldenKey(t, device.WithKID("not-the-registered-kid")), tokenClaims(s, goldenNonce(t, s, gClient)))
	}
	jwtWrongAud = func(t *testing.T, s *mock.Server, key *device.Key) string {
		c := tokenClaims(s, goldenNonce(t, s, gClient))
		c.Audience = []string{"example.com"}
		return mustSign(t, key, c)
	}
	jwtNoNonce = func(t *testing.T, s *mock.Server, key *device.Key) string {
		return mustSign(t, key, tokenClaims(s, ""))
	}
	jwtReplayed = func(t *testing.T, s *mock.Server, key *device.Key) string {
		jwt := jwtGood(t, s, key)
		goldenExchange(t, s, gClient, jwt)
		return jwt
	}
	jwtOthersNonce = func(t *testing.T, s *mock.Server, key *device.Key) string {
		return mustSign(t, key, tokenClaims(s, goldenNonce(t, s, gOther)))
	}
	// A nonce past its 5 minutes, in a JWT without exp so that only the
	// nonce is stale.
	jwtNonceExpired = func(t *testing.T, s *mock.Server, key *device.Key) string {
		c := tokenClaims(s, goldenNonce(t, s, gClient))
		c.Expiry = time.Time{}
		if err := s.Clock().Advance(mock.NonceLifetime); err != nil {
			t.Fatal(err)
		}
		return mustSign(t, key, c)
	}
	jwtUnknownIssuer = func(t *testing.T, s *mock.Server, key *device.Key) string {
		c := tokenClaims(s, goldenNonce(t, s, gClient))
		c.Issuer = "nobody"
		return mustSign(t, key, c)
	}
	jwtExpired = func(t *testing.T, s *mock.Server, key *device.Key) string {
		c := tokenClaims(s, goldenNonce(t, s, gClient))
		c.IssuedAt, c.Expiry = c.IssuedAt.Add(-10*time.Minute), c.IssuedAt.Add(-5*time.Minute)
		return mustSign(t, key, c)
	}
)

// setupJWKPin creates a JWK pin (E5) for the golden client, 24 s old,
// approved by the default account if claim; {jwt} is the golden key's
// minimal poll JWT (aud and iss only), {other} another client's, signed
// with the same key.
func setupJWKPin(claim bool) func(*testing.T, *mock.Server) goldenVars {
	return func(t *testing.T, s *mock.Server) goldenVars {
		t.Helper()
		key := goldenKey(t)
		var p struct{ ID int64 }
		if err := json.Unmarshal(goldenPost(t, s, "/api/v2/pins", gClient, "", map[string]any{"jwk": key.JWK(), "strong": true}, http.StatusCreated), &p); err != nil {
			t.Fatal(err)
		}
		if err := s.Clock().Advance(24 * time.Second); err != nil {
			t.Fatal(err)
		}
		if claim {
			approve(t, s, p.ID)
		}
		poll, err := key.PollJWT(gClient)
		if err != nil {
			t.Fatal(err)
		}
		other, err := key.PollJWT(gOther)
		if err != nil {
			t.Fatal(err)
		}
		return goldenVars{"id": fmt.Sprint(p.ID), "jwt": poll, "other": other}
	}
}

func jwtGoldenCases() []goldenCase {
	tokenHdr := func(h map[string]string) map[string]string { return withHeaders(h, "X-Plex-Token", "{token}") }
	jwkBody := `{"jwk":{jwk}}`
	jwtBody := `{"jwt":"{jwt}"}`
	token := func(name string, mk func(*testing.T, *mock.Server, *device.Key) string, status int) goldenCase {
		return goldenCase{name: name, setup: setupDeviceJWT(mk), method: "POST", path: "/api/v2/auth/token", header: gJWTJSON, body: jwtBody, status: status, format: "json"}
	}
	pending, claimed := setupJWKPin(false), setupJWKPin(true)

	return []goldenCase{
		// E1 POST /api/v2/auth/jwk
		{name: "jwk-201", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: tokenHdr(gJWTJSON), body: jwkBody, status: 201, format: "json-empty"},
		{name: "jwk-201-xml-accept", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: tokenHdr(gJWTXML), body: jwkBody, status: 201, format: "json-empty"},
		{name: "jwk-bad-jwk-json", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: tokenHdr(gJWTJSON), body: `{"jwk":{"kty":"OKP","crv":"Ed25519","x":"AAAA"}}`, status: 400, format: "json"},
		{name: "jwk-no-jwk-json", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: tokenHdr(gJWTJSON), body: `{}`, status: 400, format: "json"},
		{name: "jwk-no-token-json", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: gJWTJSON, body: jwkBody, status: 401, format: "json"},
		{name: "jwk-bad-token-json", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: withHeaders(gJWTJSON, "X-Plex-Token", "not-a-token"), body: jwkBody, status: 401, format: "json"},
		{name: "jwk-bad-token-xml-accept", setup: setupJWK, method: "POST", path: "/api/v2/auth/jwk", header: withHeaders(gJWTXML, "X-Plex-Token", "not-a-token"), body: jwkBody, status: 401, format: "json"},
		{name: "jwk-thumbprint-taken-json", setup: setupJWKTaken, method: "POST", path: "/api/v2/auth/jwk", header: tokenHdr(gJWTJSON), body: jwkBody, status: 422, format: "json"},
		{name: "jwk-expired-jwt-json", setup: setupJWKExpiredJWT, method: "POST", path: "/api/v2/auth/jwk", header: tokenHdr(gJWTJSON), body: jwkBody, status: 498, format: "json"},

		// E2 GET /api/v2/auth/nonce
		{name: "nonce-json", setup: setupNone, method: "GET", path: "/api/v2/auth/nonce", header: gJSON, status: 200, format: "json"},
		{name: "nonce-xml-accept", setup: setupNone, method: "GET", path: "/api/v2/auth/nonce", header: gXML, status: 200, format: "json"},
		{name: "nonce-missing-client-json", setup: setupNone, method: "GET", path: "/api/v2/auth/nonce", header: gNoID, status: 422, format: "json"},
		{name: "nonce-missing-client-xml-accept", setup: setupNone, method: "GET", path: "/api/v2/auth/nonce", header: gNoIDXML, status: 422, format: "json"},
		{name: "nonce-rate-limited-json", setup: setupNonceSpent, method: "GET", path: "/api/v2/auth/nonce", header: gJSON, status: 429, format: "json"},

		// E3 POST /api/v2/auth/token
		token("token-json", jwtGood, 200),
		{name: "token-xml-accept", setup: setupDeviceJWT(jwtGood), method: "POST", path: "/api/v2/auth/token", header: gJWTXML, body: jwtBody, status: 200, format: "json"},
		{name: "token-no-body-json", setup: setupNone, method: "POST", path: "/api/v2/auth/token", header: gJWTJSON, status: 400, format: "json"},
		{name: "token-garbage-json", setup: setupNone, method: "POST", path: "/api/v2/auth/token", header: gJWTJSON, body: `{"jwt":"a.b.c"}`, status: 422, format: "json"},
		{name: "token-garbage-xml-accept", setup: setupNone, method: "POST", path: "/api/v2/auth/token", header: gJWTXML, body: `{"jwt":"a.b.c"}`, status: 422, format: "json"},
		token("token-wrong-key-json", jwtWrongKey, 422),
		token("token-kid-mismatch-json", jwtKIDMismatch, 422),
		token("token-wrong-aud-json", jwtWrongAud, 422),
		token("token-nonce-missing-json", jwtNoNonce, 422),
		token("token-nonce-replayed-json", jwtReplayed, 422),
		token("token-nonce-other-client-json", jwtOthersNonce, 422),
		token("token-nonce-expired-json", jwtNonceExpired, 422),
		token("token-unknown-issuer-json", jwtUnknownIssuer, 401),
		token("token-expired-jwt-json", jwtExpired, 498),

		// E4 GET /api/v2/auth/keys
		{name: "keys-json", setup: setupNone, method: "GET", path: "/api/v2/auth/keys", header: gJSON, status: 200, format: "json"},
		{name: "keys-xml-accept", setup: setupNone, method: "GET", path: "/api/v2/auth/keys", header: gXML, status: 200, format: "json"},

		// E5 POST /api/v2/pins with a jwk
		{name: "create-jwk-json", setup: setupJWK, method: "POST", path: "/api/v2/pins", header: gJWTJSON, body: `{"jwk":{jwk},"strong":true}`, status: 201, format: "json"},
		{name: "create-jwk-xml", setup: setupJWK, method: "POST", path: "/api/v2/pins", header: gJWTXML, body: `{"jwk":{jwk},"strong":true}`, status: 201, format: "xml"},
		{name: "create-jwk-link-json", setup: setupJWK, method: "POST", path: "/api/v2/pins", header: gJWTJSON, body: `{"jwk":{jwk}}`, status: 201, format: "json"},
		{name: "create-jwk-bad-jwk-json", setup: setupNone, method: "POST", path: "/api/v2/pins", header: gJWTJSON, body: `{"jwk":{"kty":"OKP"},"strong":true}`, status: 400, format: "json"},
		{name: "create-jwk-bad-jwk-xml", setup: setupNone, method: "POST", path: "/api/v2/pins", header: gJWTXML, body: `{"jwk":{"kty":"OKP"},"strong":true}`, status: 400, format: "xml"},

		// E6 GET /api/v2/pins/{id}?deviceJWT=
		{name: "poll-jwk-pending-json", setup: pending, method: "GET", path: "/api/v2/pins/{id}?deviceJWT={jwt}", header: gJSON, status: 200, format: "json"},
		{name: "poll-jwk-pending-xml", setup: pending, method: "GET", path: "/api/v2/pins/{id}?deviceJWT={jwt}", header: gXML, status: 200, format: "xml"},
		{name: "poll-jwk-claimed-json", setup: claimed, method: "GET", path: "/api/v2/pins/{id}?deviceJWT={jwt}", header: gJSON, status: 200, format: "json"},
		{name: "poll-jwk-claimed-xml", setup: claimed, method: "GET", path: "/api/v2/pins/{id}?deviceJWT={jwt}", header: gXML, status: 200, format: "xml"},
		{name: "poll-jwk-claimed-no-jwt-json", setup: claimed, method: "GET", path: "/api/v2/pins/{id}", header: gJSON, status: 200, format: "json"},
		{name: "poll-jwk-claimed-no-jwt-xml", setup: claimed, method: "GET", path: "/api/v2/pins/{id}", header: gXML, status: 200, format: "xml"},
		{name: "poll-jwk-wrong-client-json", setup: claimed, method: "GET", path: "/api/v2/pins/{id}?deviceJWT={other}", header: withHeaders(gJSON, "X-Plex-Client-Identifier", gOther), status: 404, format: "json"},
	}
}
