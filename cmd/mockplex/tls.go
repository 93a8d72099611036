package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/mockplex/mockplex/internal/tlsca"
)

func splitHosts(v string) []string {
	var out []string
	for _, n := range strings.Split(v, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// tlsFlags registers serve's TLS flags: --tls-addr, --tls-host, --tls-dir.
func tlsFlags(e *envFlags, c *config) {
	e.str(&c.TLSAddr, "tls-addr", "", "also serve HTTPS here (e.g. :443), with a certificate for plex.tv, *.plex.tv, *.provider.plex.tv and the loopback names, signed by mockplex's CA (off when empty)")
	// --tls-host is repeatable; MOCKPLEX_TLS_HOSTS, a comma list, is its
	// default, which the first flag given replaces.
	c.TLSHosts = splitHosts(e.getenv("MOCKPLEX_TLS_HOSTS"))
	given := false
	e.fs.Func("tls-host", "another name or IP for the certificate, such as the compose service name; repeatable (MOCKPLEX_TLS_HOSTS, a comma list)", func(v string) error {
		if !given {
			c.TLSHosts, given = nil, true
		}
		if v = strings.TrimSpace(v); v == "" {
			return errors.New("empty name")
		}
		c.TLSHosts = append(c.TLSHosts, v)
		return nil
	})
	e.str(&c.TLSDir, "tls-dir", "", "folder that keeps the CA (ca.pem, ca-key.pem): created on first start, reused after; without it the CA lives in memory for the process")
}

// tlsSide is serve's HTTPS listener: its CA, certificate and server. The
// zero value (TLS off) does nothing.
type tlsSide struct {
	ca     *tlsca.CA
	leaf   *tls.Certificate
	ln     net.Listener
	srv    *http.Server
	logger *slog.Logger
}

// newTLSSide loads or makes the CA, issues the certificate and listens on
// --tls-addr. With --tls-addr empty it returns the zero tlsSide. Nothing it
// logs or returns holds the CA key.
func newTLSSide(c config, logger *slog.Logger) (*tlsSide, error) {
	t := &tlsSide{logger: logger}
	if c.TLSAddr == "" {
		if c.TLSDir != "" || len(c.TLSHosts) > 0 {
			logger.Warn("--tls-dir and --tls-host do nothing without --tls-addr (MOCKPLEX_TLS_ADDR)")
		}
		return t, nil
	}
	ca, err := loadCA(c.TLSDir, logger)
	if err != nil {
		return nil, err
	}
	leaf, err := ca.Leaf(c.TLSHosts...)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--tls-host: %w; give host names or IP addresses", err)}
	}
	ln, err := net.Listen("tcp", c.TLSAddr)
	if err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("listen on %s: %w; pick another with --tls-addr or MOCKPLEX_TLS_ADDR", c.TLSAddr, err)}
	}
	t.ca, t.leaf, t.ln = ca, leaf, ln
	return t, nil
}

// loadCA reads the CA kept in dir, making it on first use, or makes one in
// memory when dir is empty.
func loadCA(dir string, logger *slog.Logger) (*tlsca.CA, error) {
	if dir == "" {
		ca, err := tlsca.New()
		if err != nil {
			return nil, &exitError{code: 1, err: err}
		}
		return ca, nil
	}
	ca, created, err := tlsca.LoadOrCreate(dir, time.Now())
	if err != nil {
		return nil, &exitError{code: 1, err: fmt.Errorf("--tls-dir (MOCKPLEX_TLS_DIR): %w; an empty --tls-dir keeps a CA in memory", err)}
	}
	if created {
		logger.Info("made a new CA: trust its ca.pem in every client", "dir", dir, "sha256", fingerprint(ca))
	}
	return ca, nil
}

func fingerprint(ca *tlsca.CA) string {
	sum := sha256.Sum256(ca.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

// certificate is the CA /__mockplex/ca.pem answers (mock.Config.CA): nil
// without TLS.
func (t *tlsSide) certificate() *x509.Certificate {
	if t.ca == nil {
		return nil
	}
	return t.ca.Certificate()
}

// exposedAddr is the listen address that decides whether the control API
// is open: --addr, or --tls-addr when that one reaches beyond loopback.
func exposedAddr(c config) string {
	if c.TLSAddr != "" && !isLoopback(c.TLSAddr) {
		return c.TLSAddr
	}
	return c.Addr
}

// httpListener is ln, watched for TLS hellos when TLS is on: a client that
// speaks TLS to the HTTP port gets net/http's 400 on that connection, and a
// debug line that says where HTTPS is.
func (t *tlsSide) httpListener(ln net.Listener) net.Listener {
	if t.ln == nil {
		return ln
	}
	return sniffListener{Listener: ln, log: t.logger, tlsAddr: t.ln.Addr().String()}
}

// serve starts the HTTPS server with h and the HTTP server's limits; its
// end is sent to errc.
func (t *tlsSide) serve(c config, h http.Handler, errc chan<- error) {
	if t.ln == nil {
		return
	}
	t.srv = httpServer(c, h, t.logger)
	t.srv.TLSConfig = tlsca.ServerConfig(t.leaf)
	// HTTP/1.1 only, as on the HTTP port: scenario faults that cut or
	// stall a connection hijack it, which HTTP/2 cannot.
	t.srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	go func() { errc <- t.srv.ServeTLS(t.ln, "", "") }()
	t.logger.Info("mockplex listening for HTTPS", "addr", t.ln.Addr().String(), "names", t.leaf.Leaf.DNSNames,
		"ips", len(t.leaf.Leaf.IPAddresses), "caSHA256", fingerprint(t.ca), "caURL", "/__mockplex/ca.pem")
}

// closeListener closes the HTTPS listener when serve returns before
// serving (a later start-up step failed); after Serve, closing it again is
// harmless.
func (t *tlsSide) closeListener() {
	if t.ln != nil {
		_ = t.ln.Close()
	}
}

// shutdown drains the HTTPS server as serve drains HTTP.
func (t *tlsSide) shutdown(ctx context.Context) error {
	if t.srv == nil {
		return nil
	}
	if err := t.srv.Shutdown(ctx); err != nil {
		_ = t.srv.Close()
		return err
	}
	return nil
}

type sniffListener struct {
	net.Listener
	log     *slog.Logger
	tlsAddr string
}

func (l sniffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &sniffConn{Conn: c, l: &l}, nil
}

// sniffConn looks at the first byte a client sends: 0x16 starts a TLS
// handshake record.
type sniffConn struct {
	net.Conn
	l    *sniffListener
	seen bool
}

func (c *sniffConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.seen && n > 0 {
		c.seen = true
		if p[0] == 0x16 {
			c.l.log.LogAttrs(context.Background(), slog.LevelDebug, "TLS handshake on the HTTP port, answered 400: use https:// on the TLS port",
				slog.String("remote", c.RemoteAddr().String()), slog.String("tlsAddr", c.l.tlsAddr))
		}
	}
	return n, err
}

// runCA is `mockplex ca`: it prints the CA certificate kept in --tls-dir,
// making the CA when the folder has none, for scripts that trust it.
func runCA(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockplex ca", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("tls-dir", getenv("MOCKPLEX_TLS_DIR"), "folder that keeps the CA, as serve's --tls-dir (MOCKPLEX_TLS_DIR)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2, err: errQuiet}
	}
	if fs.NArg() > 0 {
		return usageErrorf("ca takes no arguments, got %q", fs.Args())
	}
	if *dir == "" {
		return usageErrorf("ca needs --tls-dir (MOCKPLEX_TLS_DIR): without one, serve keeps its CA in memory; fetch that from a running mockplex at /__mockplex/ca.pem")
	}
	ca, created, err := tlsca.LoadOrCreate(*dir, time.Now())
	if err != nil {
		return fmt.Errorf("--tls-dir: %w", err)
	}
	if created {
		fmt.Fprintf(stderr, "mockplex: made a new CA in %s (sha256 %s)\n", *dir, fingerprint(ca))
	}
	_, err = stdout.Write(ca.CertPEM())
	return err
}
