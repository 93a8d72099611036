package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// holdScenario delays pin creation long enough for a test to send SIGTERM
// while the request is in the handler and to watch the listener close.
const holdScenario = `name: hold
description: Pin creation takes two seconds (a per-request delay for the shutdown test).
contract: true
rules:
  - name: hold creation
    when:
      op: create
    then:
      delay: 2s
`

type sdResult struct {
	status int
	body   []byte
	err    error
}

// sdInFlight starts a pin creation under the hold scenario and returns
// once the handler is running: the request carries Expect: 100-continue,
// and net/http sends 100 Continue only when the handler reads the body.
func sdInFlight(t *testing.T, addr, client string) <-chan sdResult {
	t.Helper()
	continued := make(chan struct{})
	trace := &httptrace.ClientTrace{Got100Continue: func() { close(continued) }}
	ctx := httptrace.WithClientTrace(context.Background(), trace)
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+addr+"/api/v2/pins?strong=true", strings.NewReader("X-Plex-Product=Shutdown"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Expect", "100-continue")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", client)
	req.Header.Set("X-Mockplex-Scenario", "hold")
	hc := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 20 * time.Second}, Timeout: 30 * time.Second}
	result := make(chan sdResult, 1)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			result <- sdResult{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		result <- sdResult{status: resp.StatusCode, body: b, err: err}
	}()
	select {
	case <-continued:
	case r := <-result:
		t.Fatalf("the held request ended before its handler ran: %d %v %s", r.status, r.err, r.body)
	case <-time.After(20 * time.Second):
		t.Fatal("no 100 Continue within 20s")
	}
	return result
}

// sdRefused dials addr until the connection is refused, failing if the
// held request finishes first: the listener must close while it drains.
func sdRefused(t *testing.T, addr string, result <-chan sdResult) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			// A reset is a refusal too: the dial completed into the
			// listener's backlog just as the listener closed.
			if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("dial during shutdown: %v, want connection refused", err)
			}
			select {
			case r := <-result:
				t.Fatalf("the in-flight request finished (%d) before new connections were refused", r.status)
			default:
			}
			return
		}
		conn.Close()
		select {
		case r := <-result:
			t.Fatalf("the in-flight request finished (%d, %v) while new connections were still accepted", r.status, r.err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatal("new connections were still accepted 10s after SIGTERM")
}

// TestGracefulShutdown builds the binary, starts a pin creation that takes
// two seconds, sends SIGTERM mid-request, and checks that new connections
// are refused at once, the in-flight request completes with its pin, the
// pin is in the state file, and the exit code is 0.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hold.yaml"), []byte(holdScenario), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("in-flight request finishes", func(t *testing.T) {
		t.Parallel()
		state := filepath.Join(t.TempDir(), "state.json")
		p := startBinary(t, bin, "--addr", "127.0.0.1:0", "--scenarios", dir, "--state-file", state, "--shutdown-timeout", "20s")
		result := sdInFlight(t, p.addr, "in-flight")
		start := time.Now()
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		sdRefused(t, p.addr, result)
		t.Logf("listener closed %v after SIGTERM", time.Since(start).Round(time.Millisecond))

		r := <-result
		if r.err != nil || r.status != http.StatusCreated {
			t.Fatalf("in-flight create = %d, %v: %s\n%s", r.status, r.err, r.body, p.logs.String())
		}
		var pin struct {
			ID               int64  `json:"id"`
			Code             string `json:"code"`
			ClientIdentifier string `json:"clientIdentifier"`
		}
		if err := json.Unmarshal(r.body, &pin); err != nil || pin.ClientIdentifier != "in-flight" || len(pin.Code) != 25 {
			t.Fatalf("in-flight create body %s: %+v, %v", r.body, pin, err)
		}
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit code %d after SIGTERM, want 0\n%s", code, p.logs.String())
		}
		saved, err := os.ReadFile(state)
		if err != nil {
			t.Fatalf("state file: %v\n%s", err, p.logs.String())
		}
		if !strings.Contains(string(saved), fmt.Sprintf(`"id": %d`, pin.ID)) {
			t.Errorf("state file lacks the pin created during the drain (%d):\n%.500s", pin.ID, saved)
		}
	})

	t.Run("shutdown timeout cuts off and still saves", func(t *testing.T) {
		t.Parallel()
		state := filepath.Join(t.TempDir(), "state.json")
		p := startBinary(t, bin, "--addr", "127.0.0.1:0", "--scenarios", dir, "--state-file", state, "--shutdown-timeout", "100ms")
		req, _ := http.NewRequest("POST", "http://"+p.addr+"/api/v2/pins", nil)
		req.Header.Set("X-Plex-Client-Identifier", "kept")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		result := sdInFlight(t, p.addr, "cut-off")
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 1 {
			t.Errorf("exit code %d after a shutdown that timed out, want 1\n%s", code, p.logs.String())
		}
		if r := <-result; r.err == nil && r.status == http.StatusCreated {
			t.Errorf("the request still running at the timeout got %d, want it cut off", r.status)
		}
		if !strings.Contains(p.logs.String(), "--shutdown-timeout") {
			t.Errorf("the error does not name --shutdown-timeout:\n%s", p.logs.String())
		}
		if saved, err := os.ReadFile(state); err != nil || !strings.Contains(string(saved), `"kept"`) {
			t.Errorf("state file after a forced shutdown: %v, want the pin of client kept:\n%.300s", err, saved)
		}
	})
}
