package plexjwt

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// KeySet is plex.tv's set of rotating Ed25519 signing keys (WIRE.md J1.5,
// J3.4): the current signer plus retired keys that stay listed until every
// token they signed has expired. It always lists at least two keys, as
// plex.tv does. A KeySet is safe for concurrent use.
type KeySet struct {
	rand io.Reader

	mu   sync.Mutex
	keys []*signingKey // oldest first; the last one is the signer
}

type signingKey struct {
	kid     string
	public  ed25519.PublicKey
	signer  jose.Signer
	created time.Time
	retired time.Time // zero while current
	// signedUntil is the latest exp this key has signed.
	signedUntil time.Time
}

// KeyInfo describes one key of a KeySet, for the control API.
type KeyInfo struct {
	KID     string
	Current bool // the key that signs new tokens
	// CreatedAt is when the key was made; RetiredAt when it stopped
	// signing (zero for the current key).
	CreatedAt, RetiredAt time.Time
	// SignedUntil is the latest exp of a token the key signed (zero if it
	// signed none). A retired key is dropped after it.
	SignedUntil time.Time
}

// minKeys is how many keys a KeySet always lists.
const minKeys = 2

// NewKeySet makes a key set of two keys created at now: the signer and one
// already retired, which has signed nothing. Keys are Ed25519 seeds read
// from r; a seeded reader gives the same keys, and since Ed25519 signatures
// are deterministic, the same tokens. A nil r means crypto/rand.
func NewKeySet(r io.Reader, now time.Time) (*KeySet, error) {
	if r == nil {
		r = rand.Reader
	}
	s := &KeySet{rand: r}
	for range minKeys {
		k, err := s.newKey(now)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, k)
	}
	s.keys[0].retired = now
	return s, nil
}

// newKey reads a seed and builds a signing key whose kid is its RFC 7638
// thumbprint. The seed is read rather than passed to ed25519.GenerateKey so
// that a seeded reader gives reproducible keys whatever crypto/ed25519 does
// with its random source.
func (s *KeySet) newKey(now time.Time) (*signingKey, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(s.rand, seed); err != nil {
		return nil, fmt.Errorf("reading a signing key seed: %w", err)
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	kid, err := thumbprint(pub)
	if err != nil {
		return nil, err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), kid)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: priv}, opts)
	if err != nil {
		return nil, fmt.Errorf("building an EdDSA signer: %w", err)
	}
	return &signingKey{kid: kid, public: pub, signer: signer, created: now}, nil
}

// Rotate makes a new signing key at now. The previous signer is retired at
// now and stays listed; retired keys whose tokens have all expired by now
// are dropped, oldest first, while more than two keys are listed.
func (s *KeySet) Rotate(now time.Time) error {
	k, err := s.newKey(now)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[len(s.keys)-1].retired = now
	s.keys = append(s.keys, k)
	s.prune(now)
	return nil
}

// Prune drops the retired keys whose tokens have all expired by now, oldest
// first, keeping at least two keys. It reports how many it dropped. Rotate
// prunes too; call Prune before serving the JWKS to drop keys on time.
func (s *KeySet) Prune(now time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prune(now)
}

func (s *KeySet) prune(now time.Time) int {
	kept := s.keys[:0]
	dropped := 0
	for i, k := range s.keys {
		current := i == len(s.keys)-1
		if !current && len(s.keys)-dropped > minKeys && !k.signedUntil.After(now) {
			dropped++
			continue
		}
		kept = append(kept, k)
	}
	clear(s.keys[len(kept):])
	s.keys = kept
	return dropped
}

// Keys lists the keys, oldest first; the last is the current signer.
func (s *KeySet) Keys() []KeyInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	infos := make([]KeyInfo, len(s.keys))
	for i, k := range s.keys {
		infos[i] = KeyInfo{
			KID:         k.kid,
			Current:     i == len(s.keys)-1,
			CreatedAt:   k.created,
			RetiredAt:   k.retired,
			SignedUntil: k.signedUntil,
		}
	}
	return infos
}

// JWKS is the key set as GET /api/v2/auth/keys serves it, public parts only:
// {"keys":[{"use":"sig","kty":"OKP","kid":…,"crv":"Ed25519","alg":"EdDSA","x":…},…]},
// oldest first.
func (s *KeySet) JWKS() []byte {
	s.mu.Lock()
	set := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, len(s.keys))}
	for i, k := range s.keys {
		set.Keys[i] = jose.JSONWebKey{Key: k.public, KeyID: k.kid, Algorithm: string(jose.EdDSA), Use: "sig"}
	}
	s.mu.Unlock()
	b, err := json.Marshal(set)
	if err != nil {
		// Only a public key of the wrong size fails to marshal, and
		// newKey makes none.
		panic("plexjwt: marshaling the key set: " + err.Error())
	}
	return b
}

// Sign signs c with the current key: alg EdDSA, typ JWT and the key's kid in
// the header. The key's SignedUntil moves to c.Expiry if that is later.
func (s *KeySet) Sign(c Claims) (string, error) {
	s.mu.Lock()
	k := s.keys[len(s.keys)-1]
	if exp := time.Unix(c.Expiry, 0); exp.After(k.signedUntil) {
		k.signedUntil = exp
	}
	s.mu.Unlock()
	tok, err := jwt.Signed(k.signer).Claims(c).Serialize()
	if err != nil {
		return "", fmt.Errorf("signing a plex jwt: %w", err)
	}
	return tok, nil
}

// Verify checks a Plex JWT, as presented back in X-Plex-Token: its header
// kid names a listed key (ErrUnknownKey), its signature verifies with that
// key (ErrSignature), iss is plex.tv (ErrIssuer) and exp is after now
// (ErrExpired, which the mock answers with 498). Parse failures wrap
// ErrTooLarge, ErrAlgorithm or ErrMalformed. aud is not checked: a Plex JWT
// is good on any plex.tv endpoint.
func (s *KeySet) Verify(token string, now time.Time) (*Claims, error) {
	tok, err := parse(token)
	if err != nil {
		return nil, err
	}
	kid := tok.Headers[0].KeyID
	var pub ed25519.PublicKey
	s.mu.Lock()
	for _, k := range s.keys {
		if k.kid == kid {
			pub = k.public
		}
	}
	s.mu.Unlock()
	if pub == nil {
		return nil, fmt.Errorf("%w: kid %q is not in the key set", ErrUnknownKey, kid)
	}
	return verifyPlex(tok, pub, now)
}

// verifyPlex checks a Plex JWT's signature with pub, then iss and exp.
func verifyPlex(tok *jwt.JSONWebToken, pub ed25519.PublicKey, now time.Time) (*Claims, error) {
	if err := verifySignature(tok, pub); err != nil {
		return nil, err
	}
	var c Claims
	if err := tok.UnsafeClaimsWithoutVerification(&c); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	if c.Issuer != Audience {
		return nil, fmt.Errorf("%w: iss is %q, want %q", ErrIssuer, c.Issuer, Audience)
	}
	if exp := time.Unix(c.Expiry, 0); !exp.After(now) {
		return nil, fmt.Errorf("%w: exp %s is not after %s", ErrExpired, exp.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return &c, nil
}

// VerifyJWKS checks a Plex JWT against a key set as GET /api/v2/auth/keys
// serves it, with KeySet.Verify's rules; a jwks that is not a JWK set
// wraps ErrMalformed. It is how a client verifies; callers add their own
// audience check.
func VerifyJWKS(token string, jwks []byte, now time.Time) (*Claims, error) {
	tok, err := parse(token)
	if err != nil {
		return nil, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		return nil, fmt.Errorf("%w: key set: want {\"keys\":[…]}: %v", ErrMalformed, err)
	}
	kid := tok.Headers[0].KeyID
	for _, k := range set.Key(kid) {
		if pub, ok := k.Key.(ed25519.PublicKey); ok {
			return verifyPlex(tok, pub, now)
		}
	}
	return nil, fmt.Errorf("%w: kid %q has no Ed25519 key in the key set", ErrUnknownKey, kid)
}
