package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestControlAccess checks who may reach the control API and the pages
// for every --control mode, token and kind of listen address. Only auto
// decides by address: open on loopback, guarded by a fresh token elsewhere.
// Open without a token on loopback (auto or on), they answer loopback Host
// names only, against DNS rebinding.
func TestControlAccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode, token, addr string
		wantOn            bool
		wantToken         string // "generated" for a fresh random token
		wantLoopbackHosts bool
	}{
		{"auto", "", "127.0.0.1:8080", true, "", true},
		{"auto", "", "127.1.2.3:8080", true, "", true},
		{"auto", "", "localhost:8080", true, "", true},
		{"auto", "", "[::1]:8080", true, "", true},
		{"auto", "", ":8080", true, "generated", false},
		{"auto", "", "0.0.0.0:8080", true, "generated", false},
		{"auto", "", "[::]:8080", true, "generated", false},
		{"auto", "", "192.168.1.20:8080", true, "generated", false},
		{"auto", "", "mockplex:8080", true, "generated", false},
		{"auto", "", "not an address", true, "generated", false},
		{"auto", "mine", "0.0.0.0:8080", true, "mine", false},
		{"auto", "mine", "127.0.0.1:8080", true, "mine", false},
		{"on", "", "127.0.0.1:8080", true, "", true},
		{"on", "", "localhost:8080", true, "", true},
		{"on", "", "0.0.0.0:8080", true, "", false},
		{"on", "", ":8080", true, "", false},
		{"on", "mine", "127.0.0.1:8080", true, "mine", false},
		{"on", "mine", "0.0.0.0:8080", true, "mine", false},
		{"off", "", "127.0.0.1:8080", false, "", false},
		{"off", "", "0.0.0.0:8080", false, "", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%q/%s", tt.mode, tt.token, tt.addr), func(t *testing.T) {
			t.Parallel()
			got := controlAccess(tt.mode, tt.token, tt.addr)
			if got.on != tt.wantOn {
				t.Errorf("on = %v, want %v", got.on, tt.wantOn)
			}
			if got.loopbackHosts != tt.wantLoopbackHosts {
				t.Errorf("loopbackHosts = %v, want %v", got.loopbackHosts, tt.wantLoopbackHosts)
			}
			if tt.wantToken == "generated" {
				if !got.generated || len(got.token) != 32 {
					t.Errorf("token %q (generated %v), want a fresh 32-character token", got.token, got.generated)
				}
				if again := controlAccess(tt.mode, tt.token, tt.addr); again.token == got.token {
					t.Errorf("two starts generated the same token %q", got.token)
				}
				return
			}
			if got.generated || got.token != tt.wantToken {
				t.Errorf("token %q (generated %v), want %q", got.token, got.generated, tt.wantToken)
			}
		})
	}
}

// TestServeControlHosts runs serve in-process and checks which Host names
// its control API, its pages and X-Mockplex-Scenario answer. Unguarded on
// loopback (the default) they answer loopback names and --public-url's
// host only, so a page that rebinds a name of its own to 127.0.0.1 gets
// 403; on other addresses, or with a control token, the Host is not
// checked.
func TestServeControlHosts(t *testing.T) {
	t.Parallel()
	type check struct {
		host   string // "PORT" is replaced by the port serve listens on
		header map[string]string
		want   int
	}
	evilPins := check{host: "evil.example", want: http.StatusForbidden}
	tests := []struct {
		name   string
		args   []string
		pins   []check // GET /__mockplex/pins
		page   []check // GET / (the dashboard)
		create []check // POST /api/v2/pins with X-Mockplex-Scenario
	}{
		{name: "defaults", args: []string{"--addr", "127.0.0.1:0"},
			pins: []check{
				evilPins,
				{host: "evil.example:PORT", want: http.StatusForbidden},
				{host: "localhost:PORT", want: http.StatusOK},
				{host: "127.0.0.1:PORT", want: http.StatusOK},
				{host: "mock.test:8080", want: http.StatusForbidden},
			},
			page:   []check{{host: "evil.example", want: http.StatusForbidden}, {host: "localhost:PORT", want: http.StatusOK}},
			create: []check{{host: "evil.example", want: http.StatusForbidden}, {host: "127.0.0.1:PORT", want: http.StatusCreated}},
		},
		{name: "public URL host accepted", args: []string{"--addr", "127.0.0.1:0", "--public-url", "http://mock.test:8080"},
			pins: []check{
				evilPins,
				{host: "mock.test:8080", want: http.StatusOK},
				{host: "localhost:PORT", want: http.StatusOK},
			},
		},
		{name: "control on, loopback, no token", args: []string{"--addr", "127.0.0.1:0", "--control", "on"},
			pins: []check{evilPins, {host: "127.0.0.1:PORT", want: http.StatusOK}},
		},
		{name: "control on beyond loopback: no Host check", args: []string{"--addr", ":0", "--control", "on"},
			pins:   []check{{host: "evil.example", want: http.StatusOK}, {host: "mockplex:8080", want: http.StatusOK}},
			create: []check{{host: "mockplex:8080", want: http.StatusCreated}},
		},
		{name: "control token guards instead of the Host", args: []string{"--addr", "127.0.0.1:0", "--control-token", "s3cret"},
			pins: []check{
				{host: "evil.example", header: map[string]string{"X-Mockplex-Token": "s3cret"}, want: http.StatusOK},
				{host: "evil.example", want: http.StatusUnauthorized},
				{host: "localhost:PORT", want: http.StatusUnauthorized},
			},
			create: []check{{host: "evil.example", header: map[string]string{"X-Mockplex-Token": "s3cret"}, want: http.StatusCreated}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base, _, _ := serveInProcess(t, env(), tt.args...)
			_, port, err := net.SplitHostPort(strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			do := func(method, path string, c check, extra map[string]string) (int, string) {
				t.Helper()
				req, err := http.NewRequest(method, base+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Host = strings.ReplaceAll(c.host, "PORT", port)
				for k, v := range extra {
					req.Header.Set(k, v)
				}
				for k, v := range c.header {
					req.Header.Set(k, v)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatalf("%s %s (Host %s): %v", method, path, req.Host, err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			for _, c := range tt.pins {
				code, body := do("GET", "/__mockplex/pins", c, nil)
				if code != c.want {
					t.Errorf("GET /__mockplex/pins with Host %s = %d, want %d\n%s", c.host, code, c.want, body)
				}
				if c.want == http.StatusForbidden && !strings.Contains(body, "control API refused for this Host") {
					t.Errorf("GET /__mockplex/pins with Host %s: body %s, want the Host-not-allowed answer", c.host, body)
				}
			}
			for _, c := range tt.page {
				code, body := do("GET", "/", c, nil)
				if code != c.want {
					t.Errorf("GET / with Host %s = %d, want %d", c.host, code, c.want)
				}
				if c.want == http.StatusForbidden && !strings.Contains(body, "Host not allowed") {
					t.Errorf("GET / with Host %s: the page lacks %q", c.host, "Host not allowed")
				}
			}
			scenario := map[string]string{"X-Plex-Client-Identifier": "hosts", "Accept": "application/json", "X-Mockplex-Scenario": "large-ids"}
			for _, c := range tt.create {
				if code, body := do("POST", "/api/v2/pins", c, scenario); code != c.want {
					t.Errorf("POST /api/v2/pins with X-Mockplex-Scenario and Host %s = %d, want %d\n%s", c.host, code, c.want, body)
				}
			}
			// plex.tv's API answers any Host.
			if code, _ := do("POST", "/api/v2/pins", check{host: "evil.example"}, map[string]string{"X-Plex-Client-Identifier": "hosts"}); code != http.StatusCreated {
				t.Errorf("POST /api/v2/pins with Host evil.example = %d, want 201", code)
			}
		})
	}
}

// TestServeLimitDefaults pins the documented limits and checks that every
// one of them reaches the http.Server (or the mock) from its flag and its
// MOCKPLEX_* variable.
func TestServeLimitDefaults(t *testing.T) {
	t.Parallel()
	c, err := parseServe(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	type limits struct {
		MaxPins, JournalSize, MaxHeaderBytes    int
		MaxAccounts, MaxClients                 int
		MaxBodyBytes                            int64
		Read, ReadHeader, Write, Idle, Shutdown time.Duration
	}
	get := func(c config) limits {
		hs := httpServer(c, http.NotFoundHandler(), slog.New(slog.DiscardHandler))
		return limits{c.MaxPins, c.JournalSize, hs.MaxHeaderBytes, c.MaxAccounts, c.MaxClients, c.MaxBodyBytes,
			hs.ReadTimeout, hs.ReadHeaderTimeout, hs.WriteTimeout, hs.IdleTimeout, c.ShutdownTimeout}
	}
	want := limits{2_000_000, 1000, 64 << 10, 10_000, 10_000, 64 << 10,
		10 * time.Second, 5 * time.Second, 60 * time.Second, 120 * time.Second, 10 * time.Second}
	if diff := cmp.Diff(want, get(c)); diff != "" {
		t.Errorf("default limits (-want +got):\n%s", diff)
	}

	args := []string{"--max-pins", "7", "--journal-size", "8", "--max-header-bytes", "4096", "--max-body-bytes", "512",
		"--max-accounts", "9", "--max-clients", "11",
		"--read-timeout", "2s", "--write-timeout", "3s", "--idle-timeout", "4s", "--shutdown-timeout", "6s"}
	c, err = parseServe(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantFlags := limits{7, 8, 4096, 9, 11, 512, 2 * time.Second, 2 * time.Second, 3 * time.Second, 4 * time.Second, 6 * time.Second}
	if diff := cmp.Diff(wantFlags, get(c)); diff != "" {
		t.Errorf("limits from flags (-want +got):\n%s", diff)
	}
	envs := map[string]string{
		"MOCKPLEX_MAX_PINS": "7", "MOCKPLEX_JOURNAL_SIZE": "8", "MOCKPLEX_MAX_HEADER_BYTES": "4096",
		"MOCKPLEX_MAX_BODY_BYTES": "512", "MOCKPLEX_READ_TIMEOUT": "2s", "MOCKPLEX_WRITE_TIMEOUT": "3s",
		"MOCKPLEX_IDLE_TIMEOUT": "4s", "MOCKPLEX_SHUTDOWN_TIMEOUT": "6s",
		"MOCKPLEX_MAX_ACCOUNTS": "9", "MOCKPLEX_MAX_CLIENTS": "11",
	}
	c, err = parseServe(nil, func(k string) string { return envs[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantFlags, get(c)); diff != "" {
		t.Errorf("limits from MOCKPLEX_* (-want +got):\n%s", diff)
	}

	// --read-timeout 0 lifts the body deadline but never the header one.
	c, err = parseServe([]string{"--read-timeout", "0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if hs := httpServer(c, http.NotFoundHandler(), slog.New(slog.DiscardHandler)); hs.ReadHeaderTimeout != 5*time.Second {
		t.Errorf("ReadHeaderTimeout with --read-timeout 0 = %v, want 5s", hs.ReadHeaderTimeout)
	}
}

// TestServeLimitErrors checks that limits which would switch a protection
// off by accident are usage errors naming the flag.
func TestServeLimitErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--max-pins", "-1"}, {"--journal-size", "-5"}, {"--max-body-bytes", "0"}, {"--max-header-bytes", "0"},
		{"--read-timeout", "-1s"}, {"--write-timeout", "-1s"}, {"--idle-timeout", "-1s"}, {"--shutdown-timeout", "-1s"},
		{"--accounts", "0"}, {"--max-accounts", "-1"}, {"--max-clients", "-1"},
	} {
		_, err := parseServe(args, func(string) string { return "" }, io.Discard)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("parseServe(%q) = %v, want a usage error naming %s", args, err, args[0])
		}
	}
}

// addrWriter is a goroutine-safe stderr that hands over the address serve
// logs when it starts listening.
type addrWriter struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
}

func (w *addrWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, line := range bytes.Split(p, []byte("\n")) {
		var l struct{ Msg, Addr string }
		if json.Unmarshal(line, &l) == nil && l.Msg == "mockplex listening" {
			select {
			case w.addr <- l.Addr:
			default:
			}
		}
	}
	return len(p), nil
}

// TestServeLimitsApplied runs serve in-process with small limits and checks
// each from outside: a header over the limit gets 431, a body over it 413,
// and a create past --max-pins 503 with Retry-After.
func TestServeLimitsApplied(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &addrWriter{addr: make(chan string, 1)}
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--log-format", "json", "--max-header-bytes", "2048",
			"--max-body-bytes", "512", "--max-pins", "2"}, func(string) string { return "" }, io.Discard, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("runServe: %v", err)
		}
	})
	var base string
	select {
	case a := <-stderr.addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("runServe ended early: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not log its address")
	}
	post := func(hdr map[string]string, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/api/v2/pins", strings.NewReader(body))
		req.Header.Set("X-Plex-Client-Identifier", "limits")
		req.Header.Set("Accept", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := post(map[string]string{"X-Pad": strings.Repeat("x", 8<<10)}, ""); resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("8 KiB header with --max-header-bytes 2048 = %d, want 431", resp.StatusCode)
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if resp := post(form, "pad="+strings.Repeat("x", 600)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("604-byte body with --max-body-bytes 512 = %d, want 413", resp.StatusCode)
	}
	for i := range 2 {
		if resp := post(nil, ""); resp.StatusCode != http.StatusCreated {
			t.Fatalf("create %d = %d, want 201", i, resp.StatusCode)
		}
	}
	if resp := post(nil, ""); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("create past --max-pins 2 = %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestContainerAddr checks that the container files choose their own
// listen address: the binary's default is loopback, which a published
// container port cannot reach.
func TestContainerAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, want string
	}{
		{"../../Dockerfile", "MOCKPLEX_ADDR=:8080"},
		{"../../docker-compose.yml", "- MOCKPLEX_ADDR=:8080"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.want) {
				t.Errorf("%s lacks %q: it would listen on the default %s, unreachable from outside the container", tt.file, tt.want, defaultAddr)
			}
		})
	}
}

// TestMockConfig checks how serve's limits flags reach mock.Config: a
// flag's 0 ("no limit", for --journal-size "keep none") becomes Config's
// negative, and the server's errors name the flags.
func TestMockConfig(t *testing.T) {
	t.Parallel()
	c, err := parseServe([]string{"--max-pins", "0", "--journal-size", "0", "--max-accounts", "5", "--max-clients", "0", "--legacy-accept"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := mockConfig(c, access{on: true, loopbackHosts: true}, nil, nil)
	type limits struct {
		MaxPins, JournalSize, MaxAccounts, MaxClients int
		MaxBodyBytes                                  int64
		LegacyAccept, LoopbackHosts                   bool
	}
	want := limits{-1, -1, 5, -1, 64 << 10, true, true}
	if diff := cmp.Diff(want, limits{got.MaxPins, got.JournalSize, got.MaxAccounts, got.MaxClients, got.MaxBodyBytes, got.LegacyAccept, got.LoopbackHosts}); diff != "" {
		t.Errorf("mockConfig (-want +got):\n%s", diff)
	}
	for option, flag := range map[string]string{
		"Config.MaxPins": "--max-pins", "Config.MaxClients": "--max-clients", "Reset": "POST /__mockplex/reset",
	} {
		if name := got.OptionName(option); name != flag {
			t.Errorf("OptionName(%q) = %q, want %q", option, name, flag)
		}
	}
}
