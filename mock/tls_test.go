package mock_test

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
)

// TestTLSServerPlexNames calls plex.tv's names through a TLS server's
// Client, as an app that hard-codes https://plex.tv would.
func TestTLSServerPlexNames(t *testing.T) {
	t.Parallel()
	srv := mock.NewTLSServer(mock.WithSeed(7))
	t.Cleanup(srv.Close)
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Errorf("URL = %q, want https://127.0.0.1:port", srv.URL)
	}
	ca := srv.Certificate()
	if ca == nil || !ca.IsCA {
		t.Fatalf("Certificate() = %v, want the CA", ca)
	}
	c := srv.Client()
	var pin struct {
		ID   int64  `json:"id"`
		Code string `json:"code"`
	}
	for _, tc := range []struct {
		method, url string
		want        int
	}{
		{http.MethodPost, "https://plex.tv/api/v2/pins?strong=true", http.StatusCreated},
		{http.MethodPost, "https://clients.plex.tv/api/v2/pins", http.StatusCreated},
		{http.MethodGet, "https://plex.tv:443/api/v2/ping", http.StatusUnauthorized},
		{http.MethodGet, srv.URL + "/healthz", http.StatusOK},
		{http.MethodGet, "https://localhost:" + srv.URL[len("https://127.0.0.1:"):] + "/healthz", http.StatusOK},
		{http.MethodGet, "https://app.plex.tv/auth", http.StatusOK},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), tc.method, tc.url, nil)
		req.Header.Set("X-Plex-Client-Identifier", "tls-test")
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.method, tc.url, err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s %s: status %d, want %d: %s", tc.method, tc.url, resp.StatusCode, tc.want, body)
		}
		if tc.want == http.StatusCreated {
			if err := json.Unmarshal(body, &pin); err != nil || pin.ID == 0 {
				t.Errorf("%s %s: pin %s (%v)", tc.method, tc.url, body, err)
			}
		}
	}
	// The CA the route answers is Certificate, and it verifies the leaf.
	resp, err := c.Get("https://plex.tv/__mockplex/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b, _ := pem.Decode(body)
	if resp.StatusCode != http.StatusOK || b == nil || b.Type != "CERTIFICATE" || string(b.Bytes) != string(ca.Raw) {
		t.Fatalf("GET /__mockplex/ca.pem: %d %q, want the CA in PEM", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "PRIVATE") {
		t.Errorf("ca.pem serves a private key")
	}
	if got := resp.TLS.PeerCertificates[0]; got.CheckSignatureFrom(ca) != nil {
		t.Errorf("leaf %v is not signed by Certificate()", got.Subject)
	}
}

// TestTLSServerOneCA: every TLS server of the process shares the CA, so a
// test trusts it once.
func TestTLSServerOneCA(t *testing.T) {
	t.Parallel()
	a, b := mock.NewTLSServer(), mock.NewTLSServer()
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	if !a.Certificate().Equal(b.Certificate()) {
		t.Errorf("two TLS servers have different CAs")
	}
	if a.URL == b.URL {
		t.Errorf("two TLS servers share URL %s", a.URL)
	}
	// Each Client goes to its own server for plex.tv.
	for _, s := range []*mock.Server{a, b} {
		p, _ := s.CreatePin("one-ca", "", false)
		resp, err := s.Client().Get("https://plex.tv/api/v2/pins/" + itoa(p.ID) + "?X-Plex-Client-Identifier=one-ca")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("poll own pin through Client: status %d, want 200", resp.StatusCode)
		}
	}
}

// TestTLSServerBadInput: a handshake for a name outside the certificate,
// plain HTTP on the TLS port, and a client that never finishes its
// handshake each fail on their connection; the server keeps serving.
func TestTLSServerBadInput(t *testing.T) {
	t.Parallel()
	lines := make(chan string, 100)
	logger := slog.New(slog.NewTextHandler(lineWriter(lines), &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := mock.NewTLSServer(mock.WithLogger(logger))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "https://")
	// Each failure is one debug line from net/http, through the logger.
	waitLog := func(what, want string) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case l := <-lines:
				if strings.Contains(l, "level=DEBUG") && strings.Contains(l, want) {
					return
				}
			case <-timeout:
				t.Errorf("%s: no debug log line with %q", what, want)
				return
			}
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	// A name the certificate lacks: the client's check fails.
	_, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "example.com"})
	if err == nil || !strings.Contains(err.Error(), "example.com") {
		t.Errorf("handshake for example.com: err %v, want a certificate name error", err)
	}
	waitLog("name outside the certificate", "TLS handshake error")
	// Plain HTTP on the TLS port: a 400 on that connection.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "GET /api/v2/pins/1 HTTP/1.1\r\nHost: plex.tv\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP on the TLS port: %v, %v; want 400", resp, err)
	}
	conn.Close()
	waitLog("plain HTTP on the TLS port", "client sent an HTTP request to an HTTPS server")
	// A handshake never finished: held open, and meanwhile others are served.
	stalled, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	_, _ = stalled.Write([]byte{0x16, 0x03, 0x01}) // the start of a record, then nothing
	resp, err = srv.Client().Get("https://plex.tv/healthz")
	if err != nil {
		t.Fatalf("healthz beside the bad connections: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz beside the bad connections: %d", resp.StatusCode)
	}
}

func TestCAPEMWithoutTLS(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer()
	t.Cleanup(srv.Close)
	resp, err := srv.Client().Get(srv.URL + "/__mockplex/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(body), "--tls-addr") {
		t.Errorf("ca.pem without TLS: %d %s; want 404 naming --tls-addr", resp.StatusCode, body)
	}
	if srv.Certificate() != nil {
		t.Errorf("Certificate() of a plain server = %v, want nil", srv.Certificate().Subject)
	}
	// A CA given by option (mockplex serve's --tls-dir) is public even
	// with the control API off.
	off := mock.NewServer(mock.WithControl(false), mock.WithConfig(mock.Config{CA: srv2CA(t)}))
	t.Cleanup(off.Close)
	resp, err = off.Client().Get(off.URL + "/__mockplex/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("ca.pem with the control API off: %d, want 200", resp.StatusCode)
	}
}

// srv2CA returns the process's in-process CA.
func srv2CA(t *testing.T) *x509.Certificate {
	t.Helper()
	s := mock.NewTLSServer()
	defer s.Close()
	return s.Certificate()
}

// TestLoopbackHostsPlexNames: on loopback, an unguarded mock answers
// plex.tv's names (the developer mapped them), and still refuses others.
func TestLoopbackHostsPlexNames(t *testing.T) {
	t.Parallel()
	s, err := mock.New(mock.WithConfig(mock.Config{LoopbackHosts: true}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	for _, tc := range []struct {
		host string
		ok   bool
	}{
		{"app.plex.tv", true}, {"plex.tv", true}, {"clients.plex.tv:443", true}, {"APP.PLEX.TV.", true},
		{"127.0.0.1:8080", true}, {"evil.example.com", false}, {"plex.tv.evil.example.com", false}, {"notplex.tv", false},
	} {
		for _, path := range []string{"/auth?clientID=x&code=y", "/__mockplex/pins"} {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Host = tc.host
			s.Handler().ServeHTTP(rec, req)
			if ok := rec.Code != http.StatusForbidden; ok != tc.ok {
				t.Errorf("GET %s with Host %s: status %d, want allowed %v", path, tc.host, rec.Code, tc.ok)
			}
		}
	}
}

// lineWriter sends each write (one log record) to lines, dropping it when
// nobody reads.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	select {
	case w <- string(p):
	default:
	}
	return len(p), nil
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
