package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tlsServe is a `mockplex serve` run in-process with --tls-addr: its two
// base URLs, a client that trusts its CA and sends plex.tv's names to the
// HTTPS port, and its log lines as they are written.
type tlsServe struct {
	httpURL, tlsAddr string
	client           *http.Client
	lines            chan string
	logs             *logWatch
	stop             func() error
}

// teeLog feeds serve's log to a logWatch (for the address) and, line by
// line, to a channel the test reads.
type teeLog struct {
	w     *logWatch
	mu    sync.Mutex
	lines chan string
}

func (t *teeLog) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, l := range bytes.Split(p, []byte("\n")) {
		if len(l) > 0 {
			select {
			case t.lines <- string(l):
			default:
			}
		}
	}
	return t.w.Write(p)
}

func startTLSServe(t *testing.T, caPEM []byte, args ...string) *tlsServe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &tlsServe{lines: make(chan string, 1000), logs: newLogWatch()}
	tee := &teeLog{w: s.logs, lines: s.lines}
	ended := make(chan struct{})
	var result error
	go func() {
		defer close(ended)
		result = run(ctx, append([]string{"serve", "--log-format", "json", "--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0"}, args...),
			func(string) string { return "" }, io.Discard, tee)
	}()
	s.stop = func() error {
		cancel()
		<-ended
		return result
	}
	t.Cleanup(func() { _ = s.stop() })
	s.httpURL = "http://" + waitAddr(t, s.logs.addr, ended, s.logs)
	// The HTTPS line is written before the HTTP one.
	for _, l := range strings.Split(s.logs.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(l), &rec) == nil && rec.Msg == "mockplex listening for HTTPS" {
			s.tlsAddr = rec.Addr
		}
	}
	if s.tlsAddr == "" {
		t.Fatalf("no HTTPS listening line:\n%s", s.logs)
	}
	if caPEM == nil {
		caPEM = get(t, http.DefaultClient, s.httpURL+"/__mockplex/ca.pem")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("CA PEM does not parse: %q", caPEM)
	}
	var d net.Dialer
	s.client = &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if h, _, _ := net.SplitHostPort(addr); h == "plex.tv" || strings.HasSuffix(h, ".plex.tv") {
				addr = s.tlsAddr
			}
			return d.DialContext(ctx, network, addr)
		},
	}}
	t.Cleanup(s.client.CloseIdleConnections)
	return s
}

// waitLog waits for a log line at level with every one of want in it.
func (s *tlsServe) waitLog(t *testing.T, what, level string, want ...string) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case l := <-s.lines:
			ok := strings.Contains(l, `"level":"`+level+`"`)
			for _, w := range want {
				ok = ok && strings.Contains(l, w)
			}
			if ok {
				return
			}
		case <-timeout:
			t.Fatalf("%s: no %s log line with %q in:\n%s", what, level, want, s.logs)
		}
	}
}

func get(t *testing.T, c *http.Client, url string) []byte {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d (%v): %s", url, resp.StatusCode, err, body)
	}
	return body
}

// TestCAStableAcrossRestart: `mockplex ca` and /__mockplex/ca.pem (on both
// listeners, public though the control API is guarded) print the same
// certificate before and after a restart with the same --tls-dir.
func TestCAStableAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "tls")
	ca := func() []byte {
		t.Helper()
		var out, errb bytes.Buffer
		if err := run(context.Background(), []string{"ca", "--tls-dir", dir}, func(string) string { return "" }, &out, &errb); err != nil {
			t.Fatalf("mockplex ca: %v: %s", err, errb.String())
		}
		if strings.Contains(out.String(), "PRIVATE") || strings.Contains(errb.String(), "PRIVATE") {
			t.Fatalf("mockplex ca printed a private key")
		}
		return out.Bytes()
	}
	first := ca()
	if b, _ := pem.Decode(first); b == nil || b.Type != "CERTIFICATE" {
		t.Fatalf("mockplex ca printed %q, want a PEM certificate", first)
	}
	key, err := os.ReadFile(filepath.Join(dir, "ca-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		s := startTLSServe(t, first, "--tls-dir", dir, "--control-token", "secret", "--tls-host", "mockplex")
		for _, got := range [][]byte{
			get(t, http.DefaultClient, s.httpURL+"/__mockplex/ca.pem"),
			get(t, s.client, "https://plex.tv/__mockplex/ca.pem"),
			get(t, s.client, "https://app.plex.tv/__mockplex/ca.pem"),
		} {
			if !bytes.Equal(got, first) {
				t.Errorf("round %d: /__mockplex/ca.pem = %q, want mockplex ca's %q", round, got, first)
			}
		}
		if err := s.stop(); err != nil {
			t.Fatalf("round %d: serve: %v", round, err)
		}
		if logs := s.logs.String(); strings.Contains(logs, string(key[40:80])) || strings.Contains(logs, "PRIVATE") {
			t.Errorf("round %d: the CA key is in the log", round)
		}
	}
	if again := ca(); !bytes.Equal(again, first) {
		t.Errorf("mockplex ca after two serves = %q, want %q", again, first)
	}
}

// TestTLSBadInput: each bad connection fails alone, is logged at debug,
// and the server keeps serving on both ports.
func TestTLSBadInput(t *testing.T) {
	t.Parallel()
	s := startTLSServe(t, nil, "--log-level", "debug", "--read-timeout", "1s")
	httpAddr := strings.TrimPrefix(s.httpURL, "http://")
	ok := func(what string) {
		t.Helper()
		get(t, s.client, "https://plex.tv/readyz")
		get(t, http.DefaultClient, s.httpURL+"/readyz")
	}

	// Same handler on both listeners; on loopback, unguarded, the pages
	// answer plex.tv's names (the approval page at its real address).
	if body := get(t, s.client, "https://app.plex.tv/auth#?clientID=x&code=y"); !bytes.Contains(body, []byte("auth-form")) {
		t.Errorf("https://app.plex.tv/auth is not the approval page:\n%s", body)
	}

	pool := s.client.Transport.(*http.Transport).TLSClientConfig.RootCAs
	_, err := tls.Dial("tcp", s.tlsAddr, &tls.Config{RootCAs: pool, ServerName: "example.com"})
	if err == nil || !strings.Contains(err.Error(), "example.com") {
		t.Errorf("handshake for example.com: %v, want a certificate name error", err)
	}
	s.waitLog(t, "name outside the certificate", "DEBUG", "TLS handshake error", "bad certificate")
	ok("after a name outside the certificate")

	conn, err := net.Dial("tcp", s.tlsAddr)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(conn, "GET /readyz HTTP/1.1\r\nHost: plex.tv\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP on the TLS port: %v (%v), want 400", resp, err)
	}
	conn.Close()
	s.waitLog(t, "plain HTTP on the TLS port", "DEBUG", "client sent an HTTP request to an HTTPS server")
	ok("after plain HTTP on the TLS port")

	_, err = tls.Dial("tcp", httpAddr, &tls.Config{RootCAs: pool, ServerName: "plex.tv"})
	if err == nil {
		t.Errorf("TLS on the HTTP port: handshake succeeded")
	}
	s.waitLog(t, "TLS on the HTTP port", "DEBUG", "TLS handshake on the HTTP port", s.tlsAddr)
	ok("after TLS on the HTTP port")

	// A handshake that never finishes is cut at the header deadline
	// (--read-timeout 1s); others are served meanwhile.
	stalled, err := net.Dial("tcp", s.tlsAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	_, _ = stalled.Write([]byte{0x16, 0x03, 0x01})
	ok("beside a stalled handshake")
	_ = stalled.SetReadDeadline(time.Now().Add(15 * time.Second))
	start := time.Now()
	if _, err := stalled.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("stalled handshake: read %v after %v, want the server to close it", err, time.Since(start))
	}
	s.waitLog(t, "never-finished handshake", "DEBUG", "TLS handshake error", "timeout")
	ok("after a stalled handshake")
}

func TestTLSRefusedAtStart(t *testing.T) {
	t.Parallel()
	bad := t.TempDir()
	for name, body := range map[string]string{"ca.pem": "not a certificate", "ca-key.pem": "not a key"} {
		if err := os.WriteFile(filepath.Join(bad, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	half := t.TempDir()
	if err := os.WriteFile(filepath.Join(half, "ca.pem"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"garbage CA", []string{"serve", "--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0", "--tls-dir", bad}, 1, "--tls-dir (MOCKPLEX_TLS_DIR): CA in " + bad},
		{"half a CA", []string{"serve", "--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0", "--tls-dir", half}, 1, "restore the missing file"},
		{"bad host", []string{"serve", "--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0", "--tls-host", "a", "--tls-host", " "}, 2, "empty name"},
		{"ca without a folder", []string{"ca"}, 2, "--tls-dir"},
		{"ca of a garbage folder", []string{"ca", "--tls-dir", bad}, 1, "fix or remove"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			err := run(context.Background(), tc.args, func(string) string { return "" }, io.Discard, &errb)
			var ee *exitError
			code := 1
			if errors.As(err, &ee) {
				code = ee.code
			}
			if err == nil || code != tc.code || !strings.Contains(err.Error()+errb.String(), tc.want) {
				t.Errorf("mockplex %q = %v (exit %d, stderr %q), want exit %d saying %q", tc.args, err, code, errb.String(), tc.code, tc.want)
			}
		})
	}
}

func TestTLSFlags(t *testing.T) {
	t.Parallel()
	env := map[string]string{"MOCKPLEX_TLS_ADDR": ":443", "MOCKPLEX_TLS_HOSTS": "mockplex, app.local ,", "MOCKPLEX_TLS_DIR": "/tls"}
	getenv := func(k string) string { return env[k] }
	c, err := parseServe(nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.TLSAddr != ":443" || c.TLSDir != "/tls" || strings.Join(c.TLSHosts, "|") != "mockplex|app.local" {
		t.Errorf("from the environment: addr %q dir %q hosts %q", c.TLSAddr, c.TLSDir, c.TLSHosts)
	}
	c, err = parseServe([]string{"--tls-host", "one", "--tls-host", "two", "--tls-addr", "127.0.0.1:8443"}, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.TLSAddr != "127.0.0.1:8443" || strings.Join(c.TLSHosts, "|") != "one|two" {
		t.Errorf("flags over the environment: addr %q hosts %q, want the flags'", c.TLSAddr, c.TLSHosts)
	}
	// The control API is guarded by default when either listener reaches
	// beyond loopback.
	for _, tc := range []struct {
		addr, tlsAddr string
		guarded       bool
	}{
		{"127.0.0.1:8080", "", false}, {"127.0.0.1:8080", "127.0.0.1:8443", false},
		{"127.0.0.1:8080", ":443", true}, {":8080", "127.0.0.1:8443", true},
	} {
		acc := controlAccess("auto", "", exposedAddr(config{Addr: tc.addr, TLSAddr: tc.tlsAddr}))
		if acc.generated != tc.guarded {
			t.Errorf("--addr %s --tls-addr %q: guarded %v, want %v", tc.addr, tc.tlsAddr, acc.generated, tc.guarded)
		}
	}
}
