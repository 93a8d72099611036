package e2e_test

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/mockplex/mockplex/mock"
)

// TestBrowserTLSApprovalAtRealAddress opens the approval page at the
// address apps open, https://app.plex.tv/auth#?clientID=…&code=…, in real
// Chromium, and approves a pin an app created at https://plex.tv. Chromium
// resolves plex.tv's names to the mock (--host-resolver-rules) and accepts
// the mock's certificate by its public key
// (--ignore-certificate-errors-spki-list, which pins that one key rather
// than turning certificate checks off).
func TestBrowserTLSApprovalAtRealAddress(t *testing.T) {
	srv := mock.NewTLSServer(mock.WithSeed(42), mock.WithConfig(mock.Config{LoopbackHosts: true}))
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "https://")
	spki := leafSPKI(t, addr, srv.Certificate())
	browser := newBrowser(t,
		chromedp.Flag("host-resolver-rules", fmt.Sprintf("MAP plex.tv %s, MAP *.plex.tv %s", addr, addr)),
		chromedp.Flag("ignore-certificate-errors-spki-list", spki),
	)
	tab := newTab(t, browser)

	// The app: @ctrl/plex's getWebLogin, in Go, through the mock's Client.
	const client, product = "browser-tls-app", "TLS Test App"
	c := srv.Client()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, "https://plex.tv/api/v2/pins?strong=true", nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", client)
	req.Header.Set("X-Plex-Product", product)
	var pin wirePin
	doJSON(t, c, req, http.StatusCreated, &pin)
	authURL := "https://app.plex.tv/auth#?clientID=" + url.QueryEscape(client) + "&code=" + url.QueryEscape(pin.Code) +
		"&context%5Bdevice%5D%5Bproduct%5D=" + url.QueryEscape(product)

	acc := srv.Accounts()[1]
	browserRun(t, tab, "open "+authURL,
		chromedp.Navigate(authURL),
		chromedp.WaitVisible(chromedp.ID("auth-form")),
	)
	if loc := browserValue(t, tab, "location", chromedp.Location()); loc != authURL {
		t.Errorf("browser location = %q, want exactly %q", loc, authURL)
	}
	if secure := browserValue(t, tab, "secure context", chromedp.Evaluate[bool]("window.isSecureContext && location.protocol === 'https:'")); !secure {
		t.Errorf("the approval page is not a secure https context")
	}
	if got := browserValue(t, tab, "title", chromedp.Text(chromedp.ID("auth-title"))); got != "Sign in to "+product {
		t.Errorf("auth page title = %q, want %q", got, "Sign in to "+product)
	}
	browserRun(t, tab, "pick an account and approve",
		chromedp.Click(chromedp.CSS(`input[name="account"][value="`+acc.Username+`"]`)),
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("message-title")),
	)
	screenshot(t, tab, "auth-tls-app-plex-tv")
	if loc := browserValue(t, tab, "location", chromedp.Location()); !strings.HasPrefix(loc, "https://app.plex.tv/auth/approve") {
		t.Errorf("after approve the browser is at %q, want https://app.plex.tv/auth/approve", loc)
	}

	// The app's poll, webLoginCheck's, at https://plex.tv.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, fmt.Sprintf("https://plex.tv/api/v2/pins/%d?code=%s", pin.ID, pin.Code), nil)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", client)
	doJSON(t, c, req, http.StatusOK, &pin)
	if pin.AuthToken == nil || *pin.AuthToken != acc.AuthToken {
		t.Errorf("poll after approval in the browser: authToken %v, want %s's", pin.AuthToken, acc.Username)
	}
}

// leafSPKI returns the base64 SHA-256 of the public key the server at addr
// presents for app.plex.tv, checked against ca first.
func leafSPKI(t *testing.T, addr string, ca *x509.Certificate) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "app.plex.tv"})
	if err != nil {
		t.Fatalf("handshake as app.plex.tv: %v", err)
	}
	defer conn.Close()
	sum := sha256.Sum256(conn.ConnectionState().PeerCertificates[0].RawSubjectPublicKeyInfo)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func doJSON(t *testing.T, c *http.Client, req *http.Request, want int, out any) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", req.Method, req.URL, resp.StatusCode, want, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s %s: %v in %s", req.Method, req.URL, err, body)
	}
}
