package mock

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/mockplex/mockplex/internal/tlsca"
)

// processTLS is the process's throw-away CA and the leaf it signed for
// plex.tv's names, shared by every NewTLSServer.
//
// It is the one exception, beside the compiled routes, to "no
// package-level mutable state", and on the same terms: it is built once on
// first use and never changes after, so it holds no state a test could
// observe or disturb, and every server may still run in parallel. The
// trade-off is deliberate. A CA per server would cost two key generations
// and two signatures per NewTLSServer (several times httptest's start-up),
// and a test that trusts one server's CA would not trust the next's; one
// CA per process is what httptest does with its built-in certificate. The
// price is that a process cannot choose its in-process CA: mockplex serve,
// which can, takes its CA from --tls-dir instead and never touches this.
var processTLS = sync.OnceValues(func() (*tlsIdentity, error) {
	ca, err := tlsca.New()
	if err != nil {
		return nil, err
	}
	leaf, err := ca.Leaf()
	if err != nil {
		return nil, err
	}
	return &tlsIdentity{ca: ca, leaf: leaf}, nil
})

// tlsIdentity is a CA and the leaf a TLS listener serves.
type tlsIdentity struct {
	ca   *tlsca.CA
	leaf *tls.Certificate
}

// NewTLSServer starts a server on a loopback port that speaks HTTPS, like
// httptest.NewTLSServer. Its certificate covers plex.tv, *.plex.tv,
// *.provider.plex.tv, localhost, 127.0.0.1 and ::1, and is signed by a CA
// generated once per process (Certificate). Client trusts that CA and sends
// requests for plex.tv's names to this server, so code that calls
// https://plex.tv/... through it reaches the mock. It panics, as NewServer
// does, if the options are invalid.
func NewTLSServer(opts ...Option) *Server {
	s, err := New(opts...)
	if err != nil {
		panic("mock: NewTLSServer: " + err.Error())
	}
	s.startTLS()
	return s
}

// startTLS starts listening for HTTPS on a loopback port and sets URL
// (https://127.0.0.1:port). See NewTLSServer.
func (s *Server) startTLS() {
	id, err := processTLS()
	if err != nil {
		panic("mock: NewTLSServer: cannot make the process's CA: " + err.Error())
	}
	s.cfg.ca = id.ca.Certificate()
	ts := httptest.NewUnstartedServer(s.handler)
	// A failed handshake (a name outside the certificate, plain HTTP on
	// this port) is the client's problem: it goes to the logger at debug,
	// not to the standard logger on stderr.
	ts.Config.ErrorLog = slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)
	ts.TLS = tlsca.ServerConfig(id.leaf)
	ts.TLS.NextProtos = []string{"http/1.1"}
	ts.StartTLS()
	// httptest's client trusts only the leaf and dials only the listener's
	// address. Replacing its transport keeps Client's one client per server,
	// whose idle connections Close closes.
	ts.Client().Transport = plexTransport(ts.Listener.Addr().String(), id.ca.Pool())
	s.ts = ts
	s.URL = ts.URL
}

// Certificate returns the CA that signed a TLS server's certificate (the
// one /__mockplex/ca.pem answers), or nil for a server without TLS.
func (s *Server) Certificate() *x509.Certificate { return s.cfg.ca }

// plexTransport trusts roots only, and sends every request for plex.tv or
// a name under it to addr, whatever port the URL names.
func plexTransport(addr string, roots *x509.CertPool) *http.Transport {
	var d net.Dialer
	return &http.Transport{
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			if host, _, err := net.SplitHostPort(address); err == nil && isPlexHost(host) {
				address = addr
			}
			return d.DialContext(ctx, network, address)
		},
		TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: 64,
	}
}

// isPlexHost reports whether host (a Host header or URL host, with or
// without a port) is plex.tv or a name under it, such as clients.plex.tv or
// app.plex.tv: the names a TLS server's certificate covers and its Client
// sends to it.
func isPlexHost(host string) bool {
	h := hostname(host)
	return h == "plex.tv" || strings.HasSuffix(h, ".plex.tv")
}

// handleCAPEM is GET /__mockplex/ca.pem: the CA certificate, public on
// every listener (also when the control API is guarded or off), so a
// script or container can trust it. The key is never served.
func handleCAPEM(s *Server, x *exchange) {
	if s.cfg.ca == nil {
		x.controlFail(errorf(errRouteNotFound, "this mockplex serves no TLS, so it has no CA: start it with --tls-addr (MOCKPLEX_TLS_ADDR), or mock.NewTLSServer"))
		return
	}
	h := x.Header()
	h.Set("Content-Type", "application/x-pem-file")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="mockplex-ca.pem"`)
	x.WriteHeader(http.StatusOK)
	_, _ = x.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cfg.ca.Raw}))
}
