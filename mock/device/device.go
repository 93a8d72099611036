// Package device lets a Go test act as a JWT device against mockplex (or
// plex.tv). The JWT flow in five lines:
//
//  1. key, err := device.New(nil); send key.JWK() as {"jwk": …} to POST /api/v2/pins (or POST /api/v2/auth/jwk with a legacy token).
//  2. Poll GET /api/v2/pins/{id}?deviceJWT=<key.PollJWT(clientID)>; once the pin is claimed, authToken is a Plex JWT.
//  3. To refresh: GET /api/v2/auth/nonce, then POST /api/v2/auth/token {"jwt": key.TokenJWT(clientID, nonce, scope, now)} → {"auth_token": …}.
//  4. device.VerifyPlexJWT(token, <GET /api/v2/auth/keys body>, clientID, now) checks a Plex JWT as real clients do.
//  5. Send the Plex JWT as X-Plex-Token; on 498 (expired) go back to step 3.
//
// Keys are Ed25519 and tokens EdDSA, the only kind plex.tv's clients use. A
// seeded reader passed to New gives the same key, and the same tokens, on
// every run. MarshalPrivate and ParseKey write and read a test key as a
// private JWK file, the format of `mockplex device`.
package device

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// Audience is the aud of every device JWT and the iss of every Plex JWT.
const Audience = "plex.tv"

// TokenJWTLifetime is the lifetime TokenJWT gives a device JWT, the one most
// clients use (WIRE.md J4.2).
const TokenJWTLifetime = 5 * time.Minute

// Key is a device's Ed25519 key pair and the kid it registers it under.
type Key struct {
	priv   ed25519.PrivateKey
	public plexjwt.DeviceKey
	signer jose.Signer
}

// Option configures New.
type Option func(*options)

type options struct {
	kid    string
	kidSet bool
}

// WithKID registers the key under kid instead of its RFC 7638 thumbprint.
// Real clients use 64-hex digests, UUIDs and others (WIRE.md J1.2). An
// empty kid makes New fail.
func WithKID(kid string) Option {
	return func(o *options) { o.kid, o.kidSet = kid, true }
}

// New makes a key from a 32-byte Ed25519 seed read from r; a nil r means
// crypto/rand. Its kid is its RFC 7638 thumbprint unless WithKID says
// otherwise; the last WithKID wins.
func New(r io.Reader, opts ...Option) (*Key, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.kidSet && o.kid == "" {
		return nil, errors.New("device: WithKID needs a non-empty kid")
	}
	if r == nil {
		r = rand.Reader
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(r, seed); err != nil {
		return nil, fmt.Errorf("device: reading a key seed: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	raw, err := jose.JSONWebKey{Key: priv.Public(), KeyID: o.kid}.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("device: %w", err)
	}
	public, err := plexjwt.ParseJWK(raw)
	if err != nil {
		return nil, fmt.Errorf("device: %w", err)
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", public.KID),
	)
	if err != nil {
		return nil, fmt.Errorf("device: %w", err)
	}
	return &Key{priv: priv, public: public, signer: signer}, nil
}

// KID is the key's kid: what its JWK and every JWT header it signs carry,
// and what a Plex JWT issued for it echoes as its thumbprint claim.
func (k *Key) KID() string { return k.public.KID }

// Thumbprint is the key's RFC 7638 SHA-256 thumbprint, whatever its kid.
func (k *Key) Thumbprint() string { return k.public.Thumbprint }

// Public is the Ed25519 public key.
func (k *Key) Public() ed25519.PublicKey { return k.public.Public }

// JWK is the public key as clients send it in {"jwk": …}:
// {"use":"sig","kty":"OKP","kid":…,"crv":"Ed25519","alg":"EdDSA","x":…}.
func (k *Key) JWK() json.RawMessage {
	b, err := json.Marshal(k.public)
	if err != nil {
		panic("device: marshaling a valid key: " + err.Error()) // New made the key; cannot happen
	}
	return b
}

// Claims are the claims of a device JWT. Zero fields are left out, so a
// test can also build the malformed tokens a server must refuse.
type Claims struct {
	Issuer string // iss: the device's X-Plex-Client-Identifier
	// Audience is aud, normally {"plex.tv"}. One value is written as a
	// JSON string, as plex.tv's docs show, unless ArrayAudience is set
	// (as jwx-based clients send it).
	Audience      []string
	ArrayAudience bool
	Nonce         string // from GET /api/v2/auth/nonce; needed on /api/v2/auth/token
	Scope         string // comma-separated: username,email,friendly_name,…
	// IssuedAt and Expiry are iat and exp, in whole seconds.
	IssuedAt, Expiry time.Time
}

// wireClaims is Claims as JSON.
type wireClaims struct {
	Issuer   string           `json:"iss,omitempty"`
	Audience any              `json:"aud,omitempty"`
	Nonce    string           `json:"nonce,omitempty"`
	Scope    string           `json:"scope,omitempty"`
	IssuedAt *jwt.NumericDate `json:"iat,omitempty"`
	Expiry   *jwt.NumericDate `json:"exp,omitempty"`
}

// SignJWT signs c with the key: header alg EdDSA, typ JWT and the key's
// kid.
func (k *Key) SignJWT(c Claims) (string, error) {
	w := wireClaims{Issuer: c.Issuer, Nonce: c.Nonce, Scope: c.Scope}
	switch {
	case len(c.Audience) == 1 && !c.ArrayAudience:
		w.Audience = c.Audience[0]
	case len(c.Audience) > 0:
		w.Audience = c.Audience
	}
	if !c.IssuedAt.IsZero() {
		w.IssuedAt = jwt.NewNumericDate(c.IssuedAt)
	}
	if !c.Expiry.IsZero() {
		w.Expiry = jwt.NewNumericDate(c.Expiry)
	}
	tok, err := jwt.Signed(k.signer).Claims(w).Serialize()
	if err != nil {
		return "", fmt.Errorf("device: signing a jwt: %w", err)
	}
	return tok, nil
}

// PollJWT is the minimal device JWT for GET /api/v2/pins/{id}?deviceJWT=:
// aud plex.tv and iss clientID, without iat or exp (WIRE.md J2.2).
func (k *Key) PollJWT(clientID string) (string, error) {
	return k.SignJWT(Claims{Issuer: clientID, Audience: []string{Audience}})
}

// TokenJWT is the device JWT for POST /api/v2/auth/token: aud plex.tv, iss
// clientID, the nonce and scope, iat now and exp now+TokenJWTLifetime.
func (k *Key) TokenJWT(clientID, nonce, scope string, now time.Time) (string, error) {
	return k.SignJWT(Claims{
		Issuer:   clientID,
		Audience: []string{Audience},
		Nonce:    nonce,
		Scope:    scope,
		IssuedAt: now,
		Expiry:   now.Add(TokenJWTLifetime),
	})
}
