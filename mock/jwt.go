package mock

import (
	crand "crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/scenarios"
)

// JWT device sign-in (WIRE.md, JWT family): devices register Ed25519
// keys, sign device JWTs, and get Plex JWTs signed by the server's rotating
// key set. This file is the core's part of it; plexapi.go has the
// endpoints.

// Lifetimes and limits of the JWT family.
const (
	// NonceLifetime is how long a nonce from GET /api/v2/auth/nonce can be
	// used (plex.tv: "valid for 5 minutes").
	NonceLifetime = 5 * time.Minute
	// NonceRate is how many nonces a client may ask for in a minute before
	// 429: generous, since some clients fetch one per request.
	NonceRate = 60
	// maxNonces and maxVerified bound the nonce table and the caches of
	// verified tokens; at the cap an entry is forgotten at random.
	maxNonces   = 100_000
	maxVerified = 10_000
	// deviceTokensKept is how many issued tokens a device lists.
	deviceTokensKept = 16
)

// The JWT family's errors (WIRE.md J1.7). plex.tv's bodies are not
// captured; the codes 1096, 1098 and 1099 are mockplex's, 1097 and 1003
// clients name.
var (
	errJWTExpired      = errors.New("Token Expired: Your JWT has expired and needs refresh")
	errJWTInvalid      = errors.New("Signature Verification Failed: Invalid device signature or JWT structure")
	errNoDeviceKey     = errors.New("jwk missing. no public key to verify jwt request")
	errThumbprintTaken = errors.New("Thumbprint Already Taken: JWK already registered by another device")
	errJWTRequest      = errors.New("Invalid request format or missing required fields")
	errNonceClient     = errors.New("X-Plex-Client-Identifier is missing")
	errNonceRate       = errors.New("Rate limit exceeded (nonce requests are rate-limited)")
	// ErrDeviceNotFound is RevokeDevice's answer for a client identifier
	// that has no device.
	ErrDeviceNotFound = errors.New("no such device")
)

// jwtState is the core's JWT family state, under its own lock, which is
// taken after a pin's shard lock and never before one.
type jwtState struct {
	keySeed  int64
	keysOnce sync.Once
	keys     *plexjwt.KeySet
	keysErr  error

	mu        sync.Mutex
	devices   map[string]*deviceState
	nonces    map[string]nonceEntry
	NonceRate map[string]*rateWindow
	verified  map[verifiedKey]verifiedJWT // device JWTs already verified
	plexJWTs  map[string]*plexjwt.Claims  // Plex JWTs already verified
}

type deviceState struct {
	clientID      string
	accountID     int64
	key           *plexjwt.DeviceKey
	registeredAt  time.Time
	legacyRevoked bool
	revoked       bool
	issued        int
	tokens        []DeviceToken
}

type nonceEntry struct {
	client string
	issued time.Time
}

type rateWindow struct {
	n     int
	since time.Time
}

type verifiedKey struct {
	token, thumbprint string
}

// verifiedJWT is a device JWT that verified with a key: the parsed token
// (never modified after parsing) and its exp (0: none).
type verifiedJWT struct {
	dj  *plexjwt.DeviceJWT
	exp int64
}

func newJWTState(seed int64) *jwtState {
	return &jwtState{
		keySeed: seed, devices: map[string]*deviceState{}, nonces: map[string]nonceEntry{},
		NonceRate: map[string]*rateWindow{}, verified: map[verifiedKey]verifiedJWT{}, plexJWTs: map[string]*plexjwt.Claims{},
	}
}

// keySet returns the server's signing keys, made on first use (most tests
// never sign in with a JWT, and key generation is start-up time). A seeded
// server makes the same keys every run.
func (c *core) keySet() (*plexjwt.KeySet, error) {
	j := c.jwt
	j.keysOnce.Do(func() {
		var r io.Reader = crand.Reader
		if j.keySeed != 0 {
			r = rand.New(rand.NewSource(j.keySeed ^ 0x6a77746b657973)) // "jwtkeys"
		}
		j.keys, j.keysErr = plexjwt.NewKeySet(r, c.clock.Now())
	})
	return j.keys, j.keysErr
}

// Device is what the mock knows of a JWT device: a client identifier with a
// registered key, the account it signs in as, and the Plex JWTs issued to
// it.
type Device struct {
	ClientIdentifier string        `json:"clientIdentifier"`
	Account          string        `json:"account,omitempty"`
	KID              string        `json:"kid,omitempty"`
	Thumbprint       string        `json:"thumbprint,omitempty"`
	RegisteredAt     time.Time     `json:"registeredAt"`
	LegacyRevoked    bool          `json:"legacyTokenRevoked"`
	Revoked          bool          `json:"revoked"`
	TokensIssued     int           `json:"tokensIssued"`
	Tokens           []DeviceToken `json:"tokens"` // the latest, newest last
}

// DeviceToken is a Plex JWT issued to a device.
type DeviceToken struct {
	IssuedAt  time.Time `json:"issuedAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	KID       string    `json:"kid"` // the signing key's
}

// device returns the device of client, made if need be; j.mu is held.
func (c *core) device(client string, now time.Time) *deviceState {
	j := c.jwt
	d, ok := j.devices[client]
	if !ok {
		if max := c.cfg.maxClients; max > 0 && len(j.devices) >= max {
			for k := range j.devices { // map order is random: a random victim
				delete(j.devices, k)
				break
			}
		}
		d = &deviceState{clientID: client, registeredAt: now}
		j.devices[client] = d
	}
	return d
}

// isJWT reports whether a token looks like a compact JWS rather than a
// legacy token.
func isJWT(token string) bool {
	return strings.Count(token, ".") == 2 && strings.HasPrefix(token, "eyJ")
}

// resolve finds the account of an X-Plex-Token sent by client: a legacy
// token, or a Plex JWT signed by the server's key set. It returns the
// device the token belongs to (a JWT's audience, else client).
func (c *core) resolve(token, client string, now time.Time) (*Account, string, error) {
	if token == "" {
		return nil, "", errUnauthorized
	}
	if isJWT(token) {
		claims, err := c.verifyPlexJWT(token, now)
		if err != nil {
			return nil, "", err
		}
		device := ""
		for _, a := range claims.Audience {
			if a != plexjwt.Audience {
				device = a
			}
		}
		c.jwt.mu.Lock()
		d := c.jwt.devices[device]
		revoked := d != nil && d.revoked
		c.jwt.mu.Unlock()
		acc, ok := c.accounts.byID(claims.User.ID)
		if revoked || !ok {
			return nil, "", errUnauthorized
		}
		return acc, device, nil
	}
	acc, ok := c.accounts.byTok(token)
	if !ok {
		return nil, "", errUnauthorized
	}
	c.jwt.mu.Lock()
	d := c.jwt.devices[client]
	ended := d != nil && d.accountID == acc.ID && (d.legacyRevoked || d.revoked)
	c.jwt.mu.Unlock()
	if ended {
		return nil, "", errUnauthorized // issuing a JWT ended this device's legacy token
	}
	return acc, client, nil
}

// verifyPlexJWT checks a Plex JWT against the key set, once per token: a
// token already verified is only checked for expiry.
func (c *core) verifyPlexJWT(token string, now time.Time) (*plexjwt.Claims, error) {
	j := c.jwt
	j.mu.Lock()
	claims, ok := j.plexJWTs[token]
	j.mu.Unlock()
	if !ok {
		keys, err := c.keySet()
		if err != nil {
			return nil, err
		}
		claims, err = keys.Verify(token, now)
		switch {
		case errors.Is(err, plexjwt.ErrExpired):
			return nil, errJWTExpired
		case err != nil:
			return nil, errUnauthorized
		}
		j.mu.Lock()
		remember(j.plexJWTs, token, claims, maxVerified)
		j.mu.Unlock()
	}
	if claims.Expiry <= now.Unix() {
		return nil, errJWTExpired
	}
	return claims, nil
}

// remember stores k in m, forgetting a random entry at the cap.
func remember[K comparable, V any](m map[K]V, k K, v V, max int) {
	if _, ok := m[k]; !ok && len(m) >= max {
		for old := range m {
			delete(m, old)
			break
		}
	}
	m[k] = v
}

// registerJWK binds a device key to the device of token (E1).
func (c *core) registerJWK(token string, raw []byte, q request) (scenarios.Decision, error) {
	now := c.clock.Now()
	d := c.evaluate(q.script, q.client, c.event(q, scenarios.OpJWK, now))
	if preempts(d) {
		return d, nil
	}
	acc, device, err := c.resolve(token, q.client, now)
	if err != nil {
		return d, err
	}
	if device == "" {
		return d, ErrMissingClientID
	}
	key, err := parseJWK(raw)
	if err != nil {
		return d, err
	}
	j := c.jwt
	j.mu.Lock()
	defer j.mu.Unlock()
	for id, other := range j.devices {
		if id != device && other.key != nil && other.key.Thumbprint == key.Thumbprint && !other.revoked {
			return d, errThumbprintTaken
		}
	}
	dev := c.device(device, now)
	dev.key, dev.accountID, dev.revoked = &key, acc.ID, false
	return d, nil
}

// parseJWK reads a device JWK, mapping refusals to the error table.
func parseJWK(raw []byte) (plexjwt.DeviceKey, error) {
	if len(raw) == 0 {
		return plexjwt.DeviceKey{}, errorf(errJWTRequest, "Invalid request format or missing required fields: the body must be {\"jwk\": {…}}")
	}
	key, err := plexjwt.ParseJWK(raw)
	if err != nil {
		return plexjwt.DeviceKey{}, errorf(errJWTRequest, "Invalid request format or missing required fields: %v", err)
	}
	return key, nil
}

// nonce issues a nonce to client (E2).
func (c *core) nonce(q request) (string, scenarios.Decision, error) {
	now := c.clock.Now()
	if q.client == "" {
		return "", scenarios.Decision{}, errNonceClient
	}
	d := c.evaluate(q.script, q.client, c.event(q, scenarios.OpNonce, now))
	if preempts(d) {
		return "", d, nil
	}
	j := c.jwt
	j.mu.Lock()
	defer j.mu.Unlock()
	w, ok := j.NonceRate[q.client]
	if !ok || now.Sub(w.since) >= time.Minute {
		w = &rateWindow{since: now}
		remember(j.NonceRate, q.client, w, maxNonces)
	}
	if w.n++; w.n > NonceRate {
		return "", d, errNonceRate
	}
	n := c.faker.UUID()
	remember(j.nonces, n, nonceEntry{client: q.client, issued: now}, maxNonces)
	return n, d, nil
}

// exchange verifies a device JWT and issues a Plex JWT for it (E3), in the
// order of WIRE.md's J4.3.
func (c *core) exchange(compact string, q request) (string, scenarios.Decision, error) {
	now := c.clock.Now()
	ev := c.event(q, scenarios.OpToken, now)
	dj, dev, acc, err := c.verifyExchange(compact, now)
	if err == nil {
		c.jwt.mu.Lock()
		ev.ClientTokens = dev.issued + 1
		c.jwt.mu.Unlock()
	}
	d := c.evaluate(q.script, q.client, ev)
	if preempts(d) || err != nil {
		return "", d, err
	}
	j := c.jwt
	j.mu.Lock()
	defer j.mu.Unlock()
	nonce, ok := j.nonces[dj.Nonce]
	if dj.Nonce == "" || !ok || nonce.client != dj.Issuer || now.Sub(nonce.issued) >= NonceLifetime {
		return "", d, errorf(errJWTInvalid, "Signature Verification Failed: the nonce is missing, unknown, used, expired or another client's; get one from GET /api/v2/auth/nonce")
	}
	delete(j.nonces, dj.Nonce) // single use
	tok, err := c.issue(dev, acc, dj, d, now)
	return tok, d, err
}

// verifyExchange finds the device of a device JWT and verifies the token
// with its key.
func (c *core) verifyExchange(compact string, now time.Time) (*plexjwt.DeviceJWT, *deviceState, *Account, error) {
	dj, err := plexjwt.ParseDeviceJWT(compact)
	if err != nil {
		return nil, nil, nil, errorf(errJWTInvalid, "Signature Verification Failed: %v", err)
	}
	c.jwt.mu.Lock()
	dev := c.jwt.devices[dj.Issuer]
	var key *plexjwt.DeviceKey
	if dev != nil && !dev.revoked {
		key = dev.key
	}
	c.jwt.mu.Unlock()
	if key == nil {
		return nil, nil, nil, errNoDeviceKey
	}
	acc, ok := c.accounts.byID(dev.accountID)
	if !ok {
		return nil, nil, nil, errNoDeviceKey
	}
	if err := c.verifyDeviceJWT(dj, compact, *key, now); err != nil {
		return nil, nil, nil, err
	}
	return dj, dev, acc, nil
}

// verifyDeviceJWT checks a parsed device JWT with key, once per token and
// key: a token already verified is only checked for expiry.
func (c *core) verifyDeviceJWT(dj *plexjwt.DeviceJWT, compact string, key plexjwt.DeviceKey, now time.Time) error {
	if v, ok := c.verifiedJWT(compact, key); ok {
		return v.expired(now)
	}
	err := dj.Verify(key, now)
	switch {
	case errors.Is(err, plexjwt.ErrExpired):
		return errJWTExpired
	case err != nil:
		return errorf(errJWTInvalid, "Signature Verification Failed: %v", err)
	}
	v := verifiedJWT{dj: dj}
	if !dj.Expiry.IsZero() {
		v.exp = dj.Expiry.Unix()
	}
	j := c.jwt
	j.mu.Lock()
	remember(j.verified, verifiedKey{compact, key.Thumbprint}, v, maxVerified)
	j.mu.Unlock()
	return nil
}

// verifiedJWT finds a device JWT that already verified with key.
func (c *core) verifiedJWT(compact string, key plexjwt.DeviceKey) (verifiedJWT, bool) {
	c.jwt.mu.Lock()
	defer c.jwt.mu.Unlock()
	v, ok := c.jwt.verified[verifiedKey{compact, key.Thumbprint}]
	return v, ok
}

func (v verifiedJWT) expired(now time.Time) error {
	if v.exp != 0 && v.exp <= now.Unix() {
		return errJWTExpired
	}
	return nil
}

// issue signs a Plex JWT for dev and records it; the device's legacy token
// ends. c.jwt.mu is held.
func (c *core) issue(dev *deviceState, acc *Account, dj *plexjwt.DeviceJWT, d scenarios.Decision, now time.Time) (string, error) {
	keys, err := c.keySet()
	if err != nil {
		return "", err
	}
	if d.RotateKeys {
		if err := keys.Rotate(now); err != nil {
			return "", err
		}
	}
	user := plexjwt.UserForScope(plexjwt.Account{
		ID: acc.ID, UUID: acc.UUID, Username: acc.Username, Email: acc.Email, FriendlyName: acc.Title, JoinedAt: acc.JoinedAt,
	}, dj.Scope)
	claims := plexjwt.NewClaims(dev.clientID, dev.key.KID, user, now)
	if d.TokenLifetime > 0 {
		claims.Expiry = now.Add(d.TokenLifetime).Unix()
	}
	claims.Nonce = dj.Nonce
	tok, err := keys.Sign(claims)
	if err != nil {
		return "", err
	}
	dev.issued++
	dev.legacyRevoked = true
	signer := ""
	for _, k := range keys.Keys() {
		if k.Current {
			signer = k.KID
		}
	}
	dev.tokens = append(dev.tokens, DeviceToken{IssuedAt: now, ExpiresAt: time.Unix(claims.Expiry, 0).UTC(), KID: signer})
	if len(dev.tokens) > deviceTokensKept {
		dev.tokens = slices.Delete(dev.tokens, 0, len(dev.tokens)-deviceTokensKept)
	}
	return tok, nil
}

// pollJWT works out what a poll's deviceJWT says about a JWK pin p, under
// p's shard lock.
func (c *core) pollJWT(p *pin, compact string, now time.Time) (*plexjwt.DeviceJWT, scenarios.JWTState) {
	if compact == "" {
		return nil, scenarios.JWTAbsent
	}
	if p.jwk == nil {
		return nil, scenarios.JWTInvalid // a classic pin has no key to check it with
	}
	if v, ok := c.verifiedJWT(compact, *p.jwk); ok { // the same poll JWT again: no parse, no verify
		if v.dj.Issuer != p.clientID || v.expired(now) != nil {
			return nil, scenarios.JWTInvalid
		}
		return v.dj, scenarios.JWTValid
	}
	dj, err := plexjwt.ParseDeviceJWT(compact)
	if err != nil || dj.Issuer != p.clientID || c.verifyDeviceJWT(dj, compact, *p.jwk, now) != nil {
		return nil, scenarios.JWTInvalid
	}
	return dj, scenarios.JWTValid
}

// pinJWT issues (once) the Plex JWT of a claimed JWK pin polled with a
// valid device JWT, registering the pin's key on its client's device.
// Under p's shard lock.
func (c *core) pinJWT(p *pin, dj *plexjwt.DeviceJWT, d scenarios.Decision, now time.Time) (string, error) {
	if p.jwt != "" {
		return p.jwt, nil
	}
	acc, ok := c.accounts.byID(p.accountID)
	if !ok {
		return "", errUnauthorized
	}
	j := c.jwt
	j.mu.Lock()
	defer j.mu.Unlock()
	dev := c.device(p.clientID, now)
	dev.key, dev.accountID, dev.revoked = p.jwk, acc.ID, false
	tok, err := c.issue(dev, acc, dj, d, now)
	if err != nil {
		return "", err
	}
	p.jwt = tok
	return tok, nil
}

// clientTokens is how many Plex JWTs client has had; the poll's event
// counts the one it would issue.
func (c *core) clientTokens(client string) int {
	c.jwt.mu.Lock()
	defer c.jwt.mu.Unlock()
	if d, ok := c.jwt.devices[client]; ok {
		return d.issued
	}
	return 0
}

// devices lists the JWT devices, by client identifier.
func (c *core) devices() []Device {
	c.jwt.mu.Lock()
	defer c.jwt.mu.Unlock()
	out := make([]Device, 0, len(c.jwt.devices))
	for _, d := range c.jwt.devices {
		v := Device{
			ClientIdentifier: d.clientID, RegisteredAt: d.registeredAt, LegacyRevoked: d.legacyRevoked,
			Revoked: d.revoked, TokensIssued: d.issued, Tokens: slices.Clone(d.tokens),
		}
		if v.Tokens == nil {
			v.Tokens = []DeviceToken{}
		}
		if d.key != nil {
			v.KID, v.Thumbprint = d.key.KID, d.key.Thumbprint
		}
		if acc, ok := c.accounts.byID(d.accountID); ok {
			v.Account = acc.Username
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b Device) int { return strings.Compare(a.ClientIdentifier, b.ClientIdentifier) })
	return out
}

// revoke ends a device: its key, its Plex JWTs and its legacy token.
func (c *core) revoke(client string) error {
	c.jwt.mu.Lock()
	defer c.jwt.mu.Unlock()
	d, ok := c.jwt.devices[client]
	if !ok {
		return fmt.Errorf("%w: %q; GET %s/devices lists them", ErrDeviceNotFound, client, controlPrefix)
	}
	d.revoked, d.legacyRevoked = true, true
	return nil
}

// sweepJWT forgets expired nonces, rate windows and cached tokens.
func (c *core) sweepJWT(now time.Time) {
	j := c.jwt
	j.mu.Lock()
	defer j.mu.Unlock()
	for n, e := range j.nonces {
		if now.Sub(e.issued) >= NonceLifetime {
			delete(j.nonces, n)
		}
	}
	for k, w := range j.NonceRate {
		if now.Sub(w.since) >= time.Minute {
			delete(j.NonceRate, k)
		}
	}
	for k, v := range j.verified {
		if v.expired(now) != nil {
			delete(j.verified, k)
		}
	}
	for k, cl := range j.plexJWTs {
		if cl.Expiry <= now.Unix() {
			delete(j.plexJWTs, k)
		}
	}
}

// resetJWT forgets devices, nonces and caches; the signing keys stay, so
// keys a client fetched still verify.
func (c *core) resetJWT() {
	j := c.jwt
	j.mu.Lock()
	defer j.mu.Unlock()
	j.devices, j.nonces, j.NonceRate = map[string]*deviceState{}, map[string]nonceEntry{}, map[string]*rateWindow{}
	j.verified, j.plexJWTs = map[verifiedKey]verifiedJWT{}, map[string]*plexjwt.Claims{}
}

// jwks is the key set as GET /api/v2/auth/keys serves it, after dropping
// retired keys whose tokens have all expired.
func (c *core) jwks() ([]byte, error) {
	keys, err := c.keySet()
	if err != nil {
		return nil, err
	}
	keys.Prune(c.clock.Now())
	return keys.JWKS(), nil
}
