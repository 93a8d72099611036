package device_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/mock/device"
)

func TestMarshalPrivate(t *testing.T) {
	t.Parallel()
	for _, k := range []*device.Key{newKey(t, 1), newKey(t, 1, device.WithKID("my-device"))} {
		file := k.MarshalPrivate()
		var members map[string]string
		if err := json.Unmarshal(file, &members); err != nil {
			t.Fatalf("MarshalPrivate() = %s: %v", file, err)
		}
		for name, want := range map[string]string{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": k.KID()} {
			if members[name] != want {
				t.Errorf("MarshalPrivate()[%q] = %q, want %q", name, members[name], want)
			}
		}
		if len(members["d"]) != 43 {
			t.Errorf("MarshalPrivate() d = %q, want the 43-char base64url seed", members["d"])
		}
		got, err := device.ParseKey(file)
		if err != nil {
			t.Fatalf("ParseKey(%s) = %v", file, err)
		}
		if got.KID() != k.KID() || !got.Public().Equal(k.Public()) || !bytes.Equal(got.MarshalPrivate(), file) {
			t.Errorf("ParseKey(MarshalPrivate()) = kid %q, %s; want kid %q, %s", got.KID(), got.JWK(), k.KID(), k.JWK())
		}
		// The mock refuses a key file where a public JWK belongs.
		if _, err := plexjwt.ParseJWK(file); !errors.Is(err, plexjwt.ErrInvalidJWK) {
			t.Errorf("plexjwt.ParseJWK(key file) = %v, want ErrInvalidJWK", err)
		}
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	k := newKey(t, 1)
	var m map[string]any
	if err := json.Unmarshal(k.MarshalPrivate(), &m); err != nil {
		t.Fatal(err)
	}
	d, x := m["d"].(string), m["x"].(string)
	other := newKey(t, 2)
	var om map[string]any
	if err := json.Unmarshal(other.MarshalPrivate(), &om); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		wantKID string // "" when ParseKey must fail
		wantErr string // part of the error
	}{
		{"minimal: kid is the thumbprint", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `"}`, k.Thumbprint(), ""},
		{"kid of your own", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","kid":"tv-1"}`, "tv-1", ""},
		{"x, alg, use and unknown members", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","x":"` + x + `","alg":"EdDSA","use":"sig","note":"test key"}`, k.Thumbprint(), ""},
		{"not JSON", `kty=OKP`, "", "JSON object"},
		{"an array", `[]`, "", "JSON object"},
		{"null", `null`, "", "want OKP and Ed25519"},
		{"RSA", `{"kty":"RSA","d":"` + d + `"}`, "", "want OKP and Ed25519"},
		{"X25519", `{"kty":"OKP","crv":"X25519","d":"` + d + `"}`, "", "want OKP and Ed25519"},
		{"no d: a public JWK", string(k.JWK()), "", "d must be"},
		{"short d", `{"kty":"OKP","crv":"Ed25519","d":"AAAA"}`, "", "d must be"},
		{"padded d", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `="}`, "", "d must be"},
		{"standard base64 d", `{"kty":"OKP","crv":"Ed25519","d":"+` + d[1:] + `"}`, "", "d must be"},
		{"x of another key", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","x":"` + om["x"].(string) + `"}`, "", "x is not the public key"},
		{"alg RS256", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","alg":"RS256"}`, "", "want EdDSA"},
		{"use enc", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","use":"enc"}`, "", "want sig"},
		{"empty kid", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","kid":""}`, "", "empty kid"},
		{"too large", `{"kty":"OKP","crv":"Ed25519","d":"` + d + `","note":"` + strings.Repeat("x", device.MaxKeyFileSize) + `"}`, "", "at most"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := device.ParseKey([]byte(tt.file))
			if tt.wantKID != "" {
				if err != nil {
					t.Fatalf("ParseKey(%s) = %v", tt.file, err)
				}
				if got.KID() != tt.wantKID || !got.Public().Equal(k.Public()) {
					t.Errorf("ParseKey(%s) = kid %q, %s; want kid %q, %s", tt.file, got.KID(), got.JWK(), tt.wantKID, k.JWK())
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseKey(%s) = kid %q, want an error", tt.file, got.KID())
			}
			if !errors.Is(err, device.ErrKeyFile) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseKey(%s) = %v, want ErrKeyFile containing %q", tt.file, err, tt.wantErr)
			}
		})
	}
}

// FuzzParseKey: ParseKey never panics, every refusal wraps ErrKeyFile, and
// what it accepts round-trips through MarshalPrivate unchanged.
func FuzzParseKey(f *testing.F) {
	k, err := device.New(seeded(1), device.WithKID("my-device"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(k.MarshalPrivate())
	f.Add([]byte(k.JWK()))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","KID":"x","Kid":"y"}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":null,"kid":"\u0000"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := device.ParseKey(data)
		if err != nil {
			if !errors.Is(err, device.ErrKeyFile) {
				t.Fatalf("ParseKey(%q) = %v, want it to wrap ErrKeyFile", data, err)
			}
			return
		}
		file := got.MarshalPrivate()
		again, err := device.ParseKey(file)
		if err != nil {
			t.Fatalf("ParseKey(MarshalPrivate()) = %v for %s (from %q)", err, file, data)
		}
		if again.KID() != got.KID() || !again.Public().Equal(got.Public()) || !bytes.Equal(again.MarshalPrivate(), file) {
			t.Fatalf("round trip changed the key: %s, then %s", file, again.MarshalPrivate())
		}
		if bytes.Contains(got.JWK(), []byte(`"d"`)) {
			t.Fatalf("JWK() = %s carries the private key", got.JWK())
		}
	})
}
