package mock_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// jwtClient talks to a started mock as a JWT device would: JSON always.
type jwtClient struct {
	t        *testing.T
	srv      *mock.Server
	client   string
	scenario string // sent as X-Mockplex-Scenario when set
}

type jwtAnswer struct {
	status int
	header http.Header
	body   []byte
}

func (c jwtClient) do(method, path string, body any, header map[string]string) jwtAnswer {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", c.client)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.scenario != "" {
		req.Header.Set(mock.ScenarioHeader, c.scenario)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return jwtAnswer{resp.StatusCode, resp.Header, b}
}

func (a jwtAnswer) want(t *testing.T, what string, status int) jwtAnswer {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s = %d %s, want %d", what, a.status, a.body, status)
	}
	return a
}

func (a jwtAnswer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

func newDeviceKey(t *testing.T, seed int64) *device.Key {
	t.Helper()
	k, err := device.New(rand.New(rand.NewSource(seed)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// refresh runs E2 and E3 and returns the Plex JWT.
func (c jwtClient) refresh(key *device.Key, scope string) string {
	c.t.Helper()
	var n struct{ Nonce string }
	c.do("GET", "/api/v2/auth/nonce", nil, nil).want(c.t, "GET nonce", 200).decode(c.t, &n)
	jwt, err := key.TokenJWT(c.client, n.Nonce, scope, c.srv.Clock().Now())
	if err != nil {
		c.t.Fatal(err)
	}
	var tok map[string]string
	c.do("POST", "/api/v2/auth/token", map[string]string{"jwt": jwt}, nil).want(c.t, "POST token", 200).decode(c.t, &tok)
	if _, camel := tok["authToken"]; camel || tok["auth_token"] == "" {
		c.t.Fatalf("POST token body = %v, want auth_token only", tok)
	}
	return tok["auth_token"]
}

// TestJWTDeviceEndToEnd acts as a device through the public API: register,
// nonce, token, verify against E4, /api/v2/user with the JWT, 7 days on,
// 498, refresh, and the legacy token and key rotation rules.
func TestJWTDeviceEndToEnd(t *testing.T) {
	t.Parallel()
	clock := mock.NewFrozenClock(time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithSeed(7), mock.WithClock(clock))
	t.Cleanup(srv.Close)
	c := jwtClient{t, srv, "jwt-device-1", ""}
	acc := srv.Accounts()[0]
	key := newDeviceKey(t, 1)

	legacy := map[string]string{"X-Plex-Token": acc.AuthToken}
	c.do("GET", "/api/v2/user", nil, legacy).want(t, "user with the legacy token", 200)
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, legacy).want(t, "POST jwk", 201)
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, legacy).want(t, "POST jwk again (same device, same key)", 201)

	jwt := c.refresh(key, "username,email")
	keys := c.do("GET", "/api/v2/auth/keys", nil, nil).want(t, "GET keys", 200).body
	claims, err := device.VerifyPlexJWT(jwt, keys, c.client, clock.Now())
	if err != nil {
		t.Fatalf("VerifyPlexJWT: %v", err)
	}
	if claims.User.ID != acc.ID || claims.Thumbprint != key.KID() || claims.Expiry-claims.IssuedAt != 7*24*3600 {
		t.Errorf("claims = %+v, want user %d, thumbprint %s, 7 days", claims, acc.ID, key.KID())
	}
	if claims.User.Username == nil || *claims.User.Username != acc.Username {
		t.Errorf("user.username = %v, want %q (scope asked for it)", claims.User.Username, acc.Username)
	}

	bearer := map[string]string{"X-Plex-Token": jwt}
	var u struct{ ID int64 }
	c.do("GET", "/api/v2/user", nil, bearer).want(t, "user with the JWT", 200).decode(t, &u)
	if u.ID != acc.ID {
		t.Errorf("user id = %d, want %d", u.ID, acc.ID)
	}
	c.do("GET", "/api/v2/user", nil, legacy).want(t, "user with the device's legacy token after a JWT", 401)
	other := jwtClient{t, srv, "another-device", ""}
	other.do("GET", "/api/v2/user", nil, legacy).want(t, "user with the account token from another device", 200)

	if err := clock.Advance(7 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	expired := c.do("GET", "/api/v2/user", nil, bearer).want(t, "user with a 7-day-old JWT", 498)
	if !strings.Contains(string(expired.body), `"code":1096`) {
		t.Errorf("498 body = %s, want plex.tv's envelope with code 1096", expired.body)
	}
	fresh := c.refresh(key, "")
	if fresh == jwt {
		t.Error("refresh returned the same token")
	}
	c.do("GET", "/api/v2/user", nil, map[string]string{"X-Plex-Token": fresh}).want(t, "user with the refreshed JWT", 200)

	if err := srv.RotateKeys(); err != nil {
		t.Fatal(err)
	}
	newer := c.refresh(key, "")
	keys = srv.JWKS()
	for _, tok := range []string{fresh, newer} {
		if _, err := device.VerifyPlexJWT(tok, keys, c.client, clock.Now()); err != nil {
			t.Errorf("after rotation, VerifyPlexJWT: %v", err)
		}
	}
	if !strings.Contains(string(keys), `"kid"`) || bytes.Count(keys, []byte(`"kid"`)) < 2 {
		t.Errorf("key set after rotation = %s, want at least two keys", keys)
	}

	if err := srv.RevokeDevice(c.client); err != nil {
		t.Fatal(err)
	}
	c.do("GET", "/api/v2/user", nil, map[string]string{"X-Plex-Token": newer}).want(t, "user with a revoked device's JWT", 401)
}

// TestJWTPinFlow: a JWK pin polled with a deviceJWT yields a Plex JWT once
// claimed; without a deviceJWT, the legacy token.
func TestJWTPinFlow(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(3))
	t.Cleanup(srv.Close)
	c := jwtClient{t, srv, "jwt-pin-device", ""}
	key := newDeviceKey(t, 2)
	var pin mock.Pin
	c.do("POST", "/api/v2/pins", map[string]any{"jwk": key.JWK(), "strong": true}, nil).want(t, "POST pins with a jwk", 201).decode(t, &pin)
	if len(pin.Code) != 25 {
		t.Errorf("code %q, want a strong pin (strong read from the JSON body)", pin.Code)
	}
	poll, err := key.PollJWT(c.client)
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", pin.ID, poll)
	var got mock.Pin
	c.do("GET", path, nil, nil).want(t, "pending poll", 200).decode(t, &got)
	if got.AuthToken != nil {
		t.Fatalf("pending authToken = %q, want null", *got.AuthToken)
	}
	if _, err := srv.Approve(pin.ID, ""); err != nil {
		t.Fatal(err)
	}
	c.do("GET", fmt.Sprintf("/api/v2/pins/%d", pin.ID), nil, nil).want(t, "claimed poll without deviceJWT", 200).decode(t, &got)
	if got.AuthToken == nil || len(*got.AuthToken) != 20 {
		t.Fatalf("authToken without deviceJWT = %v, want the 20-character legacy token", got.AuthToken)
	}
	c.do("GET", path, nil, nil).want(t, "claimed poll", 200).decode(t, &got)
	if got.AuthToken == nil {
		t.Fatal("claimed authToken null")
	}
	claims, err := device.VerifyPlexJWT(*got.AuthToken, srv.JWKS(), c.client, srv.Clock().Now())
	if err != nil {
		t.Fatalf("VerifyPlexJWT(pin token): %v", err)
	}
	if claims.User.ID != srv.Accounts()[0].ID {
		t.Errorf("user.id = %d, want the default account", claims.User.ID)
	}
	first := *got.AuthToken
	c.do("GET", path, nil, nil).want(t, "second claimed poll", 200).decode(t, &got)
	if *got.AuthToken != first {
		t.Error("a second poll got another JWT, want the same until the pin expires")
	}
	// The pin registered the key: refresh works without E1.
	if tok := c.refresh(key, ""); tok == "" {
		t.Error("refresh after the pin flow gave no token")
	}
}

// TestJWTBadInput: bad input gets a documented 4xx, never a 5xx.
func TestJWTBadInput(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(5))
	t.Cleanup(srv.Close)
	c := jwtClient{t, srv, "bad-input-device", ""}
	key := newDeviceKey(t, 9)
	legacy := map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, legacy).want(t, "POST jwk", 201)
	var n struct{ Nonce string }
	c.do("GET", "/api/v2/auth/nonce", nil, nil).want(t, "nonce", 200).decode(t, &n)
	good, _ := key.TokenJWT(c.client, n.Nonce, "", srv.Clock().Now())
	wrongKey := newDeviceKey(t, 10)
	forged, _ := wrongKey.SignJWT(device.Claims{Issuer: c.client, Audience: []string{"plex.tv"}, Nonce: n.Nonce})
	stranger, _ := key.SignJWT(device.Claims{Issuer: "nobody", Audience: []string{"plex.tv"}, Nonce: n.Nonce})
	past, _ := key.SignJWT(device.Claims{Issuer: c.client, Audience: []string{"plex.tv"}, Nonce: n.Nonce, Expiry: srv.Clock().Now().Add(-time.Minute)})
	noAud, _ := key.SignJWT(device.Claims{Issuer: c.client, Audience: []string{"example.com"}, Nonce: n.Nonce})
	noNonce, _ := key.SignJWT(device.Claims{Issuer: c.client, Audience: []string{"plex.tv"}})
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   any
		header map[string]string
		status int
		code   string
	}{
		{"jwk wrong kty", "POST", "/api/v2/auth/jwk", map[string]any{"jwk": map[string]string{"kty": "RSA", "crv": "Ed25519", "x": "AA"}}, legacy, 400, "1002"},
		{"jwk short x", "POST", "/api/v2/auth/jwk", map[string]any{"jwk": map[string]string{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}}, legacy, 400, "1002"},
		{"jwk missing", "POST", "/api/v2/auth/jwk", map[string]any{}, legacy, 400, "1002"},
		{"jwk no token", "POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, nil, 401, "1001"},
		{"jwk taken by another device", "POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": srv.Accounts()[1].AuthToken, "X-Plex-Client-Identifier": "other"}, 422, "1098"},
		{"token garbage", "POST", "/api/v2/auth/token", map[string]string{"jwt": "a.b.c"}, nil, 422, "1099"},
		{"token alg none", "POST", "/api/v2/auth/token", map[string]string{"jwt": "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0."}, nil, 422, "1099"},
		{"token wrong key", "POST", "/api/v2/auth/token", map[string]string{"jwt": forged}, nil, 422, "1099"},
		{"token unknown issuer", "POST", "/api/v2/auth/token", map[string]string{"jwt": stranger}, nil, 401, "1097"},
		{"token expired", "POST", "/api/v2/auth/token", map[string]string{"jwt": past}, nil, 498, "1096"},
		{"token wrong audience", "POST", "/api/v2/auth/token", map[string]string{"jwt": noAud}, nil, 422, "1099"},
		{"token no nonce", "POST", "/api/v2/auth/token", map[string]string{"jwt": noNonce}, nil, 422, "1099"},
		{"token oversized", "POST", "/api/v2/auth/token", map[string]string{"jwt": "eyJ" + strings.Repeat("A", 9000) + ".e.e"}, nil, 422, "1099"},
		{"token no body", "POST", "/api/v2/auth/token", map[string]string{}, nil, 400, "1002"},
		{"token good", "POST", "/api/v2/auth/token", map[string]string{"jwt": good}, nil, 200, ""},
		{"token replayed nonce", "POST", "/api/v2/auth/token", map[string]string{"jwt": good}, nil, 422, "1099"},
		{"nonce without client", "GET", "/api/v2/auth/nonce", nil, map[string]string{"X-Plex-Client-Identifier": ""}, 422, "1000"},
		{"user with a forged JWT", "GET", "/api/v2/user", nil, map[string]string{"X-Plex-Token": forged}, 401, "1001"},
		{"pin with a bad jwk", "POST", "/api/v2/pins", map[string]any{"jwk": map[string]string{"kty": "OKP"}}, nil, 400, "1002"},
	} {
		a := c.do(tc.method, tc.path, tc.body, tc.header)
		if a.status != tc.status || tc.code != "" && !strings.Contains(string(a.body), `"code":`+tc.code) {
			t.Errorf("%s: %d %s, want %d code %s", tc.name, a.status, a.body, tc.status, tc.code)
		}
		if ct := a.header.Get("Content-Type"); a.status != 201 && !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type %q, want JSON whatever the Accept", tc.name, ct)
		}
	}
	// Another client's nonce.
	var other struct{ Nonce string }
	jwtClient{t, srv, "someone-else", ""}.do("GET", "/api/v2/auth/nonce", nil, nil).want(t, "nonce", 200).decode(t, &other)
	theirs, _ := key.TokenJWT(c.client, other.Nonce, "", srv.Clock().Now())
	c.do("POST", "/api/v2/auth/token", map[string]string{"jwt": theirs}, nil).want(t, "token with another client's nonce", 422)
}

// headerKID reads the kid of a JWT's header.
func headerKID(t *testing.T, token string) string {
	t.Helper()
	head, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		t.Fatal(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}
	return h.Kid
}
