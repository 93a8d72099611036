package plexjwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseDeviceJWT(t *testing.T) {
	t.Parallel()
	dev := newDeviceKey(t, 1, "device-kid")
	tokenClaims := map[string]any{
		"aud": "plex.tv", "iss": "client-1", "nonce": "7c415b56-8f48-488a-98ab-847ef4460442",
		"scope": "username,email", "iat": t0.Unix(), "exp": t0.Add(5 * time.Minute).Unix(),
	}
	tests := []struct {
		name  string
		token string
		want  *DeviceJWT
	}{
		{
			name:  "token exchange (aud string)",
			token: sign(t, jose.EdDSA, dev.priv, "device-kid", tokenClaims),
			want: &DeviceJWT{KID: "device-kid", Issuer: "client-1", Audience: []string{"plex.tv"},
				Nonce: "7c415b56-8f48-488a-98ab-847ef4460442", Scope: "username,email",
				IssuedAt: t0, Expiry: t0.Add(5 * time.Minute)},
		},
		{
			name:  "jwx-style aud array",
			token: sign(t, jose.EdDSA, dev.priv, "device-kid", map[string]any{"aud": []string{"plex.tv"}, "iss": "c"}),
			want:  &DeviceJWT{KID: "device-kid", Issuer: "c", Audience: []string{"plex.tv"}},
		},
		{
			name:  "poll without iat, exp, nonce, scope",
			token: sign(t, jose.EdDSA, dev.priv, "device-kid", pollClaims("client-1")),
			want:  &DeviceJWT{KID: "device-kid", Issuer: "client-1", Audience: []string{"plex.tv"}},
		},
		{
			name:  "no kid still parses",
			token: sign(t, jose.EdDSA, dev.priv, "", pollClaims("client-1")),
			want:  &DeviceJWT{Issuer: "client-1", Audience: []string{"plex.tv"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDeviceJWT(tt.token)
			if err != nil {
				t.Fatalf("ParseDeviceJWT() = %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(DeviceJWT{}), cmpopts.EquateApproxTime(0)); diff != "" {
				t.Errorf("ParseDeviceJWT() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDeviceJWTRefuses(t *testing.T) {
	t.Parallel()
	dev := newDeviceKey(t, 1, "device-kid")
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := sign(t, jose.EdDSA, dev.priv, "device-kid", pollClaims("c"))
	parts := strings.Split(good, ".")
	claims := `{"aud":"plex.tv","iss":"c"}`
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", forge(`{"alg":"none","kid":"device-kid"}`, claims, ""), ErrAlgorithm},
		{"alg none with a valid EdDSA signature", noneWithSig(parts), ErrAlgorithm},
		{"alg NONE", forge(`{"alg":"NONE"}`, claims, "x"), ErrAlgorithm},
		{"HS256 with the public key as secret", sign(t, jose.HS256, []byte(dev.key.Public), "device-kid", pollClaims("c")), ErrAlgorithm},
		{"RS256", forge(`{"alg":"RS256","kid":"device-kid"}`, claims, "sig"), ErrAlgorithm},
		{"ES256", sign(t, jose.ES256, ec, "device-kid", pollClaims("c")), ErrAlgorithm},
		{"alg missing", forge(`{"kid":"device-kid"}`, claims, "sig"), ErrAlgorithm},
		{"empty", "", ErrMalformed},
		{"one segment", "eyJhbGciOiJFZERTQSJ9", ErrMalformed},
		{"two segments", parts[0] + "." + parts[1], ErrMalformed},
		{"3 dots", good + ".", ErrMalformed},
		{"4 segments", good + "." + parts[2], ErrMalformed},
		{"dots only", "...", ErrMalformed},
		{"header not base64url", "!!!." + parts[1] + "." + parts[2], ErrMalformed},
		{"header not JSON", forge("kid", claims, "sig"), ErrMalformed},
		{"claims not base64url", parts[0] + ".%%%." + parts[2], ErrMalformed},
		{"signature not base64url", parts[0] + "." + parts[1] + ".***", ErrMalformed},
		{"claims not JSON", sign(t, jose.EdDSA, dev.priv, "device-kid", []byte("not json")), ErrMalformed},
		{"claims an array", sign(t, jose.EdDSA, dev.priv, "device-kid", []byte(`["plex.tv"]`)), ErrMalformed},
		{"iss a number", sign(t, jose.EdDSA, dev.priv, "device-kid", map[string]any{"aud": "plex.tv", "iss": 1}), ErrMalformed},
		{"aud a number", sign(t, jose.EdDSA, dev.priv, "device-kid", map[string]any{"aud": 1, "iss": "c"}), ErrMalformed},
		{"exp a string", sign(t, jose.EdDSA, dev.priv, "device-kid", map[string]any{"aud": "plex.tv", "iss": "c", "exp": "soon"}), ErrMalformed},
		{"JSON serialization", `{"payload":"e30","protected":"eyJhbGciOiJFZERTQSJ9","signature":"AA"}`, ErrMalformed},
		{"oversize", good + strings.Repeat("A", MaxTokenSize), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDeviceJWT(tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseDeviceJWT(%.60q) = %+v, %v, want %v", tt.token, got, err, tt.want)
			}
		})
	}
}

func TestDeviceJWTVerify(t *testing.T) {
	t.Parallel()
	dev := newDeviceKey(t, 1, "device-kid")
	other := newDeviceKey(t, 2, "device-kid")
	claims := func(kv ...any) map[string]any {
		m := pollClaims("client-1")
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	good := sign(t, jose.EdDSA, dev.priv, "device-kid", claims())
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"plex.tv","iss":"client-2"}`)) + "." + parts[2]
	exp := t0.Add(time.Minute).Unix()
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"poll, no iat or exp", good, nil},
		{"aud string", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", "plex.tv")), nil},
		{"aud array", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", []string{"plex.tv"})), nil},
		{"aud array with more", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", []string{"other", "plex.tv"})), nil},
		{"exp in the future", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("iat", t0.Unix(), "exp", exp)), nil},
		{"long lifetime not capped", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("exp", t0.Add(7*24*time.Hour).Unix())), nil},

		{"kid missing", sign(t, jose.EdDSA, dev.priv, "", claims()), ErrKIDMismatch},
		{"kid mismatch", sign(t, jose.EdDSA, dev.priv, "another-kid", claims()), ErrKIDMismatch},
		{"kid checked before signature", sign(t, jose.EdDSA, other.priv, "another-kid", claims()), ErrKIDMismatch},
		{"signed by another key", sign(t, jose.EdDSA, other.priv, "device-kid", claims()), ErrSignature},
		{"claims tampered", tampered, ErrSignature},
		{"signature truncated", good[:len(good)-4], ErrSignature},
		{"signature checked before aud", sign(t, jose.EdDSA, other.priv, "device-kid", claims("aud", "evil")), ErrSignature},
		{"aud missing", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", nil)), ErrAudience},
		{"aud other", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", "plex.tv.evil")), ErrAudience},
		{"aud array without plex.tv", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", []string{"client-1"})), ErrAudience},
		{"aud checked before exp", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("aud", "x", "exp", t0.Unix()-1)), ErrAudience},
		{"expired", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("iat", t0.Unix()-600, "exp", t0.Unix()-300)), ErrExpired},
		{"exp equals now", sign(t, jose.EdDSA, dev.priv, "device-kid", claims("exp", t0.Unix())), ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := ParseDeviceJWT(tt.token)
			if err != nil {
				t.Fatalf("ParseDeviceJWT() = %v", err)
			}
			if err := d.Verify(dev.key, t0); !errors.Is(err, tt.want) {
				t.Fatalf("Verify() = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestDeviceJWTVerifyShortKeyDoesNotPanic(t *testing.T) {
	t.Parallel()
	dev := newDeviceKey(t, 1, "k")
	d, err := ParseDeviceJWT(sign(t, jose.EdDSA, dev.priv, "k", pollClaims("c")))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []DeviceKey{{KID: "k"}, {KID: "k", Public: dev.key.Public[:31]}} {
		if err := d.Verify(key, t0); !errors.Is(err, ErrSignature) {
			t.Errorf("Verify(%d-byte key) = %v, want ErrSignature", len(key.Public), err)
		}
	}
}

// noneWithSig swaps the header of a signed token for alg none, keeping its
// claims and signature.
func noneWithSig(parts []string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"device-kid"}`)) + "." + parts[1] + "." + parts[2]
}

func TestDeviceJWTVerifyUnparsed(t *testing.T) {
	t.Parallel()
	dev := newDeviceKey(t, 1, "k")
	if err := (&DeviceJWT{KID: "k", Audience: []string{"plex.tv"}}).Verify(dev.key, t0); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Verify(DeviceJWT literal) = %v, want ErrMalformed", err)
	}
}
