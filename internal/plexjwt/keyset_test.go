package plexjwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
)

func newKeySet(t testing.TB, seed uint64) *KeySet {
	t.Helper()
	s, err := NewKeySet(seeded(seed), t0)
	if err != nil {
		t.Fatalf("NewKeySet() = %v", err)
	}
	return s
}

func testClaims(now time.Time) Claims {
	c := NewClaims("client-1", "device-kid", UserForScope(Account{ID: 42, UUID: "abc123", Username: "alice"}, "username"), now)
	c.Nonce = "7c415b56-8f48-488a-98ab-847ef4460442"
	return c
}

func TestKeySetJWKS(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	b := s.JWKS()
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS() = %s: %v", b, err)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("JWKS() has %d keys, want 2: %s", len(set.Keys), b)
	}
	keys := s.Keys()
	for i, k := range set.Keys {
		want := map[string]string{"kty": "OKP", "crv": "Ed25519", "x": k["x"], "use": "sig", "alg": "EdDSA", "kid": keys[i].KID}
		if diff := cmp.Diff(want, k); diff != "" {
			t.Errorf("JWKS() key %d mismatch (-want +got):\n%s", i, diff)
		}
		x, err := base64.RawURLEncoding.DecodeString(k["x"])
		if err != nil || len(x) != 32 {
			t.Errorf("key %d x = %q, want base64url of 32 bytes", i, k["x"])
		}
		if len(k["kid"]) != 43 {
			t.Errorf("key %d kid = %q, want a 43-character RFC 7638 thumbprint", i, k["kid"])
		}
		dk, err := ParseJWK(mustJSON(t, k))
		if err != nil || dk.Thumbprint != k["kid"] {
			t.Errorf("key %d: kid %q, thumbprint %q (%v), want equal", i, k["kid"], dk.Thumbprint, err)
		}
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKeySetReproducible(t *testing.T) {
	t.Parallel()
	a, b := newKeySet(t, 7), newKeySet(t, 7)
	if string(a.JWKS()) != string(b.JWKS()) {
		t.Fatalf("JWKS() differs for the same seed:\n%s\n%s", a.JWKS(), b.JWKS())
	}
	ta, err := a.Sign(testClaims(t0))
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Sign(testClaims(t0))
	if err != nil {
		t.Fatal(err)
	}
	if ta != tb {
		t.Fatalf("Sign() differs for the same seed:\n%s\n%s", ta, tb)
	}
	if c := newKeySet(t, 8); string(c.JWKS()) == string(a.JWKS()) {
		t.Fatal("JWKS() is the same for different seeds")
	}
}

func TestKeySetSignVerify(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	want := testClaims(t0)
	tok, err := s.Sign(want)
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	keys := s.Keys()
	if h.KeyID != keys[len(keys)-1].KID || h.Algorithm != "EdDSA" || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header = kid %q alg %q typ %v, want kid %q alg EdDSA typ JWT", h.KeyID, h.Algorithm, h.ExtraHeaders["typ"], keys[len(keys)-1].KID)
	}
	var raw map[string]any
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &raw); err != nil {
		t.Fatal(err)
	}
	wantRaw := map[string]any{
		"iss": "plex.tv", "aud": []any{"plex.tv", "client-1"},
		"iat": float64(t0.Unix()), "exp": float64(t0.Unix() + 604800),
		"thumbprint": "device-kid", "nonce": "7c415b56-8f48-488a-98ab-847ef4460442",
		"user": map[string]any{"id": float64(42), "uuid": "abc123", "username": "alice"},
	}
	if diff := cmp.Diff(wantRaw, raw); diff != "" {
		t.Errorf("claims on the wire mismatch (-want +got):\n%s", diff)
	}
	got, err := s.Verify(tok, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Verify() mismatch (-want +got):\n%s", diff)
	}
}

func TestKeySetVerifyRefuses(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	stranger := newKeySet(t, 2)
	good, err := s.Sign(testClaims(t0))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	sign := func(set *KeySet, c Claims) string {
		tok, err := set.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	wrongIss := testClaims(t0)
	wrongIss.Issuer = "evil.example"
	tests := []struct {
		name  string
		token string
		now   time.Time
		want  error
	}{
		{"good", good, t0, nil},
		{"a second before exp", good, t0.Add(TokenLifetime - time.Second), nil},
		{"exp equals now", good, t0.Add(TokenLifetime), ErrExpired},
		{"expired", good, t0.Add(TokenLifetime + time.Hour), ErrExpired},
		{"signed by a key not in the set", sign(stranger, testClaims(t0)), t0, ErrUnknownKey},
		{"iss not plex.tv", sign(s, wrongIss), t0, ErrIssuer},
		{"claims tampered", parts[0] + "." + base64.RawURLEncoding.EncodeToString(mustJSON(t, testClaims(t0.Add(time.Hour)))) + "." + parts[2], t0, ErrSignature},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"`+s.Keys()[1].KID+`"}`)) + "." + parts[1] + ".", t0, ErrAlgorithm},
		{"garbage", "eyJ.eyJ.eyJ", t0, ErrMalformed},
		{"oversize", good + strings.Repeat("A", MaxTokenSize), t0, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := s.Verify(tt.token, tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("Verify() = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestKeySetRotate(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	initial := s.Keys()
	old, err := s.Sign(testClaims(t0))
	if err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(time.Hour)
	if err := s.Rotate(t1); err != nil {
		t.Fatalf("Rotate() = %v", err)
	}
	keys := s.Keys()
	// The never-used retired key is dropped; the old signer stays, retired.
	want := []KeyInfo{
		{KID: initial[1].KID, CreatedAt: t0, RetiredAt: t1, SignedUntil: time.Unix(t0.Add(TokenLifetime).Unix(), 0)},
		{KID: keys[1].KID, Current: true, CreatedAt: t1},
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Fatalf("Keys() after Rotate mismatch (-want +got):\n%s", diff)
	}
	if keys[1].KID == initial[1].KID || keys[1].KID == initial[0].KID {
		t.Fatalf("Rotate() reused a kid: %q", keys[1].KID)
	}
	if _, err := s.Verify(old, t1); err != nil {
		t.Errorf("Verify(token of the retired key) = %v, want success", err)
	}
	fresh, err := s.Sign(testClaims(t1))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSignedCompact(fresh, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	if kid := jws.Signatures[0].Header.KeyID; kid != keys[1].KID {
		t.Errorf("new token kid = %q, want the new key's %q", kid, keys[1].KID)
	}
	if _, err := s.Verify(fresh, t1); err != nil {
		t.Errorf("Verify(new token) = %v", err)
	}
}

func TestKeySetPrune(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	old, err := s.Sign(testClaims(t0)) // key A signs until t0+7d
	if err != nil {
		t.Fatal(err)
	}
	kidA := s.Keys()[1].KID
	kids := func() []string {
		var k []string
		for _, info := range s.Keys() {
			k = append(k, info.KID)
		}
		return k
	}
	steps := []struct {
		name      string
		do        func() error
		wantCount int
		wantA     bool  // key A still listed
		oldErr    error // from verifying the old token at t0+3h
	}{
		{"rotate at +1h keeps A", func() error { return s.Rotate(t0.Add(time.Hour)) }, 2, true, nil},
		{"rotate at +2h keeps A, drops the unused B", func() error { return s.Rotate(t0.Add(2 * time.Hour)) }, 2, true, nil},
		{"prune after exp keeps two keys", func() error { s.Prune(t0.Add(8 * 24 * time.Hour)); return nil }, 2, true, nil},
		{"rotate after exp drops A", func() error { return s.Rotate(t0.Add(8 * 24 * time.Hour)) }, 2, false, ErrUnknownKey},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := kids()
		if len(got) != st.wantCount {
			t.Errorf("%s: %d keys %q, want %d", st.name, len(got), got, st.wantCount)
		}
		if hasA := got[0] == kidA || got[1] == kidA; hasA != st.wantA {
			t.Errorf("%s: keys %q, A (%q) listed = %v, want %v", st.name, got, kidA, hasA, st.wantA)
		}
		if _, err := s.Verify(old, t0.Add(3*time.Hour)); !errors.Is(err, st.oldErr) {
			t.Errorf("%s: Verify(old token) = %v, want %v", st.name, err, st.oldErr)
		}
	}
}

func TestKeySetPruneManyRetired(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	for i := range 5 {
		now := t0.Add(time.Duration(i) * time.Hour)
		if _, err := s.Sign(testClaims(now)); err != nil {
			t.Fatal(err)
		}
		if err := s.Rotate(now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(s.Keys()); n != 6 {
		t.Fatalf("after 5 signing rotations: %d keys, want 6 (5 retired with live tokens + current)", n)
	}
	// After the third key's tokens expire, the first three go.
	if n := s.Prune(t0.Add(2*time.Hour + TokenLifetime)); n != 3 {
		t.Fatalf("Prune() = %d, want 3", n)
	}
	if n := s.Prune(t0.Add(1000 * TokenLifetime)); n != 1 {
		t.Fatalf("Prune(far future) = %d, want 1 (two keys stay)", n)
	}
	if n := len(s.Keys()); n != 2 {
		t.Fatalf("%d keys, want 2", n)
	}
}

func TestKeySetConcurrent(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				now := t0.Add(time.Duration(i*100+j) * time.Second)
				tok, err := s.Sign(testClaims(now))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Verify(tok, now); err != nil && !errors.Is(err, ErrUnknownKey) {
					t.Errorf("Verify() = %v", err)
				}
				if j%5 == 0 {
					if err := s.Rotate(now); err != nil {
						t.Error(err)
					}
				}
				_ = s.JWKS()
				_ = s.Keys()
			}
		})
	}
	wg.Wait()
}

func TestNewKeySetReaderError(t *testing.T) {
	t.Parallel()
	if _, err := NewKeySet(strings.NewReader("short"), t0); err == nil {
		t.Fatal("NewKeySet(5-byte reader) = nil error, want one")
	}
	s := newKeySet(t, 1)
	s.rand = strings.NewReader("")
	if err := s.Rotate(t0); err == nil {
		t.Fatal("Rotate(empty reader) = nil error, want one")
	}
	if n := len(s.Keys()); n != 2 {
		t.Fatalf("failed Rotate left %d keys, want 2", n)
	}
}

func TestNewKeySetNilReader(t *testing.T) {
	t.Parallel()
	s, err := NewKeySet(nil, t0)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Sign(testClaims(t0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(tok, t0); err != nil {
		t.Fatalf("Verify() = %v", err)
	}
}

func TestVerifyJWKS(t *testing.T) {
	t.Parallel()
	s := newKeySet(t, 1)
	tok, err := s.Sign(testClaims(t0))
	if err != nil {
		t.Fatal(err)
	}
	stranger := newKeySet(t, 2)
	tests := []struct {
		name string
		jwks []byte
		now  time.Time
		want error
	}{
		{"own set", s.JWKS(), t0, nil},
		{"expired", s.JWKS(), t0.Add(TokenLifetime), ErrExpired},
		{"other set", stranger.JWKS(), t0, ErrUnknownKey},
		{"empty set", []byte(`{"keys":[]}`), t0, ErrUnknownKey},
		{"not JSON", []byte(`<keys/>`), t0, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := VerifyJWKS(tok, tt.jwks, tt.now); !errors.Is(err, tt.want) {
				t.Fatalf("VerifyJWKS() = %v, want %v", err, tt.want)
			}
		})
	}
}
