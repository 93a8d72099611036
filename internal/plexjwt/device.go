package plexjwt

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// MaxTokenSize is the longest compact JWT ParseDeviceJWT and KeySet.Verify
// read, checked before any decoding. Real device JWTs are about 400 bytes
// and Plex JWTs about 700; 8 KiB is what common HTTP servers allow for a
// whole header line.
const MaxTokenSize = 8 << 10

// Audience is the audience every device JWT must name, and the issuer of
// every Plex JWT.
const Audience = "plex.tv"

// accepted is the only signature algorithm this package verifies.
var accepted = []jose.SignatureAlgorithm{jose.EdDSA}

// DeviceJWT is a parsed, not yet verified, JWT signed by a device
// (WIRE.md J4): on pin polls (?deviceJWT=) and on POST /api/v2/auth/token.
// Its fields are what the token says; trust them only after Verify.
type DeviceJWT struct {
	KID      string   // header kid; empty when absent
	Issuer   string   // iss: the device's X-Plex-Client-Identifier
	Audience []string // aud, sent as a string or an array
	Nonce    string   // nonce from GET /api/v2/auth/nonce; empty when absent
	Scope    string   // scope, comma-separated; empty when absent
	// IssuedAt and Expiry are iat and exp; the zero Time when absent.
	IssuedAt, Expiry time.Time

	token *jwt.JSONWebToken
}

// deviceClaims are the claims of a device JWT beyond the registered ones.
type deviceClaims struct {
	Nonce string `json:"nonce"`
	Scope string `json:"scope"`
}

// ParseDeviceJWT parses a device JWT in compact form without verifying it.
// It refuses tokens over MaxTokenSize (ErrTooLarge), any alg but EdDSA
// (ErrAlgorithm) and anything that is not a JWS with JSON claims of the
// right types (ErrMalformed).
func ParseDeviceJWT(compact string) (*DeviceJWT, error) {
	tok, err := parse(compact)
	if err != nil {
		return nil, err
	}
	var std jwt.Claims
	var ext deviceClaims
	if err := tok.UnsafeClaimsWithoutVerification(&std, &ext); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	d := &DeviceJWT{
		KID:      tok.Headers[0].KeyID,
		Issuer:   std.Issuer,
		Audience: []string(std.Audience),
		Nonce:    ext.Nonce,
		Scope:    ext.Scope,
		token:    tok,
	}
	if std.IssuedAt != nil {
		d.IssuedAt = std.IssuedAt.Time()
	}
	if std.Expiry != nil {
		d.Expiry = std.Expiry.Time()
	}
	return d, nil
}

// parse reads a compact EdDSA JWS with one signature.
func parse(compact string) (*jwt.JSONWebToken, error) {
	if len(compact) > MaxTokenSize {
		return nil, fmt.Errorf("%w: token is %d bytes, at most %d", ErrTooLarge, len(compact), MaxTokenSize)
	}
	tok, err := jwt.ParseSigned(compact, accepted)
	if err != nil {
		if alg, ok := errors.AsType[*jose.ErrUnexpectedSignatureAlgorithm](err); ok {
			return nil, fmt.Errorf("%w: alg is %q, want \"EdDSA\"", ErrAlgorithm, alg.Got)
		}
		return nil, fmt.Errorf("%w: want a compact JWS header.claims.signature: %v", ErrMalformed, err)
	}
	if len(tok.Headers) != 1 {
		return nil, fmt.Errorf("%w: want exactly one signature", ErrMalformed)
	}
	return tok, nil
}

// Verify checks the token against the device's registered key at now, in
// WIRE.md's J4.3 order: the header kid equals key.KID (ErrKIDMismatch,
// a missing kid included), the signature verifies with key.Public
// (ErrSignature), aud contains "plex.tv" (ErrAudience), and exp, when
// present, is after now (ErrExpired). It does not check iss, nonce or
// scope: those need the mock's state.
func (d *DeviceJWT) Verify(key DeviceKey, now time.Time) error {
	if d.token == nil {
		return fmt.Errorf("%w: DeviceJWT was not made by ParseDeviceJWT", ErrMalformed)
	}
	if d.KID == "" {
		return fmt.Errorf("%w: header has no kid; send the kid of the registered jwk", ErrKIDMismatch)
	}
	if d.KID != key.KID {
		return fmt.Errorf("%w: header kid is %q, the registered key's is %q", ErrKIDMismatch, d.KID, key.KID)
	}
	if err := verifySignature(d.token, key.Public); err != nil {
		return err
	}
	if !slices.Contains(d.Audience, Audience) {
		return fmt.Errorf("%w: aud is %q, want it to contain %q", ErrAudience, d.Audience, Audience)
	}
	if !d.Expiry.IsZero() && !d.Expiry.After(now) {
		return fmt.Errorf("%w: exp %s is not after %s", ErrExpired, d.Expiry.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// verifySignature checks tok's signature with pub. ed25519.Verify panics on
// a key of the wrong length, so that is checked first.
func verifySignature(tok *jwt.JSONWebToken, pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: key is %d bytes, not an Ed25519 public key", ErrSignature, len(pub))
	}
	if err := tok.Claims(pub); err != nil {
		return fmt.Errorf("%w: %v", ErrSignature, err)
	}
	return nil
}
