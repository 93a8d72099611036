package mock_test

// Tests of issue 18 (hardening, round 3: the JWT family under hostile
// clients), one test per numbered item, each named TestHardening3<Item>.
// Every one of them failed on the code before the round (24c0e7e), run
// with this file copied in; TestHardening3RevokeDuringRefresh is item 5's
// race, with TestHardening3RevocationSurvivesReregistration its
// deterministic companion.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// h3 is a JWT device (or an attacker posing as one) talking to an
// in-process server.
type h3 struct {
	t      *testing.T
	s      *mock.Server
	client string
}

// do sends a JSON request as h's client, with extra headers.
func (h h3) do(method, target string, body any, extra ...string) (int, http.Header, []byte) {
	h.t.Helper()
	q := hReq{method: method, target: target, header: map[string]string{"Accept": "application/json"}}
	if h.client != "" {
		q.header["X-Plex-Client-Identifier"] = h.client
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		q.body = string(b)
		q.header["Content-Type"] = "application/json"
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			delete(q.header, extra[i])
			continue
		}
		q.header[extra[i]] = extra[i+1]
	}
	rec := hDo(h.t, h.s, q)
	return rec.Code, rec.Header(), rec.Body.Bytes()
}

// register is E1 with a legacy (or JWT) token.
func (h h3) register(key *device.Key, token string) int {
	h.t.Helper()
	st, _, _ := h.do(http.MethodPost, "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, "X-Plex-Token", token)
	return st
}

// refresh runs E2 and E3 with key and returns the status and Plex JWT.
func (h h3) refresh(key *device.Key) (int, string) {
	h.t.Helper()
	st, _, b := h.do(http.MethodGet, "/api/v2/auth/nonce", nil)
	if st != http.StatusOK {
		return st, string(b)
	}
	var n struct{ Nonce string }
	if err := json.Unmarshal(b, &n); err != nil {
		h.t.Fatalf("nonce body %s: %v", b, err)
	}
	jwt, err := key.TokenJWT(h.client, n.Nonce, "username", h.s.Clock().Now())
	if err != nil {
		h.t.Fatal(err)
	}
	st, _, b = h.do(http.MethodPost, "/api/v2/auth/token", map[string]string{"jwt": jwt})
	var tok struct {
		AuthToken string `json:"auth_token"`
	}
	_ = json.Unmarshal(b, &tok)
	return st, tok.AuthToken
}

// signIn registers key for h's client with token and returns a Plex JWT.
func (h h3) signIn(key *device.Key, token string) string {
	h.t.Helper()
	if st := h.register(key, token); st != http.StatusCreated {
		h.t.Fatalf("POST /api/v2/auth/jwk = %d, want 201", st)
	}
	st, jwt := h.refresh(key)
	if st != http.StatusOK {
		h.t.Fatalf("refresh = %d %s, want 200", st, jwt)
	}
	return jwt
}

// user is GET /api/v2/user with token, sent by h's client.
func (h h3) user(token string) int {
	h.t.Helper()
	st, _, _ := h.do(http.MethodGet, "/api/v2/user", nil, "X-Plex-Token", token)
	return st
}

// jwkPin creates a JWK pin for h's client and returns its id.
func (h h3) jwkPin(key *device.Key) (int, mock.Pin) {
	h.t.Helper()
	st, _, b := h.do(http.MethodPost, "/api/v2/pins", map[string]any{"jwk": key.JWK(), "strong": true})
	var p mock.Pin
	if st == http.StatusCreated {
		if err := json.Unmarshal(b, &p); err != nil {
			h.t.Fatalf("create body %s: %v", b, err)
		}
	}
	return st, p
}

// pollJWT polls pin id with a poll JWT signed by key and returns the
// status and authToken.
func (h h3) pollJWT(id int64, key *device.Key) (int, string) {
	h.t.Helper()
	poll, err := key.PollJWT(h.client)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.pollWith(id, poll)
}

func (h h3) pollWith(id int64, deviceJWT string) (int, string) {
	h.t.Helper()
	st, _, b := h.do(http.MethodGet, "/api/v2/pins/"+strconv.FormatInt(id, 10)+"?deviceJWT="+url.QueryEscape(deviceJWT), nil)
	var p mock.Pin
	_ = json.Unmarshal(b, &p)
	if p.AuthToken == nil {
		return st, ""
	}
	return st, *p.AuthToken
}

// pinSignIn signs h's client in through a JWK pin approved for account
// and returns the Plex JWT.
func (h h3) pinSignIn(key *device.Key, account string) string {
	h.t.Helper()
	st, p := h.jwkPin(key)
	if st != http.StatusCreated {
		h.t.Fatalf("JWK pin create = %d, want 201", st)
	}
	if _, err := h.s.Approve(p.ID, account); err != nil {
		h.t.Fatalf("Approve: %v", err)
	}
	st, tok := h.pollJWT(p.ID, key)
	if st != http.StatusOK || !strings.HasPrefix(tok, "eyJ") {
		h.t.Fatalf("poll of the claimed JWK pin = %d %q, want 200 and a Plex JWT", st, tok)
	}
	return tok
}

func h3Key(t *testing.T, seed int64, opts ...device.Option) *device.Key {
	t.Helper()
	k, err := device.New(seedReader(seed), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// seedReader is a deterministic byte source for device keys.
func seedReader(seed int64) *bytes.Reader {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(seed*31 + int64(i)*7)
	}
	return bytes.NewReader(b)
}

// h3Code reads the error envelope's code.
func h3Code(t *testing.T, body []byte) int {
	t.Helper()
	var env struct {
		Errors []struct{ Code int } `json:"errors"`
	}
	if err := json.Unmarshal(body, &env); err != nil || len(env.Errors) != 1 {
		t.Fatalf("body %q is not plex.tv's error envelope", body)
	}
	return env.Errors[0].Code
}

// Item 1: a JWK's kid, and every other stored JWT field, is refused over
// its documented length.
func TestHardening3KIDCap(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 3900)
	for _, tt := range []struct {
		name string
		kid  string
		want int
	}{
		{"3.9 KB kid", long, http.StatusBadRequest},
		{"129-byte kid", strings.Repeat("k", 129), http.StatusBadRequest},
		{"128-byte kid", strings.Repeat("k", 128), http.StatusCreated},
	} {
		t.Run(tt.name+" pin", func(t *testing.T) {
			t.Parallel()
			h := h3{t, hNew(t), "kid-pin"}
			st, _, b := h.do(http.MethodPost, "/api/v2/pins", map[string]any{"jwk": jwkWithKID(t, h3Key(t, 1), tt.kid)})
			if st != tt.want {
				t.Fatalf("create with a %d-byte kid = %d %s, want %d", len(tt.kid), st, b, tt.want)
			}
			if st == http.StatusBadRequest && h3Code(t, b) != 1002 {
				t.Errorf("code = %d, want 1002", h3Code(t, b))
			}
		})
		t.Run(tt.name+" E1", func(t *testing.T) {
			t.Parallel()
			s := hNew(t)
			h := h3{t, s, "kid-e1"}
			st, _, _ := h.do(http.MethodPost, "/api/v2/auth/jwk", map[string]any{"jwk": jwkWithKID(t, h3Key(t, 2), tt.kid)}, "X-Plex-Token", s.Accounts()[0].AuthToken)
			if st != tt.want {
				t.Fatalf("E1 with a %d-byte kid = %d, want %d", len(tt.kid), st, tt.want)
			}
		})
	}
	// A poll JWT's nonce is copied into the Plex JWT the pin stores: a
	// long one is refused, and no Plex JWT is minted.
	t.Run("poll JWT nonce", func(t *testing.T) {
		t.Parallel()
		s := hNew(t)
		h := h3{t, s, "kid-nonce"}
		key := h3Key(t, 3)
		_, p := h.jwkPin(key)
		if _, err := s.Approve(p.ID, ""); err != nil {
			t.Fatal(err)
		}
		poll, err := key.SignJWT(device.Claims{Issuer: h.client, Audience: []string{device.Audience}, Nonce: strings.Repeat("n", 4000)})
		if err != nil {
			t.Fatal(err)
		}
		if st, tok := h.pollWith(p.ID, poll); st != http.StatusOK || strings.HasPrefix(tok, "eyJ") {
			t.Errorf("poll with a 4 KB nonce = %d, token %.20q; want 200 and no Plex JWT", st, tok)
		}
	})
}

// jwkWithKID is key's JWK with its kid replaced (device.New refuses a kid
// over the cap).
func jwkWithKID(t *testing.T, key *device.Key, kid string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(key.JWK(), &m); err != nil {
		t.Fatal(err)
	}
	m["kid"] = kid
	return m
}

// paddedPollJWT is a valid poll JWT of about size bytes: the padding is
// extra audiences.
func paddedPollJWT(t testing.TB, key *device.Key, client string, i, size int) string {
	aud := []string{device.Audience, fmt.Sprintf("pad-%d-%s", i, strings.Repeat("p", size*3/4))}
	tok, err := key.SignJWT(device.Claims{Issuer: client, Audience: aud})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// heapAfterGC is the live heap.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Item 2: the device-JWT verification cache is bounded in bytes: distinct
// 7.7 KB poll JWTs on one pending pin leave little behind. Not parallel:
// it reads the heap.
func TestHardening3VerifyCacheBounded(t *testing.T) {
	s := hNew(t)
	h := h3{t, s, "cache-flood"}
	key := h3Key(t, 4)
	_, p := h.jwkPin(key)
	const n = 3000
	toks := make([]string, n)
	for i := range toks {
		toks[i] = paddedPollJWT(t, key, h.client, i, 7700)
	}
	before := heapAfterGC()
	for i, tok := range toks {
		if st, _ := h.pollWith(p.ID, tok); st != http.StatusOK {
			t.Fatalf("poll %d = %d", i, st)
		}
	}
	toks = nil
	grew := int64(heapAfterGC()) - int64(before)
	t.Logf("%d distinct 7.7 KB poll JWTs: heap grew %d bytes (%d a poll)", n, grew, grew/n)
	if grew > 8<<20 {
		t.Errorf("heap grew %d MB after %d distinct poll JWTs, want under 8 MB (the cache keeps digests, bounded)", grew>>20, n)
	}
	runtime.KeepAlive(s)
}

// Item 3: a nonce handed out is never evicted by a flood of new client
// ids; at the cap new nonces are refused with 429 and Retry-After.
func TestHardening3NoncesNeverEvicted(t *testing.T) {
	if testing.Short() {
		t.Skip("floods the nonce table (100,000 nonces)")
	}
	t.Parallel()
	s := hNew(t)
	victim := h3{t, s, "nonce-victim"}
	key := h3Key(t, 5)
	victim.signIn(key, s.Accounts()[0].AuthToken)
	held := make([]string, 20)
	for i := range held {
		st, _, b := victim.do(http.MethodGet, "/api/v2/auth/nonce", nil)
		var n struct{ Nonce string }
		if st != http.StatusOK || json.Unmarshal(b, &n) != nil {
			t.Fatalf("nonce %d = %d %s", i, st, b)
		}
		held[i] = n.Nonce
	}
	refused := 0
	for c := 0; refused == 0 && c < 3000; c++ {
		flood := h3{t, s, "flood-" + strconv.Itoa(c)}
		for range 60 {
			st, hd, _ := flood.do(http.MethodGet, "/api/v2/auth/nonce", nil)
			if st == http.StatusTooManyRequests {
				if hd.Get("Retry-After") == "" {
					t.Fatalf("429 at the nonce cap has no Retry-After")
				}
				refused++
				break
			}
			if st != http.StatusOK {
				t.Fatalf("flood nonce = %d", st)
			}
		}
	}
	if refused == 0 {
		t.Errorf("180,000 nonces from new client ids were all handed out; want 429 at the cap")
	}
	for i, n := range held {
		jwt, err := key.TokenJWT(victim.client, n, "", s.Clock().Now())
		if err != nil {
			t.Fatal(err)
		}
		if st, _, b := victim.do(http.MethodPost, "/api/v2/auth/token", map[string]string{"jwt": jwt}); st != http.StatusOK {
			t.Errorf("exchange with held nonce %d after the flood = %d %s, want 200", i, st, b)
		}
	}
}

// Item 4: X-Mockplex-Scenario gets the control API's cross-origin check,
// and the pages' cookie is not a credential for it.
func TestHardening3ScenarioHeaderOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []mock.Option
		header []string
		want   int
	}{
		{"cross-site Origin", nil, []string{"Origin", "https://evil.example"}, http.StatusForbidden},
		{"other port of the host", nil, []string{"Origin", "http://example.com:9999"}, http.StatusForbidden},
		{"Sec-Fetch-Site cross-site", nil, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"Sec-Fetch-Site same-site", nil, []string{"Sec-Fetch-Site", "same-site"}, http.StatusForbidden},
		{"same origin", nil, []string{"Origin", "http://example.com", "Sec-Fetch-Site", "same-origin"}, http.StatusCreated},
		{"no browser headers", nil, nil, http.StatusCreated},
		{"cookie only", []mock.Option{mock.WithControlToken("sekrit")}, []string{"Cookie", "mockplex_token=sekrit"}, http.StatusForbidden},
		{"token header", []mock.Option{mock.WithControlToken("sekrit")}, []string{mock.TokenHeader, "sekrit"}, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := hNew(t, tt.opts...)
			h := h3{t, s, "origin-client"}
			hd := append([]string{mock.ScenarioHeader, "happy-path"}, tt.header...)
			st, _, b := h.do(http.MethodPost, "/api/v2/pins?strong=true", nil, hd...)
			if st != tt.want {
				t.Fatalf("create with %v = %d %s, want %d", hd, st, b, tt.want)
			}
			if st != http.StatusCreated {
				return
			}
			var p mock.Pin
			_ = json.Unmarshal(b, &p)
			st, _, b = h.do(http.MethodGet, "/api/v2/pins/"+strconv.FormatInt(p.ID, 10), nil, hd...)
			if st != http.StatusOK {
				t.Errorf("poll with %v = %d %s, want 200", hd, st, b)
			}
		})
	}
	// The preflight does not offer the header to another origin.
	t.Run("preflight", func(t *testing.T) {
		t.Parallel()
		s := hNew(t)
		rec := hDo(t, s, hReq{method: http.MethodOptions, target: "/api/v2/pins", header: map[string]string{
			"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "x-plex-client-identifier,x-mockplex-scenario",
		}})
		if got := rec.Header().Get("Access-Control-Allow-Headers"); strings.Contains(strings.ToLower(got), "mockplex") {
			t.Errorf("preflight allows headers %q, want no X-Mockplex-*", got)
		}
	})
	// The poll, a GET, is refused cross-origin too: it is what reads the
	// token happy-path approves.
	t.Run("cross-site poll", func(t *testing.T) {
		t.Parallel()
		s := hNew(t)
		h := h3{t, s, "origin-poll"}
		p := hPin(t, s, h.client, true)
		st, _, b := h.do(http.MethodGet, "/api/v2/pins/"+strconv.FormatInt(p.ID, 10), nil, mock.ScenarioHeader, "happy-path", "Origin", "https://evil.example")
		if st != http.StatusForbidden || strings.Contains(string(b), "authToken\":\"") {
			t.Errorf("cross-site poll under happy-path = %d %s, want 403", st, b)
		}
	})
}

// Item 5: a revoked device's Plex JWTs stay refused whatever happens to
// the device after: E1 again, a new JWK pin, or the poll of a JWK pin
// claimed before the revoke.
func TestHardening3RevocationSurvivesReregistration(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"E1 again", "new JWK pin", "pin claimed before"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			s := hNew(t, mock.WithAccounts(2))
			accs := s.Accounts()
			h := h3{t, s, "revoked-device"}
			key := h3Key(t, 6)
			var early mock.Pin
			if how == "pin claimed before" {
				_, early = h.jwkPin(key)
				if _, err := s.Approve(early.ID, accs[0].Username); err != nil {
					t.Fatal(err)
				}
			}
			jwt := h.signIn(key, accs[0].AuthToken)
			if st := h.user(jwt); st != http.StatusOK {
				t.Fatalf("user with the JWT = %d, want 200", st)
			}
			if err := s.RevokeDevice(h.client); err != nil {
				t.Fatal(err)
			}
			if st := h.user(jwt); st != http.StatusUnauthorized {
				t.Fatalf("user with the revoked JWT = %d, want 401", st)
			}
			switch how {
			case "E1 again":
				h.register(h3Key(t, 7), accs[1].AuthToken)
			case "new JWK pin":
				h.pinSignIn(h3Key(t, 8), accs[1].Username)
			case "pin claimed before":
				h.pollJWT(early.ID, key)
			}
			s.Clock().Advance(time.Second)
			if st := h.user(jwt); st != http.StatusUnauthorized {
				t.Errorf("user with the revoked JWT after %s = %d, want 401", how, st)
			}
		})
	}
}

// Item 6: E1 (or a JWK pin) cannot rebind a client id that already has a
// key and Plex JWTs (wire addendum J7.5), and the victim's ended legacy
// token stays ended.
func TestHardening3DeviceTakeover(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"E1", "JWK pin"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			s := hNew(t, mock.WithAccounts(2))
			victimAcc, takerAcc := s.Accounts()[0], s.Accounts()[1]
			victim := h3{t, s, "victim-device"}
			vkey := h3Key(t, 9)
			victim.signIn(vkey, victimAcc.AuthToken)
			if st := victim.user(victimAcc.AuthToken); st != http.StatusUnauthorized {
				t.Fatalf("victim's legacy token after its JWT = %d, want 401", st)
			}
			taker := h3{t, s, victim.client}
			tkey := h3Key(t, 10)
			switch how {
			case "E1":
				st, _, b := taker.do(http.MethodPost, "/api/v2/auth/jwk", map[string]any{"jwk": tkey.JWK()}, "X-Plex-Token", takerAcc.AuthToken)
				if st != http.StatusUnprocessableEntity {
					t.Errorf("E1 rebinding a JWT-enabled client id = %d %s, want 422", st, b)
				}
			case "JWK pin":
				st, p := taker.jwkPin(tkey)
				if st == http.StatusCreated {
					// Linked with the taker's own token, as a user signs
					// in on plex.tv/link.
					if st, _, b := taker.do(http.MethodPut, "/api/v2/pins/link", map[string]string{"code": p.Code}, "X-Plex-Token", takerAcc.AuthToken); st != http.StatusNoContent {
						t.Fatalf("link = %d %s", st, b)
					}
					if _, tok := taker.pollJWT(p.ID, tkey); strings.HasPrefix(tok, "eyJ") {
						t.Errorf("the taker's JWK pin for the victim's client id got a Plex JWT")
					}
				}
			}
			if st, _ := taker.refresh(tkey); st == http.StatusOK {
				t.Errorf("the taker's key refreshes for the victim's client id")
			}
			if st, tok := victim.refresh(vkey); st != http.StatusOK {
				t.Errorf("victim's refresh after the attempt = %d %s, want 200", st, tok)
			}
			if st := victim.user(victimAcc.AuthToken); st != http.StatusUnauthorized {
				t.Errorf("victim's legacy token after the attempt = %d, want 401", st)
			}
		})
	}
	t.Run("same key again", func(t *testing.T) {
		t.Parallel()
		s := hNew(t)
		h := h3{t, s, "idempotent"}
		key := h3Key(t, 11)
		h.signIn(key, s.Accounts()[0].AuthToken)
		jwt, _ := h.refresh(key)
		_ = jwt
		st, tok := h.refresh(key)
		if st != http.StatusOK {
			t.Fatalf("refresh = %d", st)
		}
		if st := h.register(key, tok); st != http.StatusCreated {
			t.Errorf("E1 of the same key by the same device = %d, want 201 (idempotent)", st)
		}
	})
}

// Item 7: revocations and ended legacy tokens survive the eviction of
// their device from the capped device table.
func TestHardening3RevocationSurvivesEviction(t *testing.T) {
	t.Parallel()
	s := hNew(t, mock.WithConfig(mock.Config{MaxClients: 4}))
	acc := s.Accounts()[0]
	h := h3{t, s, "evicted-device"}
	jwt := h.signIn(h3Key(t, 12), acc.AuthToken)
	if err := s.RevokeDevice(h.client); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		other := h3{t, s, "filler-" + strconv.Itoa(i)}
		other.register(h3Key(t, int64(100+i)), acc.AuthToken)
	}
	if st := h.user(jwt); st != http.StatusUnauthorized {
		t.Errorf("revoked JWT after 40 registrations = %d, want 401", st)
	}
	if st := h.user(acc.AuthToken); st != http.StatusUnauthorized {
		t.Errorf("ended legacy token after 40 registrations = %d, want 401", st)
	}
	if err := s.RevokeDevice(h.client); err != nil {
		t.Errorf("RevokeDevice after eviction: %v, want nil (the device had tokens)", err)
	}
	// A device evicted before it was revoked is still revocable.
	s2 := hNew(t, mock.WithConfig(mock.Config{MaxClients: 4}))
	h2 := h3{t, s2, "evicted-live"}
	jwt2 := h2.signIn(h3Key(t, 13), s2.Accounts()[0].AuthToken)
	for i := range 40 {
		other := h3{t, s2, "filler-" + strconv.Itoa(i)}
		other.register(h3Key(t, int64(200+i)), s2.Accounts()[0].AuthToken)
	}
	if err := s2.RevokeDevice(h2.client); err != nil {
		t.Fatalf("RevokeDevice of an evicted device with live tokens: %v", err)
	}
	if st := h2.user(jwt2); st != http.StatusUnauthorized {
		t.Errorf("JWT of a device revoked after eviction = %d, want 401", st)
	}
}

// Item 8: POST /api/v2/auth/token without X-Plex-Client-Identifier, or
// with one that is not the device JWT's iss, is 422.
func TestHardening3TokenNeedsClientID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, header string }{{"missing", ""}, {"another client", "someone-else"}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := hNew(t)
			h := h3{t, s, "token-client"}
			key := h3Key(t, 14)
			h.signIn(key, s.Accounts()[0].AuthToken)
			st, _, b := h.do(http.MethodGet, "/api/v2/auth/nonce", nil)
			var n struct{ Nonce string }
			if st != http.StatusOK || json.Unmarshal(b, &n) != nil {
				t.Fatalf("nonce = %d", st)
			}
			jwt, _ := key.TokenJWT(h.client, n.Nonce, "", s.Clock().Now())
			st, _, b = h.do(http.MethodPost, "/api/v2/auth/token", map[string]string{"jwt": jwt}, "X-Plex-Client-Identifier", tt.header)
			if st != http.StatusUnprocessableEntity {
				t.Errorf("token with X-Plex-Client-Identifier %q = %d %s, want 422", tt.header, st, b)
			}
		})
	}
}

// Item 9: client ids whose control URL would be cleaned (empty, . or ..
// segments) are refused where a JWT device is registered; a slashed id
// without them can be revoked.
func TestHardening3ClientIDSegments(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"a//b", "a/./b", "a/..", "/lead", "trail/", "..", ".", "a/../b"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			s := hNew(t)
			h := h3{t, s, id}
			if st := h.register(h3Key(t, 15), s.Accounts()[0].AuthToken); st != http.StatusBadRequest {
				t.Errorf("E1 for client id %q = %d, want 400", id, st)
			}
			if st, _ := h.jwkPin(h3Key(t, 16)); st != http.StatusBadRequest {
				t.Errorf("JWK pin for client id %q = %d, want 400", id, st)
			}
		})
	}
	t.Run("slashed id is revocable", func(t *testing.T) {
		t.Parallel()
		s := hNew(t)
		h := h3{t, s, "app/v1/device-7"}
		jwt := h.signIn(h3Key(t, 17), s.Accounts()[0].AuthToken)
		rec := hDo(t, s, hReq{method: http.MethodPost, target: "/__mockplex/devices/app/v1/device-7/revoke"})
		if rec.Code != http.StatusNoContent {
			t.Fatalf("revoke = %d %s", rec.Code, rec.Body)
		}
		if st := h.user(jwt); st != http.StatusUnauthorized {
			t.Errorf("revoked JWT = %d, want 401", st)
		}
	})
}

// Item 10: during the expiry grace a claimed JWK pin mints no Plex JWT,
// registers no device and ends no legacy token.
func TestHardening3GraceReadOnlyJWK(t *testing.T) {
	t.Parallel()
	s := hNew(t, mock.WithExpiryGrace(10*time.Minute))
	acc := s.Accounts()[0]
	h := h3{t, s, "grace-device"}
	key := h3Key(t, 18)
	_, p := h.jwkPin(key)
	if _, err := s.Approve(p.ID, acc.Username); err != nil {
		t.Fatal(err)
	}
	hAdvance(t, s, 31*time.Minute)
	st, tok := h.pollJWT(p.ID, key)
	if st != http.StatusOK {
		t.Fatalf("poll in the grace = %d, want 200", st)
	}
	if strings.HasPrefix(tok, "eyJ") {
		t.Errorf("poll in the grace minted a Plex JWT")
	}
	if d := s.Devices(); len(d) != 0 {
		t.Errorf("Devices() after a grace poll = %+v, want none", d)
	}
	if st := h.user(acc.AuthToken); st != http.StatusOK {
		t.Errorf("legacy token after a grace poll = %d, want 200", st)
	}
}

// Item 11: --state-file keeps the JWT state: revoked Plex JWTs and ended
// legacy tokens stay refused after a restart, and a restored JWK pin still
// answers a valid deviceJWT with a Plex JWT.
func TestHardening3StateFileJWT(t *testing.T) {
	t.Parallel()
	s := hNew(t, mock.WithSeed(9))
	acc := s.Accounts()[0]
	revoked := h3{t, s, "saved-revoked"}
	rjwt := revoked.signIn(h3Key(t, 19), acc.AuthToken)
	if err := s.RevokeDevice(revoked.client); err != nil {
		t.Fatal(err)
	}
	live := h3{t, s, "saved-live"}
	lkey := h3Key(t, 20)
	ljwt := live.signIn(lkey, acc.AuthToken)
	pinned := h3{t, s, "saved-pin"}
	pkey := h3Key(t, 21)
	_, p := pinned.jwkPin(pkey)
	if _, err := s.Approve(p.ID, acc.Username); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	s2 := hNew(t, mock.WithSeed(9))
	if err := s2.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	revoked.s, live.s, pinned.s = s2, s2, s2
	if st := revoked.user(rjwt); st != http.StatusUnauthorized {
		t.Errorf("revoked JWT after restart = %d, want 401", st)
	}
	if st := revoked.user(acc.AuthToken); st != http.StatusUnauthorized {
		t.Errorf("ended legacy token (revoked device) after restart = %d, want 401", st)
	}
	if st := live.user(acc.AuthToken); st != http.StatusUnauthorized {
		t.Errorf("ended legacy token after restart = %d, want 401", st)
	}
	if st := live.user(ljwt); st != http.StatusOK {
		t.Errorf("live JWT after restart = %d, want 200", st)
	}
	if st, tok := live.refresh(lkey); st != http.StatusOK {
		t.Errorf("refresh after restart = %d %s, want 200 (the device's key is restored)", st, tok)
	}
	if _, tok := pinned.pollJWT(p.ID, pkey); !strings.HasPrefix(tok, "eyJ") {
		t.Errorf("restored JWK pin polled with a valid deviceJWT answered %.12q, want a Plex JWT", tok)
	}
}

// Item 12: a jwk that is not an object is 400/1002, as a malformed one is.
func TestHardening3JWKNotObject(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`"x"`, `42`, `["x"]`, `true`} {
		t.Run(raw, func(t *testing.T) {
			t.Parallel()
			s := hNew(t)
			rec := hDo(t, s, hReq{method: http.MethodPost, target: "/api/v2/pins", body: `{"jwk":` + raw + `}`,
				header: map[string]string{"Accept": "application/json", "Content-Type": "application/json", "X-Plex-Client-Identifier": "jwk-shape"}})
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("create with jwk %s = %d %s, want 400", raw, rec.Code, rec.Body)
			}
			if code, _ := hEnvelope(t, rec); code != 1002 {
				t.Errorf("code = %d, want 1002", code)
			}
		})
	}
}

// Also seen: a reset keeps the revocations (the signing keys survive it).
func TestHardening3ResetKeepsRevocations(t *testing.T) {
	t.Parallel()
	s := hNew(t)
	acc := s.Accounts()[0]
	h := h3{t, s, "reset-device"}
	jwt := h.signIn(h3Key(t, 22), acc.AuthToken)
	if err := s.RevokeDevice(h.client); err != nil {
		t.Fatal(err)
	}
	s.Reset()
	if st := h.user(jwt); st != http.StatusUnauthorized {
		t.Errorf("revoked JWT after reset = %d, want 401", st)
	}
	if st := h.user(acc.AuthToken); st != http.StatusUnauthorized {
		t.Errorf("ended legacy token after reset = %d, want 401", st)
	}
}

// Also seen: GET /__mockplex/devices is paged as the other listings are.
func TestHardening3DevicesPaged(t *testing.T) {
	t.Parallel()
	s := hNew(t)
	acc := s.Accounts()[0]
	for i := range 5 {
		h := h3{t, s, fmt.Sprintf("paged-%d", i)}
		h.register(h3Key(t, int64(300+i)), acc.AuthToken)
	}
	var got []string
	target := "/__mockplex/devices?limit=2"
	for pages := 0; target != ""; pages++ {
		if pages > 5 {
			t.Fatalf("more than 5 pages")
		}
		rec := hDo(t, s, hReq{method: http.MethodGet, target: target})
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s = %d %s", target, rec.Code, rec.Body)
		}
		if tc := rec.Header().Get("X-Total-Count"); tc != "5" {
			t.Errorf("X-Total-Count = %q, want 5", tc)
		}
		var page []mock.Device
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("page of %d devices, want at most 2", len(page))
		}
		for _, d := range page {
			got = append(got, d.ClientIdentifier)
		}
		target = ""
		if link := rec.Header().Get("Link"); link != "" {
			target = strings.TrimSuffix(strings.TrimPrefix(strings.Split(link, ";")[0], "<"), ">")
		}
	}
	want := "paged-0 paged-1 paged-2 paged-3 paged-4"
	if strings.Join(got, " ") != want {
		t.Errorf("pages = %v, want %s", got, want)
	}
	if rec := hDo(t, s, hReq{method: http.MethodGet, target: "/__mockplex/devices?limit=0"}); rec.Code != http.StatusBadRequest {
		t.Errorf("limit=0 = %d, want 400", rec.Code)
	}
	if rec := hDo(t, s, hReq{method: http.MethodGet, target: "/__mockplex/devices?cursor=!!!"}); rec.Code != http.StatusBadRequest {
		t.Errorf("bad cursor = %d, want 400", rec.Code)
	}
}

// Item 5's race: refreshes running while the device is revoked. Once
// RevokeDevice has returned, every Plex JWT the device ever got is
// refused, whichever refreshes won. The deterministic companion is
// TestHardening3RevocationSurvivesReregistration.
func TestHardening3RevokeDuringRefresh(t *testing.T) {
	t.Parallel()
	s := hNew(t, mock.WithAccounts(2))
	h := h3{t, s, "racing-device"}
	key := h3Key(t, 23)
	first := h.signIn(key, s.Accounts()[0].AuthToken)
	got := make(chan string, 64)
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 8 {
				if st, tok := h.refresh(key); st == http.StatusOK {
					got <- tok
				}
			}
		}()
	}
	if err := s.RevokeDevice(h.client); err != nil {
		t.Error(err)
	}
	for range 4 {
		<-done
	}
	close(got)
	toks := []string{first}
	for tok := range got {
		toks = append(toks, tok)
	}
	for i, tok := range toks {
		if st := h.user(tok); st != http.StatusUnauthorized {
			t.Errorf("token %d of %d after the revoke = %d, want 401", i, len(toks), st)
		}
	}
	// And they stay refused once the client id registers again.
	h.register(h3Key(t, 24), s.Accounts()[1].AuthToken)
	for i, tok := range toks {
		if st := h.user(tok); st != http.StatusUnauthorized {
			t.Errorf("token %d of %d after the revoke and E1 again = %d, want 401", i, len(toks), st)
		}
	}
}
