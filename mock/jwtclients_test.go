package mock_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// Replays of the request sequences real JWT clients send (WIRE.md
// J1, J2.2's table): each row is one client's headers, bodies, key id shape
// and device JWT shapes, and what it reads from each answer. Every replay
// ends signed in with a Plex JWT that device.VerifyPlexJWT accepts and that
// works on GET /api/v2/user, and checks the JWT the way that client does.

// kidShape makes a client's kid from its Ed25519 seed and public key; nil
// is RFC 7638 (device.New's default).
type kidShape func(seed []byte, pub ed25519.PublicKey) string

var (
	// python-plexapi, @ctrl/plex: hex SHA-256 of private‖public, 64 hex.
	kidSHA256Hex kidShape = func(seed []byte, pub ed25519.PublicKey) string {
		sum := sha256.Sum256(slices.Concat(seed, pub))
		return hex.EncodeToString(sum[:])
	}
	// AMPWIN: crypto.randomUUID(), here derived from the key for
	// reproducibility.
	kidUUID kidShape = func(_ []byte, pub ed25519.PublicKey) string {
		b := sha256.Sum256(pub)
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	}
	// GOFORK: base64url of the public key.
	kidPublicKey kidShape = func(_ []byte, pub ed25519.PublicKey) string {
		return base64.RawURLEncoding.EncodeToString(pub)
	}
	// screendeck: base64url of SHA-256(pub)[:12].
	kidShortHash kidShape = func(_ []byte, pub ed25519.PublicKey) string {
		sum := sha256.Sum256(pub)
		return base64.RawURLEncoding.EncodeToString(sum[:12])
	}
)

// replayKey makes the device key of seed under the kid shape gives.
func replayKey(t *testing.T, seed int64, shape kidShape) *device.Key {
	t.Helper()
	var opts []device.Option
	if shape != nil {
		raw := make([]byte, ed25519.SeedSize)
		if _, err := io.ReadFull(rand.New(rand.NewSource(seed)), raw); err != nil {
			t.Fatal(err)
		}
		pub := ed25519.NewKeyFromSeed(raw).Public().(ed25519.PublicKey)
		opts = append(opts, device.WithKID(shape(raw, pub)))
	}
	k, err := device.New(rand.New(rand.NewSource(seed)), opts...)
	if err != nil {
		t.Fatalf("device.New: %v", err)
	}
	return k
}

// claimsFunc builds a device JWT's claims for client at now, with nonce
// when the step has one.
type claimsFunc func(client, nonce string, now time.Time) device.Claims

// Device JWT shapes seen in the wild (WIRE.md J2.2, J4.2).
var (
	// aud string, iss, nonce, scope, iat, exp in 5 minutes.
	shapeFull = func(scope string) claimsFunc {
		return func(client, nonce string, now time.Time) device.Claims {
			return device.Claims{Issuer: client, Audience: []string{device.Audience}, Nonce: nonce, Scope: scope, IssuedAt: now, Expiry: now.Add(5 * time.Minute)}
		}
	}
	// aud, iss, iat and exp, no nonce and no scope.
	shapeTimed = func(life time.Duration) claimsFunc {
		return func(client, _ string, now time.Time) device.Claims {
			return device.Claims{Issuer: client, Audience: []string{device.Audience}, IssuedAt: now, Expiry: now.Add(life)}
		}
	}
	// aud and iss only (GOFORK's poll JWT).
	shapeBare claimsFunc = func(client, _ string, _ time.Time) device.Claims {
		return device.Claims{Issuer: client, Audience: []string{device.Audience}}
	}
	// aud as a one-element array, nonce and scope, no iat or exp (clambin's
	// jwx).
	shapeJWX claimsFunc = func(client, nonce string, _ time.Time) device.Claims {
		return device.Claims{Issuer: client, Audience: []string{device.Audience}, ArrayAudience: true, Nonce: nonce, Scope: "username,email"}
	}
	// aud, iss and nonce, no iat or exp (GOFORK's RefreshToken).
	shapeNonceOnly claimsFunc = func(client, nonce string, _ time.Time) device.Claims {
		return device.Claims{Issuer: client, Audience: []string{device.Audience}, Nonce: nonce}
	}
)

// Ways clients read the token of E3's answer.
var (
	readSnake = func(m map[string]any) string { s, _ := m["auth_token"].(string); return s }
	// streamarr, AMPWIN: authToken || auth_token.
	readEither = func(m map[string]any) string {
		if s, _ := m["authToken"].(string); s != "" {
			return s
		}
		return readSnake(m)
	}
)

// jwtReplay is one JWT client's sign-in.
type jwtReplay struct {
	name   string
	client string            // the JWT device's X-Plex-Client-Identifier
	header map[string]string // sent on every request, with the client's
	host   string            // Host of pin and auth calls ("" the test server's)
	seed   int64             // the device key's seed
	kid    kidShape

	// register, when set, is E1 with the account's legacy token, with the
	// statuses the client accepts.
	register []int

	// A JWK pin (E5), when createBody is set: the JSON body and query of
	// the create, what the client reads from its answer, and the code
	// length that the body's strong gives.
	createBody  func(jwk json.RawMessage) map[string]any
	createQuery string
	createReads []string
	codeLen     int
	// Polls (E6) while pending, pollEvery apart, signed with poll;
	// pollNonce fetches a nonce for the poll JWT first (python-plexapi),
	// perPoll signs a new JWT for every poll.
	pending   int
	pollEvery time.Duration
	poll      claimsFunc
	pollNonce bool
	perPoll   bool
	// linkAs, when set, claims the pin with PUT /api/v2/pins/link and the
	// account's legacy token, as this client identifier (streamarr's
	// server side); otherwise the user approves it in the browser.
	linkAs string

	// refreshes is how many E2+E3 rounds follow (the first sign-in for a
	// client that registered with E1), signed with token; tokenStatus
	// lists the statuses the client accepts, read reads the token.
	refreshes   int
	token       claimsFunc
	tokenStatus []int
	read        func(map[string]any) string

	// userHost is the Host of GET /api/v2/user.
	userHost string
	// check looks at the final Plex JWT as the client does.
	check func(t *testing.T, r *replayRun, token string)
}

// replayRun is a replay in progress.
type replayRun struct {
	t   *testing.T
	srv *mock.Server
	row jwtReplay
	key *device.Key
	acc mock.Account
}

// do sends a request as the row's client and returns status, headers and
// body; a non-nil body is sent as JSON.
func (r *replayRun) do(method, path, host string, body any, extra ...string) (int, http.Header, []byte) {
	r.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			r.t.Fatal(err)
		}
		rd = strings.NewReader(string(b))
	}
	h := withHeaders(r.row.header, "X-Plex-Client-Identifier", r.row.client)
	if body != nil {
		h["Content-Type"] = "application/json"
	}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	req := newReq(method, r.srv.URL+path, rd, h)
	if host != "" {
		req.Host = host
	}
	resp, b := send(r.t, r.srv, req)
	if o := h["Origin"]; o != "" && resp.Header.Get("Access-Control-Allow-Origin") != o {
		r.t.Errorf("%s %s: Access-Control-Allow-Origin = %q, want %q (a browser drops the answer)", method, path, resp.Header.Get("Access-Control-Allow-Origin"), o)
	}
	return resp.StatusCode, resp.Header, b
}

func (r *replayRun) sign(c claimsFunc, nonce string) string {
	r.t.Helper()
	jwt, err := r.key.SignJWT(c(r.row.client, nonce, r.srv.Clock().Now()))
	if err != nil {
		r.t.Fatal(err)
	}
	return jwt
}

func (r *replayRun) nonce() string {
	r.t.Helper()
	st, _, b := r.do("GET", "/api/v2/auth/nonce", r.row.host, nil)
	var n struct{ Nonce string }
	if st != 200 || json.Unmarshal(b, &n) != nil || n.Nonce == "" {
		r.t.Fatalf("GET /api/v2/auth/nonce = %d %s, want 200 {\"nonce\"}", st, b)
	}
	return n.Nonce
}

func (r *replayRun) advance(d time.Duration) {
	r.t.Helper()
	if err := r.srv.Clock().Advance(d); err != nil {
		r.t.Fatal(err)
	}
}

// decodeMap parses a JSON answer as a JavaScript or Python client does.
func decodeMap(t *testing.T, what string, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: body %q is not a JSON object: %v", what, b, err)
	}
	return m
}

// signInByPin is E5, the pending E6 polls, the claim and the claimed poll;
// it returns the pin's authToken.
func (r *replayRun) signInByPin() string {
	t, row := r.t, r.row
	path := "/api/v2/pins" + row.createQuery
	st, _, b := r.do("POST", path, row.host, row.createBody(r.key.JWK()))
	if st != 201 {
		t.Fatalf("POST %s = %d %s, want 201", path, st, b)
	}
	created := decodeMap(t, "create", b)
	for _, k := range row.createReads {
		if created[k] == nil {
			t.Errorf("create answer lacks %q, which the client reads: %s", k, b)
		}
	}
	id, _ := created["id"].(float64)
	code, _ := created["code"].(string)
	if len(code) != row.codeLen {
		t.Errorf("code %q has %d characters, want %d (the body's strong)", code, len(code), row.codeLen)
	}
	nonce := ""
	if row.pollNonce {
		nonce = r.nonce()
	}
	jwt := r.sign(row.poll, nonce)
	pollPath := func() string {
		if row.perPoll {
			jwt = r.sign(row.poll, nonce)
		}
		return fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", int64(id), url.QueryEscape(jwt))
	}
	for i := range row.pending {
		st, _, b := r.do("GET", pollPath(), row.host, nil)
		if st != 200 {
			t.Fatalf("pending poll %d = %d %s, want 200", i+1, st, b)
		}
		if tok := decodeMap(t, "poll", b)["authToken"]; tok != nil {
			t.Fatalf("pending poll %d: authToken = %v, want null", i+1, tok)
		}
		r.advance(row.pollEvery)
	}
	if row.linkAs != "" {
		req := newReq("PUT", r.srv.URL+"/api/v2/pins/link", strings.NewReader("code="+code), withHeaders(row.header,
			"X-Plex-Client-Identifier", row.linkAs, "X-Plex-Token", r.acc.AuthToken, "Content-Type", "application/x-www-form-urlencoded"))
		req.Host = "plex.tv"
		resp, body := send(t, r.srv, req)
		if resp.StatusCode != 204 {
			t.Fatalf("PUT /api/v2/pins/link = %d %s, want 204", resp.StatusCode, body)
		}
	} else if _, err := r.srv.Approve(int64(id), ""); err != nil {
		t.Fatalf("Approve(%d): %v", int64(id), err)
	}
	st, _, b = r.do("GET", pollPath(), row.host, nil)
	if st != 200 {
		t.Fatalf("claimed poll = %d %s, want 200", st, b)
	}
	tok, _ := decodeMap(t, "claimed poll", b)["authToken"].(string)
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("claimed poll: authToken = %q, want a Plex JWT", tok)
	}
	return tok
}

// refresh is E2 then E3; it returns the Plex JWT the client reads.
func (r *replayRun) refresh() string {
	t, row := r.t, r.row
	jwt := r.sign(row.token, r.nonce())
	st, _, b := r.do("POST", "/api/v2/auth/token", row.host, map[string]string{"jwt": jwt})
	if !slices.Contains(row.tokenStatus, st) {
		t.Fatalf("POST /api/v2/auth/token = %d %s, want one of %v (the client's check)", st, b, row.tokenStatus)
	}
	tok := row.read(decodeMap(t, "token", b))
	if tok == "" {
		t.Fatalf("POST /api/v2/auth/token: the client finds no token in %s", b)
	}
	return tok
}

// payload decodes a JWT's claims without verifying them, as most clients
// do.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a compact JWS", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	return decodeMap(t, "JWT payload", raw)
}

// checkExp is what the decode-only clients do: read exp (and user.id) and
// refresh before it.
func checkExp(t *testing.T, r *replayRun, token string) {
	t.Helper()
	c := payload(t, token)
	exp, _ := c["exp"].(float64)
	if int64(exp) <= r.srv.Clock().Now().Unix() {
		t.Errorf("exp = %v, want after now", c["exp"])
	}
	user, _ := c["user"].(map[string]any)
	if id, _ := user["id"].(float64); int64(id) != r.acc.ID {
		t.Errorf("user.id = %v, want %d", user["id"], r.acc.ID)
	}
}

// checkPlexAPI is python-plexapi's decodePlexJWT and verifyJWT: try every
// key of the set, last first, until one verifies; require aud, iss, exp,
// iat and thumbprint; thumbprint is the client's kid; exp is more than a
// day away; user.username is there (its live test reads it).
func checkPlexAPI(t *testing.T, r *replayRun, token string) {
	t.Helper()
	var set struct {
		Keys []struct{ X string } `json:"keys"`
	}
	_, _, jwks := r.do("GET", "/api/v2/auth/keys", r.row.host, nil)
	if err := json.Unmarshal(jwks, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("keys = %s, want {\"keys\": [...]}", jwks)
	}
	dot := strings.LastIndex(token, ".")
	sig, err := base64.RawURLEncoding.DecodeString(token[dot+1:])
	if err != nil {
		t.Fatal(err)
	}
	verified := false
	for _, k := range slices.Backward(set.Keys) {
		pub, err := base64.RawURLEncoding.DecodeString(k.X)
		if err == nil && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, []byte(token[:dot]), sig) {
			verified = true
			break
		}
	}
	if !verified {
		t.Fatal("no key of the set verifies the Plex JWT")
	}
	c := payload(t, token)
	for _, k := range []string{"aud", "iss", "exp", "iat", "thumbprint"} {
		if c[k] == nil {
			t.Errorf("Plex JWT lacks %q, which PyJWT is told to require", k)
		}
	}
	if c["thumbprint"] != r.key.KID() {
		t.Errorf("thumbprint = %v, want the kid %q", c["thumbprint"], r.key.KID())
	}
	if exp, _ := c["exp"].(float64); int64(exp)-r.srv.Clock().Now().Unix() <= 24*3600 {
		t.Errorf("exp = %v, want more than a day away (verifyJWT)", c["exp"])
	}
	if user, _ := c["user"].(map[string]any); user["username"] != r.acc.Username {
		t.Errorf("user = %v, want username %q (scope username)", user, r.acc.Username)
	}
}

// checkCtrlPlex is @ctrl/plex's verifyPlexJwt: jose picks the key by the
// header kid, requires exp, iat, nonce, thumbprint and user; thumbprint is
// the 64-hex kid; iat not ahead, exp after iat, aud has plex.tv.
func checkCtrlPlex(t *testing.T, r *replayRun, token string) {
	t.Helper()
	_, _, jwks := r.do("GET", "/api/v2/auth/keys", r.row.host, nil)
	c, err := device.VerifyPlexJWT(token, jwks, r.row.client, r.srv.Clock().Now())
	if err != nil {
		t.Fatalf("jose jwtVerify with the key set: %v", err)
	}
	var set struct {
		Keys []struct{ Kid string } `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &set); err != nil || !slices.ContainsFunc(set.Keys, func(k struct{ Kid string }) bool { return k.Kid == headerKID(t, token) }) {
		t.Errorf("header kid %q is in no key of %s", headerKID(t, token), jwks)
	}
	p := payload(t, token)
	for _, k := range []string{"exp", "iat", "nonce", "thumbprint", "user"} {
		if p[k] == nil {
			t.Errorf("Plex JWT lacks %q, a jose requiredClaim", k)
		}
	}
	if len(c.Thumbprint) != 64 || c.Thumbprint != r.key.KID() {
		t.Errorf("thumbprint = %q, want the 64-hex kid %q", c.Thumbprint, r.key.KID())
	}
	if now := r.srv.Clock().Now().Unix(); c.IssuedAt > now+60 || c.Expiry <= c.IssuedAt {
		t.Errorf("iat %d, exp %d at now %d: @ctrl/plex refuses it", c.IssuedAt, c.Expiry, now)
	}
	if c.User.ID != r.acc.ID {
		t.Errorf("user.id = %d, want %d", c.User.ID, r.acc.ID)
	}
}

func jwtReplays() []jwtReplay {
	jsonPost := map[string]string{"Accept": "application/json"}
	strongBody := func(jwk json.RawMessage) map[string]any { return map[string]any{"jwk": jwk, "strong": true} }
	ok2xx := []int{200, 201, 202, 204}
	return []jwtReplay{
		{
			// MyPlexJWTLogin in PIN mode: strong absent, one nonce-bearing
			// JWT for every poll, JSON forced in _headers.
			name: "python-plexapi", client: "plexapi-jwt-7d3f9a", header: plexapiHeaders("Accept", "application/json", "X-Plex-Client-Identifier", ""),
			host: "clients.plex.tv", seed: 101, kid: kidSHA256Hex,
			createBody:  func(jwk json.RawMessage) map[string]any { return map[string]any{"jwk": jwk} },
			createReads: []string{"id", "code"}, codeLen: 4,
			pending: 3, pollEvery: time.Second, poll: shapeFull("username,email,friendly_name"), pollNonce: true,
			userHost: "plex.tv", check: checkPlexAPI,
		},
		{
			// Bootstrap token of the same client identifier, then
			// nonce+token, refreshed; the live test wants a new token.
			name: "@ctrl/plex", client: "ctrl-plex-3b9e", header: withHeaders(jsonPost, "X-Plex-Product", "@ctrl/plex", "X-Plex-Version", "7.0.1"),
			host: "clients.plex.tv", seed: 102, kid: kidSHA256Hex, register: ok2xx,
			refreshes: 2, token: shapeFull("username,email,friendly_name,restricted,anonymous,joinedAt"), tokenStatus: ok2xx, read: readSnake,
			check: checkCtrlPlex,
		},
		{
			// mediaclients plextv: exactly 201 on E1 and 200 on E3; jwx's
			// aud array, no iat/exp; its caching token source re-exchanges
			// on every use; /api/v2/user on plex.tv.
			name: "clambin", client: "clambin-mediaclients-1", header: withHeaders(jsonPost, "X-Plex-Product", "mediaclients", "X-Plex-Version", "v0.19.0"),
			host: "clients.plex.tv", seed: 103, register: []int{201},
			refreshes: 3, token: shapeJWX, tokenStatus: []int{200}, read: readSnake,
			userHost: "plex.tv", check: checkExp,
		},
		{
			// A separate JWT client identifier; the strong JWK pin is linked
			// server-side with the admin's legacy token under the shared
			// one, then polled once; refresh reads auth_token || authToken.
			name: "streamarr", client: "streamarr-jwt-5c1d", header: withHeaders(jsonPost, "X-Plex-Product", "Streamarr"),
			host: "clients.plex.tv", seed: 104, createBody: strongBody, createReads: []string{"id", "code"}, codeLen: 25,
			poll: shapeTimed(5 * time.Minute), linkAs: "streamarr-shared",
			refreshes: 1, token: shapeFull("username,email"), tokenStatus: ok2xx, read: readEither,
			check: checkExp,
		},
		{
			// strong only in the JSON body; reads expiresIn; a new JWT per
			// poll; refresh later.
			name: "screendeck", client: "screendeck-a1b2", header: withHeaders(jsonPost, "X-Plex-Product", "screendeck"),
			host: "clients.plex.tv", seed: 105, kid: kidShortHash,
			createBody: strongBody, createReads: []string{"id", "code", "expiresIn"}, codeLen: 25,
			pending: 2, pollEvery: time.Second, poll: shapeTimed(5 * time.Minute), perPoll: true,
			refreshes: 1, token: shapeFull("username"), tokenStatus: ok2xx, read: readSnake,
			check: checkExp,
		},
		{
			// A browser add-on: Origin on every call, a new JWT every 2 s,
			// exp +300 s, authToken || auth_token.
			name: "AMPWIN", client: "ampwin-plexify-9f8e", header: withHeaders(jsonPost, "X-Plex-Product", "Plexify", "Origin", "https://ampwin.example"),
			host: "clients.plex.tv", seed: 106, kid: kidUUID,
			createBody: strongBody, createReads: []string{"id", "code"}, codeLen: 25,
			pending: 3, pollEvery: 2 * time.Second, poll: shapeTimed(300 * time.Second), perPoll: true,
			refreshes: 1, token: shapeFull("username"), tokenStatus: ok2xx, read: readEither,
			check: checkExp,
		},
		{
			// go-plex-client fork: poll JWT with aud and iss only, a new one
			// per poll; RefreshToken accepts 200 or 201.
			name: "GOFORK", client: "go-plex-client-fork", header: withHeaders(jsonPost, "X-Plex-Product", "go-plex-client"),
			host: "plex.tv", seed: 107, kid: kidPublicKey,
			createBody: strongBody, createReads: []string{"id", "code"}, codeLen: 25,
			pending: 2, pollEvery: time.Second, poll: shapeBare, perPoll: true,
			refreshes: 1, token: shapeNonceOnly, tokenStatus: []int{200, 201}, read: readSnake,
			check: checkExp,
		},
	}
}

// TestJWTClientReplays signs in as each JWT client does and ends with a
// Plex JWT that verifies and works on GET /api/v2/user.
func TestJWTClientReplays(t *testing.T) {
	t.Parallel()
	for _, row := range jwtReplays() {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t)
			r := &replayRun{t: t, srv: srv, row: row, key: replayKey(t, row.seed, row.kid), acc: srv.Accounts()[0]}
			if row.kid == nil && r.key.KID() != r.key.Thumbprint() {
				t.Fatalf("kid %q, want the RFC 7638 thumbprint %q", r.key.KID(), r.key.Thumbprint())
			}
			if row.register != nil {
				st, _, b := r.do("POST", "/api/v2/auth/jwk", row.host, map[string]any{"jwk": r.key.JWK()}, "X-Plex-Token", r.acc.AuthToken)
				if !slices.Contains(row.register, st) {
					t.Fatalf("POST /api/v2/auth/jwk = %d %s, want one of %v", st, b, row.register)
				}
			}
			var token string
			if row.createBody != nil {
				token = r.signInByPin()
			}
			for i := range row.refreshes {
				fresh := r.refresh()
				if fresh == token {
					t.Errorf("refresh %d gave the previous token again", i+1)
				}
				token = fresh
				r.advance(time.Minute)
			}
			if token == "" {
				t.Fatal("the replay ended without a token")
			}

			jwks := srv.JWKS()
			c, err := device.VerifyPlexJWT(token, jwks, row.client, srv.Clock().Now())
			if err != nil {
				t.Fatalf("VerifyPlexJWT: %v", err)
			}
			if c.Thumbprint != r.key.KID() || c.User.ID != r.acc.ID {
				t.Errorf("claims thumbprint %q user %d, want %q and %d", c.Thumbprint, c.User.ID, r.key.KID(), r.acc.ID)
			}
			row.check(t, r, token)

			st, _, b := r.do("GET", "/api/v2/user", row.userHost, nil, "X-Plex-Token", token)
			if st != 200 {
				t.Fatalf("GET /api/v2/user with the Plex JWT = %d %s, want 200", st, b)
			}
			if id, _ := decodeMap(t, "user", b)["id"].(float64); int64(id) != r.acc.ID {
				t.Errorf("GET /api/v2/user: id %v, want %d", id, r.acc.ID)
			}
		})
	}
}
