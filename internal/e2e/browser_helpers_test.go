package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mockplex/mockplex/mock"
)

const (
	// browserPathEnv overrides where the browser tests look for Chromium.
	browserPathEnv     = "MOCKPLEX_CHROMIUM"
	browserDefaultPath = "/usr/bin/chromium"
	// browserTabTimeout bounds one subtest's browser work. A subtest takes
	// a few seconds; 30 s was exceeded under the race detector on a loaded
	// 2-core CI machine (make test runs the whole suite at once), so the
	// bound is 90 s: it catches a hang, not a slow machine.
	browserTabTimeout = 90 * time.Second
	// browserShots is where screenshots go, relative to the repository root
	// (gitignored).
	browserShots = "test-output/browser"
	// docsShotsEnv, set to 1, makes the tests also write the screenshots
	// the documentation shows into docs/img (committed):
	//	MOCKPLEX_DOCS_SCREENSHOTS=1 go test -run TestBrowser ./internal/e2e/
	docsShotsEnv = "MOCKPLEX_DOCS_SCREENSHOTS"
	docsShots    = "docs/img"
)

// docsShotNames maps a screenshot's name to its file under docs/img.
var docsShotNames = map[string]string{
	"auth-strong":    "auth.png",
	"link-typed":     "link.png",
	"dashboard-1280": "dashboard.png",
}

// browserExecPath returns the Chromium binary. Without one the test skips,
// or fails when CI=true: CI installs it (.ci/browser.sh).
func browserExecPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv(browserPathEnv)
	if path == "" {
		path = browserDefaultPath
	}
	resolved, err := exec.LookPath(path)
	if err == nil {
		return resolved
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("chromium not found at %s (%v), and CI=true requires it: run `bash .ci/browser.sh` (apt-get install -y chromium) or set %s", path, err, browserPathEnv)
	}
	t.Skipf("chromium not found at %s (%v): install it with `bash .ci/browser.sh` or set %s; set CI=true to make this a failure", path, err, browserPathEnv)
	return ""
}

// newBrowser starts one headless Chromium for the whole test and returns
// its context; tabs come from newTab. It is stopped at cleanup. extra adds
// command-line flags (the TLS test's resolver rules).
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	execPath := browserExecPath(t)
	dir := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	// Registered after t.TempDir, so it runs first: Chromium stops before its
	// profile directory is removed.
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	start := time.Now()
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	t.Logf("chromium %s started in %v", execPath, time.Since(start).Round(time.Millisecond))
	return browserCtx
}

// newTab opens a tab in a browser context of its own (its own cookies), with
// a time limit.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancelTimeout := context.WithTimeout(browser, browserTabTimeout)
	tab, cancelTab := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancelTab()
		cancelTimeout()
	})
	return tab
}

// browserRun runs actions in the tab and fails the test on error.
func browserRun(t *testing.T, tab context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, steps...); err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
}

// browserValue runs one action that returns a value.
func browserValue[T any](t *testing.T, tab context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(tab, a)
	if err != nil {
		t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// screenshot saves the tab's full page as test-output/browser/<name>.png,
// and with MOCKPLEX_DOCS_SCREENSHOTS=1 the ones docs/ shows in docs/img.
func screenshot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	png := browserValue(t, tab, "screenshot "+name, chromedp.FullScreenshot(100))
	dir := filepath.Join(repoRoot(t), browserShots)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create %s: %v", dir, err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save screenshot: %v", err)
	}
	t.Logf("screenshot %s (%d bytes)", path, len(png))
	if doc, ok := docsShotNames[name]; ok && os.Getenv(docsShotsEnv) == "1" {
		path := filepath.Join(repoRoot(t), docsShots, doc)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatalf("save the documentation's screenshot (%s=1): %v", docsShotsEnv, err)
		}
		t.Logf("screenshot %s for the documentation", path)
	}
}

// repoRoot finds the directory holding go.mod above the test's directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// browserEnv is a mock whose public URL is its own address (so qr and the
// pages point at it), and an app that forwardUrl sends the browser back to.
type browserEnv struct {
	mock    *mock.Server
	base    string // the mock's URL
	app     string // the app's URL
	mu      sync.Mutex
	arrived []string // request URIs the app received
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	env := &browserEnv{}
	// The listener exists before the mock, so the mock can know its own URL.
	ts := httptest.NewUnstartedServer(nil)
	env.base = "http://" + ts.Listener.Addr().String()
	s, err := mock.New(mock.WithSeed(42), mock.WithPublicURL(env.base))
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	env.mock = s
	ts.Config.Handler = s.Handler()
	ts.Start()
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.mu.Lock()
		env.arrived = append(env.arrived, r.URL.RequestURI())
		env.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>The app</title><h1 id="forwarded">Back in the app</h1>`)
	}))
	t.Cleanup(app.Close)
	env.app = app.URL
	return env
}

// appRequests returns the request URIs the app has received.
func (env *browserEnv) appRequests() []string {
	env.mu.Lock()
	defer env.mu.Unlock()
	return append([]string(nil), env.arrived...)
}

// wirePin is the part of the pin the browser tests read.
type wirePin struct {
	ID               int64   `json:"id"`
	Code             string  `json:"code"`
	Product          string  `json:"product"`
	QR               string  `json:"qr"`
	ClientIdentifier string  `json:"clientIdentifier"`
	AuthToken        *string `json:"authToken"`
}

// apiCall sends a request as an app would and decodes a JSON pin when the
// status is 2xx.
func (env *browserEnv) apiCall(t *testing.T, method, path, client string) (int, wirePin) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, env.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", client)
	req.Header.Set("X-Plex-Product", "Browser Test App")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	var p wirePin
	if resp.StatusCode/100 == 2 && len(body) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, body)
		}
	}
	return resp.StatusCode, p
}

// createPin creates a pin over HTTP as client and checks its qr points at
// the mock's own pages.
func (env *browserEnv) createPin(t *testing.T, client string, strong bool) wirePin {
	t.Helper()
	path := "/api/v2/pins"
	if strong {
		path += "?strong=true"
	}
	status, p := env.apiCall(t, http.MethodPost, path, client)
	if status != http.StatusCreated {
		t.Fatalf("POST %s: status %d, want 201", path, status)
	}
	if want := env.base + "/api/v2/pins/qr/" + p.Code; p.QR != want {
		t.Errorf("qr = %q, want %q (the mock's public URL)", p.QR, want)
	}
	return p
}

// poll reads the pin as its client does and returns its token ("" while
// null).
func (env *browserEnv) poll(t *testing.T, p wirePin) string {
	t.Helper()
	status, got := env.apiCall(t, http.MethodGet, fmt.Sprintf("/api/v2/pins/%d", p.ID), p.ClientIdentifier)
	if status != http.StatusOK {
		t.Fatalf("poll pin %d: status %d, want 200", p.ID, status)
	}
	if got.AuthToken == nil {
		return ""
	}
	return *got.AuthToken
}

// account returns the mock's i-th fake account.
func (env *browserEnv) account(t *testing.T, i int) mock.Account {
	t.Helper()
	accs := env.mock.Accounts()
	if i >= len(accs) {
		t.Fatalf("want at least %d accounts, have %d", i+1, len(accs))
	}
	return accs[i]
}
