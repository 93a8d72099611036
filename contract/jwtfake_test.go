package contract_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// accountToken is the account token the JWT fake accepts on PUT
// /api/v2/pins/link, as a --token would be.
const accountToken = "fake-account-token-do-not-log"

// jwtFake adds plex.tv's JWT device sign-in (E1 to E6 of WIRE.md's JWT part,
// as mockplex's design answers them) to the captures: the suite's own
// known-good fake for the jwt.* checks, independent of package mock. Its
// fields other than next and keys break it on purpose.
type jwtFake struct {
	next http.Handler
	keys *plexjwt.KeySet

	tokenKey       string          // E3's body key; "auth_token" when empty
	signer         *plexjwt.KeySet // signs Plex JWTs instead of keys when set
	lifetime       time.Duration   // exp - iat; plexjwt.TokenLifetime when zero
	legacyExchange bool            // E3 answers a 20-character legacy token

	mu      sync.Mutex
	devices map[string]map[string]plexjwt.DeviceKey // client id -> kid -> key
	legacy  map[string]string                       // legacy token -> client id
	nonces  map[string]string                       // nonce -> client id
	pins    map[string]*fakePin
	linked  map[string]string // replayed link code -> its token ("" until polled)
	issued  []string          // every token handed out
	n       int
}

type fakePin struct {
	doc     map[string]any
	client  string
	jwk     plexjwt.DeviceKey
	claimed bool
	jwt     string // the Plex JWT, once polled with a deviceJWT after the claim
}

// fakeVerifyTime is the time the fake checks device JWTs at: it does not
// model their expiry, because the suite dates them by the target's clock
// and the controlled fake's is frozen in October 2026.
var fakeVerifyTime = time.Unix(0, 0)

func newJWTFake(next http.Handler) *jwtFake {
	ks, err := plexjwt.NewKeySet(nil, time.Now())
	if err != nil {
		panic(err)
	}
	return &jwtFake{
		next: next, keys: ks,
		devices: map[string]map[string]plexjwt.DeviceKey{}, legacy: map[string]string{},
		nonces: map[string]string{}, pins: map[string]*fakePin{}, linked: map[string]string{},
	}
}

// Issued lists every token the fake handed out, for leak tests.
func (f *jwtFake) Issued() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.issued...)
}

func fakeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fakeError(w http.ResponseWriter, status, code int, msg string) {
	fakeJSON(w, status, map[string]any{"errors": []any{map[string]any{"code": code, "message": msg, "status": status}}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func (f *jwtFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	client := r.Header.Get("X-Plex-Client-Identifier")
	switch p := r.URL.Path; {
	case p == "/api/v2/auth/nonce" && r.Method == http.MethodGet:
		if client == "" {
			fakeError(w, http.StatusUnprocessableEntity, 1000, "X-Plex-Client-Identifier is missing")
			return
		}
		b := []byte(randomHex(16))
		nonce := fmt.Sprintf("%s-%s-4%s-a%s-%s", b[0:8], b[8:12], b[13:16], b[17:20], b[20:32])
		f.nonces[nonce] = client
		fakeJSON(w, http.StatusOK, map[string]string{"nonce": nonce})
	case p == "/api/v2/auth/keys" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(f.keys.JWKS())
	case p == "/api/v2/auth/jwk" && r.Method == http.MethodPost:
		f.register(w, r, client)
	case p == "/api/v2/auth/token" && r.Method == http.MethodPost:
		f.exchange(w, r)
	case (p == "/api/v2/pins" || p == "/api/v2/pins.json") && r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		f.createPin(w, r, client)
	case strings.HasPrefix(p, "/api/v2/pins/") && r.Method == http.MethodGet && f.pins[strings.TrimPrefix(p, "/api/v2/pins/")] != nil:
		fp := f.pins[strings.TrimPrefix(p, "/api/v2/pins/")]
		if fp.client != client {
			fakeError(w, http.StatusNotFound, 1020, "Code not found or expired")
			return
		}
		dj := r.URL.Query().Get("deviceJWT")
		if dj != "" {
			d, err := plexjwt.ParseDeviceJWT(dj)
			if err != nil || d.Verify(fp.jwk, fakeVerifyTime) != nil || d.Issuer != client {
				fakeError(w, http.StatusUnprocessableEntity, 1099, "Signature Verification Failed: Invalid device signature or JWT structure")
				return
			}
		}
		doc := maps.Clone(fp.doc)
		switch {
		case fp.claimed && dj != "":
			if fp.jwt == "" {
				tok, err := f.keys.Sign(plexjwt.NewClaims(client, fp.jwk.KID, plexjwt.User{ID: 1, UUID: "0123abcd"}, time.Now()))
				if err != nil {
					fakeError(w, http.StatusInternalServerError, 1, err.Error())
					return
				}
				fp.jwt = tok
				f.issued = append(f.issued, tok)
			}
			doc["authToken"], doc["newRegistration"] = fp.jwt, false
		case fp.claimed:
			doc["authToken"], doc["newRegistration"] = "P"+randomHex(10)[:19], false
			f.issued = append(f.issued, doc["authToken"].(string))
		}
		fakeJSON(w, http.StatusOK, doc)
	case strings.HasPrefix(p, "/__mockplex/pins/") && strings.HasSuffix(p, "/approve"):
		if fp := f.pins[strings.TrimSuffix(strings.TrimPrefix(p, "/__mockplex/pins/"), "/approve")]; fp != nil {
			fp.claimed = true
		}
		fakeJSON(w, http.StatusOK, map[string]any{})
	case p == "/api/v2/pins/link" && r.Method == http.MethodPut && r.Header.Get("X-Plex-Token") == accountToken:
		_ = r.ParseForm()
		f.linked[r.PostForm.Get("code")] = ""
		w.WriteHeader(http.StatusNoContent)
	case p == "/api/v2/user":
		tok := r.Header.Get("X-Plex-Token")
		if _, err := f.keys.Verify(tok, time.Now()); err != nil && (f.signer == nil || func() bool { _, err := f.signer.Verify(tok, time.Now()); return err != nil }()) {
			fakeError(w, http.StatusUnauthorized, 1001, "User could not be authenticated")
			return
		}
		fakeJSON(w, http.StatusOK, map[string]any{"id": 1, "uuid": "0123abcd", "username": "contract"})
	case strings.HasPrefix(p, "/api/v2/pins/") && r.Method == http.MethodGet && len(f.linked) > 0:
		rewrite(f.next, editJSON(func(r *http.Request, doc map[string]any) {
			code, _ := doc["code"].(string)
			tok, ok := f.linked[code]
			if !ok {
				return
			}
			if tok == "" {
				tok = "L" + randomHex(10)[:19]
				f.linked[code] = tok
				f.legacy[tok] = r.Header.Get("X-Plex-Client-Identifier")
				f.issued = append(f.issued, tok)
			}
			doc["authToken"] = tok
			doc["newRegistration"] = false
		})).ServeHTTP(w, r)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// register is E1. The controlled fake's claimed token belongs to the
// device that polled it, the request's client identifier.
func (f *jwtFake) register(w http.ResponseWriter, r *http.Request, client string) {
	tok := r.Header.Get("X-Plex-Token")
	owner, ok := f.legacy[tok]
	if tok == fakeToken {
		owner, ok = client, client != ""
	}
	if !ok {
		fakeError(w, http.StatusUnauthorized, 1001, "User could not be authenticated")
		return
	}
	var body struct {
		JWK json.RawMessage `json:"jwk"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 8<<10)).Decode(&body); err != nil {
		fakeError(w, http.StatusBadRequest, 1002, "Invalid request format or missing required fields")
		return
	}
	key, err := plexjwt.ParseJWK(body.JWK)
	if err != nil {
		fakeError(w, http.StatusBadRequest, 1002, "Invalid request format or missing required fields")
		return
	}
	if f.devices[owner] == nil {
		f.devices[owner] = map[string]plexjwt.DeviceKey{}
	}
	f.devices[owner][key.KID] = key
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// exchange is E3.
func (f *jwtFake) exchange(w http.ResponseWriter, r *http.Request) {
	var body struct {
		JWT string `json:"jwt"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 16<<10)).Decode(&body); err != nil || body.JWT == "" {
		fakeError(w, http.StatusBadRequest, 1002, "Invalid request format or missing required fields")
		return
	}
	d, err := plexjwt.ParseDeviceJWT(body.JWT)
	if err != nil {
		fakeError(w, http.StatusUnprocessableEntity, 1099, "Signature Verification Failed: Invalid device signature or JWT structure")
		return
	}
	key, ok := f.devices[d.Issuer][d.KID]
	if !ok {
		fakeError(w, http.StatusUnauthorized, 1097, "jwk missing. no public key to verify jwt request")
		return
	}
	now := time.Now()
	if err := d.Verify(key, fakeVerifyTime); err != nil || f.nonces[d.Nonce] != d.Issuer {
		fakeError(w, http.StatusUnprocessableEntity, 1099, "Signature Verification Failed: Invalid device signature or JWT structure")
		return
	}
	delete(f.nonces, d.Nonce)
	var tok string
	if f.legacyExchange {
		tok = "X" + randomHex(10)[:19]
	} else {
		c := plexjwt.NewClaims(d.Issuer, key.KID, plexjwt.UserForScope(plexjwt.Account{ID: 1, UUID: "0123abcd", Username: "contract"}, d.Scope), now)
		c.Nonce = d.Nonce
		if f.lifetime != 0 {
			c.Expiry = c.IssuedAt + int64(f.lifetime/time.Second)
		}
		signer := f.keys
		if f.signer != nil {
			signer = f.signer
		}
		if tok, err = signer.Sign(c); err != nil {
			fakeError(w, http.StatusInternalServerError, 1, err.Error())
			return
		}
	}
	f.issued = append(f.issued, tok)
	k := f.tokenKey
	if k == "" {
		k = "auth_token"
	}
	fakeJSON(w, http.StatusOK, map[string]string{k: tok})
}

// createPin is E5: a pin with a jwk in a JSON body; "strong" is read from
// the body.
func (f *jwtFake) createPin(w http.ResponseWriter, r *http.Request, client string) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	var body struct {
		JWK    json.RawMessage `json:"jwk"`
		Strong bool            `json:"strong"`
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.JWK == nil {
		r.Body = io.NopCloser(bytes.NewReader(raw))
		f.next.ServeHTTP(w, r)
		return
	}
	if client == "" {
		fakeError(w, http.StatusBadRequest, 1000, "X-Plex-Client-Identifier is missing")
		return
	}
	key, err := plexjwt.ParseJWK(body.JWK)
	if err != nil {
		fakeError(w, http.StatusBadRequest, 1002, "Invalid request format or missing required fields")
		return
	}
	f.n++
	id := 2000000000 + f.n
	code, life := fmt.Sprintf("J%03d", f.n%1000), 900
	if body.Strong {
		code, life = fmt.Sprintf("jwtpin%019d", f.n), 1800
	}
	now := time.Now().UTC().Truncate(time.Second)
	doc := map[string]any{
		"id": id, "code": code, "product": r.Header.Get("X-Plex-Product"), "trusted": false,
		"qr": "https://plex.tv/api/v2/pins/qr/" + code, "clientIdentifier": client,
		"location": map[string]any{
			"code": "XX", "european_union_member": false, "continent_code": "XX", "country": "Nowhere",
			"city": "Nowhere", "time_zone": "Etc/UTC", "postal_code": "00000",
			"in_privacy_restricted_country": false, "in_privacy_restricted_region": false,
			"subdivisions": "Nowhere", "coordinates": "0, 0",
		},
		"expiresIn": life, "createdAt": now.Format(time.RFC3339),
		"expiresAt": now.Add(time.Duration(life) * time.Second).Format(time.RFC3339),
		"authToken": nil, "newRegistration": nil,
	}
	f.pins[fmt.Sprint(id)] = &fakePin{doc: doc, client: client, jwk: key}
	fakeJSON(w, http.StatusCreated, doc)
}
