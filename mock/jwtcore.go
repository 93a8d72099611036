package mock

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/scenarios"
)

// The core's side of the family: the operations that evaluate a scenario
// and then call it.

// keySet returns the server's signing keys.
func (c *core) keySet() (*plexjwt.KeySet, error) { return c.jwt.keySet(c.clock.Now()) }

// jwks is the key set as GET /api/v2/auth/keys serves it.
func (c *core) jwks() ([]byte, error) { return c.jwt.jwks(c.clock.Now()) }

// plexJWTFor signs a Plex JWT for another user of the presented token's
// Home (a profile switch): the presented token's claims (its device, its
// expiry) with user in their place, issued now. It reports false when
// presented is not a valid, unrevoked Plex JWT. The token is the presented
// device's, so revoking that device ends it too.
func (c *core) plexJWTFor(presented string, user plexjwt.User, now time.Time) (string, bool) {
	if !isJWT(presented) {
		return "", false
	}
	if _, err := c.jwt.verifyPlex(presented, now); err != nil {
		return "", false
	}
	keys, err := c.keySet()
	if err != nil {
		return "", false
	}
	claims, err := keys.Verify(presented, now)
	if err != nil {
		return "", false
	}
	cl := *claims
	cl.User, cl.IssuedAt = user, now.Unix()
	tok, err := keys.Sign(cl)
	if err != nil {
		c.log.Error("home: sign a switched Plex JWT", "err", err)
		return "", false
	}
	return tok, true
}

// plexAccount is what a Plex JWT's user claim may show of acc.
func plexAccount(acc *Account) plexjwt.Account {
	return plexjwt.Account{ID: acc.ID, UUID: acc.UUID, Username: acc.Username, Email: acc.Email, FriendlyName: acc.Title, JoinedAt: acc.JoinedAt}
}

// isJWT reports whether a token looks like a compact JWS rather than a
// legacy token.
func isJWT(token string) bool {
	return strings.Count(token, ".") == 2 && strings.HasPrefix(token, "eyJ")
}

// resolve finds the account of an X-Plex-Token sent by client: a legacy
// token, or a Plex JWT signed by the server's key set and not revoked. It
// returns the device the token belongs to (a JWT's audience, else client).
func (c *core) resolve(token, client string, now time.Time) (*Account, string, error) {
	if token == "" {
		return nil, "", errUnauthorized
	}
	if isJWT(token) {
		pt, err := c.jwt.verifyPlex(token, now)
		if err != nil {
			return nil, "", err
		}
		acc, ok := c.accounts.byID(pt.userID)
		if !ok {
			return nil, "", errUnauthorized
		}
		return acc, pt.device, nil
	}
	acc, ok := c.accounts.byTok(token)
	if !ok {
		return nil, "", errUnauthorized
	}
	if c.jwt.legacyEnded(client, acc.ID) {
		return nil, "", errUnauthorized // issuing a JWT ended this device's legacy token
	}
	return acc, client, nil
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
		return d, errMissingClientID
	}
	key, err := parseJWK(raw)
	if err != nil {
		return d, err
	}
	return d, c.jwt.register(device, key, acc.ID, now)
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

// pinKey reads the jwk member of a create's JSON body (any JSON value) as
// the key of a JWK pin for client.
func (c *core) pinKey(v any, client string) (*plexjwt.DeviceKey, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(errJWTRequest, "Invalid request format or missing required fields: jwk must be a JSON object like {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":…}")
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, errorf(errJWTRequest, "Invalid request format or missing required fields: jwk: %v", err)
	}
	key, err := parseJWK(raw)
	if err != nil {
		return nil, err
	}
	if client != "" {
		if err := c.jwt.checkPinKey(client, key); err != nil {
			return nil, err
		}
	}
	return &key, nil
}

// nonce issues a nonce to client (E2).
func (c *core) nonce(q request) (string, scenarios.Decision, error) {
	now := c.clock.Now()
	if q.client == "" {
		return "", scenarios.Decision{}, errJWTClient
	}
	d := c.evaluate(q.script, q.client, c.event(q, scenarios.OpNonce, now))
	if preempts(d) {
		return "", d, nil
	}
	n := c.faker.UUID()
	if err := c.jwt.issueNonce(q.client, n, now); err != nil {
		return "", d, err
	}
	return n, d, nil
}

// exchange verifies a device JWT and issues a Plex JWT for it (E3), in the
// order of the wire contract's §4.3.
func (c *core) exchange(compact string, q request) (string, scenarios.Decision, error) {
	now := c.clock.Now()
	if q.client == "" {
		return "", scenarios.Decision{}, errJWTClient
	}
	ev := c.event(q, scenarios.OpToken, now)
	v, key, acc, err := c.verifyExchange(compact, q.client, now)
	if err == nil {
		ev.ClientTokens = c.jwt.clientTokens(v.issuer) + 1
	}
	d := c.evaluate(q.script, q.client, ev)
	if preempts(d) || err != nil {
		return "", d, err
	}
	var life time.Duration
	if err := c.apply(nil, d, atIssue, now, claimant{lifetime: &life}); err != nil {
		return "", d, err
	}
	tok, err := c.jwt.issue(issueReq{client: v.issuer, key: &key, account: plexAccount(acc), claims: v, lifetime: life, nonce: true, lastSeq: c.seq.Load()}, now)
	return tok, d, err
}

// verifyExchange finds the device of a device JWT sent by client and
// verifies the token with its key.
func (c *core) verifyExchange(compact, client string, now time.Time) (verifiedJWT, plexjwt.DeviceKey, *Account, error) {
	dj, err := plexjwt.ParseDeviceJWT(compact)
	if err != nil {
		return verifiedJWT{}, plexjwt.DeviceKey{}, nil, errorf(errJWTInvalid, "Signature Verification Failed: %v", err)
	}
	key, accountID, ok := c.jwt.deviceKey(dj.Issuer)
	if !ok {
		return verifiedJWT{}, plexjwt.DeviceKey{}, nil, errNoDeviceKey
	}
	if dj.Issuer != client {
		return verifiedJWT{}, plexjwt.DeviceKey{}, nil, errorf(errJWTInvalid, "Signature Verification Failed: iss is %q but X-Plex-Client-Identifier is %q; send the device's own identifier", dj.Issuer, client)
	}
	acc, ok := c.accounts.byID(accountID)
	if !ok {
		return verifiedJWT{}, plexjwt.DeviceKey{}, nil, errNoDeviceKey
	}
	v, err := c.jwt.verifyDevice(compact, dj, key, now)
	if err != nil {
		return verifiedJWT{}, plexjwt.DeviceKey{}, nil, err
	}
	return v, key, acc, nil
}

// pollJWT is the poll's first hook: what a poll's deviceJWT says about a
// JWK pin p, under p's shard lock.
func (c *core) pollJWT(p *pin, compact string, now time.Time) (verifiedJWT, scenarios.JWTState) {
	if compact == "" {
		return verifiedJWT{}, scenarios.JWTAbsent
	}
	if p.jwk == nil {
		return verifiedJWT{}, scenarios.JWTInvalid // a classic pin has no key to check it with
	}
	v, err := c.jwt.verifyDevice(compact, nil, *p.jwk, now)
	if err != nil || v.issuer != p.clientID {
		return verifiedJWT{}, scenarios.JWTInvalid
	}
	return v, scenarios.JWTValid
}

// pinJWT is the poll's second hook: it issues (once) the Plex JWT of a
// claimed JWK pin polled with a valid device JWT, binding the pin's key to
// its client. Under p's shard lock. A pin past expiresAt (in the expiry
// grace) is read-only: it mints nothing, and "" means no Plex JWT.
func (c *core) pinJWT(p *pin, v verifiedJWT, d scenarios.Decision, now time.Time) (string, error) {
	if p.jwt != "" || !open(p, now) {
		return p.jwt, nil
	}
	acc, ok := c.accounts.byID(p.accountID)
	if !ok {
		return "", errUnauthorized
	}
	var life time.Duration
	if err := c.apply(nil, d, atIssue, now, claimant{lifetime: &life}); err != nil {
		return "", err
	}
	tok, err := c.jwt.issue(issueReq{client: p.clientID, key: p.jwk, account: plexAccount(acc), claims: v, lifetime: life, register: true, pinSeq: p.seq, lastSeq: c.seq.Load()}, now)
	if err != nil {
		return "", err
	}
	p.jwt = tok
	return tok, nil
}

// clientTokens is how many Plex JWTs client has had; the poll's event
// counts the one it would issue.
func (c *core) clientTokens(client string) int { return c.jwt.clientTokens(client) }

// devices lists the JWT devices, by client identifier.
func (c *core) devices() []Device {
	out, _ := c.jwt.listDevices(0, "", c.accountName)
	return out
}

// devicePage lists up to limit devices after the client id after, and
// how many there are.
func (c *core) devicePage(limit int, after string) ([]Device, int) {
	return c.jwt.listDevices(limit, after, c.accountName)
}

// accountName is the username of account id, or "".
func (c *core) accountName(id int64) string {
	if acc, ok := c.accounts.byID(id); ok {
		return acc.Username
	}
	return ""
}

// revoke ends a device: its key, its Plex JWTs and its legacy token.
func (c *core) revoke(client string) error { return c.jwt.revoke(client, c.clock.Now()) }
