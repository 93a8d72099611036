package e2e_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The npm clients .ci/npm-clients.sh installs from
// internal/e2e/testdata/npm/package-lock.json.
const npmClientsDir = ".cache/npm-clients"

// TestThirdPartyCtrlPlexSignIn signs in with @ctrl/plex, an unmodified
// client from the npm registry that hard-codes https://plex.tv and
// https://app.plex.tv, against `mockplex serve --tls-addr`. Only its name
// resolution (plex.tv's names resolve to the mock's address, the
// --require'd resolve-plex.cjs acting as an /etc/hosts line) and its trust
// store (NODE_EXTRA_CA_CERTS, the ca.pem `mockplex ca` printed) change.
// The mock listens on port 443 of a loopback address of its own, as the
// client dials plex.tv's port.
func TestThirdPartyCtrlPlexSignIn(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	node, entry := npmClient(t, root, "@ctrl/plex", "dist/src/index.js")
	ip, ln := loopback443(t)
	ln.Close() // mockplex takes the address; nothing else picks loopback ips at random

	bin := buildMockplex(t, root)
	dir := t.TempDir()
	tlsDir := filepath.Join(dir, "tls")
	caPEM, err := exec.CommandContext(t.Context(), bin, "ca", "--tls-dir", tlsDir).Output()
	if err != nil {
		t.Fatalf("mockplex ca: %v", err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	base := startMockplex(t, bin, "--tls-addr", net.JoinHostPort(ip, "443"), "--tls-dir", tlsDir, "--seed", "20")

	cmd := exec.CommandContext(t.Context(), node, "--require", filepath.Join(root, "internal/e2e/testdata/npm/resolve-plex.cjs"),
		filepath.Join(root, "internal/e2e/testdata/npm/ctrl-plex-signin.mjs"))
	cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+caFile, "MOCKPLEX_PLEX_TV_IP="+ip, "CTRL_PLEX="+(&url.URL{Scheme: "file", Path: entry}).String())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start node: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	lines := bufio.NewScanner(stdout)
	next := func(what string, out any) {
		t.Helper()
		if !lines.Scan() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("@ctrl/plex %s: no output (%v); stderr:\n%s", what, lines.Err(), stderr.String())
		}
		if err := json.Unmarshal(lines.Bytes(), out); err != nil {
			t.Fatalf("@ctrl/plex %s: %v in %s", what, err, lines.Bytes())
		}
	}

	var login struct {
		ID   int64
		Code string
		URI  string
	}
	next("getWebLogin", &login)
	if want := "https://app.plex.tv/auth#?clientID="; !strings.HasPrefix(login.URI, want) || !strings.Contains(login.URI, "&code="+login.Code) {
		t.Errorf("getWebLogin uri = %q, want %s…&code=%s…", login.URI, want, login.Code)
	}
	// The user approves (the control API stands in for the browser here;
	// TestBrowserTLSApprovalAtRealAddress clicks the page).
	var claimed struct {
		Account   string `json:"account"`
		AuthToken string `json:"authToken"`
	}
	resp, err := http.Post(fmt.Sprintf("%s/__mockplex/pins/%d/approve", base, login.ID), "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &claimed) != nil {
		t.Fatalf("approve pin %d: %d %s", login.ID, resp.StatusCode, body)
	}
	_, _ = io.WriteString(stdin, "approved\n")

	var account struct {
		Username, Email, UUID, Token string
	}
	next("webLoginCheck", &account)
	if account.Username == "" || account.Username != claimed.Account || account.Token != claimed.AuthToken {
		t.Errorf("@ctrl/plex signed in as %+v, want the approving account %q with its token", account, claimed.Account)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("node: %v; stderr:\n%s", err, stderr.String())
	}
}

// npmClient finds node and an npm client's entry file under
// .cache/npm-clients. Without them the test skips, saying how to install
// them; under CI=true it fails (make test installs them).
func npmClient(t *testing.T, root, pkg, entry string) (node, path string) {
	t.Helper()
	path = filepath.Join(root, npmClientsDir, "node_modules", pkg, entry)
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(path)
	}
	if err == nil {
		return node, path
	}
	msg := fmt.Sprintf("third-party client %s not installed (%v): run `bash .ci/npm-clients.sh` (node and npm, then npm ci into %s)", pkg, err, npmClientsDir)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true requires it", msg)
	}
	t.Skipf("SKIP (loud): %s; set CI=true to make this a failure", msg)
	return "", ""
}

// loopback443 finds a loopback address of its own (127.x.y.z, all of
// which reach this machine on Linux) whose port 443 is free, as the client
// dials plex.tv's port. Binding it needs root or CAP_NET_BIND_SERVICE.
func loopback443(t *testing.T) (string, net.Listener) {
	t.Helper()
	var last error
	for range 20 {
		ip := fmt.Sprintf("127.%d.%d.%d", 1+rand.IntN(250), rand.IntN(256), 1+rand.IntN(250))
		ln, err := net.Listen("tcp", net.JoinHostPort(ip, "443"))
		if err == nil {
			return ip, ln
		}
		last = err
		if errors.Is(err, syscall.EACCES) {
			break
		}
	}
	msg := fmt.Sprintf("cannot listen on a loopback address's port 443 (%v): run as root or grant CAP_NET_BIND_SERVICE", last)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true requires it", msg)
	}
	t.Skipf("SKIP (loud): %s", msg)
	return "", nil
}

// buildMockplex builds cmd/mockplex into a temporary folder.
func buildMockplex(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mockplex")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "./cmd/mockplex")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mockplex: %v\n%s", err, out)
	}
	return bin
}

// startMockplex runs `mockplex serve` on a loopback port with args, waits
// for /readyz, and returns its HTTP base URL. It is stopped at cleanup.
func startMockplex(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	logs := &syncBuffer{}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mockplex: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("mockplex log:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	dockerWaitReady(t, base)
	return base
}

// syncBuffer is a log sink a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
