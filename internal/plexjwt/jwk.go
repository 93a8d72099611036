package plexjwt

import (
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// MaxJWKSize is the largest device JWK ParseJWK reads. A real one is about
// 150 bytes; 4 KiB leaves room for long kids and unknown members.
const MaxJWKSize = 4 << 10

// MaxKIDLen is the longest kid ParseJWK accepts, in bytes. The kids
// clients send are 16 to 64 characters (contract §1.2: 64-hex digests,
// RFC 7638 thumbprints, UUIDs); a server stores the kid of every device
// and JWK pin, so a longer one is refused, never cut.
const MaxKIDLen = 128

// DeviceKey is a device's registered public key.
type DeviceKey struct {
	// KID is the kid the client chose, or the RFC 7638 thumbprint when it
	// sent none. Device JWTs must carry it in their header.
	KID string
	// Public is the Ed25519 public key.
	Public ed25519.PublicKey
	// Thumbprint is the key's RFC 7638 SHA-256 thumbprint (base64url, 43
	// characters) whatever the kid: two devices registering the same key
	// have the same Thumbprint.
	Thumbprint string
}

// MarshalJSON writes the key as the public JWK clients send:
// {"use":"sig","kty":"OKP","kid":…,"crv":"Ed25519","alg":"EdDSA","x":…}.
func (k DeviceKey) MarshalJSON() ([]byte, error) {
	if len(k.Public) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: public key is %d bytes, want %d", ErrInvalidJWK, len(k.Public), ed25519.PublicKeySize)
	}
	return jose.JSONWebKey{Key: k.Public, KeyID: k.KID, Algorithm: string(jose.EdDSA), Use: "sig"}.MarshalJSON()
}

// UnmarshalJSON reads the key with ParseJWK's rules.
func (k *DeviceKey) UnmarshalJSON(b []byte) error {
	key, err := ParseJWK(b)
	if err != nil {
		return err
	}
	*k = key
	return nil
}

// jwkMembers are the members ParseJWK checks before go-jose decodes the key.
type jwkMembers struct {
	Kty, Crv, Alg, Use, Kid *string
}

// privateMembers are the JWK members that carry private key material
// (RFC 7518 §6.2.2, J6.3.2, J6.4; RFC 8037 §2).
var privateMembers = [...]string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// ParseJWK reads a device's public JWK as clients send it:
// {"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA","use":"sig"}.
// alg, use and kid are optional. kid may be any non-empty string; when it is
// absent the key's RFC 7638 thumbprint becomes its KID. Every refusal wraps
// ErrInvalidJWK and says what was expected.
func ParseJWK(raw []byte) (DeviceKey, error) {
	if len(raw) > MaxJWKSize {
		return DeviceKey{}, fmt.Errorf("%w: %w: jwk is %d bytes, at most %d", ErrInvalidJWK, ErrTooLarge, len(raw), MaxJWKSize)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil || all == nil {
		return DeviceKey{}, fmt.Errorf("%w: want a JSON object like {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":…}", ErrInvalidJWK)
	}
	for _, name := range privateMembers {
		if _, ok := all[name]; ok {
			return DeviceKey{}, fmt.Errorf("%w: member %q carries private key material; send the public key only", ErrInvalidJWK, name)
		}
	}
	var m jwkMembers
	for name, dst := range map[string]**string{"kty": &m.Kty, "crv": &m.Crv, "alg": &m.Alg, "use": &m.Use, "kid": &m.Kid} {
		v, ok := all[name]
		if !ok {
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return DeviceKey{}, fmt.Errorf("%w: %s must be a string", ErrInvalidJWK, name)
		}
		*dst = &s
	}
	switch {
	case m.Kty == nil || *m.Kty != "OKP":
		return DeviceKey{}, fmt.Errorf("%w: kty is %s, want \"OKP\"", ErrInvalidJWK, quoteOrMissing(m.Kty))
	case m.Crv == nil || *m.Crv != "Ed25519":
		return DeviceKey{}, fmt.Errorf("%w: crv is %s, want \"Ed25519\"", ErrInvalidJWK, quoteOrMissing(m.Crv))
	case m.Alg != nil && *m.Alg != string(jose.EdDSA):
		return DeviceKey{}, fmt.Errorf("%w: alg is %q, want \"EdDSA\" or no alg", ErrInvalidJWK, *m.Alg)
	case m.Use != nil && *m.Use != "sig":
		return DeviceKey{}, fmt.Errorf("%w: use is %q, want \"sig\" or no use", ErrInvalidJWK, *m.Use)
	case m.Kid != nil && *m.Kid == "":
		return DeviceKey{}, fmt.Errorf("%w: kid is empty; send a non-empty kid or none", ErrInvalidJWK)
	case m.Kid != nil && len(*m.Kid) > MaxKIDLen:
		return DeviceKey{}, fmt.Errorf("%w: %w: kid has %d bytes, at most %d", ErrInvalidJWK, ErrTooLarge, len(*m.Kid), MaxKIDLen)
	}
	if _, ok := all["x"]; !ok {
		return DeviceKey{}, fmt.Errorf("%w: x is missing, want the base64url (unpadded) 32-byte public key", ErrInvalidJWK)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return DeviceKey{}, fmt.Errorf("%w: x must be the base64url (unpadded) encoding of a 32-byte Ed25519 public key: %v", ErrInvalidJWK, err)
	}
	pub, ok := jwk.Key.(ed25519.PublicKey)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return DeviceKey{}, fmt.Errorf("%w: want an Ed25519 public key", ErrInvalidJWK)
	}
	tp, err := thumbprint(pub)
	if err != nil {
		return DeviceKey{}, fmt.Errorf("%w: %v", ErrInvalidJWK, err)
	}
	key := DeviceKey{KID: tp, Public: pub, Thumbprint: tp}
	if m.Kid != nil {
		key.KID = *m.Kid
	}
	return key, nil
}

// thumbprint is pub's RFC 7638 SHA-256 thumbprint, base64url-encoded.
func thumbprint(pub ed25519.PublicKey) (string, error) {
	jwk := jose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}

func quoteOrMissing(s *string) string {
	if s == nil {
		return "missing"
	}
	return fmt.Sprintf("%q", *s)
}
