// Package tlsca provides mockplex's throw-away certificate authority: an
// ECDSA P-256 CA that a test environment trusts, and the leaf certificates
// it signs for plex.tv's names, so that apps which hard-code https://plex.tv
// reach the mock with certificate checks on.
//
// A CA is generated in memory (New) or kept in a folder as ca.pem and
// ca-key.pem (LoadOrCreate), so that a CI cache or a container volume keeps
// the trust stable across restarts. The key is written with mode 0600 and
// never leaves the folder: nothing here logs or serves it.
package tlsca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names inside a CA folder.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// Validity of what New and Leaf make. The CA lives long, so a kept folder
// stays trusted; a leaf is made at every start, and stays under the 398
// days browsers accept for a server certificate.
const (
	caValidity   = 10 * 365 * 24 * time.Hour
	leafValidity = 397 * 24 * time.Hour
	backdate     = time.Hour // tolerate clocks a little behind
)

// DefaultHosts returns the names every leaf covers: plex.tv's own (the
// API, clients.plex.tv, app.plex.tv's approval page, www), the provider
// hosts, and the loopback names a test dials directly.
func DefaultHosts() []string {
	return []string{"plex.tv", "*.plex.tv", "*.provider.plex.tv", "localhost", "127.0.0.1", "::1"}
}

// Errors a CA folder or PEM input can give; Load's messages wrap them and
// say what to do.
var (
	ErrNoCert    = errors.New("no CERTIFICATE block")
	ErrNoKey     = errors.New("no EC PRIVATE KEY or PRIVATE KEY block")
	ErrNotCA     = errors.New("certificate is not a CA (basic constraints CA:TRUE with the certSign key usage)")
	ErrExpired   = errors.New("CA certificate is expired or not yet valid")
	ErrKeyType   = errors.New("CA key is not an ECDSA or RSA key")
	ErrMismatch  = errors.New("CA key does not match the CA certificate")
	ErrHalfPair  = errors.New("only one of ca.pem and ca-key.pem exists")
	ErrHostEmpty = errors.New("empty host name")
	ErrBadHost   = errors.New("not a host name (letters, digits, hyphens and dots; \"*.\" first for a wildcard) or an IP address")
)

// CA is a certificate authority: its certificate and private key. It is
// immutable once made, and safe for concurrent use.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     crypto.Signer
}

// Certificate returns the CA's certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertPEM returns the CA's certificate in PEM form: what a test
// environment trusts (ca.pem).
func (ca *CA) CertPEM() []byte { return bytes.Clone(ca.certPEM) }

// Pool returns a certificate pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// New generates a CA in memory, valid from an hour ago for ten years.
func New() (*CA, error) { return newCA(time.Now(), caValidity) }

func newCA(now time.Time, validity time.Duration) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"mockplex"}, CommonName: "mockplex throw-away CA " + serial.Text(16)[:8]},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(&key.PublicKey),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	return &CA{cert: cert, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key: key}, nil
}

func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("generate serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil // never zero
}

// keyID is the subject key identifier RFC 7093 §2 method 1 describes.
func keyID(pub *ecdsa.PublicKey) []byte {
	b, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(b)
	return sum[:20]
}

// Parse reads a CA from its certificate and key in PEM form. It refuses a
// certificate that is not a CA, is outside its validity at now, or whose
// key does not match.
func Parse(certPEM, keyPEM []byte, now time.Time) (*CA, error) {
	cert, certDER, err := parseCert(certPEM)
	if err != nil {
		return nil, err
	}
	if !cert.IsCA || !cert.BasicConstraintsValid || cert.KeyUsage&x509.KeyUsageCertSign == 0 {
		return nil, ErrNotCA
	}
	if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return nil, fmt.Errorf("%w (valid %s to %s)", ErrExpired, cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return nil, err
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := key.Public().(equaler); !ok || !pub.Equal(cert.PublicKey) {
		return nil, ErrMismatch
	}
	return &CA{cert: cert, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}), key: key}, nil
}

func parseCert(certPEM []byte) (*x509.Certificate, []byte, error) {
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, nil, ErrNoCert
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("parse CA certificate: %w", err)
		}
		return cert, b.Bytes, nil
	}
}

func parseKey(keyPEM []byte) (crypto.Signer, error) {
	for rest := keyPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, ErrNoKey
		}
		var k any
		var err error
		switch b.Type {
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			// The parse error says nothing of the key's bytes.
			return nil, fmt.Errorf("parse CA key (%s block): %w", b.Type, err)
		}
		switch k := k.(type) {
		case *ecdsa.PrivateKey:
			return k, nil
		case *rsa.PrivateKey:
			return k, nil
		}
		return nil, ErrKeyType
	}
}

// LoadOrCreate reads the CA kept in dir, or generates one and saves it
// there when dir has neither file (creating dir with mode 0700 when
// missing; ca-key.pem is written with mode 0600). created reports which.
// A CA that is unreadable, expired, not a CA, or half there is refused with
// what to do.
func LoadOrCreate(dir string, now time.Time) (ca *CA, created bool, err error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	_, certErr := os.Lstat(certPath)
	_, keyErr := os.Lstat(keyPath)
	switch {
	case errors.Is(certErr, os.ErrNotExist) && errors.Is(keyErr, os.ErrNotExist):
		ca, err := newCA(now, caValidity)
		if err != nil {
			return nil, false, err
		}
		if err := ca.save(dir); err != nil {
			return nil, false, err
		}
		return ca, true, nil
	case errors.Is(certErr, os.ErrNotExist) || errors.Is(keyErr, os.ErrNotExist):
		return nil, false, fmt.Errorf("CA folder %s: %w; restore the missing file, or remove the other to have a new CA generated (every client must then trust the new ca.pem)", dir, ErrHalfPair)
	}
	ca, err = Load(dir, now)
	return ca, false, err
}

// Load reads the CA kept in dir (ca.pem and ca-key.pem).
func Load(dir string, now time.Time) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	fix := "; fix or remove " + CertFile + " and " + KeyFile + " in " + dir + " (a new CA is then generated, and every client must trust the new ca.pem), or pick another folder"
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w%s", err, fix)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, fmt.Errorf("read CA key: %w%s", err, fix)
	}
	ca, err := Parse(certPEM, keyPEM, now)
	if err != nil {
		return nil, fmt.Errorf("CA in %s: %w%s", dir, err, fix)
	}
	return ca, nil
}

// save writes ca.pem (0644) and ca-key.pem (0600) into dir. The key goes
// through a temporary file created 0600, so it is never readable by others,
// even for a moment.
func (ca *CA) save(dir string) error {
	fix := "; make the folder writable by this user, or pick another"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create CA folder: %w%s", err, fix)
	}
	der, err := x509.MarshalPKCS8PrivateKey(ca.key)
	if err != nil {
		return fmt.Errorf("encode CA key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := writeFile(dir, KeyFile, keyPEM, 0o600); err != nil {
		return fmt.Errorf("save CA key: %w%s", err, fix)
	}
	if err := writeFile(dir, CertFile, ca.certPEM, 0o644); err != nil {
		return fmt.Errorf("save CA certificate: %w%s", err, fix)
	}
	return nil
}

func writeFile(dir, name string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after the rename, a no-op
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

// Leaf issues a server certificate for DefaultHosts and extra, signed by
// the CA, with a fresh P-256 key. Extra names may be DNS names (a leading
// "*." for a wildcard) or IP addresses.
func (ca *CA) Leaf(extra ...string) (*tls.Certificate, error) {
	return ca.leaf(time.Now(), extra)
}

func (ca *CA) leaf(now time.Time, extra []string) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate server key: %w", err)
	}
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:   serial,
		Subject:        pkix.Name{Organization: []string{"mockplex"}, CommonName: "plex.tv"},
		NotBefore:      now.Add(-backdate),
		NotAfter:       now.Add(leafValidity),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AuthorityKeyId: ca.cert.SubjectKeyId,
	}
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	seen := map[string]bool{}
	for _, h := range append(DefaultHosts(), extra...) {
		h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
		if h == "" {
			return nil, fmt.Errorf("%w in the certificate's names", ErrHostEmpty)
		}
		if seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(strings.Trim(h, "[]")); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			continue
		}
		if !validHost(h) {
			return nil, fmt.Errorf("%q: %w", h, ErrBadHost)
		}
		tmpl.DNSNames = append(tmpl.DNSNames, h)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("create server certificate (names %q): %w", extra, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse server certificate: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// validHost reports whether h (lower case) is a DNS name a certificate
// can carry: dot-separated labels of letters, digits and hyphens, not
// starting or ending with a hyphen, optionally "*." first.
func validHost(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// ServerConfig returns a TLS configuration that serves leaf for every name
// a client asks for: a client that asks for a name the certificate lacks
// fails its own check, on that connection only.
func ServerConfig(leaf *tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{*leaf},
		MinVersion:   tls.VersionTLS12,
	}
}
