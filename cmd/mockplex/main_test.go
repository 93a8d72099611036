package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mainExitCode is the status main exits with for err.
func mainExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// env is a getenv over a map.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestRunCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string   // substring
		wantStderr string   // substring
		wantErr    string   // substring of the error main prints
		env        []string // MOCKPLEX_* variables, name then value
	}{
		{name: "version", args: []string{"version"}, wantStdout: "mockplex dev\n"},
		{name: "--version", args: []string{"--version"}, wantStdout: "mockplex dev\n"},
		{name: "help", args: []string{"help"}, wantStdout: "usage: mockplex <command>"},
		{name: "no command", args: nil, wantCode: 2, wantStderr: "usage: mockplex <command>"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: "usage: mockplex <command>"},
		{name: "serve -h", args: []string{"serve", "-h"}, wantStderr: "MOCKPLEX_ADDR"},
		{name: "serve bad flag", args: []string{"serve", "--no-such-flag"}, wantCode: 2, wantStderr: "flag provided but not defined"},
		{name: "serve extra argument", args: []string{"serve", "now"}, wantCode: 2},
		{name: "serve bad control", args: []string{"serve", "--control", "maybe"}, wantCode: 2},
		{name: "serve bad log format", args: []string{"serve", "--addr", "127.0.0.1:0", "--log-format", "xml"}, wantCode: 2},
		{name: "serve bad log level", args: []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "loud"}, wantCode: 2},
		{name: "serve unknown scenario", args: []string{"serve", "--addr", "127.0.0.1:0", "--scenario", "no-such-scenario"}, wantCode: 1},
		{name: "healthcheck bad addr", args: []string{"healthcheck", "--addr", "no-port"}, wantCode: 2},
		{name: "healthcheck --help", args: []string{"healthcheck", "--help"}, wantStderr: "usage: mockplex healthcheck"},
		{name: "serve public URL without scheme", args: []string{"serve", "--addr", "127.0.0.1:0", "--public-url", "localhost:8094"}, wantCode: 2,
			wantErr: `--public-url "localhost:8094": want an absolute http or https URL`},
		{name: "serve public URL from env", args: []string{"serve", "--addr", "127.0.0.1:0"}, env: []string{"MOCKPLEX_PUBLIC_URL", "/relative"}, wantCode: 2,
			wantErr: `MOCKPLEX_PUBLIC_URL "/relative"`},
		{name: "serve duration without unit", args: []string{"serve", "--read-timeout", "10"}, wantCode: 2, wantStderr: "use 10s"},
		{name: "serve duration without unit from env", args: []string{"serve"}, env: []string{"MOCKPLEX_READ_TIMEOUT", "10"}, wantCode: 2,
			wantErr: `MOCKPLEX_READ_TIMEOUT="10": a duration needs a unit: use 10s`},
		{name: "serve bad control from env", args: []string{"serve", "--addr", "127.0.0.1:0"}, env: []string{"MOCKPLEX_CONTROL", "yes"}, wantCode: 2,
			wantErr: `MOCKPLEX_CONTROL must be on, off or auto, got "yes"`},
		{name: "serve bad control flag beats env", args: []string{"serve", "--addr", "127.0.0.1:0", "--control", "yes"}, env: []string{"MOCKPLEX_CONTROL", "on"}, wantCode: 2,
			wantErr: `--control must be on, off or auto`},
		{name: "device jwt usage has --now", args: []string{"device", "jwt", "-h"}, wantStderr: "[--now TIME]"},
		{name: "device verify usage has --now", args: []string{"device", "verify", "-h"}, wantStderr: "[--now TIME] TOKEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, env(tt.env...), &stdout, &stderr)
			if got := mainExitCode(err); got != tt.wantCode {
				t.Errorf("run(%q) exit code = %d (%v), want %d\nstderr: %s", tt.args, got, err, tt.wantCode, stderr.String())
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("run(%q) error = %v, want it to contain %q", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("run(%q) stdout = %q, want it to contain %q", tt.args, stdout.String(), tt.wantStdout)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("run(%q) stderr = %q, want it to contain %q", tt.args, stderr.String(), tt.wantStderr)
			}
		})
	}
	t.Run("unknown command names it", func(t *testing.T) {
		t.Parallel()
		err := run(context.Background(), []string{"frobnicate"}, env(), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), `"frobnicate"`) {
			t.Errorf("run(frobnicate) error = %v, want it to name the command", err)
		}
	})
}

func TestParseServe(t *testing.T) {
	t.Parallel()
	base, err := parseServe(nil, env(), io.Discard)
	if err != nil {
		t.Fatalf("parseServe(no flags, no env): %v", err)
	}
	// The documented defaults (docs/configuration.md).
	for name, pair := range map[string][2]string{
		"addr":       {base.Addr, "127.0.0.1:8080"},
		"control":    {base.Control, "auto"},
		"log-format": {base.LogFormat, "text"},
		"log-level":  {base.LogLevel, "info"},
	} {
		if pair[0] != pair[1] {
			t.Errorf("default --%s = %q, want %q", name, pair[0], pair[1])
		}
	}
	if base.Seed != 0 || base.LegacyAccept || base.ExpiryGrace != 0 || base.Accounts != 3 {
		t.Errorf("defaults: seed %d, legacy-accept %v, expiry-grace %v, accounts %d; want 0, false, 0, 3",
			base.Seed, base.LegacyAccept, base.ExpiryGrace, base.Accounts)
	}
	if base.MaxAccounts != 10_000 || base.MaxClients != 10_000 {
		t.Errorf("defaults: max-accounts %d, max-clients %d; want %d, %d",
			base.MaxAccounts, base.MaxClients, 10_000, 10_000)
	}

	tests := []struct {
		name     string
		args     []string
		env      []string
		want     func(c *config)
		wantCode int    // for errors
		wantErr  string // substring of the error
	}{
		{name: "env sets every kind of value", env: []string{
			"MOCKPLEX_ADDR", "127.0.0.1:9999", "MOCKPLEX_SEED", "42", "MOCKPLEX_LOG_FORMAT", "json",
			"MOCKPLEX_LOG_LEVEL", "debug", "MOCKPLEX_CONTROL", "off", "MOCKPLEX_CONTROL_TOKEN", "tok",
			"MOCKPLEX_SCENARIO", "slow", "MOCKPLEX_SCENARIOS", "/etc/mockplex", "MOCKPLEX_WORLD", "/etc/world.yaml", "MOCKPLEX_PUBLIC_URL", "http://localhost:8080",
			"MOCKPLEX_LEGACY_ACCEPT", "true", "MOCKPLEX_STATE_FILE", "/tmp/state.json", "MOCKPLEX_MAX_PINS", "10",
			"MOCKPLEX_EXPIRY_GRACE", "30s", "MOCKPLEX_ACCOUNTS", "5", "MOCKPLEX_MAX_ACCOUNTS", "20", "MOCKPLEX_MAX_CLIENTS", "30",
		}, want: func(c *config) {
			c.Addr, c.Seed, c.LogFormat, c.LogLevel, c.Control, c.ControlToken = "127.0.0.1:9999", 42, "json", "debug", "off", "tok"
			c.Scenario, c.ScenarioDir, c.PublicURL, c.LegacyAccept, c.StateFile = "slow", "/etc/mockplex", "http://localhost:8080", true, "/tmp/state.json"
			c.MaxPins, c.ExpiryGrace, c.Accounts, c.MaxAccounts, c.MaxClients = 10, 30*time.Second, 5, 20, 30
			c.World = "/etc/world.yaml"
		}},
		{name: "flag beats env", args: []string{"--addr", "127.0.0.1:7000", "--seed", "7", "--control=on", "--legacy-accept=false",
			"--max-accounts", "0", "--max-clients", "2"},
			env: []string{"MOCKPLEX_ADDR", "127.0.0.1:9999", "MOCKPLEX_SEED", "42", "MOCKPLEX_CONTROL", "off", "MOCKPLEX_LEGACY_ACCEPT", "true",
				"MOCKPLEX_MAX_ACCOUNTS", "20", "MOCKPLEX_MAX_CLIENTS", "30"},
			want: func(c *config) {
				c.Addr, c.Seed, c.Control, c.MaxAccounts, c.MaxClients = "127.0.0.1:7000", 7, "on", 0, 2
			}},
		{name: "flags alone", args: []string{"--addr", ":1234", "--control-token", "t", "--expiry-grace", "1m"},
			want: func(c *config) { c.Addr, c.ControlToken, c.ExpiryGrace = ":1234", "t", time.Minute }},
		{name: "bad integer env", env: []string{"MOCKPLEX_SEED", "abc"}, wantCode: 2, wantErr: `MOCKPLEX_SEED="abc"`},
		{name: "bad bool env", env: []string{"MOCKPLEX_LEGACY_ACCEPT", "sometimes"}, wantCode: 2, wantErr: "MOCKPLEX_LEGACY_ACCEPT"},
		{name: "bad max-accounts env", env: []string{"MOCKPLEX_MAX_ACCOUNTS", "many"}, wantCode: 2, wantErr: `MOCKPLEX_MAX_ACCOUNTS="many"`},
		{name: "negative max-clients env", env: []string{"MOCKPLEX_MAX_CLIENTS", "-1"}, wantCode: 2, wantErr: "--max-clients must be at least 0"},
		{name: "bad duration env", env: []string{"MOCKPLEX_EXPIRY_GRACE", "soon"}, wantCode: 2, wantErr: "MOCKPLEX_EXPIRY_GRACE"},
		{name: "bad env is reported even when a flag overrides it", args: []string{"--seed", "1"}, env: []string{"MOCKPLEX_SEED", "x"}, wantCode: 2, wantErr: "MOCKPLEX_SEED"},
		{name: "two bad env values both reported", env: []string{"MOCKPLEX_SEED", "x", "MOCKPLEX_MAX_PINS", "y"}, wantCode: 2, wantErr: "MOCKPLEX_MAX_PINS"},
		{name: "bad control env", env: []string{"MOCKPLEX_CONTROL", "yes"}, wantCode: 2, wantErr: "MOCKPLEX_CONTROL must be on, off or auto"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseServe(tt.args, env(tt.env...), io.Discard)
			if tt.wantCode != 0 {
				if code := mainExitCode(err); code != tt.wantCode || !strings.Contains(fmt.Sprint(err), tt.wantErr) {
					t.Fatalf("parseServe = %v (exit %d), want exit %d with %q", err, code, tt.wantCode, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseServe: %v", err)
			}
			want := base
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("parseServe(%q) (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

// logWatch is a goroutine-safe stderr that reports the address from serve's
// "mockplex listening" line (JSON logs) as soon as it is written.
type logWatch struct {
	mu       sync.Mutex
	buf      bytes.Buffer
	addr     chan string
	seen     bool
	tokens   chan string
	draining chan struct{} // closed at serve's "shutting down" line
	drained  bool
}

func newLogWatch() *logWatch {
	return &logWatch{addr: make(chan string, 1), tokens: make(chan string, 1), draining: make(chan struct{})}
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for _, line := range bytes.Split(p, []byte("\n")) {
		w.scan(line)
	}
	return len(p), nil
}

func (w *logWatch) scan(line []byte) {
	var rec struct {
		Msg   string `json:"msg"`
		Addr  string `json:"addr"`
		Token string `json:"token"`
	}
	if json.Unmarshal(line, &rec) != nil {
		return
	}
	if rec.Token != "" {
		select {
		case w.tokens <- rec.Token:
		default:
		}
	}
	if strings.HasPrefix(rec.Msg, "shutting down") && !w.drained {
		w.drained = true
		close(w.draining)
	}
	if rec.Msg == "mockplex listening" && !w.seen {
		w.seen = true
		w.addr <- rec.Addr
	}
}

func (w *logWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitAddr waits for the listening line, or fails when serve ends first.
func waitAddr(t *testing.T, addr <-chan string, ended <-chan struct{}, logs fmt.Stringer) string {
	t.Helper()
	select {
	case a := <-addr:
		return a
	case <-ended:
		t.Fatalf("serve ended before listening:\n%s", logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("serve did not log its address within 20s:\n%s", logs)
	}
	return ""
}

// serveInProcess runs `mockplex serve args...` through run and returns its
// base URL, its logs, and a stop function that cancels it (as SIGTERM does
// in main) and returns run's error.
func serveInProcess(t *testing.T, getenv func(string) string, args ...string) (base string, logs *logWatch, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = newLogWatch()
	ended := make(chan struct{})
	var result error
	go func() {
		defer close(ended)
		result = run(ctx, append([]string{"serve", "--log-format", "json"}, args...), getenv, io.Discard, logs)
	}()
	stop = func() error {
		cancel()
		<-ended
		return result
	}
	t.Cleanup(func() { _ = stop() })
	addr := waitAddr(t, logs.addr, ended, logs)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listening address %q: %v", addr, err)
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port), logs, stop
}

// call does one request against a running server and decodes a JSON body
// into out, if given.
func call(t *testing.T, method, url string, header map[string]string, body string, out any) int {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, url, err, b)
		}
	}
	return resp.StatusCode
}

type cliPin struct {
	ID        int64   `json:"id"`
	Code      string  `json:"code"`
	AuthToken *string `json:"authToken"`
}

// pinFlow creates a pin as client, approves it through the control API and
// polls it; it returns the pin as last polled.
func pinFlow(t *testing.T, base, client string, ctlHeader map[string]string) cliPin {
	t.Helper()
	h := map[string]string{"Accept": "application/json", "X-Plex-Client-Identifier": client, "X-Plex-Product": "CLI test"}
	var p cliPin
	if code := call(t, "POST", base+"/api/v2/pins?strong=true", h, "", &p); code != http.StatusCreated {
		t.Fatalf("create = %d, want 201", code)
	}
	if code := call(t, "GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), h, "", &p); code != http.StatusOK || p.AuthToken != nil {
		t.Fatalf("poll pending = %d, token %v; want 200 and null", code, p.AuthToken)
	}
	if code := call(t, "POST", fmt.Sprintf("%s/__mockplex/pins/%d/approve", base, p.ID), ctlHeader, "", nil); code != http.StatusOK {
		t.Fatalf("control approve = %d, want 200", code)
	}
	if code := call(t, "GET", fmt.Sprintf("%s/api/v2/pins/%d", base, p.ID), h, "", &p); code != http.StatusOK || p.AuthToken == nil {
		t.Fatalf("poll claimed = %d, token %v; want 200 and a token", code, p.AuthToken)
	}
	return p
}

func TestServeInProcess(t *testing.T) {
	t.Parallel()
	base, logs, stop := serveInProcess(t, env("MOCKPLEX_SEED", "1"), "--addr", "127.0.0.1:0")
	addr := strings.TrimPrefix(base, "http://")

	var ready struct {
		Status   string `json:"status"`
		LivePins *int   `json:"live_pins"` // a number
	}
	if code := call(t, "GET", base+"/readyz", nil, "", &ready); code != 200 || ready.Status != "ready" || ready.LivePins == nil {
		t.Fatalf("GET /readyz = %d %+v, want 200 ready with live_pins a number", code, ready)
	}
	p := pinFlow(t, base, "cli-client", nil)
	if code := call(t, "GET", base+"/api/v2/user", map[string]string{"X-Plex-Token": *p.AuthToken}, "", nil); code != 200 {
		t.Errorf("GET /api/v2/user with the token = %d, want 200", code)
	}

	var stdout bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr}, env(), &stdout, io.Discard); err != nil {
		t.Errorf("healthcheck against a running serve: %v", err)
	}
	if stdout.String() != "ok\n" {
		t.Errorf("healthcheck stdout = %q, want ok", stdout.String())
	}
	if err := run(context.Background(), []string{"healthcheck"}, env("MOCKPLEX_ADDR", addr), io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck with MOCKPLEX_ADDR: %v", err)
	}

	if err := stop(); err != nil {
		t.Errorf("serve after cancel = %v, want nil", err)
	}
	// One log line a request, with method, path and status. The access log
	// is batched; every line is out by the time serve returns, before the
	// lines written after it.
	out := logs.String()
	access := strings.Index(out, `"msg":"request","method":"POST","path":"/api/v2/pins","status":201`)
	stopped := strings.Index(out, `"msg":"stopped"`)
	switch {
	case access < 0:
		t.Errorf("logs lack the create request's line:\n%s", out)
	case stopped < 0:
		t.Errorf("logs lack the stopped line:\n%s", out)
	case stopped < access:
		t.Errorf("the stopped line comes before an access line written earlier:\n%s", out)
	}
	err := run(context.Background(), []string{"healthcheck", "--addr", addr, "--timeout", "2s"}, env(), io.Discard, io.Discard)
	if code := mainExitCode(err); code != 1 {
		t.Errorf("healthcheck after shutdown: exit %d (%v), want 1", code, err)
	}
}

// TestServeControlGuard checks --control off, --control-token, and auto on
// an address beyond loopback (a generated token, logged at start).
func TestServeControlGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		header     map[string]string // sent with the control request
		useLogged  bool              // send the token the logs show
		wantStatus int
	}{
		{name: "off", args: []string{"--addr", "127.0.0.1:0", "--control", "off"}, wantStatus: 404},
		{name: "token missing", args: []string{"--addr", "127.0.0.1:0", "--control-token", "s3cret"}, wantStatus: 401},
		{name: "token header", args: []string{"--addr", "127.0.0.1:0", "--control-token", "s3cret"}, header: map[string]string{"X-Mockplex-Token": "s3cret"}, wantStatus: 200},
		{name: "token bearer", args: []string{"--addr", "127.0.0.1:0", "--control-token", "s3cret"}, header: map[string]string{"Authorization": "Bearer s3cret"}, wantStatus: 200},
		{name: "auto on loopback is open", args: []string{"--addr", "127.0.0.1:0"}, wantStatus: 200},
		{name: "auto beyond loopback needs the logged token", args: []string{"--addr", ":0"}, wantStatus: 401},
		{name: "auto beyond loopback with the logged token", args: []string{"--addr", ":0"}, useLogged: true, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			base, logs, _ := serveInProcess(t, env(), tt.args...)
			h := tt.header
			if tt.useLogged {
				select {
				case tok := <-logs.tokens:
					h = map[string]string{"X-Mockplex-Token": tok}
				default:
					t.Fatalf("no token in the start-up logs:\n%s", logs)
				}
			}
			if code := call(t, "GET", base+"/__mockplex/pins", h, "", nil); code != tt.wantStatus {
				t.Errorf("GET /__mockplex/pins = %d, want %d", code, tt.wantStatus)
			}
			// The plex.tv API is never guarded.
			hdr := map[string]string{"X-Plex-Client-Identifier": "guard"}
			if code := call(t, "POST", base+"/api/v2/pins", hdr, "", nil); code != http.StatusCreated {
				t.Errorf("POST /api/v2/pins = %d, want 201", code)
			}
		})
	}
}

func TestServeListenError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var stderr bytes.Buffer
	err = run(context.Background(), []string{"serve", "--addr", ln.Addr().String()}, env(), io.Discard, &stderr)
	if code := mainExitCode(err); code != 1 || !strings.Contains(fmt.Sprint(err), "--addr") {
		t.Errorf("serve on a busy port: exit %d, %v; want exit 1 naming --addr", code, err)
	}
}

func TestHealthcheckNothingListening(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	err = run(context.Background(), []string{"healthcheck", "--addr", addr, "--timeout", "2s"}, env(), io.Discard, io.Discard)
	if code := mainExitCode(err); code != 1 {
		t.Errorf("healthcheck against nothing: exit %d (%v), want 1", code, err)
	}
}

// TestBinary builds the real binary once and runs it as a separate process.
func TestBinary(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildBinary(t)

	t.Run("exit codes", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			args     []string
			wantCode int
			wantOut  string
		}{
			{[]string{"version"}, 0, "mockplex dev\n"},
			{[]string{"frobnicate"}, 2, ""},
			{nil, 2, ""},
			{[]string{"serve", "--control", "maybe"}, 2, ""},
		} {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = []string{} // no MOCKPLEX_* from the test's environment
			out, err := cmd.Output()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("%q: %v", tc.args, err)
			}
			if code != tc.wantCode || string(out) != tc.wantOut {
				t.Errorf("mockplex %q: exit %d, stdout %q; want %d, %q", tc.args, code, out, tc.wantCode, tc.wantOut)
			}
		}
	})

	t.Run("flow and SIGTERM", func(t *testing.T) {
		t.Parallel()
		proc := startBinary(t, bin, "--addr", "127.0.0.1:0", "--seed", "3")
		pinFlow(t, proc.base, "binary-client", nil)
		hc := exec.Command(bin, "healthcheck", "--addr", strings.TrimPrefix(proc.base, "http://"))
		hc.Env = []string{}
		if out, err := hc.CombinedOutput(); err != nil {
			t.Errorf("mockplex healthcheck: %v\n%s", err, out)
		}
		if code := proc.stop(t); code != 0 {
			t.Errorf("exit code after SIGTERM = %d, want 0\n%s", code, proc.logs)
		}
	})

	t.Run("state file survives a restart", func(t *testing.T) {
		t.Parallel()
		state := filepath.Join(t.TempDir(), "state.json")
		first := startBinary(t, bin, "--addr", "127.0.0.1:0", "--state-file", state)
		claimed := pinFlow(t, first.base, "stateful-client", nil)
		h := map[string]string{"Accept": "application/json", "X-Plex-Client-Identifier": "stateful-client"}
		var pending cliPin
		if code := call(t, "POST", first.base+"/api/v2/pins", h, "", &pending); code != http.StatusCreated {
			t.Fatalf("create = %d", code)
		}
		if code := first.stop(t); code != 0 {
			t.Fatalf("first run: exit %d after SIGTERM\n%s", code, first.logs)
		}
		if _, err := os.Stat(state); err != nil {
			t.Fatalf("state file after SIGTERM: %v\n%s", err, first.logs)
		}

		second := startBinary(t, bin, "--addr", "127.0.0.1:0", "--state-file", state)
		var got cliPin
		if code := call(t, "GET", fmt.Sprintf("%s/api/v2/pins/%d", second.base, claimed.ID), h, "", &got); code != http.StatusOK {
			t.Fatalf("poll of the claimed pin after restart = %d, want 200\n%s", code, second.logs)
		}
		if diff := cmp.Diff(claimed, got); diff != "" {
			t.Errorf("claimed pin after restart (-before +after):\n%s", diff)
		}
		if code := call(t, "GET", second.base+"/api/v2/user", map[string]string{"X-Plex-Token": *got.AuthToken}, "", nil); code != 200 {
			t.Errorf("GET /api/v2/user with the restored token = %d, want 200 (accounts must survive too)", code)
		}
		got = cliPin{}
		if code := call(t, "GET", fmt.Sprintf("%s/api/v2/pins/%d", second.base, pending.ID), h, "", &got); code != http.StatusOK || got.Code != pending.Code || got.AuthToken != nil {
			t.Errorf("poll of the pending pin after restart = %d %+v, want 200 with code %q and no token", code, got, pending.Code)
		}
		other := map[string]string{"Accept": "application/json", "X-Plex-Client-Identifier": "someone-else"}
		if code := call(t, "GET", fmt.Sprintf("%s/api/v2/pins/%d", second.base, pending.ID), other, "", nil); code != http.StatusNotFound {
			t.Errorf("poll by another client after restart = %d, want 404", code)
		}
		if code := second.stop(t); code != 0 {
			t.Errorf("second run: exit %d after SIGTERM", code)
		}
	})
}

// buildBinary builds mockplex into a temp dir and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mockplex")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binaryProc is a running mockplex serve process.
type binaryProc struct {
	cmd    *exec.Cmd
	addr   string // host:port it listens on
	base   string // http://addr
	logs   *logWatch
	exited chan struct{} // closed when the process has been waited for
	err    error         // Wait's result, once exited is closed
}

// startBinary runs `bin serve args...` with JSON logs and waits until it
// listens. It is killed at the end of the test if still running.
func startBinary(t *testing.T, bin string, args ...string) *binaryProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--log-format", "json"}, args...)...)
	cmd.Env = []string{}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &binaryProc{cmd: cmd, logs: newLogWatch(), exited: make(chan struct{})}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			_, _ = p.logs.Write(append(sc.Bytes(), '\n'))
		}
	}()
	go func() {
		<-copied // Wait must not close the pipe before it is drained
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = cmd.Process.Kill()
			<-p.exited
		}
	})
	p.addr = waitAddr(t, p.logs.addr, p.exited, p.logs)
	p.base = "http://" + p.addr
	return p
}

// stop sends SIGTERM and returns the exit code.
func (p *binaryProc) stop(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	return p.wait(t)
}

// wait returns the exit code once the process ends.
func (p *binaryProc) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("mockplex did not exit within 30s\n%s", p.logs)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("wait: %v", p.err)
	}
	return 0
}

// TestServeDrainsOnShutdown checks that cancelling serve (SIGTERM in main)
// lets a request in flight finish. The request is held inside its handler
// without sleeping: it sends Expect: 100-continue, so the server's 100
// Continue shows the handler has started reading the body; serve is then
// cancelled, and only once it logs that it is draining is the body sent.
func TestServeDrainsOnShutdown(t *testing.T) {
	t.Parallel()
	base, logs, stop := serveInProcess(t, env(), "--addr", "127.0.0.1:0", "--shutdown-timeout", "20s")
	inHandler := make(chan struct{})
	trace := &httptrace.ClientTrace{Got100Continue: func() { close(inHandler) }}
	body, bodyW := io.Pipe()
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "POST", base+"/api/v2/pins", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Expect", "100-continue")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	t.Cleanup(client.CloseIdleConnections)
	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	select {
	case <-inHandler:
	case r := <-got:
		t.Fatalf("request ended before the server read its body: %+v", r)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case <-logs.draining:
	case err := <-stopped:
		t.Fatalf("serve stopped (%v) without draining the request in flight\n%s", err, logs)
	}
	if _, err := io.WriteString(bodyW, "X-Plex-Client-Identifier=drain&strong=true"); err != nil {
		t.Fatalf("write body: %v", err)
	}
	bodyW.Close()
	r := <-got
	if r.err != nil || r.status != http.StatusCreated {
		t.Errorf("in-flight create during shutdown = %d, %v; want 201\n%s", r.status, r.err, logs)
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve after cancel = %v, want nil\n%s", err, logs)
	}
}
