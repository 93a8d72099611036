package plexjwt

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// t0 is the tests' fixed "now".
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// seeded is a reproducible randomness source.
func seeded(seed uint64) io.Reader {
	var s [32]byte
	s[0] = byte(seed)
	s[1] = byte(seed >> 8)
	return rand.NewChaCha8(s)
}

// deviceKey is a device's private key and its registered DeviceKey.
type deviceKey struct {
	priv ed25519.PrivateKey
	key  DeviceKey
}

func newDeviceKey(t testing.TB, seed uint64, kid string) deviceKey {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	if _, err := io.ReadFull(seeded(seed), s); err != nil {
		t.Fatal(err)
	}
	priv := ed25519.NewKeyFromSeed(s)
	raw, err := json.Marshal(jose.JSONWebKey{Key: priv.Public(), KeyID: kid, Algorithm: "EdDSA", Use: "sig"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ParseJWK(raw)
	if err != nil {
		t.Fatalf("ParseJWK(%s) = %v", raw, err)
	}
	return deviceKey{priv: priv, key: key}
}

// sign signs claims (marshaled to JSON unless already []byte) with the
// given algorithm and key, putting kid in the header unless it is empty.
func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims any) string {
	t.Helper()
	payload, ok := claims.([]byte)
	if !ok {
		var err error
		if payload, err = json.Marshal(claims); err != nil {
			t.Fatal(err)
		}
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forge builds a compact token from a raw header, claims and signature,
// for algorithms no signer should produce (none, RS256 without a key).
func forge(header, claims, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte(sig))
}

// pollClaims are the claims of a minimal pin-poll JWT (WIRE.md J2.2).
func pollClaims(iss string) map[string]any {
	return map[string]any{"aud": "plex.tv", "iss": iss}
}
