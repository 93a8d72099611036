package plexjwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// FuzzParseJWK checks that ParseJWK never panics, refuses only with
// ErrInvalidJWK, and that what it accepts marshals back to an equal key.
func FuzzParseJWK(f *testing.F) {
	for _, seed := range []string{
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"7c415b56-8f48-488a-98ab-847ef4460442","alg":"EdDSA","use":"sig"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + strings.Repeat("ab", 32) + `","alg":"EdDSA"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}`,
		`{"kty":"OKP","crv":"X25519","x":"` + rfcX + `"}`,
		`{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}`,
		`{"kty":"oct","k":"c2VjcmV0"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","x5c":["MIIB"]}`,
		`[]`, `null`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		key, err := ParseJWK(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidJWK) {
				t.Fatalf("ParseJWK(%q) = %v, not ErrInvalidJWK", raw, err)
			}
			return
		}
		if key.KID == "" || len(key.Public) != 32 || len(key.Thumbprint) != 43 {
			t.Fatalf("ParseJWK(%q) = %+v, want a kid, 32-byte key and 43-char thumbprint", raw, key)
		}
		b, err := json.Marshal(key)
		if err != nil {
			t.Fatalf("json.Marshal(%+v) = %v", key, err)
		}
		back, err := ParseJWK(b)
		if err != nil || back.KID != key.KID || back.Thumbprint != key.Thumbprint || !bytes.Equal(back.Public, key.Public) {
			t.Fatalf("round trip of %q: %+v, %v, want %+v", raw, back, err, key)
		}
	})
}

// FuzzParseDeviceJWT checks that parsing and verifying any string never
// panics and fails only with the package's sentinels.
func FuzzParseDeviceJWT(f *testing.F) {
	dev := newDeviceKey(f, 1, "device-kid")
	claims := map[string]any{"aud": "plex.tv", "iss": "client-1", "nonce": "n", "scope": "username", "iat": t0.Unix(), "exp": t0.Unix() + 300}
	good := sign(f, jose.EdDSA, dev.priv, "device-kid", claims)
	parts := strings.Split(good, ".")
	for _, seed := range []string{
		good,
		sign(f, jose.EdDSA, dev.priv, "device-kid", pollClaims("client-1")),
		sign(f, jose.EdDSA, dev.priv, "", map[string]any{"aud": []string{"plex.tv"}, "iss": "c"}),
		sign(f, jose.HS256, []byte(dev.key.Public), "device-kid", pollClaims("c")),
		forge(`{"alg":"none","kid":"device-kid"}`, `{"aud":"plex.tv","iss":"c"}`, ""),
		parts[0] + "." + parts[1] + ".", "a.b.c.d", "...", "",
	} {
		f.Add(seed)
	}
	sentinels := []error{ErrTooLarge, ErrMalformed, ErrAlgorithm, ErrKIDMismatch, ErrSignature, ErrAudience, ErrExpired}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDeviceJWT(s)
		if err == nil {
			err = d.Verify(dev.key, t0)
			if err == nil {
				return
			}
		}
		if !isOneOf(err, sentinels) {
			t.Fatalf("ParseDeviceJWT/Verify(%q) = %v, not a sentinel", s, err)
		}
	})
}

// FuzzKeySetVerify checks that KeySet.Verify never panics, fails only with
// the package's sentinels, and accepts only tokens the set signed.
func FuzzKeySetVerify(f *testing.F) {
	s := newKeySet(f, 1)
	good, err := s.Sign(testClaims(t0))
	if err != nil {
		f.Fatal(err)
	}
	stranger, err := newKeySet(f, 2).Sign(testClaims(t0))
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	for _, seed := range []string{good, stranger, parts[0] + "." + parts[1] + ".", parts[0] + ".e30." + parts[2], "eyJ.eyJ.eyJ", ""} {
		f.Add(seed)
	}
	sentinels := []error{ErrTooLarge, ErrMalformed, ErrAlgorithm, ErrUnknownKey, ErrSignature, ErrIssuer, ErrExpired}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.Verify(tok, t0)
		if err != nil {
			if !isOneOf(err, sentinels) {
				t.Fatalf("Verify(%q) = %v, not a sentinel", tok, err)
			}
			return
		}
		if c.Issuer != "plex.tv" {
			t.Fatalf("Verify(%q) accepted iss %q", tok, c.Issuer)
		}
	})
}

func isOneOf(err error, sentinels []error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
