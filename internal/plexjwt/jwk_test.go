package plexjwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// RFC 8037 Appendix A.1 and A.3: an Ed25519 public key and its RFC 7638
// thumbprint.
const (
	rfcX          = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfcThumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
)

func TestParseJWK(t *testing.T) {
	t.Parallel()
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name    string
		raw     string
		wantKID string // when the jwk is accepted
		wantErr string // a substring of the message when refused
	}{
		{name: "full", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"key-1","alg":"EdDSA","use":"sig"}`, wantKID: "key-1"},
		{name: "no use (docs pin example)", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"k","alg":"EdDSA"}`, wantKID: "k"},
		{name: "no alg, no use", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"k"}`, wantKID: "k"},
		{name: "no kid: RFC 7638 thumbprint (docs 2025)", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `"}`, wantKID: rfcThumbprint},
		{name: "kid 64 hex", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + strings.Repeat("ab", 32) + `"}`, wantKID: strings.Repeat("ab", 32)},
		{name: "kid 32 hex", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + strings.Repeat("0f", 16) + `"}`, wantKID: strings.Repeat("0f", 16)},
		{name: "kid uuid", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"7c415b56-8f48-488a-98ab-847ef4460442"}`, wantKID: "7c415b56-8f48-488a-98ab-847ef4460442"},
		{name: "kid thumbprint", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + rfcThumbprint + `"}`, wantKID: rfcThumbprint},
		{name: "kid base64url of key", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + rfcX + `"}`, wantKID: rfcX},
		{name: "kid of MaxKIDLen bytes", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + strings.Repeat("k", MaxKIDLen) + `"}`, wantKID: strings.Repeat("k", MaxKIDLen)},
		{name: "unknown members ignored", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"k","key_ops":["verify"],"extra":1}`, wantKID: "k"},

		{name: "kty EC", raw: `{"kty":"EC","crv":"Ed25519","x":"` + rfcX + `"}`, wantErr: `kty is "EC", want "OKP"`},
		{name: "kty RSA", raw: `{"kty":"RSA","n":"AQAB","e":"AQAB"}`, wantErr: `kty is "RSA"`},
		{name: "kty missing", raw: `{"crv":"Ed25519","x":"` + rfcX + `"}`, wantErr: "kty is missing"},
		{name: "kty not a string", raw: `{"kty":1,"crv":"Ed25519","x":"` + rfcX + `"}`, wantErr: "kty must be a string"},
		{name: "crv X25519", raw: `{"kty":"OKP","crv":"X25519","x":"` + rfcX + `"}`, wantErr: `crv is "X25519", want "Ed25519"`},
		{name: "crv Ed448", raw: `{"kty":"OKP","crv":"Ed448","x":"` + rfcX + `"}`, wantErr: `crv is "Ed448"`},
		{name: "crv missing", raw: `{"kty":"OKP","x":"` + rfcX + `"}`, wantErr: "crv is missing"},
		{name: "x 31 bytes", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + b64(make([]byte, 31)) + `"}`, wantErr: "32-byte"},
		{name: "x 33 bytes", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + b64(make([]byte, 33)) + `"}`, wantErr: "32-byte"},
		{name: "x empty", raw: `{"kty":"OKP","crv":"Ed25519","x":""}`, wantErr: "32-byte"},
		{name: "x standard base64", raw: `{"kty":"OKP","crv":"Ed25519","x":"++++++++++++++++++++++++++++++++++++++++++8"}`, wantErr: "base64url"},
		{name: "x padded", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `="}`, wantErr: "base64url"},
		{name: "x not base64", raw: `{"kty":"OKP","crv":"Ed25519","x":"not base64 at all!"}`, wantErr: "base64url"},
		{name: "x not a string", raw: `{"kty":"OKP","crv":"Ed25519","x":42}`, wantErr: "base64url"},
		{name: "x missing", raw: `{"kty":"OKP","crv":"Ed25519","kid":"k"}`, wantErr: "x is missing"},
		{name: "x low-order point", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + b64(make([]byte, 32)) + `"}`, wantErr: "32-byte"},
		{name: "alg RS256", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","alg":"RS256"}`, wantErr: `alg is "RS256", want "EdDSA"`},
		{name: "alg none", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","alg":"none"}`, wantErr: `alg is "none"`},
		{name: "use enc", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","use":"enc"}`, wantErr: `use is "enc", want "sig"`},
		{name: "private d", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}`, wantErr: `"d" carries private key material`},
		{name: "symmetric k", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","k":"c2VjcmV0"}`, wantErr: `"k" carries private`},
		{name: "empty kid", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":""}`, wantErr: "kid is empty"},
		{name: "kid over MaxKIDLen", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"` + strings.Repeat("k", MaxKIDLen+1) + `"}`, wantErr: "at most 128"},
		{name: "kid not a string", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":7}`, wantErr: "kid must be a string"},
		{name: "array", raw: `[{"kty":"OKP"}]`, wantErr: "want a JSON object"},
		{name: "string", raw: `"OKP"`, wantErr: "want a JSON object"},
		{name: "null", raw: `null`, wantErr: "want a JSON object"},
		{name: "empty", raw: ``, wantErr: "want a JSON object"},
		{name: "garbage", raw: `{"kty":`, wantErr: "want a JSON object"},
		{name: "oversize", raw: `{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","pad":"` + strings.Repeat("a", MaxJWKSize) + `"}`, wantErr: "at most 4096"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key, err := ParseJWK([]byte(tt.raw))
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInvalidJWK) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseJWK(%s) = %v, want ErrInvalidJWK saying %q", tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseJWK(%s) = %v, want success", tt.raw, err)
			}
			if key.KID != tt.wantKID {
				t.Errorf("KID = %q, want %q", key.KID, tt.wantKID)
			}
			if key.Thumbprint != rfcThumbprint {
				t.Errorf("Thumbprint = %q, want %q", key.Thumbprint, rfcThumbprint)
			}
			if got := base64.RawURLEncoding.EncodeToString(key.Public); got != rfcX {
				t.Errorf("Public = %s, want %s", got, rfcX)
			}
		})
	}
}

func TestParseJWKOversizeIsTooLarge(t *testing.T) {
	t.Parallel()
	_, err := ParseJWK(make([]byte, MaxJWKSize+1))
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrInvalidJWK) {
		t.Fatalf("ParseJWK(%d bytes) = %v, want ErrTooLarge and ErrInvalidJWK", MaxJWKSize+1, err)
	}
}

func TestDeviceKeyJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"7c415b56-8f48-488a-98ab-847ef4460442"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `"}`,
	} {
		key, err := ParseJWK([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(key)
		if err != nil {
			t.Fatalf("json.Marshal(%+v) = %v", key, err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"kty": "OKP", "crv": "Ed25519", "x": rfcX, "kid": key.KID, "alg": "EdDSA", "use": "sig"}
		for k, v := range want {
			if m[k] != v {
				t.Errorf("json.Marshal(key)[%q] = %q, want %q (all: %s)", k, m[k], v, b)
			}
		}
		if len(m) != len(want) {
			t.Errorf("json.Marshal(key) = %s, want exactly the members %v", b, want)
		}
		var back DeviceKey
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("json.Unmarshal(%s) = %v", b, err)
		}
		if back.KID != key.KID || back.Thumbprint != key.Thumbprint || !back.Public.Equal(key.Public) {
			t.Errorf("round trip = %+v, want %+v", back, key)
		}
	}
}

func TestDeviceKeyMarshalRefusesBadKey(t *testing.T) {
	t.Parallel()
	if b, err := json.Marshal(DeviceKey{KID: "k", Public: make([]byte, 31)}); !errors.Is(err, ErrInvalidJWK) {
		t.Fatalf("json.Marshal(31-byte key) = %s, %v, want ErrInvalidJWK", b, err)
	}
}

func TestSameKeyTwoKIDsSameThumbprint(t *testing.T) {
	t.Parallel()
	a := newDeviceKey(t, 1, "device-a")
	b := newDeviceKey(t, 1, "")
	if a.key.Thumbprint != b.key.Thumbprint || b.key.KID != b.key.Thumbprint || len(b.key.KID) != 43 {
		t.Fatalf("thumbprints %q and %q (kid %q), want equal, 43 chars, and the derived kid", a.key.Thumbprint, b.key.Thumbprint, b.key.KID)
	}
}
