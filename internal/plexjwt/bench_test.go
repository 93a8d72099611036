package plexjwt

import (
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func BenchmarkSign(b *testing.B) {
	s := newKeySet(b, 1)
	c := testClaims(t0)
	for b.Loop() {
		if _, err := s.Sign(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	s := newKeySet(b, 1)
	tok, err := s.Sign(testClaims(t0))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Verify(tok, t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAndVerifyDeviceJWT(b *testing.B) {
	dev := newDeviceKey(b, 1, "device-kid")
	tok := sign(b, jose.EdDSA, dev.priv, "device-kid", map[string]any{
		"aud": "plex.tv", "iss": "client-1", "nonce": "7c415b56-8f48-488a-98ab-847ef4460442",
		"scope": "username,email", "iat": t0.Unix(), "exp": t0.Unix() + 300,
	})
	for b.Loop() {
		d, err := ParseDeviceJWT(tok)
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Verify(dev.key, t0); err != nil {
			b.Fatal(err)
		}
	}
}
