package plexjwt

import "errors"

// Sentinel errors. Each refusal wraps exactly one of them (ErrTooLarge may
// come together with ErrInvalidJWK), with a message that says what was wrong.
// The comment gives the status the contract suggests for the mock.
var (
	// ErrInvalidJWK: a device JWK is not a public OKP/Ed25519 signing key
	// (400 on POST /api/v2/auth/jwk and on JWT pin creation).
	ErrInvalidJWK = errors.New("invalid jwk")
	// ErrTooLarge: a JWK or token is over MaxJWKSize or MaxTokenSize (400).
	ErrTooLarge = errors.New("input too large")
	// ErrMalformed: not a compact JWS with JSON claims of the right types
	// (422 "JWT structure" on E3 and E6; 401 for an X-Plex-Token).
	ErrMalformed = errors.New("malformed jwt")
	// ErrAlgorithm: the header alg is not EdDSA, such as none, HS256 or
	// RS256 (422).
	ErrAlgorithm = errors.New("jwt algorithm not accepted")
	// ErrKIDMismatch: the device JWT's header kid is missing or is not the
	// registered key's kid (422).
	ErrKIDMismatch = errors.New("jwt kid does not match the registered key")
	// ErrSignature: the signature does not verify with the key (422; 401
	// for an X-Plex-Token).
	ErrSignature = errors.New("jwt signature verification failed")
	// ErrAudience: aud does not contain the expected audience (422).
	ErrAudience = errors.New("jwt audience not accepted")
	// ErrIssuer: a Plex JWT whose iss is not plex.tv (401).
	ErrIssuer = errors.New("jwt issuer not accepted")
	// ErrExpired: exp is not after now (498, plex.tv's "Token Expired").
	ErrExpired = errors.New("jwt expired")
	// ErrUnknownKey: a Plex JWT whose header kid names no key of the set,
	// because it was never plex.tv's or was pruned (401).
	ErrUnknownKey = errors.New("jwt signed by an unknown key")
)
