package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser clicks through the mock's approval pages in a real headless
// Chromium (Debian's chromium package), as a person signing in to an app
// would: one browser, one tab per flow, the flows in parallel. Screenshots go
// to test-output/browser/.
func TestBrowser(t *testing.T) {
	start := time.Now()
	browser := newBrowser(t)
	env := newBrowserEnv(t)
	// Each flow has its own tab and client identifier, and all run at once:
	// they spend most of their time waiting on the browser, so they run in
	// goroutines rather than under t.Parallel, whose -parallel limit is the
	// CPU count (2 on CI).
	var wg sync.WaitGroup
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, env *browserEnv, tab context.Context)
	}{
		{"strong pin approved and forwarded", testBrowserStrongApprove},
		{"link pin linked at /link", testBrowserLink},
		{"strong pin denied", testBrowserDeny},
		{"bad codes explained", testBrowserBadCodes},
		{"dashboard refreshes and approves", testBrowserDashboard},
		{"dashboard pin table fits 1280 px", testBrowserDashboardWidth},
		{"JWK pin signed in with a Plex JWT", testBrowserJWTPin},
	} {
		wg.Go(func() {
			t.Run(tc.name, func(t *testing.T) {
				tc.run(t, env, newTab(t, browser))
			})
		})
	}
	wg.Wait()
	t.Logf("browser tests took %v", time.Since(start).Round(time.Millisecond))
}

// authURL builds the URL an app opens for a strong pin (WIRE.md
// §1.10): parameters in the fragment after sep ("#?" or "#!?").
func authURL(base, sep, client, code, product, forward string) string {
	q := []string{
		"clientID=" + url.QueryEscape(client),
		"code=" + url.QueryEscape(code),
		"context%5Bdevice%5D%5Bproduct%5D=" + url.QueryEscape(product),
		"context%5Bdevice%5D%5BdeviceName%5D=" + url.QueryEscape("Headless Chromium"),
		"context%5Bdevice%5D%5Bplatform%5D=Linux",
		"context%5Bdevice%5D%5Bversion%5D=1.2.3",
	}
	if forward != "" {
		q = append(q, "forwardUrl="+url.QueryEscape(forward))
	}
	return base + "/auth" + sep + strings.Join(q, "&")
}

func testBrowserStrongApprove(t *testing.T, env *browserEnv, tab context.Context) {
	const client = "browser-strong"
	p := env.createPin(t, client, true)
	acc := env.account(t, 1)
	forward := env.app + "/signed-in?from=mockplex"
	browserRun(t, tab, "open the auth URL",
		chromedp.Navigate(authURL(env.base, "#?", client, p.Code, "Browser Test App", forward)),
		chromedp.WaitVisible(chromedp.ID("auth-form")),
	)
	if got := browserValue(t, tab, "title", chromedp.Text(chromedp.ID("auth-title"))); got != "Sign in to Browser Test App" {
		t.Errorf("auth page title = %q, want %q", got, "Sign in to Browser Test App")
	}
	details := browserValue(t, tab, "details", chromedp.Text(chromedp.ID("auth-details")))
	for _, want := range []string{"Headless Chromium", "Linux", "1.2.3", client} {
		if !strings.Contains(details, want) {
			t.Errorf("auth page details %q lack %q", details, want)
		}
	}
	browserRun(t, tab, "pick an account",
		chromedp.Click(chromedp.CSS(`input[name="account"][value="`+acc.Username+`"]`)),
	)
	screenshot(t, tab, "auth-strong")
	if got := env.poll(t, p); got != "" {
		t.Fatalf("token before approval = %q, want null", got)
	}
	browserRun(t, tab, "approve and follow forwardUrl",
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.ID("forwarded")),
	)
	if loc := browserValue(t, tab, "location", chromedp.Location()); loc != forward {
		t.Errorf("browser location after approve = %q, want forwardUrl %q", loc, forward)
	}
	if got := env.appRequests(); !slices.Contains(got, "/signed-in?from=mockplex") {
		t.Errorf("app received %q, want /signed-in?from=mockplex", got)
	}
	if got := env.poll(t, p); got != acc.AuthToken {
		t.Errorf("poll after approval: authToken %q, want %s's %q", got, acc.Username, acc.AuthToken)
	}
}

func testBrowserLink(t *testing.T, env *browserEnv, tab context.Context) {
	// Typed in lower case at /link.
	typed := env.createPin(t, "browser-link-typed", false)
	acc := env.account(t, 2)
	browserRun(t, tab, "type the code at /link",
		chromedp.Navigate(env.base+"/link"),
		chromedp.SendKeys(chromedp.ID("code"), strings.ToLower(typed.Code)),
		chromedp.Click(chromedp.CSS(`input[name="account"][value="`+acc.Username+`"]`)),
	)
	screenshot(t, tab, "link-typed")
	browserRun(t, tab, "link", chromedp.Click(chromedp.ID("link")), chromedp.WaitVisible(chromedp.CSS("#flash.ok")))
	if got := browserValue(t, tab, "flash", chromedp.Text(chromedp.ID("flash"))); !strings.Contains(got, "Linked "+typed.Code) {
		t.Errorf("flash after link = %q, want it to say Linked %s", got, typed.Code)
	}
	screenshot(t, tab, "link-done")
	if got := env.poll(t, typed); got != acc.AuthToken {
		t.Errorf("poll after link: authToken %q, want %s's %q", got, acc.Username, acc.AuthToken)
	}

	// Opened from the QR code's link, /link?pin=CODE, with the default account.
	qr := env.createPin(t, "browser-link-qr", false)
	browserRun(t, tab, "open the QR link",
		chromedp.Navigate(env.base+"/link?pin="+qr.Code),
		chromedp.WaitVisible(chromedp.ID("code")),
	)
	if got := browserValue(t, tab, "code field", chromedp.Value(chromedp.ID("code"))); got != qr.Code {
		t.Errorf("/link?pin= prefilled %q, want %q", got, qr.Code)
	}
	browserRun(t, tab, "link from the QR page", chromedp.Click(chromedp.ID("link")), chromedp.WaitVisible(chromedp.CSS("#flash.ok")))
	if got, want := env.poll(t, qr), env.account(t, 0).AuthToken; got != want {
		t.Errorf("poll after QR link: authToken %q, want the default account's %q", got, want)
	}
}

func testBrowserDeny(t *testing.T, env *browserEnv, tab context.Context) {
	const client = "browser-deny"
	p := env.createPin(t, client, true)
	// Overseerr, Tautulli and others open the auth app with #!? instead of #?.
	browserRun(t, tab, "open the auth URL with #!?",
		chromedp.Navigate(authURL(env.base, "#!?", client, p.Code, "Deny Test App", env.app+"/after-deny")),
		chromedp.WaitVisible(chromedp.ID("auth-form")),
		chromedp.Click(chromedp.ID("deny")),
		chromedp.WaitVisible(chromedp.ID("message-title")),
	)
	if got := browserValue(t, tab, "message", chromedp.Text(chromedp.ID("message-title"))); got != "Sign-in denied." {
		t.Errorf("after deny the page says %q, want %q", got, "Sign-in denied.")
	}
	screenshot(t, tab, "auth-denied")
	if got := env.poll(t, p); got != "" {
		t.Errorf("poll after deny: authToken %q, want null", got)
	}
	if got := env.appRequests(); slices.Contains(got, "/after-deny") {
		t.Errorf("deny forwarded the browser to the app (%q); it must not", got)
	}
	status, _ := env.apiCall(t, http.MethodPost, fmt.Sprintf("/__mockplex/pins/%d/approve", p.ID), client)
	if status != http.StatusConflict {
		t.Errorf("control approve after deny: status %d, want 409", status)
	}
	if got := env.poll(t, p); got != "" {
		t.Errorf("poll after refused approval: authToken %q, want null", got)
	}
}

func testBrowserBadCodes(t *testing.T, env *browserEnv, tab context.Context) {
	link := env.createPin(t, "browser-bad-link", false)
	for _, tc := range []struct {
		name, url, want string
	}{
		{"unknown", env.base + "/auth#?clientID=x&code=nosuchcodeatallxxxxxxxxxx", "Code not found or expired."},
		{"link code", env.base + "/auth#?clientID=browser-bad-link&code=" + link.Code, "This is a 4-character link code."},
		{"no parameters", env.base + "/auth", "No sign-in request in this address."},
	} {
		browserRun(t, tab, "open "+tc.name,
			// The URLs differ only after #, so leave the page first: a
			// fragment change alone is not a new page load.
			chromedp.Navigate("about:blank"),
			chromedp.Navigate(tc.url),
			chromedp.WaitVisible(chromedp.ID("auth-problem")),
		)
		got := browserValue(t, tab, tc.name+" problem", chromedp.Text(chromedp.ID("auth-problem")))
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: auth page says %q, want %q", tc.name, got, tc.want)
		}
		if visible := browserValue(t, tab, "form hidden", chromedp.Evaluate[bool](`!document.getElementById("auth-form").hidden`)); visible {
			t.Errorf("%s: the approve form is shown", tc.name)
		}
		if tc.name == "unknown" {
			screenshot(t, tab, "auth-unknown-code")
		}
		if tc.name == "link code" {
			href := browserValue(t, tab, "link", chromedp.Evaluate[string](`document.querySelector("#auth-problem a").href`))
			if want := env.base + "/link?pin=" + link.Code; href != want {
				t.Errorf("link code: the page links to %q, want %q", href, want)
			}
		}
	}
}

func testBrowserDashboard(t *testing.T, env *browserEnv, tab context.Context) {
	browserRun(t, tab, "open the dashboard",
		chromedp.Navigate(env.base+"/"),
		chromedp.WaitVisible(chromedp.ID("live")),
	)
	// A pin created after the page loaded appears without a reload.
	p := env.createPin(t, "browser-dashboard", true)
	row := "pin-" + fmt.Sprint(p.ID)
	acc := env.account(t, 2)
	browserRun(t, tab, "wait for the new pin",
		chromedp.WaitVisible(chromedp.ID(row)),
	)
	screenshot(t, tab, "dashboard")
	// Hold the live area still as a person would by using it: in one page
	// turn, stop auto-refresh and put focus in the row's account select (a
	// refresh already in flight never replaces an area that holds focus),
	// so the nodes clicked below are not swapped out mid-action.
	held := browserValue(t, tab, "hold the live area", chromedp.Evaluate[bool](fmt.Sprintf(`(function () {
		document.getElementById('auto-refresh').checked = false;
		var sel = document.getElementById('account-%d');
		sel.focus();
		return document.activeElement === sel;
	})()`, p.ID)))
	if !held {
		t.Fatalf("could not focus the account select of pin %d", p.ID)
	}
	browserRun(t, tab, "approve from the dashboard",
		chromedp.SetValue(chromedp.ID("account-"+fmt.Sprint(p.ID)), acc.Username),
		chromedp.Click(chromedp.CSS("#"+row+` button[aria-label^="Approve"]`)),
		chromedp.WaitVisible(chromedp.CSS("#flash.ok")),
	)
	if got := browserValue(t, tab, "flash", chromedp.Text(chromedp.ID("flash"))); got != fmt.Sprintf("Approved pin %d.", p.ID) {
		t.Errorf("dashboard flash = %q, want %q", got, fmt.Sprintf("Approved pin %d.", p.ID))
	}
	if got := env.poll(t, p); got != acc.AuthToken {
		t.Errorf("poll after dashboard approve: authToken %q, want %s's %q", got, acc.Username, acc.AuthToken)
	}
	browserRun(t, tab, "phone-sized viewport",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.ID(row)),
	)
	if got := browserValue(t, tab, "state", chromedp.Text(chromedp.CSS("#"+row+" .state"))); got != "claimed" {
		t.Errorf("dashboard state of the approved pin = %q, want claimed", got)
	}
	if overflow := browserValue(t, tab, "page width", chromedp.Evaluate[int](
		`document.documentElement.scrollWidth - window.innerWidth`)); overflow > 0 {
		t.Errorf("on a 390 px wide phone the dashboard is %d px too wide (it must not scroll sideways)", overflow)
	}
	screenshot(t, tab, "dashboard-phone")
}
