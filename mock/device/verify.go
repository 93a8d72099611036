package device

import (
	"fmt"
	"slices"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// PlexClaims are the claims of a Plex JWT (WIRE.md J3.2), as
// VerifyPlexJWT found them in a token it verified; they marshal to JSON as
// the token carries them. A Plex JWT has no nbf.
type PlexClaims struct {
	// Issuer (iss) is always plex.tv.
	Issuer string `json:"iss"`
	// Audience (aud) holds plex.tv and the client identifier of the
	// device the token was issued to.
	Audience []string `json:"aud"`
	// IssuedAt (iat) and Expiry (exp) are Unix seconds; plex.tv's tokens
	// last seven days.
	IssuedAt int64 `json:"iat"`
	Expiry   int64 `json:"exp"`
	// Thumbprint is the kid the device registered its key under (not
	// necessarily an RFC 7638 thumbprint: clients compare it with their
	// own kid).
	Thumbprint string `json:"thumbprint"`
	// Nonce is the nonce of the device JWT the token was exchanged for,
	// when it had one (POST /api/v2/auth/token); empty for a pin's token.
	Nonce string `json:"nonce,omitempty"`
	// User is the account the device signed in as.
	User User `json:"user"`
}

// User is the user claim of a Plex JWT: ID and UUID always, the other
// fields only when the device JWT's scope asked for them (nil otherwise).
type User struct {
	ID           int64   `json:"id"`
	UUID         string  `json:"uuid"`
	Username     *string `json:"username,omitempty"`
	Email        *string `json:"email,omitempty"`
	FriendlyName *string `json:"friendly_name,omitempty"`
	Restricted   *bool   `json:"restricted,omitempty"`
	Anonymous    *bool   `json:"anonymous,omitempty"`
	JoinedAt     *int64  `json:"joinedAt,omitempty"` // Unix seconds
}

// plexClaims copies the claims plexjwt decoded. The conversion of User
// keeps the two user types field for field the same: it compiles only
// while they are.
func plexClaims(c *plexjwt.Claims) *PlexClaims {
	return &PlexClaims{
		Issuer: c.Issuer, Audience: []string(c.Audience), IssuedAt: c.IssuedAt, Expiry: c.Expiry,
		Thumbprint: c.Thumbprint, Nonce: c.Nonce, User: User(c.User),
	}
}

// Errors from VerifyPlexJWT, for errors.Is.
var (
	ErrMalformed  = plexjwt.ErrMalformed  // not a compact JWS, or the key set is not JSON
	ErrTooLarge   = plexjwt.ErrTooLarge   // token over 8 KiB
	ErrAlgorithm  = plexjwt.ErrAlgorithm  // alg is not EdDSA
	ErrUnknownKey = plexjwt.ErrUnknownKey // header kid not in the key set
	ErrSignature  = plexjwt.ErrSignature  // signature does not verify
	ErrIssuer     = plexjwt.ErrIssuer     // iss is not plex.tv
	ErrAudience   = plexjwt.ErrAudience   // aud lacks plex.tv or the client identifier
	ErrExpired    = plexjwt.ErrExpired    // exp is not after now
)

// VerifyPlexJWT verifies a Plex JWT as python-plexapi and @ctrl/plex do,
// against jwks, the body of GET /api/v2/auth/keys: the header kid picks
// the key, the EdDSA signature verifies, iss is plex.tv, aud contains both
// plex.tv and clientID, and exp is after now.
func VerifyPlexJWT(token string, jwks []byte, clientID string, now time.Time) (*PlexClaims, error) {
	c, err := plexjwt.VerifyJWKS(token, jwks, now)
	if err != nil {
		return nil, fmt.Errorf("device: %w", err)
	}
	for _, want := range []string{Audience, clientID} {
		if !slices.Contains(c.Audience, want) {
			return nil, fmt.Errorf("device: %w: aud is %q, want it to contain %q", ErrAudience, c.Audience, want)
		}
	}
	return plexClaims(c), nil
}
