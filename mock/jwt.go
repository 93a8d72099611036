package mock

import (
	crand "crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// JWT device sign-in (WIRE.md, JWT family): devices register Ed25519
// keys, sign device JWTs, and get Plex JWTs signed by the server's rotating
// key set. jwtFamily (this file) holds its state; the core's operations
// (jwtcore.go: registerJWK, nonce, exchange, and the poll's two hooks
// pollJWT and pinJWT) evaluate the scenario and call it; jwtstate.go saves
// and restores it; plexapi.go has the endpoints.

// Lifetimes and limits of the JWT family.
const (
	// nonceLifetime is how long a nonce from GET /api/v2/auth/nonce can be
	// used (plex.tv: "valid for 5 minutes").
	nonceLifetime = 5 * time.Minute
	// nonceRate is how many nonces a client may ask for in a minute before
	// 429: generous, since some clients fetch one per request.
	nonceRate = 60
	// maxNonces bounds the nonces handed out and not yet used or expired,
	// and the clients with a nonce window. A nonce handed out is never
	// dropped to make room: at the cap new nonces are refused (429).
	maxNonces = 100_000
	// maxGrants bounds the client ids that have been issued a Plex JWT
	// (each keeps its revocation and its ended legacy tokens); at the cap
	// a new client id gets no Plex JWT (503, code 4029).
	maxGrants = 100_000
	// maxVerifiedBytes bounds the cache of verified device JWTs in bytes,
	// maxVerified the cache of verified Plex JWTs in entries; a cache at
	// its cap forgets an entry at random (it costs one verification).
	maxVerifiedBytes = 4 << 20
	maxVerified      = 10_000
	// verifiedTTL is how long a verified device JWT without exp is kept.
	verifiedTTL = 10 * time.Minute
	// deviceTokensKept is how many issued tokens a device lists.
	deviceTokensKept = 16
)

// Lengths of the stored JWT fields (hardening round 3: a 3.9 KB kid was
// stored per pin). Longer values are refused, never cut.
const (
	// maxKIDLen is a device key's kid (plexjwt.MaxKIDLen): 400/1002.
	maxKIDLen = plexjwt.MaxKIDLen
	// A device JWT's nonce (ours are 36-character UUIDs; the nonce is
	// copied into the Plex JWT a pin keeps) and scope: 422/1099. Its iss
	// must be the client id, at most maxClientIDLen bytes.
	maxDeviceNonceLen = 64
	maxScopeLen       = 256
)

// The JWT family's errors. plex.tv's bodies are not captured (WIRE.md J1.7);
// the codes 1096, 1098 and 1099 are mockplex's, 1097 and 1003 clients
// name. Their wire messages are in the error table (errors.go).
var (
	errJWTExpired       = errors.New("device JWT expired")
	errJWTInvalid       = errors.New("device JWT signature or structure invalid")
	errNoDeviceKey      = errors.New("jwk missing. no public key to verify jwt request")
	errThumbprintTaken  = errors.New("device key thumbprint already registered by another device")
	errDeviceRegistered = errors.New("device already registered: this client identifier has Plex JWTs for another account; use a new X-Plex-Client-Identifier")
	errJWTRequest       = errors.New("JWT request malformed or missing fields")
	errJWTClient        = errors.New("JWT request without X-Plex-Client-Identifier")
	errNonceRate        = errors.New("nonce rate limit exceeded")
	errJWTDevicesFull   = errors.New("JWT device limit reached")
	// ErrDeviceNotFound is RevokeDevice's answer for a client identifier
	// that has no device and was never issued a Plex JWT.
	ErrDeviceNotFound = errors.New("no such device")
)

// jwtFamily is the JWT family's state under its own lock, which is taken
// after a pin's shard lock and never before one.
//
// Revocation is a property of the tokens issued, not of a device entry:
// each client id that was issued a Plex JWT has a grant, which remembers
// the accounts whose legacy token it ended and which of its Plex JWTs are
// revoked (those issued at or before the revocation). Grants are not
// evicted, not forgotten by a reset, and saved in the state file, so
// re-registration, eviction, restart and reset bring nothing back.
type jwtFamily struct {
	keySeed  int64
	keysOnce sync.Once
	keys     *plexjwt.KeySet
	keysErr  error

	maxDevices     int
	maxDevicesName string       // how errors name the cap (Config.MaxClients, or mockplex's flag)
	nonceLimit     *fixedWindow // nonces per client per minute

	mu            sync.Mutex
	devices       map[string]*deviceState // registered keys, capped at maxDevices
	thumbs        map[string]string       // a registered key's thumbprint → its client id
	grants        map[string]*grant       // client ids issued a Plex JWT
	nonces        map[string]nonceEntry
	verified      map[[sha256.Size]byte]verifiedJWT // device JWTs, by digest of key and token
	verifiedBytes int
	plexJWTs      map[[sha256.Size]byte]plexToken // Plex JWTs, by digest
}

type deviceState struct {
	clientID     string
	accountID    int64
	key          *plexjwt.DeviceKey
	registeredAt time.Time
	revoked      bool
	issued       int
	tokens       []DeviceToken
}

// grant is what a client id was issued. Its Plex JWTs issued at or before
// revokedTo (Unix seconds) are refused until they expire (until).
type grant struct {
	account    int64   // the account its Plex JWTs name
	thumbprint string  // the key they were issued for
	ended      []int64 // accounts whose legacy token it ended (for good)
	until      int64   // the latest exp of its Plex JWTs
	revokedTo  int64
	removed    bool   // revoked and not issued a Plex JWT since: it may register again
	seq        uint64 // the latest pin's sequence number when it was bound to account
}

type nonceEntry struct {
	client string
	issued time.Time
}

// verifiedJWT is what a later check needs of a device JWT that verified
// with a key: its capped claims and its exp (0: none), and when it was
// verified.
type verifiedJWT struct {
	issuer, nonce, scope string
	exp, at              int64
}

// size is what the cache counts for v: its strings, the digest and the
// map's overhead.
func (v verifiedJWT) size() int {
	return len(v.issuer) + len(v.nonce) + len(v.scope) + sha256.Size + 96
}

// plexToken is what a later check needs of a verified Plex JWT.
type plexToken struct {
	userID   int64
	device   string
	iat, exp int64
}

func newJWTFamily(seed int64, maxDevices int, maxDevicesName string) *jwtFamily {
	return &jwtFamily{
		keySeed: seed, maxDevices: maxDevices, maxDevicesName: maxDevicesName, nonceLimit: newFixedWindow(nonceRate, time.Minute, maxNonces),
	}
}

// put stores v under k in *m, making the map on first use: the family's
// tables are nil until a JWT client shows up, so a server that never sees
// one (most tests) makes none of them.
func put[K comparable, V any](m *map[K]V, k K, v V) {
	if *m == nil {
		*m = make(map[K]V)
	}
	(*m)[k] = v
}

// keySet returns the signing keys, made on first use at now (most tests
// never sign in with a JWT, and key generation is start-up time). A seeded
// family makes the same keys every run.
func (j *jwtFamily) keySet(now time.Time) (*plexjwt.KeySet, error) {
	j.keysOnce.Do(func() {
		var r io.Reader = crand.Reader
		if j.keySeed != 0 {
			r = rand.New(rand.NewSource(j.keySeed ^ 0x6a77746b657973)) // "jwtkeys"
		}
		j.keys, j.keysErr = plexjwt.NewKeySet(r, now)
	})
	return j.keys, j.keysErr
}

// rotate makes a new signing key current.
func (j *jwtFamily) rotate(now time.Time) error {
	keys, err := j.keySet(now)
	if err != nil {
		return err
	}
	return keys.Rotate(now)
}

// jwks is the key set as GET /api/v2/auth/keys serves it, after dropping
// retired keys whose tokens have all expired.
func (j *jwtFamily) jwks(now time.Time) ([]byte, error) {
	keys, err := j.keySet(now)
	if err != nil {
		return nil, err
	}
	keys.Prune(now)
	return keys.JWKS(), nil
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

// routableClientID reports whether client can be named in a control URL:
// no empty, . or .. segment, which the router would clean away.
func routableClientID(client string) bool {
	for seg := range strings.SplitSeq(client, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// checkDevice is the rule for a client id and key about to be bound to an
// account: the id must be routable and the key no other device's. j.mu is
// held.
func (j *jwtFamily) checkDevice(client string, key plexjwt.DeviceKey) error {
	if !routableClientID(client) {
		return errorf(errJWTRequest, "Invalid request format or missing required fields: X-Plex-Client-Identifier %q has an empty, . or .. path segment; the control API could not name this device", client)
	}
	if other, ok := j.thumbs[key.Thumbprint]; ok && other != client {
		if d := j.devices[other]; d != nil && !d.revoked {
			return errThumbprintTaken
		}
	}
	return nil
}

// checkAccount is the rule for binding client to account: a client id
// that has Plex JWTs stays its account's (wire addendum J7.5:
// re-registering a JWT-enabled client id fails), by E1 (pinSeq 0) or by a
// JWK pin created since (pinSeq, the pin's creation sequence number, after
// the grant's). The account itself may bind a new key, as the contract
// suite does (plex.tv's answer to that is not known), and a revoked or
// reset client id may be bound again. j.mu is held.
func (j *jwtFamily) checkAccount(client string, account int64, pinSeq uint64) error {
	g := j.grants[client]
	if g == nil || g.removed || g.account == account || (pinSeq != 0 && pinSeq <= g.seq) {
		return nil
	}
	return errDeviceRegistered
}

// bind registers key for client as account's device, made if need be.
// j.mu is held. At the device cap a device with no live grant is forgotten
// to make room; when every probed device has one, the registration is
// refused.
func (j *jwtFamily) bind(client string, key *plexjwt.DeviceKey, account int64, now time.Time) (*deviceState, error) {
	d, ok := j.devices[client]
	if !ok {
		if j.maxDevices > 0 && len(j.devices) >= j.maxDevices && !j.evictOne() {
			return nil, fmt.Errorf("%w: %d devices have live Plex JWTs; revoke some, reset, or raise %s", errJWTDevicesFull, len(j.devices), j.maxDevicesName)
		}
		d = &deviceState{clientID: client, registeredAt: now}
		put(&j.devices, client, d)
	}
	if d.key != nil && j.thumbs[d.key.Thumbprint] == client {
		delete(j.thumbs, d.key.Thumbprint)
	}
	d.key, d.accountID, d.revoked = key, account, false
	put(&j.thumbs, key.Thumbprint, client)
	return d, nil
}

// evictOne forgets a random device whose tokens need no key to refresh:
// one never issued a Plex JWT, or revoked. j.mu is held.
func (j *jwtFamily) evictOne() bool {
	probes := 0
	for k, d := range j.devices { // map order is random: a random victim
		if g := j.grants[k]; g == nil || g.removed {
			if d.key != nil && j.thumbs[d.key.Thumbprint] == k {
				delete(j.thumbs, d.key.Thumbprint)
			}
			delete(j.devices, k)
			return true
		}
		if probes++; probes == 64 {
			break
		}
	}
	return false
}

// register binds key to client's device for account (E1).
func (j *jwtFamily) register(client string, key plexjwt.DeviceKey, account int64, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.checkDevice(client, key); err != nil {
		return err
	}
	if err := j.checkAccount(client, account, 0); err != nil {
		return err
	}
	_, err := j.bind(client, &key, account, now)
	return err
}

// checkPinKey refuses a JWK pin whose key could never be bound to client:
// an unroutable id or another device's key.
func (j *jwtFamily) checkPinKey(client string, key plexjwt.DeviceKey) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.checkDevice(client, key)
}

// issueNonce records nonce n for client at now: at most nonceRate a
// minute per client, and none past the table's cap.
func (j *jwtFamily) issueNonce(client, n string, now time.Time) error {
	if !j.nonceLimit.hit(client, now) {
		return errNonceRate
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.nonces) >= maxNonces {
		return errorf(errNonceRate, "Rate limit exceeded: %d nonces are outstanding; retry when some have been used or expired", maxNonces)
	}
	put(&j.nonces, n, nonceEntry{client: client, issued: now})
	return nil
}

// deviceKey returns client's registered key and account, if it has one
// and is not revoked.
func (j *jwtFamily) deviceKey(client string) (plexjwt.DeviceKey, int64, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	d := j.devices[client]
	if d == nil || d.revoked || d.key == nil {
		return plexjwt.DeviceKey{}, 0, false
	}
	return *d.key, d.accountID, true
}

// deviceDigest keys the cache of verified device JWTs: a digest of the
// key's thumbprint and the token.
func deviceDigest(compact string, key plexjwt.DeviceKey) [sha256.Size]byte {
	return digest(key.Thumbprint, compact)
}

// digest is the SHA-256 of a, a zero byte and b, hashed from a stack
// buffer when they fit (the hot path: a pending poll's JWT is a few
// hundred bytes).
func digest(a, b string) [sha256.Size]byte {
	var buf [2048]byte
	if n := len(a) + 1 + len(b); n <= len(buf) {
		copy(buf[copy(buf[:], a)+1:], b)
		return sha256.Sum256(buf[:n])
	}
	return sha256.Sum256([]byte(a + "\x00" + b))
}

// verifyDevice checks a device JWT with key, once per token and key: a
// token already verified is only checked for expiry. Its claims are
// refused over their documented lengths. dj is the token parsed, or nil.
func (j *jwtFamily) verifyDevice(compact string, dj *plexjwt.DeviceJWT, key plexjwt.DeviceKey, now time.Time) (verifiedJWT, error) {
	sum := deviceDigest(compact, key)
	j.mu.Lock()
	v, ok := j.verified[sum]
	j.mu.Unlock()
	if ok {
		return v, v.expired(now)
	}
	if dj == nil {
		var err error
		if dj, err = plexjwt.ParseDeviceJWT(compact); err != nil {
			return verifiedJWT{}, errorf(errJWTInvalid, "Signature Verification Failed: %v", err)
		}
	}
	switch {
	case checkClientID(dj.Issuer) != nil:
		return verifiedJWT{}, errorf(errJWTInvalid, "Signature Verification Failed: iss has %d bytes, at most %d", len(dj.Issuer), maxClientIDLen)
	case len(dj.Nonce) > maxDeviceNonceLen:
		return verifiedJWT{}, errorf(errJWTInvalid, "Signature Verification Failed: nonce has %d bytes, at most %d; use the one GET /api/v2/auth/nonce gave", len(dj.Nonce), maxDeviceNonceLen)
	case len(dj.Scope) > maxScopeLen:
		return verifiedJWT{}, errorf(errJWTInvalid, "Signature Verification Failed: scope has %d bytes, at most %d", len(dj.Scope), maxScopeLen)
	}
	err := dj.Verify(key, now)
	switch {
	case errors.Is(err, plexjwt.ErrExpired):
		return verifiedJWT{}, errJWTExpired
	case err != nil:
		return verifiedJWT{}, errorf(errJWTInvalid, "Signature Verification Failed: %v", err)
	}
	v = verifiedJWT{issuer: dj.Issuer, nonce: dj.Nonce, scope: dj.Scope, at: now.Unix()}
	if !dj.Expiry.IsZero() {
		v.exp = dj.Expiry.Unix()
	}
	j.mu.Lock()
	j.rememberVerified(sum, v)
	j.mu.Unlock()
	return v, nil
}

// rememberVerified caches v, forgetting entries at random past the byte
// budget. j.mu is held.
func (j *jwtFamily) rememberVerified(sum [sha256.Size]byte, v verifiedJWT) {
	if old, ok := j.verified[sum]; ok {
		j.verifiedBytes -= old.size()
	}
	for k, old := range j.verified {
		if j.verifiedBytes+v.size() <= maxVerifiedBytes {
			break
		}
		j.verifiedBytes -= old.size()
		delete(j.verified, k)
	}
	put(&j.verified, sum, v)
	j.verifiedBytes += v.size()
}

func (v verifiedJWT) expired(now time.Time) error {
	if v.exp != 0 && v.exp <= now.Unix() {
		return errJWTExpired
	}
	return nil
}

// verifyPlex checks a Plex JWT against the key set, once per token (a
// token already verified is only checked for expiry), and against the
// revocations.
func (j *jwtFamily) verifyPlex(token string, now time.Time) (plexToken, error) {
	sum := digest("", token)
	j.mu.Lock()
	pt, ok := j.plexJWTs[sum]
	j.mu.Unlock()
	if !ok {
		keys, err := j.keySet(now)
		if err != nil {
			return plexToken{}, err
		}
		claims, err := keys.Verify(token, now)
		switch {
		case errors.Is(err, plexjwt.ErrExpired):
			return plexToken{}, errJWTExpired
		case err != nil:
			return plexToken{}, errUnauthorized
		}
		pt = plexToken{userID: claims.User.ID, iat: claims.IssuedAt, exp: claims.Expiry}
		for _, a := range claims.Audience {
			if a != plexjwt.Audience {
				pt.device = a
			}
		}
		j.mu.Lock()
		if _, ok := j.plexJWTs[sum]; !ok && len(j.plexJWTs) >= maxVerified {
			for k := range j.plexJWTs {
				delete(j.plexJWTs, k)
				break
			}
		}
		put(&j.plexJWTs, sum, pt)
		j.mu.Unlock()
	}
	if pt.exp <= now.Unix() {
		return plexToken{}, errJWTExpired
	}
	j.mu.Lock()
	g := j.grants[pt.device]
	revoked := g != nil && pt.iat <= g.revokedTo
	j.mu.Unlock()
	if revoked {
		return plexToken{}, errUnauthorized
	}
	return pt, nil
}

// legacyEnded reports whether issuing a Plex JWT to client ended the
// legacy token of account there.
func (j *jwtFamily) legacyEnded(client string, account int64) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	g := j.grants[client]
	return g != nil && slices.Contains(g.ended, account)
}

// consumeNonce uses up nonce n for client at now. j.mu is held.
func (j *jwtFamily) consumeNonce(n, client string, now time.Time) error {
	e, ok := j.nonces[n]
	if n == "" || !ok || e.client != client || now.Sub(e.issued) >= nonceLifetime {
		return errorf(errJWTInvalid, "Signature Verification Failed: the nonce is missing, unknown, used, expired or another client's; get one from GET /api/v2/auth/nonce")
	}
	delete(j.nonces, n) // single use
	return nil
}

// issueReq is a Plex JWT to sign: for client, with key, naming account,
// with the claims of the device JWT that asked. A pin's key is bound to
// the client first (register); an exchange uses up its nonce.
type issueReq struct {
	client   string
	key      *plexjwt.DeviceKey
	account  plexjwt.Account
	claims   verifiedJWT
	lifetime time.Duration // 0: plexjwt.TokenLifetime
	register bool          // a JWK pin's first Plex JWT
	nonce    bool          // an exchange: the claims' nonce must be live and is used up
	// pinSeq is the JWK pin's creation sequence number, lastSeq the
	// latest pin's (which a new grant records).
	pinSeq, lastSeq uint64
}

// issue signs a Plex JWT and records it: the client's grant ends the
// account's legacy token there and keeps the token's expiry.
func (j *jwtFamily) issue(q issueReq, now time.Time) (string, error) {
	keys, err := j.keySet(now)
	if err != nil {
		return "", err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if q.nonce {
		if err := j.consumeNonce(q.claims.nonce, q.client, now); err != nil {
			return "", err
		}
	}
	g := j.grants[q.client]
	if g == nil && len(j.grants) >= maxGrants {
		return "", fmt.Errorf("%w: %d client identifiers have Plex JWTs; restart without the state file to start afresh", errJWTDevicesFull, maxGrants)
	}
	var dev *deviceState
	if q.register {
		if err := j.checkDevice(q.client, *q.key); err != nil {
			return "", err
		}
		if err := j.checkAccount(q.client, q.account.ID, q.pinSeq); err != nil {
			return "", err
		}
		if dev, err = j.bind(q.client, q.key, q.account.ID, now); err != nil {
			return "", err
		}
	} else if dev = j.devices[q.client]; dev == nil || dev.revoked || dev.key == nil || dev.key.Thumbprint != q.key.Thumbprint || dev.accountID != q.account.ID {
		return "", errNoDeviceKey // revoked or bound again since the device JWT was verified
	}
	// A token issued in the second of a revocation must not fall under it.
	iat := now
	if g != nil && now.Unix() <= g.revokedTo {
		iat = time.Unix(g.revokedTo+1, 0)
	}
	claims := plexjwt.NewClaims(q.client, q.key.KID, plexjwt.UserForScope(q.account, q.claims.scope), iat)
	if q.lifetime > 0 {
		claims.Expiry = iat.Add(q.lifetime).Unix()
	}
	claims.Nonce = q.claims.nonce
	tok, err := keys.Sign(claims)
	if err != nil {
		return "", err
	}
	if g == nil {
		g = &grant{}
		put(&j.grants, q.client, g)
	}
	if g.removed || g.account != q.account.ID || g.seq == 0 {
		g.seq = q.lastSeq // pins created from now on are newer than the binding
	}
	g.account, g.thumbprint, g.removed = q.account.ID, q.key.Thumbprint, false
	g.until = max(g.until, claims.Expiry)
	if !slices.Contains(g.ended, q.account.ID) {
		g.ended = append(g.ended, q.account.ID)
	}
	dev.issued++
	signer := ""
	for _, k := range keys.Keys() {
		if k.Current {
			signer = k.KID
		}
	}
	dev.tokens = append(dev.tokens, DeviceToken{IssuedAt: iat.UTC(), ExpiresAt: time.Unix(claims.Expiry, 0).UTC(), KID: signer})
	if len(dev.tokens) > deviceTokensKept {
		dev.tokens = slices.Delete(dev.tokens, 0, len(dev.tokens)-deviceTokensKept)
	}
	return tok, nil
}

// clientTokens is how many Plex JWTs client's device has had.
func (j *jwtFamily) clientTokens(client string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if d, ok := j.devices[client]; ok {
		return d.issued
	}
	return 0
}

// revoke ends client's device: its key, and every Plex JWT issued to it
// so far, until they expire, whatever happens to the device after. A
// client id whose device was forgotten but that has Plex JWTs can still
// be revoked.
func (j *jwtFamily) revoke(client string, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	d, g := j.devices[client], j.grants[client]
	if d == nil && g == nil {
		return fmt.Errorf("%w: %q; GET %s/devices lists them", ErrDeviceNotFound, client, controlPrefix)
	}
	if d != nil {
		d.revoked = true
		if g == nil { // registered, never issued a Plex JWT: its legacy token ends too
			g = &grant{account: d.accountID}
			put(&j.grants, client, g)
		}
		if !slices.Contains(g.ended, d.accountID) {
			g.ended = append(g.ended, d.accountID)
		}
	}
	g.revokedTo, g.removed = max(g.revokedTo, now.Unix()), true
	return nil
}

// listDevices lists up to limit devices (0: all) whose client id sorts after
// after, by client identifier, and the total; name finds an account's
// username.
func (j *jwtFamily) listDevices(limit int, after string, name func(int64) string) ([]Device, int) {
	j.mu.Lock()
	ids := make([]string, 0, len(j.devices))
	for id := range j.devices {
		if id > after || after == "" {
			ids = append(ids, id)
		}
	}
	total := len(j.devices)
	slices.Sort(ids)
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]Device, 0, len(ids))
	accounts := make([]int64, 0, len(ids))
	for _, id := range ids {
		d := j.devices[id]
		g := j.grants[id]
		v := Device{
			ClientIdentifier: d.clientID, RegisteredAt: d.registeredAt, LegacyRevoked: g != nil && slices.Contains(g.ended, d.accountID),
			Revoked: d.revoked, TokensIssued: d.issued, Tokens: slices.Clone(d.tokens),
		}
		if v.Tokens == nil {
			v.Tokens = []DeviceToken{}
		}
		if d.key != nil {
			v.KID, v.Thumbprint = d.key.KID, d.key.Thumbprint
		}
		out = append(out, v)
		accounts = append(accounts, d.accountID)
	}
	j.mu.Unlock()
	for i := range out { // outside j.mu: the accounts have their own lock
		out[i].Account = name(accounts[i])
	}
	return out, total
}

// sweep forgets expired nonces and cached tokens, and revocations whose
// tokens have all expired.
func (j *jwtFamily) sweep(now time.Time) {
	j.nonceLimit.sweep(now)
	j.mu.Lock()
	defer j.mu.Unlock()
	for n, e := range j.nonces {
		if now.Sub(e.issued) >= nonceLifetime {
			delete(j.nonces, n)
		}
	}
	stale := now.Add(-verifiedTTL).Unix()
	for k, v := range j.verified {
		if v.expired(now) != nil || (v.exp == 0 && v.at <= stale) {
			j.verifiedBytes -= v.size()
			delete(j.verified, k)
		}
	}
	for k, pt := range j.plexJWTs {
		if pt.exp <= now.Unix() {
			delete(j.plexJWTs, k)
		}
	}
	for _, g := range j.grants {
		if g.revokedTo != 0 && g.until <= now.Unix() {
			g.revokedTo = 0 // every token it covered has expired
		}
	}
}

// reset forgets the devices (their keys), the nonce windows and the
// caches. Every Plex JWT issued so far is revoked, so a device may
// register again, and ended legacy tokens stay ended; handed-out nonces
// stay usable. The signing keys stay, so keys a client fetched still
// verify.
func (j *jwtFamily) reset(now time.Time) {
	j.nonceLimit.reset()
	j.mu.Lock()
	defer j.mu.Unlock()
	j.devices, j.thumbs = nil, nil
	j.verified, j.verifiedBytes, j.plexJWTs = nil, 0, nil
	for _, g := range j.grants {
		g.revokedTo, g.removed = max(g.revokedTo, now.Unix()), true
	}
}
