package device

import (
	"bytes"
	"crypto/ed25519"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// ErrKeyFile is wrapped by every error of ParseKey.
var ErrKeyFile = errors.New("device: not a device key file")

// MaxKeyFileSize is the largest key file ParseKey reads: a real one is
// about 200 bytes.
const MaxKeyFileSize = plexjwt.MaxJWKSize

// keyFile is the private JWK (RFC 8037 §2) MarshalPrivate writes, in the
// order it writes it.
type keyFile struct {
	Kty string  `json:"kty"`
	Crv string  `json:"crv"`
	D   string  `json:"d"`
	X   string  `json:"x,omitempty"`
	Kid *string `json:"kid,omitempty"`
	Alg string  `json:"alg,omitempty"`
	Use string  `json:"use,omitempty"`
}

// MarshalPrivate returns the key as a private JWK (RFC 8037 §2), a key
// file ParseKey reads back: {"kty":"OKP","crv":"Ed25519","d":…,"x":…,
// "kid":…,"alg":"EdDSA","use":"sig"}, where d is the base64url 32-byte
// seed. It holds the private key: it is meant for test keys, which is all
// a device key for mockplex is. The key is not a json.Marshaler or an
// encoding.TextMarshaler on purpose, so that logging or encoding a value
// that holds one never writes the private key.
func (k *Key) MarshalPrivate() []byte {
	kid := k.KID()
	b, err := json.Marshal(keyFile{
		Kty: "OKP", Crv: "Ed25519",
		D:   base64.RawURLEncoding.EncodeToString(k.priv.Seed()),
		X:   base64.RawURLEncoding.EncodeToString(k.Public()),
		Kid: &kid, Alg: "EdDSA", Use: "sig",
	})
	if err != nil {
		panic("device: marshaling a key file: " + err.Error()) // strings only; cannot happen
	}
	return b
}

// ParseKey reads a key file MarshalPrivate wrote, or any private Ed25519
// JWK: kty OKP, crv Ed25519 and d (the base64url seed) are required; x,
// when present, must be d's public key; alg, when present, EdDSA; use,
// when present, sig. Without a kid the key's kid is its RFC 7638
// thumbprint, as with New. Other members are ignored. Every refusal wraps
// ErrKeyFile and says what was expected.
func ParseKey(data []byte) (*Key, error) {
	if len(data) > MaxKeyFileSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrKeyFile, len(data), MaxKeyFileSize)
	}
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: want a JSON object like {\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"d\":…,\"kid\":…}: %v", ErrKeyFile, err)
	}
	switch {
	case f.Kty != "OKP" || f.Crv != "Ed25519":
		return nil, fmt.Errorf("%w: kty %q, crv %q; want OKP and Ed25519", ErrKeyFile, f.Kty, f.Crv)
	case f.Alg != "" && f.Alg != "EdDSA":
		return nil, fmt.Errorf("%w: alg %q; want EdDSA", ErrKeyFile, f.Alg)
	case f.Use != "" && f.Use != "sig":
		return nil, fmt.Errorf("%w: use %q; want sig", ErrKeyFile, f.Use)
	case f.Kid != nil && *f.Kid == "":
		return nil, fmt.Errorf("%w: empty kid; leave it out to use the key's thumbprint", ErrKeyFile)
	}
	seed, err := base64.RawURLEncoding.Strict().DecodeString(f.D)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: d must be the base64url (unpadded) %d-byte Ed25519 seed", ErrKeyFile, ed25519.SeedSize)
	}
	var opts []Option
	if f.Kid != nil {
		opts = append(opts, WithKID(*f.Kid))
	}
	k, err := New(bytes.NewReader(seed), opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeyFile, err)
	}
	if f.X != "" {
		x, err := base64.RawURLEncoding.Strict().DecodeString(f.X)
		if err != nil || subtle.ConstantTimeCompare(x, k.Public()) != 1 {
			return nil, fmt.Errorf("%w: x is not the public key of d", ErrKeyFile)
		}
	}
	return k, nil
}
