package device_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/mock/device"
)

var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func seeded(seed byte) io.Reader { return rand.NewChaCha8([32]byte{seed}) }

func newKey(t *testing.T, seed byte, opts ...device.Option) *device.Key {
	t.Helper()
	k, err := device.New(seeded(seed), opts...)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return k
}

// segment decodes part i of a compact token as a JSON object.
func segment(t *testing.T, tok string, i int) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("segment %d = %s: %v", i, b, err)
	}
	return m
}

func TestNew(t *testing.T) {
	t.Parallel()
	a, b, c := newKey(t, 1), newKey(t, 1), newKey(t, 2)
	if string(a.JWK()) != string(b.JWK()) {
		t.Errorf("JWK() differs for one seed: %s, %s", a.JWK(), b.JWK())
	}
	if a.KID() == c.KID() {
		t.Errorf("KID() = %q for two seeds", a.KID())
	}
	if a.KID() != a.Thumbprint() || len(a.KID()) != 43 {
		t.Errorf("default KID() = %q, Thumbprint() = %q, want the 43-char thumbprint", a.KID(), a.Thumbprint())
	}
	key, err := plexjwt.ParseJWK(a.JWK())
	if err != nil {
		t.Fatalf("plexjwt.ParseJWK(%s) = %v", a.JWK(), err)
	}
	if key.KID != a.KID() || !key.Public.Equal(a.Public()) {
		t.Errorf("server reads %+v from JWK(), want kid %q and the key", key, a.KID())
	}
	var members map[string]string
	if err := json.Unmarshal(a.JWK(), &members); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": a.KID()} {
		if members[name] != want {
			t.Errorf("JWK()[%q] = %q, want %q", name, members[name], want)
		}
	}
	if _, ok := members["d"]; ok {
		t.Errorf("JWK() = %s has the private key", a.JWK())
	}
}

func TestNewWithKID(t *testing.T) {
	t.Parallel()
	k := newKey(t, 1, device.WithKID("first"), device.WithKID("7c415b56-8f48-488a-98ab-847ef4460442"))
	if k.KID() != "7c415b56-8f48-488a-98ab-847ef4460442" || k.Thumbprint() != newKey(t, 1).KID() {
		t.Errorf("KID() = %q, Thumbprint() = %q, want the last WithKID and the seed's thumbprint", k.KID(), k.Thumbprint())
	}
	if !strings.Contains(string(k.JWK()), `"kid":"7c415b56-8f48-488a-98ab-847ef4460442"`) {
		t.Errorf("JWK() = %s, want the chosen kid", k.JWK())
	}
	if _, err := device.New(seeded(1), device.WithKID("")); err == nil {
		t.Error(`New(WithKID("")) = nil error, want one`)
	}
	if _, err := device.New(strings.NewReader("short")); err == nil {
		t.Error("New(5-byte reader) = nil error, want one")
	}
	if _, err := device.New(nil); err != nil {
		t.Errorf("New(nil) = %v", err)
	}
}

func TestSignJWT(t *testing.T) {
	t.Parallel()
	k := newKey(t, 1, device.WithKID("device-kid"))
	tests := []struct {
		name   string
		claims device.Claims
		want   map[string]any
	}{
		{"aud as a string", device.Claims{Issuer: "c", Audience: []string{"plex.tv"}},
			map[string]any{"iss": "c", "aud": "plex.tv"}},
		{"one-element aud as an array", device.Claims{Issuer: "c", Audience: []string{"plex.tv"}, ArrayAudience: true},
			map[string]any{"iss": "c", "aud": []any{"plex.tv"}}},
		{"two-element aud", device.Claims{Issuer: "c", Audience: []string{"plex.tv", "x"}},
			map[string]any{"iss": "c", "aud": []any{"plex.tv", "x"}}},
		{"everything", device.Claims{Issuer: "c", Audience: []string{"plex.tv"}, Nonce: "n", Scope: "username,email", IssuedAt: t0, Expiry: t0.Add(time.Hour)},
			map[string]any{"iss": "c", "aud": "plex.tv", "nonce": "n", "scope": "username,email", "iat": float64(t0.Unix()), "exp": float64(t0.Unix() + 3600)}},
		{"zero claims are left out", device.Claims{}, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := k.SignJWT(tt.claims)
			if err != nil {
				t.Fatalf("SignJWT() = %v", err)
			}
			if diff := cmp.Diff(map[string]any{"alg": "EdDSA", "kid": "device-kid", "typ": "JWT"}, segment(t, tok, 0)); diff != "" {
				t.Errorf("header mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, segment(t, tok, 1)); diff != "" {
				t.Errorf("claims mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServerAccepts checks the tokens against the server side's checks.
func TestServerAccepts(t *testing.T) {
	t.Parallel()
	k := newKey(t, 1)
	registered, err := plexjwt.ParseJWK(k.JWK())
	if err != nil {
		t.Fatal(err)
	}
	poll, err := k.PollJWT("client-1")
	if err != nil {
		t.Fatal(err)
	}
	token, err := k.TokenJWT("client-1", "nonce-1", "username", t0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		tok        string
		now        time.Time
		want       *plexjwt.DeviceJWT
		wantVerify error
	}{
		{"poll", poll, t0, &plexjwt.DeviceJWT{KID: k.KID(), Issuer: "client-1", Audience: []string{"plex.tv"}}, nil},
		{"poll never expires", poll, t0.AddDate(10, 0, 0), &plexjwt.DeviceJWT{KID: k.KID(), Issuer: "client-1", Audience: []string{"plex.tv"}}, nil},
		{"token", token, t0.Add(4 * time.Minute), &plexjwt.DeviceJWT{KID: k.KID(), Issuer: "client-1", Audience: []string{"plex.tv"},
			Nonce: "nonce-1", Scope: "username", IssuedAt: t0, Expiry: t0.Add(device.TokenJWTLifetime)}, nil},
		{"token after 5 minutes", token, t0.Add(device.TokenJWTLifetime), nil, plexjwt.ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := plexjwt.ParseDeviceJWT(tt.tok)
			if err != nil {
				t.Fatalf("ParseDeviceJWT() = %v", err)
			}
			if err := d.Verify(registered, tt.now); !errors.Is(err, tt.wantVerify) {
				t.Fatalf("Verify() = %v, want %v", err, tt.wantVerify)
			}
			if tt.want == nil {
				return
			}
			got := *d
			if diff := cmp.Diff(*tt.want, got, cmpopts.IgnoreUnexported(plexjwt.DeviceJWT{}), cmpopts.EquateApproxTime(0)); diff != "" {
				t.Errorf("parsed token mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyPlexJWT(t *testing.T) {
	t.Parallel()
	set, err := plexjwt.NewKeySet(seeded(9), t0)
	if err != nil {
		t.Fatal(err)
	}
	other, err := plexjwt.NewKeySet(seeded(10), t0)
	if err != nil {
		t.Fatal(err)
	}
	want := plexjwt.NewClaims("client-1", "device-kid", plexjwt.User{ID: 42, UUID: "u"}, t0)
	tok, err := set.Sign(want)
	if err != nil {
		t.Fatal(err)
	}
	noClient := want
	noClient.Audience = plexjwt.AudienceSet{"plex.tv"}
	tokNoClient, err := set.Sign(noClient)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		tok      string
		jwks     []byte
		clientID string
		now      time.Time
		want     error
	}{
		{"good", tok, set.JWKS(), "client-1", t0, nil},
		{"other client", tok, set.JWKS(), "client-2", t0, device.ErrAudience},
		{"aud without the client", tokNoClient, set.JWKS(), "client-1", t0, device.ErrAudience},
		{"expired", tok, set.JWKS(), "client-1", t0.Add(plexjwt.TokenLifetime), device.ErrExpired},
		{"other key set", tok, other.JWKS(), "client-1", t0, device.ErrUnknownKey},
		{"jwks not JSON", tok, []byte("<keys/>"), "client-1", t0, device.ErrMalformed},
		{"garbage token", "a.b.c", set.JWKS(), "client-1", t0, device.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := device.VerifyPlexJWT(tt.tok, tt.jwks, tt.clientID, tt.now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("VerifyPlexJWT() = %v, want %v", err, tt.want)
			}
			if err == nil {
				wantClaims := &device.PlexClaims{
					Issuer: "plex.tv", Audience: []string{"plex.tv", "client-1"}, IssuedAt: t0.Unix(),
					Expiry: t0.Add(plexjwt.TokenLifetime).Unix(), Thumbprint: "device-kid", User: device.User{ID: 42, UUID: "u"},
				}
				if diff := cmp.Diff(wantClaims, got); diff != "" {
					t.Errorf("VerifyPlexJWT() mismatch (-want +got):\n%s", diff)
				}
				// mockplex device verify prints the claims as the token has them.
				gotJSON, _ := json.Marshal(got)
				wantJSON, _ := json.Marshal(want)
				if string(gotJSON) != string(wantJSON) {
					t.Errorf("PlexClaims JSON = %s, want the token's %s", gotJSON, wantJSON)
				}
			}
		})
	}
}
