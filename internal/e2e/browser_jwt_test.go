package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/mockplex/mockplex/mock/device"
)

// request sends one API request as a JWT device would (JSON both ways)
// and returns the status and body.
func (env *browserEnv) request(t *testing.T, method, path, client string, header map[string]string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, env.base+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", client)
	req.Header.Set("X-Plex-Product", "Browser JWT App")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// deviceLeft is how the dashboard shows a fresh 7-day Plex JWT's time left.
var deviceLeft = regexp.MustCompile(`^(7d 0h|6d 23h) left$`)

// testBrowserJWTPin signs a JWT device in as a person would: the device
// creates a strong pin with its key, the person approves it at /auth in
// Chromium, and the device's poll with a deviceJWT yields a Plex JWT that
// verifies against GET /api/v2/auth/keys. The dashboard then lists the
// device, and its Revoke and Rotate buttons work.
func testBrowserJWTPin(t *testing.T, env *browserEnv, tab context.Context) {
	// Long, as real client identifiers are, to hold the devices table to
	// the 1280 px rule.
	const client = "browser-jwt-3f1c9a2e-7b4d-4e8f-a6c1-0d5b2e9f7a31-livingroom"
	key, err := device.New(rand.New(rand.NewSource(11)))
	if err != nil {
		t.Fatal(err)
	}
	status, body := env.request(t, http.MethodPost, "/api/v2/pins", client, nil, map[string]any{"jwk": key.JWK(), "strong": true})
	if status != http.StatusCreated {
		t.Fatalf("POST /api/v2/pins with a jwk: status %d %s, want 201", status, body)
	}
	var p wirePin
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("POST /api/v2/pins: %v in %s", err, body)
	}
	pollJWT, err := key.PollJWT(client)
	if err != nil {
		t.Fatal(err)
	}
	pollPath := fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", p.ID, url.QueryEscape(pollJWT))
	if status, got := env.apiCall(t, http.MethodGet, pollPath, client); status != http.StatusOK || got.AuthToken != nil {
		t.Fatalf("poll before approval: status %d, authToken %v; want 200 and null", status, got.AuthToken)
	}

	acc := env.account(t, 1)
	browserRun(t, tab, "open the auth URL",
		chromedp.Navigate(authURL(env.base, "#?", client, p.Code, "Browser JWT App", "")),
		chromedp.WaitVisible(chromedp.ID("auth-form")),
		chromedp.Click(chromedp.CSS(`input[name="account"][value="`+acc.Username+`"]`)),
	)
	screenshot(t, tab, "auth-jwt")
	browserRun(t, tab, "approve",
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("message-title")),
	)
	if got := browserValue(t, tab, "message", chromedp.Text(chromedp.ID("message-title"))); got != "Sign-in complete." {
		t.Fatalf("after approve the page says %q, want %q", got, "Sign-in complete.")
	}

	status, got := env.apiCall(t, http.MethodGet, pollPath, client)
	if status != http.StatusOK || got.AuthToken == nil {
		t.Fatalf("poll with a deviceJWT after approval: status %d, authToken %v; want 200 and a Plex JWT", status, got.AuthToken)
	}
	jwt := *got.AuthToken
	status, jwks := env.request(t, http.MethodGet, "/api/v2/auth/keys", client, nil, nil)
	if status != http.StatusOK {
		t.Fatalf("GET /api/v2/auth/keys: status %d %s", status, jwks)
	}
	claims, err := device.VerifyPlexJWT(jwt, jwks, client, env.mock.Clock().Now())
	if err != nil {
		t.Fatalf("VerifyPlexJWT(authToken %q): %v", jwt, err)
	}
	if claims.User.ID != acc.ID {
		t.Errorf("Plex JWT user id = %d, want %d (%s, who approved)", claims.User.ID, acc.ID, acc.Username)
	}
	bearer := map[string]string{"X-Plex-Token": jwt}
	if status, body := env.request(t, http.MethodGet, "/api/v2/user", client, bearer, nil); status != http.StatusOK {
		t.Errorf("GET /api/v2/user with the Plex JWT: status %d %s, want 200", status, body)
	}

	// The dashboard lists the device, at 1280 px without sideways scrolling.
	row := `#devices tr[data-client="` + client + `"]`
	browserRun(t, tab, "open the dashboard",
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(env.base+"/"),
		chromedp.WaitVisible(chromedp.CSS(row)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#pin-%d .badge", p.ID))),
	)
	type deviceFit struct {
		Cells     []string `json:"cells"`
		KIDTitle  string   `json:"kidTitle"`
		Overflow  int      `json:"overflow"` // the page's sideways scroll
		TableWide int      `json:"tableWide"`
	}
	fit := browserValue(t, tab, "read the device row", chromedp.Evaluate[deviceFit](`(function () {
		var tr = document.querySelector('`+row+`'), d = document.documentElement;
		var region = tr.closest('.scroll');
		return {
			cells: Array.prototype.map.call(tr.cells, function (c) { return c.textContent.trim(); }),
			kidTitle: tr.querySelector('code[title]').title,
			overflow: d.scrollWidth - d.clientWidth,
			tableWide: region.scrollWidth - region.clientWidth
		};
	})()`))
	screenshot(t, tab, "dashboard-devices")
	if len(fit.Cells) < 7 {
		t.Fatalf("device row cells = %q, want 8", fit.Cells)
	}
	if fit.Cells[0] != client || fit.Cells[1] != acc.Username || fit.Cells[3] != "revoked" || fit.Cells[4] != "active" || fit.Cells[5] != "1" || !deviceLeft.MatchString(fit.Cells[6]) {
		t.Errorf("device row = %q, want client %s, account %s, legacy token revoked, active, 1 token, about 7d left", fit.Cells, client, acc.Username)
	}
	if fit.KIDTitle != key.KID() {
		t.Errorf("key cell title = %q, want the full kid %q", fit.KIDTitle, key.KID())
	}
	if fit.Overflow > 0 || fit.TableWide > 0 {
		t.Errorf("at 1280 px the page scrolls sideways by %d px and the devices table by %d px; want 0", fit.Overflow, fit.TableWide)
	}

	// Revoke, holding the live area still as a person using it would.
	revoke := row + ` button[aria-label^="Revoke"]`
	hold(t, tab, revoke)
	browserRun(t, tab, "revoke the device",
		chromedp.Click(chromedp.CSS(revoke)),
		chromedp.WaitVisible(chromedp.CSS("#flash.ok")),
		chromedp.WaitVisible(chromedp.CSS(`#devices tr[data-revoked="true"]`)),
	)
	if got := browserValue(t, tab, "flash", chromedp.Text(chromedp.ID("flash"))); !strings.HasPrefix(got, "Device revoked") {
		t.Errorf("flash after revoke = %q, want Device revoked…", got)
	}
	if status, body := env.request(t, http.MethodGet, "/api/v2/user", client, bearer, nil); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v2/user with the revoked device's JWT: status %d %s, want 401", status, body)
	}

	// Rotate: a new kid becomes current, and the JWKS serves it.
	current := `#keys li[aria-current="true"] code`
	browserRun(t, tab, "reload the dashboard", chromedp.Navigate(env.base+"/"), chromedp.WaitVisible(chromedp.CSS(current)))
	before := browserValue(t, tab, "current kid", chromedp.Text(chromedp.CSS(current)))
	rotate := `form[action="/dashboard/keys/rotate"] button`
	hold(t, tab, rotate)
	browserRun(t, tab, "rotate the signing key",
		chromedp.Click(chromedp.CSS(rotate)),
		chromedp.WaitVisible(chromedp.CSS("#flash.ok")),
	)
	after := browserValue(t, tab, "current kid after rotate", chromedp.Text(chromedp.CSS(current)))
	if after == before {
		t.Errorf("current kid after rotate = %q, unchanged", after)
	}
	if _, jwks := env.request(t, http.MethodGet, "/api/v2/auth/keys", client, nil, nil); !strings.Contains(string(jwks), `"`+after+`"`) {
		t.Errorf("GET /api/v2/auth/keys after rotate lacks the new kid %q: %s", after, jwks)
	}
	screenshot(t, tab, "dashboard-devices-rotated")
}

// hold stops the dashboard's auto-refresh and puts focus on the element
// sel, in one page turn, so the live area is not swapped under a click.
func hold(t *testing.T, tab context.Context, sel string) {
	t.Helper()
	held := browserValue(t, tab, "hold the live area", chromedp.Evaluate[bool](fmt.Sprintf(`(function () {
		document.getElementById('auto-refresh').checked = false;
		var el = document.querySelector(%q);
		el.focus();
		return document.activeElement === el;
	})()`, sel)))
	if !held {
		t.Fatalf("could not focus %s", sel)
	}
}
