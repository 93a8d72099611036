package device

import (
	"fmt"
	"slices"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// PlexClaims are the claims of a Plex JWT (WIRE.md J3.2). It is an alias
// of an internal type, so go doc shows no fields; they are:
//
//	Issuer     string      // iss: "plex.tv"
//	Audience   []string // aud: ["plex.tv", the client identifier] (type plexjwt.AudienceSet)
//	IssuedAt   int64       // iat, Unix seconds
//	Expiry     int64       // exp, Unix seconds (iat + 7 days)
//	Thumbprint string      // the kid the device registered
//	Nonce      string      // the device JWT's nonce, on a refresh
//	User       User        // see User
type PlexClaims = plexjwt.Claims

// User is the user claim of a Plex JWT: id and uuid always, the other
// fields only when the device JWT's scope asked for them (nil otherwise):
//
//	ID           int64
//	UUID         string
//	Username     *string
//	Email        *string
//	FriendlyName *string // friendly_name
//	Restricted   *bool
//	Anonymous    *bool
//	JoinedAt     *int64  // Unix seconds
type User = plexjwt.User

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
	return c, nil
}
