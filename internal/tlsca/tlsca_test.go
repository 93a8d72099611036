package tlsca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadOrCreateKeepsTheCA(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	first, created, err := LoadOrCreate(dir, now)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate(new folder) = created %v, err %v; want created, nil", created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("%s mode = %v, want 0600", KeyFile, got)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("CA folder mode = %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	again, created, err := LoadOrCreate(dir, now.Add(time.Hour))
	if err != nil || created {
		t.Fatalf("LoadOrCreate(kept folder) = created %v, err %v; want reused, nil", created, err)
	}
	if !bytes.Equal(first.CertPEM(), again.CertPEM()) {
		t.Errorf("reloaded CA differs from the saved one")
	}
	disk, err := os.ReadFile(filepath.Join(dir, CertFile))
	if err != nil || !bytes.Equal(disk, first.CertPEM()) {
		t.Errorf("ca.pem on disk differs from CertPEM (err %v)", err)
	}
	if strings.Contains(string(first.CertPEM()), "PRIVATE") {
		t.Errorf("CertPEM holds a private key")
	}
}

func TestLoadRefuses(t *testing.T) {
	t.Parallel()
	now := time.Now()
	good, err := newCA(now, caValidity)
	if err != nil {
		t.Fatal(err)
	}
	goodKey := keyPEM(t, good)
	expired, err := newCA(now.Add(-48*time.Hour), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, err := newCA(now, caValidity)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := good.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	leafPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]})
	leafKey, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		cert, key []byte // nil: the file is absent
		certDir   bool   // ca.pem is a folder: unreadable
		want      error  // nil: only the message is checked
		wantText  string
	}{
		{name: "expired", cert: expired.certPEM, key: keyPEM(t, expired), want: ErrExpired},
		{name: "not a CA", cert: leafPEM, key: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: leafKey}), want: ErrNotCA},
		{name: "key of another CA", cert: good.certPEM, key: keyPEM(t, other), want: ErrMismatch},
		{name: "garbage certificate", cert: []byte("hello"), key: goodKey, want: ErrNoCert},
		{name: "garbage key", cert: good.certPEM, key: []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), wantText: "parse CA key"},
		{name: "no key block", cert: good.certPEM, key: good.certPEM, want: ErrNoKey},
		{name: "unreadable certificate", certDir: true, key: goodKey, wantText: "read CA certificate"},
		{name: "key alone", key: goodKey, want: ErrHalfPair},
		{name: "certificate alone", cert: good.certPEM, want: ErrHalfPair},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.cert != nil {
				write(t, filepath.Join(dir, CertFile), tc.cert)
			}
			if tc.certDir {
				if err := os.Mkdir(filepath.Join(dir, CertFile), 0o700); err != nil {
					t.Fatal(err)
				}
			}
			if tc.key != nil {
				write(t, filepath.Join(dir, KeyFile), tc.key)
			}
			_, _, err := LoadOrCreate(dir, now)
			if err == nil {
				t.Fatalf("LoadOrCreate = nil error, want a refusal")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("LoadOrCreate error = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("LoadOrCreate error = %v, want it to say %q", err, tc.wantText)
			}
			// Every refusal says what to do, and never shows the key.
			if msg := err.Error(); !strings.Contains(msg, "remove") || strings.Contains(msg, string(goodKey[30:60])) {
				t.Errorf("LoadOrCreate error = %q: want what to do (remove…), without key bytes", msg)
			}
			// Nothing was overwritten.
			if tc.cert != nil {
				if got, _ := os.ReadFile(filepath.Join(dir, CertFile)); !bytes.Equal(got, tc.cert) {
					t.Errorf("ca.pem was changed by a refused load")
				}
			}
		})
	}
}

func TestLeafNames(t *testing.T) {
	t.Parallel()
	ca, err := New()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("mockplex", "10.1.2.3", "Plex.TV.", "plex.tv")
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Leaf.NotAfter.After(ca.Certificate().NotAfter) {
		t.Errorf("leaf outlives its CA")
	}
	opts := x509.VerifyOptions{Roots: ca.Pool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"plex.tv", true}, {"clients.plex.tv", true}, {"app.plex.tv", true}, {"www.plex.tv", true},
		{"discover.provider.plex.tv", true}, {"metadata.provider.plex.tv", true}, {"localhost", true},
		{"127.0.0.1", true}, {"::1", true}, {"mockplex", true}, {"10.1.2.3", true},
		{"example.com", false}, {"plex.tv.example.com", false}, {"a.b.plex.tv", false}, {"10.1.2.4", false},
	} {
		opts.DNSName = tc.name
		_, err := leaf.Leaf.Verify(opts)
		if (err == nil) != tc.ok {
			t.Errorf("leaf verified for %q: err %v, want ok %v", tc.name, err, tc.ok)
		}
	}
	if n := len(leaf.Leaf.DNSNames); n != 5 { // plex.tv, *.plex.tv, *.provider.plex.tv, localhost, mockplex
		t.Errorf("leaf DNS names = %q, want the defaults and mockplex once each", leaf.Leaf.DNSNames)
	}
	for _, bad := range []struct {
		name string
		want error
	}{
		{" ", ErrHostEmpty}, {"http://mockplex", ErrBadHost}, {"a b", ErrBadHost}, {"*.*.plex.tv", ErrBadHost},
		{"-mockplex", ErrBadHost}, {"mock..plex", ErrBadHost}, {"mockplex:8443", ErrBadHost}, {"ünicode.example", ErrBadHost},
	} {
		if _, err := ca.Leaf(bad.name); !errors.Is(err, bad.want) {
			t.Errorf("Leaf(%q) error = %v, want %v", bad.name, err, bad.want)
		}
	}
}

func keyPEM(t *testing.T, ca *CA) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// FuzzParse feeds arbitrary PEM to the CA parser: it never panics, and
// whatever it accepts is a CA, valid now, that CertPEM gives back.
func FuzzParse(f *testing.F) {
	ca, err := newCA(time.Unix(1_800_000_000, 0), caValidity)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(ca.key)
	key := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	ecDER, _ := x509.MarshalECPrivateKey(ca.key.(*ecdsa.PrivateKey))
	f.Add(ca.certPEM, key)
	f.Add(ca.certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"), key)
	f.Add(append([]byte("junk\n"), ca.certPEM...), append(key, key...))
	f.Add([]byte{}, []byte{})
	now := time.Unix(1_800_000_100, 0)
	f.Fuzz(func(t *testing.T, certPEM, keyPEM []byte) {
		got, err := Parse(certPEM, keyPEM, now)
		if err != nil {
			return
		}
		if !got.Certificate().IsCA {
			t.Fatalf("Parse accepted a certificate that is not a CA")
		}
		again, err := Parse(got.CertPEM(), keyPEM, now)
		if err != nil || !again.Certificate().Equal(got.Certificate()) {
			t.Fatalf("CertPEM of an accepted CA does not parse back to it: %v", err)
		}
	})
}

// FuzzLeafNames: any --tls-host name either is refused or gives a leaf
// that still verifies for plex.tv and for that name.
func FuzzLeafNames(f *testing.F) {
	ca, err := New()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"mockplex", "10.0.0.1", "[::1]", "*.example.com", "Plex.TV.", "a b", "", "x-.y", "::ffff:1.2.3.4"} {
		f.Add(s)
	}
	pool := ca.Pool()
	f.Fuzz(func(t *testing.T, name string) {
		leaf, err := ca.Leaf(name)
		if err != nil {
			return
		}
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "plex.tv"}); err != nil {
			t.Fatalf("Leaf(%q) does not verify for plex.tv: %v", name, err)
		}
		h := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
		if strings.HasPrefix(h, "*.") {
			h = "x" + h[1:]
		}
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: strings.Trim(h, "[]")}); err != nil {
			t.Fatalf("Leaf(%q) does not verify for %q: %v", name, h, err)
		}
	})
}

// BenchmarkNewCAAndLeaf is what the first TLS server of a process pays
// once: a CA and its leaf.
func BenchmarkNewCAAndLeaf(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ca, err := New()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ca.Leaf(); err != nil {
			b.Fatal(err)
		}
	}
}
