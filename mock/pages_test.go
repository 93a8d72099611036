package mock_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// pageServer is a mock server used through its Handler, as the pages'
// tests drive it.
type pageServer struct {
	t *testing.T
	s *mock.Server
	h http.Handler
}

func newPageServer(t *testing.T, opts ...mock.Option) *pageServer {
	t.Helper()
	s, err := mock.New(append([]mock.Option{mock.WithSeed(7)}, opts...)...)
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	t.Cleanup(s.Close)
	return &pageServer{t: t, s: s, h: s.Handler()}
}

// do sends one request to the handler and returns the response and body.
func (ps *pageServer) do(req *http.Request) (*http.Response, string) {
	ps.t.Helper()
	rec := httptest.NewRecorder()
	ps.h.ServeHTTP(rec, req)
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		ps.t.Fatalf("read body of %s %s: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

func (ps *pageServer) get(target string) (*http.Response, string) {
	ps.t.Helper()
	return ps.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// post sends a form as a browser on the same origin would.
func (ps *pageServer) post(target string, form url.Values) (*http.Response, string) {
	ps.t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://"+req.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return ps.do(req)
}

func (ps *pageServer) pin(client string, strong bool) mock.Pin {
	ps.t.Helper()
	p, err := ps.s.CreatePin(client, "Test App", strong)
	if err != nil {
		ps.t.Fatalf("CreatePin(%q): %v", client, err)
	}
	return p
}

// token polls pin p as its client and returns its authToken ("" while null).
func (ps *pageServer) token(p mock.Pin) string {
	ps.t.Helper()
	got, err := ps.s.Poll(p.ID, p.ClientIdentifier)
	if err != nil {
		ps.t.Fatalf("Poll(%d): %v", p.ID, err)
	}
	if got.AuthToken == nil {
		return ""
	}
	return *got.AuthToken
}

func (ps *pageServer) account(i int) mock.Account {
	ps.t.Helper()
	accs := ps.s.Accounts()
	if i >= len(accs) {
		ps.t.Fatalf("want at least %d accounts, have %d", i+1, len(accs))
	}
	return accs[i]
}

func wantContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q; body:\n%s", what, w, body)
		}
	}
}

func wantStatus(t *testing.T, what string, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Errorf("%s: status %d, want %d", what, resp.StatusCode, want)
	}
}

func TestPagesRender(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, mock.WithClock(mock.NewFrozenClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))))
	strong := ps.pin("render-client", true)
	link := ps.pin("render-link", false)
	authQuery := url.Values{
		"clientID": {"render-client"}, "code": {strong.Code}, "context[device][product]": {"Render App"},
		"context[device][deviceName]": {"Kitchen TV"}, "context[device][platform]": {"Roku"},
		"context[device][flavour]": {"vanilla"}, "forwardUrl": {"https://app.example/done"},
	}
	for _, tc := range []struct {
		name, target string
		want         []string
	}{
		{"dashboard", "/", []string{
			"<h1>Dashboard</h1>", `id="pin-` + jsonNumber(strong.ID) + `"`, strong.Code, link.Code, "render-client",
			"Test App", ">strong<", ">link<", ">pending<", `<label for="advance-by">Advance by</label>`,
			`<label class="visually-hidden" for="account-` + jsonNumber(strong.ID) + `">`, `aria-label="Approve pin `,
			"Recent requests", "Clock", `id="auto-refresh"`, ps.account(0).Username, `<noscript><meta http-equiv="refresh" content="5"></noscript>`,
		}},
		{"dashboard live part", "/dashboard/live", []string{`<table id="pins" class="stack">`, strong.Code, "Recent requests"}},
		{"link", "/link", []string{`<label for="code">Code</label>`, `<legend>Sign in as</legend>`, `id="link"`, `value=""`}},
		{"link prefilled lower case", "/link?pin=" + strings.ToLower(link.Code), []string{`value="` + link.Code + `"`}},
		{"link with slash", "/link/?pin=" + link.Code, []string{`value="` + link.Code + `"`}},
		{"auth from the fragment", "/auth", []string{`data-source="fragment"`, "Reading the sign-in request", "<noscript>", `data-labels="`}},
		{"auth from the query", "/auth?" + authQuery.Encode(), []string{
			`data-source="query"`, "Sign in to Render App", "<dt>Device name</dt>", "Kitchen TV", "<dt>Platform</dt>", "Roku",
			"<dt>flavour</dt>", "vanilla", `<legend>Sign in as</legend>`, `id="approve"`, `id="deny"`,
			`value="https://app.example/done"`, `value="` + strong.Code + `"`, "<dd id=\"auth-expires\">30:00</dd>",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := ps.get(tc.target)
			wantStatus(t, "GET "+tc.target, resp, http.StatusOK)
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("GET %s: Content-Type %q, want text/html; charset=utf-8", tc.target, ct)
			}
			if tc.target != "/dashboard/live" {
				tc.want = append(tc.want, `<meta name="viewport"`, `<html lang="en">`, `href="/static/mockplex.css"`,
					`src="/static/pages.js"`, `role="status" aria-live="polite"`)
			}
			wantContains(t, "GET "+tc.target, body, tc.want...)
			if tc.name != "dashboard" && strings.Contains(body, `http-equiv="refresh"`) {
				t.Errorf("GET %s reloads itself; only the dashboard may", tc.target)
			}
			for _, h := range []string{"Content-Security-Policy", "X-Frame-Options"} {
				if resp.Header.Get(h) == "" {
					t.Errorf("GET %s: no %s header", tc.target, h)
				}
			}
			if strings.Contains(body, "://") && tc.name != "auth from the query" {
				t.Errorf("GET %s refers to another origin (pages must work offline):\n%s", tc.target, body)
			}
		})
	}
}

func jsonNumber(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}

func TestPagesStatic(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, mock.WithControl(false))
	for _, tc := range []struct{ path, ctype string }{
		{"/static/mockplex.css", "text/css; charset=utf-8"},
		{"/static/pages.js", "text/javascript; charset=utf-8"},
	} {
		resp, body := ps.get(tc.path)
		wantStatus(t, "GET "+tc.path, resp, http.StatusOK)
		if got := resp.Header.Get("Content-Type"); got != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, got, tc.ctype)
		}
		if len(body) < 500 {
			t.Errorf("GET %s: %d bytes, want the embedded file", tc.path, len(body))
		}
	}
	for _, path := range []string{"/static/layout.html", "/static/", "/static/../layout.html"} {
		if resp, _ := ps.get(path); resp.StatusCode/100 == 2 {
			t.Errorf("GET %s: status %d, want no file (templates and listings are not served)", path, resp.StatusCode)
		}
	}
}

func TestAuthPageProblems(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	claimed := ps.pin("c-claimed", true)
	if _, err := ps.s.Approve(claimed.ID, ""); err != nil {
		t.Fatal(err)
	}
	denied := ps.pin("c-denied", true)
	if _, err := ps.s.Deny(denied.ID); err != nil {
		t.Fatal(err)
	}
	link := ps.pin("c-link", false)
	pending := ps.pin("c-pending", true)
	for _, tc := range []struct {
		name, code, client string
		status             int
		want               []string
	}{
		{"no code", "", "c", http.StatusBadRequest, []string{"No pin code in this address.", "/auth#?clientID=CLIENT&amp;code=CODE"}},
		{"unknown code", "abcdefghijklmnopqrstuvwxy", "c", http.StatusNotFound, []string{"Code not found or expired."}},
		{"link code", strings.ToLower(link.Code), "c-link", http.StatusBadRequest, []string{
			"This is a 4-character link code.", `href="/link?pin=` + link.Code + `"`,
		}},
		{"another client", pending.Code, "someone-else", http.StatusNotFound, []string{
			"This code belongs to another client.", "c-pending", "someone-else",
		}},
		{"claimed", claimed.Code, "c-claimed", http.StatusOK, []string{"Already signed in.", "approved by " + ps.account(0).Username}},
		{"denied", denied.Code, "c-denied", http.StatusOK, []string{"This sign-in was denied."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			target := "/auth?" + url.Values{"code": {tc.code}, "clientID": {tc.client}}.Encode()
			resp, body := ps.get(target)
			wantStatus(t, "GET "+target, resp, tc.status)
			wantContains(t, "GET "+target, body, tc.want...)
			wantContains(t, "GET "+target, body, `<div id="auth-problem" class="problem" role="alert">`, `action="/auth/approve" hidden>`)

			// The script's JSON endpoint tells the same story.
			jt := "/auth/pin?" + url.Values{"code": {tc.code}, "clientID": {tc.client}}.Encode()
			resp, body = ps.get(jt)
			wantStatus(t, "GET "+jt, resp, tc.status)
			var got struct {
				Problem *struct{ Title string } `json:"problem"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil || got.Problem == nil {
				t.Fatalf("GET %s = %s, want a JSON problem (err %v)", jt, body, err)
			}
			if !strings.Contains(tc.want[0], got.Problem.Title) || got.Problem.Title == "" {
				t.Errorf("GET %s: problem title %q, want %q", jt, got.Problem.Title, tc.want[0])
			}
		})
	}
}

func TestAuthPinJSON(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	p := ps.pin("json-client", true)
	resp, body := ps.get("/auth/pin?" + url.Values{"code": {p.Code}, "clientID": {"json-client"}}.Encode())
	wantStatus(t, "GET /auth/pin", resp, http.StatusOK)
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("GET /auth/pin: %v in %s", err, body)
	}
	want := map[string]any{
		"code": p.Code, "clientIdentifier": "json-client", "product": "Test App", "kind": "strong",
		"state": "pending", "expiresIn": float64(1800), "problem": nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /auth/pin (-want +got):\n%s", diff)
	}
}

func TestAuthApprove(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	for _, tc := range []struct {
		name, forward string
		redirect      bool
		want          []string
	}{
		{"https forward", "https://app.example/signed-in?state=1", true, nil},
		{"http forward", "http://127.0.0.1:9/back", true, nil},
		{"no forward", "", false, []string{"Sign-in complete.", "You may close this window."}},
		{"javascript refused", "javascript:alert(1)", false, []string{"Sign-in complete.", "was not followed"}},
		{"scheme-relative refused", "//evil.example/x", false, []string{"was not followed"}},
		{"data refused", "data:text/html,hi", false, []string{"was not followed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := "approve-" + strings.ReplaceAll(tc.name, " ", "-")
			p := ps.pin(client, true)
			acc := ps.account(1)
			resp, body := ps.post("/auth/approve", url.Values{
				"code": {p.Code}, "clientID": {client}, "account": {acc.Username}, "forwardUrl": {tc.forward},
			})
			if tc.redirect {
				wantStatus(t, "POST /auth/approve", resp, http.StatusSeeOther)
				if got := resp.Header.Get("Location"); got != tc.forward {
					t.Errorf("POST /auth/approve: Location %q, want %q", got, tc.forward)
				}
			} else {
				wantStatus(t, "POST /auth/approve", resp, http.StatusOK)
				if got := resp.Header.Get("Location"); got != "" {
					t.Errorf("POST /auth/approve: Location %q, want none", got)
				}
				wantContains(t, "POST /auth/approve", body, tc.want...)
				wantContains(t, "POST /auth/approve", body, "signed in as "+acc.Username)
			}
			if got := ps.token(p); got != acc.AuthToken {
				t.Errorf("token after approve = %q, want %s's %q", got, acc.Username, acc.AuthToken)
			}
			// A second approval is refused with a clear message.
			resp, body = ps.post("/auth/approve", url.Values{"code": {p.Code}, "clientID": {client}})
			wantStatus(t, "second POST /auth/approve", resp, http.StatusConflict)
			wantContains(t, "second POST /auth/approve", body, "Already signed in.")
		})
	}
}

func TestAuthApproveUnknownAccount(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	p := ps.pin("acc-client", true)
	resp, body := ps.post("/auth/approve", url.Values{"code": {p.Code}, "clientID": {"acc-client"}, "account": {"nobody"}})
	wantStatus(t, "POST /auth/approve", resp, http.StatusBadRequest)
	wantContains(t, "POST /auth/approve", body, "No such account.")
	if got := ps.token(p); got != "" {
		t.Errorf("token = %q, want none", got)
	}
}

func TestAuthDeny(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	p := ps.pin("deny-client", true)
	resp, body := ps.post("/auth/deny", url.Values{
		"code": {p.Code}, "clientID": {"deny-client"}, "forwardUrl": {"https://app.example/back"},
	})
	wantStatus(t, "POST /auth/deny", resp, http.StatusOK)
	wantContains(t, "POST /auth/deny", body, "Sign-in denied.", `href="https://app.example/back"`)
	if got := ps.token(p); got != "" {
		t.Errorf("token after deny = %q, want null", got)
	}
	if _, err := ps.s.Approve(p.ID, ""); !errors.Is(err, mock.ErrPinDenied) {
		t.Errorf("Approve after deny: %v, want ErrPinDenied", err)
	}
	resp, body = ps.post("/auth/approve", url.Values{"code": {p.Code}, "clientID": {"deny-client"}})
	wantStatus(t, "POST /auth/approve after deny", resp, http.StatusConflict)
	wantContains(t, "POST /auth/approve after deny", body, "This sign-in was denied.")

	// A claimed pin cannot be denied.
	claimed := ps.pin("deny-claimed", true)
	if _, err := ps.s.Approve(claimed.ID, ""); err != nil {
		t.Fatal(err)
	}
	resp, body = ps.post("/auth/deny", url.Values{"code": {claimed.Code}, "clientID": {"deny-claimed"}})
	wantStatus(t, "POST /auth/deny of a claimed pin", resp, http.StatusConflict)
	wantContains(t, "POST /auth/deny of a claimed pin", body, "Already signed in.")
	if got := ps.token(claimed); got != ps.account(0).AuthToken {
		t.Errorf("deny of a claimed pin changed its token to %q", got)
	}
}

func TestLinkPage(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	strong := ps.pin("link-strong", true)
	linked := ps.pin("link-done", false)
	if _, err := ps.s.Approve(linked.ID, ""); err != nil {
		t.Fatal(err)
	}
	refused := ps.pin("link-refused", false)
	if _, err := ps.s.Deny(refused.ID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		code    func(p mock.Pin) string
		account int
		status  int
		want    string
		claimed bool
	}{
		{"lower case", func(p mock.Pin) string { return strings.ToLower(p.Code) }, 2, http.StatusOK, "is signed in as", true},
		{"upper case with spaces", func(p mock.Pin) string { return " " + p.Code + " " }, 0, http.StatusOK, "is signed in as", true},
		{"unknown", func(mock.Pin) string { return "ZZZZ" }, 0, http.StatusNotFound, "not found or expired", false},
		{"empty", func(mock.Pin) string { return "" }, 0, http.StatusBadRequest, "Enter a code.", false},
		{"too short", func(mock.Pin) string { return "AB1" }, 0, http.StatusBadRequest, "Codes have 4 characters.", false},
		{"strong code", func(mock.Pin) string { return strong.Code }, 0, http.StatusBadRequest, "strong pin", false},
		{"denied", func(mock.Pin) string { return refused.Code }, 0, http.StatusConflict, "was denied", false},
		{"already linked by another account", func(mock.Pin) string { return linked.Code }, 1, http.StatusConflict, "is already claimed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := ps.pin("link-"+strings.ReplaceAll(tc.name, " ", "-"), false)
			acc := ps.account(tc.account)
			resp, body := ps.post("/link", url.Values{"code": {tc.code(p)}, "account": {acc.Username}})
			wantStatus(t, "POST /link", resp, tc.status)
			wantContains(t, "POST /link", body, tc.want, `<form id="link-form"`)
			want := ""
			if tc.claimed {
				want = acc.AuthToken
				wantContains(t, "POST /link", body, "Linked "+p.Code, acc.Username)
			}
			if got := ps.token(p); got != want {
				t.Errorf("token after POST /link = %q, want %q", got, want)
			}
		})
	}
}

func TestLinkQRPointsAtPages(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, mock.WithPublicURL("http://mock.test:8080"))
	p := ps.pin("qr-client", false)
	if want := "http://mock.test:8080/api/v2/pins/qr/" + p.Code; p.QR != want {
		t.Errorf("qr = %q, want %q", p.QR, want)
	}
	resp, body := ps.get("/link?pin=" + p.Code)
	wantStatus(t, "GET /link?pin=", resp, http.StatusOK)
	wantContains(t, "GET /link?pin=", body, `value="`+p.Code+`"`)
}

func TestPagesGuard(t *testing.T) {
	t.Parallel()
	off := newPageServer(t, mock.WithControl(false))
	for _, path := range []string{"/", "/auth", "/link", "/dashboard/live", "/auth/pin?code=x"} {
		resp, body := off.get(path)
		wantStatus(t, "control off: GET "+path, resp, http.StatusNotFound)
		wantContains(t, "control off: GET "+path, body, "--control on")
	}
	p := off.pin("off-client", true)
	resp, _ := off.post("/auth/approve", url.Values{"code": {p.Code}, "clientID": {"off-client"}})
	wantStatus(t, "control off: POST /auth/approve", resp, http.StatusNotFound)
	if got := off.token(p); got != "" {
		t.Errorf("control off: pin claimed through the page (token %q)", got)
	}

	const token = "s3cret-token"
	on := newPageServer(t, mock.WithControlToken(token))
	for _, tc := range []struct {
		name     string
		target   string
		header   http.Header
		status   int
		location string
	}{
		{"no token", "/", nil, http.StatusUnauthorized, ""},
		{"wrong query token", "/link?token=nope", nil, http.StatusUnauthorized, ""},
		{"header", "/", http.Header{mock.TokenHeader: {token}}, http.StatusOK, ""},
		{"bearer", "/link", http.Header{"Authorization": {"Bearer " + token}}, http.StatusOK, ""},
		{"cookie", "/auth", http.Header{"Cookie": {"mockplex_token=" + token}}, http.StatusOK, ""},
		{"wrong cookie", "/auth", http.Header{"Cookie": {"mockplex_token=nope"}}, http.StatusUnauthorized, ""},
		{"query token sets cookie", "/link?pin=ABCD&token=" + token, nil, http.StatusSeeOther, "/link?pin=ABCD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodGet, tc.target, nil)
			for k, v := range tc.header {
				req.Header[k] = v
			}
			resp, body := on.do(req)
			wantStatus(t, "GET "+tc.target, resp, tc.status)
			if tc.status == http.StatusUnauthorized {
				wantContains(t, "GET "+tc.target, body, "?token=TOKEN")
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("GET %s: Location %q, want %q", tc.target, got, tc.location)
			}
			if tc.location != "" {
				var cookie *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == "mockplex_token" {
						cookie = c
					}
				}
				if cookie == nil || cookie.Value != token || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
					t.Errorf("GET %s: cookie %+v, want an HttpOnly SameSite=Lax mockplex_token", tc.target, cookie)
				}
			}
		})
	}
	p = on.pin("guarded", true)
	resp, _ = on.post("/auth/approve", url.Values{"code": {p.Code}, "clientID": {"guarded"}})
	wantStatus(t, "guarded POST /auth/approve without token", resp, http.StatusUnauthorized)
	if got := on.token(p); got != "" {
		t.Errorf("guarded: pin claimed without the token (token %q)", got)
	}
}

func TestPagesRefuseCrossSiteForms(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, mock.WithPublicURL("https://mock.example"))
	for _, tc := range []struct {
		name    string
		header  http.Header
		allowed bool
	}{
		{"foreign origin", http.Header{"Origin": {"http://evil.example"}}, false},
		{"cross-site fetch", http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"http://evil.example"}}, false},
		{"same-site other port", http.Header{"Sec-Fetch-Site": {"same-site"}, "Origin": {"http://example.com:9999"}}, false},
		{"same origin", http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://example.com"}}, true},
		{"origin matches host", http.Header{"Origin": {"http://example.com"}}, true},
		{"public URL origin", http.Header{"Origin": {"https://mock.example"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := "csrf-" + strings.ReplaceAll(tc.name, " ", "-")
			for _, target := range []string{"/auth/approve", "/link", "/dashboard/pins/{id}/approve"} {
				p := ps.pin(client, target == "/auth/approve")
				target = strings.ReplaceAll(target, "{id}", jsonNumber(p.ID))
				form := url.Values{"code": {p.Code}, "clientID": {client}}
				req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, v := range tc.header {
					req.Header[k] = v
				}
				resp, body := ps.do(req)
				claimed := ps.token(p) != ""
				if claimed != tc.allowed {
					t.Errorf("POST %s with %v: claimed = %v, want %v (status %d)", target, tc.header, claimed, tc.allowed, resp.StatusCode)
				}
				if !tc.allowed {
					wantStatus(t, "POST "+target, resp, http.StatusForbidden)
					wantContains(t, "POST "+target, body, "Cross-site request refused.")
				}
			}
		})
	}
}

func TestDashboardActions(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t, mock.WithClock(mock.NewFrozenClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))))
	approve := ps.pin("dash-a", true)
	deny := ps.pin("dash-d", false)
	expire := ps.pin("dash-e", true)
	other := ps.pin("dash-o", true)
	acc := ps.account(2)

	steps := []struct {
		target   string
		form     url.Values
		location string
		flash    string
	}{
		{"/dashboard/pins/" + jsonNumber(approve.ID) + "/approve", url.Values{"account": {acc.Username}},
			"/?done=approve&pin=" + jsonNumber(approve.ID), "Approved pin " + jsonNumber(approve.ID) + "."},
		{"/dashboard/pins/" + jsonNumber(approve.ID) + "/deny", nil,
			"/?done=claimed&pin=" + jsonNumber(approve.ID), "is already claimed."},
		{"/dashboard/pins/" + jsonNumber(deny.ID) + "/deny", nil,
			"/?done=deny&pin=" + jsonNumber(deny.ID), "Denied pin " + jsonNumber(deny.ID) + "."},
		{"/dashboard/pins/" + jsonNumber(deny.ID) + "/approve", nil,
			"/?done=denied&pin=" + jsonNumber(deny.ID), "was denied; it cannot be approved."},
		{"/dashboard/pins/" + jsonNumber(expire.ID) + "/expire", nil,
			"/?done=expire&pin=" + jsonNumber(expire.ID), "Expired pin " + jsonNumber(expire.ID) + "."},
		{"/dashboard/pins/" + jsonNumber(expire.ID) + "/approve", nil,
			"/?done=notfound&pin=" + jsonNumber(expire.ID), "not found or expired."},
		{"/dashboard/pins/12/approve", nil, "/?done=notfound&pin=12", "Pin 12 not found or expired."},
		{"/dashboard/pins/" + jsonNumber(other.ID) + "/approve", url.Values{"account": {"nobody"}},
			"/?done=account&pin=" + jsonNumber(other.ID), "No such account"},
		{"/dashboard/clock/advance", url.Values{"by": {"10m"}}, "/?done=advance", "Clock advanced."},
		{"/dashboard/clock/advance", url.Values{"by": {"soon"}}, "/?done=duration", "a Go duration"},
		{"/dashboard/clock/resume", nil, "/?done=resume", "Clock resumed."},
		{"/dashboard/clock/freeze", nil, "/?done=freeze", "Clock frozen."},
	}
	for _, st := range steps {
		resp, _ := ps.post(st.target, st.form)
		wantStatus(t, "POST "+st.target, resp, http.StatusSeeOther)
		if got := resp.Header.Get("Location"); got != st.location {
			t.Errorf("POST %s: Location %q, want %q", st.target, got, st.location)
			continue
		}
		_, body := ps.get(st.location)
		wantContains(t, "GET "+st.location, body, st.flash)
	}
	if got := ps.token(approve); got != acc.AuthToken {
		t.Errorf("dashboard approve: token %q, want %s's %q", got, acc.Username, acc.AuthToken)
	}
	if got := ps.token(deny); got != "" {
		t.Errorf("dashboard deny: token %q, want null", got)
	}
	if _, err := ps.s.Poll(expire.ID, "dash-e"); !errors.Is(err, mock.ErrPinNotFound) {
		t.Errorf("dashboard expire: Poll = %v, want ErrPinNotFound", err)
	}
	if !ps.s.Clock().Frozen() {
		t.Error("clock not frozen after the freeze button")
	}
	// The clock moved by 10m, and resume/freeze kept it close.
	if got := ps.s.Clock().Now().Sub(time.Date(2026, 11, 23, 12, 10, 0, 0, time.UTC)); got < 0 || got > time.Minute {
		t.Errorf("clock is %v past 12:10 after advancing 10m, want about 0", got)
	}
	// Unknown outcomes show a fixed message, never text from the link.
	_, body := ps.get("/?done=%3Cscript%3Ealert(1)%3C/script%3E&pin=%3Cb%3E")
	wantContains(t, "GET /?done=<script>", body, "Could not complete the request.")
	if strings.Contains(body, "<script>alert") || strings.Contains(body, "&lt;b&gt;") {
		t.Errorf("dashboard reflects the link's text:\n%s", body)
	}
}

func TestPagesNotJournaled(t *testing.T) {
	t.Parallel()
	ps := newPageServer(t)
	p := ps.pin("journal-client", false)
	for _, target := range []string{"/", "/dashboard/live", "/auth", "/auth/pin?code=x", "/link", "/link/?pin=X", "/static/pages.js"} {
		ps.get(target)
	}
	ps.post("/link", url.Values{"code": {p.Code}})
	if got := ps.s.Requests(mock.RequestFilter{}); len(got) != 0 {
		t.Errorf("pages were journaled: %+v", got)
	}
	req := httptest.NewRequest(http.MethodGet, "/api/v2/pins/"+jsonNumber(p.ID), nil)
	req.Header.Set("X-Plex-Client-Identifier", "journal-client")
	ps.do(req)
	if got := ps.s.Requests(mock.RequestFilter{}); len(got) != 1 {
		t.Errorf("API poll journaled %d times, want 1", len(got))
	}
}

// FuzzAuthQuery checks that any query string gives the auth page a
// complete page with a status below 500.
func FuzzAuthQuery(f *testing.F) {
	for _, seed := range []string{
		"clientID=a&code=abc", "code=ABCD", "code=&clientID=", "context%5Bdevice%5D%5Bproduct%5D=%3Cb%3E&code=x",
		"context[device][x]=1&context[device][]=2&forwardUrl=javascript:1", "%zz", "code=" + strings.Repeat("a", 25),
	} {
		f.Add(seed)
	}
	s, err := mock.New(mock.WithSeed(1))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(s.Close)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest(http.MethodGet, "/auth", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET /auth?%s: status %d: %s", raw, rec.Code, rec.Body)
		}
		if body := rec.Body.String(); !strings.Contains(body, "</html>") || strings.Contains(body, "<b>") {
			t.Fatalf("GET /auth?%s: incomplete or unescaped page:\n%s", raw, body)
		}
	})
}

// jwtDevice registers key for client through the public API and returns
// a Plex JWT issued to it.
func jwtDevice(t *testing.T, srv *mock.Server, client string, seed int64) (*device.Key, string) {
	t.Helper()
	c := jwtClient{t, srv, client, ""}
	key := newDeviceKey(t, seed)
	legacy := map[string]string{"X-Plex-Token": srv.Accounts()[1].AuthToken}
	c.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, legacy).want(t, "POST jwk", 201)
	return key, c.refresh(key, "")
}

// formAction finds the action of the form whose button has aria-label
// label, unescaped as a browser reads it.
func formAction(t *testing.T, body, label string) string {
	t.Helper()
	i := strings.Index(body, `aria-label="`+html.EscapeString(label)+`"`)
	if i < 0 {
		t.Fatalf("no button labelled %q in:\n%s", label, body)
	}
	start := strings.LastIndex(body[:i], `action="`)
	if start < 0 {
		t.Fatalf("button %q is in no form", label)
	}
	start += len(`action="`)
	end := strings.IndexByte(body[start:], '"')
	return html.UnescapeString(body[start : start+end])
}

func TestDashboardDevices(t *testing.T) {
	t.Parallel()
	clock := mock.NewFrozenClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithSeed(7), mock.WithClock(clock))
	t.Cleanup(srv.Close)
	ps := &pageServer{t: t, s: srv, h: srv.Handler()}
	const client = "living room/tv 1" // a slash and a space: the form's path escapes them
	key, jwt := jwtDevice(t, srv, client, 1)
	pinKey := newDeviceKey(t, 2)
	pinClient := jwtClient{t, srv, "dash-jwk-pin", ""}
	var pin struct{ ID int64 }
	pinClient.do("POST", "/api/v2/pins", map[string]any{"jwk": pinKey.JWK(), "strong": true}, nil).want(t, "POST pins with a jwk", 201).decode(t, &pin)
	classic := ps.pin("dash-classic", true)

	_, body := ps.get("/")
	wantContains(t, "GET /", body,
		`<h2 id="devices-title">JWT devices <span class="count">1</span></h2>`,
		`<table id="devices" class="stack">`, `data-client="living room/tv 1" data-revoked="false"`,
		srv.Accounts()[1].Username, `title="`+key.KID()+`">`+key.KID()[:10]+"…</code>",
		"7d 0h left", `aria-label="Revoke device living room/tv 1"`, "Rotate signing key",
	)
	badge := `<span class="badge" title="Created with a device key`
	for _, tc := range []struct {
		id   int64
		want bool
	}{{pin.ID, true}, {classic.ID, false}} {
		row := body[strings.Index(body, `<tr id="pin-`+jsonNumber(tc.id)+`"`):]
		row = row[:strings.Index(row, "</tr>")]
		if got := strings.Contains(row, badge); got != tc.want {
			t.Errorf("pin %d row has a JWT badge = %v, want %v:\n%s", tc.id, got, tc.want, row)
		}
	}
	if n := strings.Count(body, `aria-current="true"`); n != 1 {
		t.Errorf("signing keys: %d marked current, want 1", n)
	}
	if _, live := ps.get("/dashboard/live"); !strings.Contains(live, `<table id="devices"`) {
		t.Errorf("GET /dashboard/live lacks the devices table; it must refresh with the pins")
	}

	// Rotate: a new current kid is listed, the old ones retired.
	before := currentKID(t, body)
	resp, _ := ps.post("/dashboard/keys/rotate", nil)
	wantStatus(t, "POST /dashboard/keys/rotate", resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != "/?done=rotate" {
		t.Errorf("POST /dashboard/keys/rotate: Location %q, want /?done=rotate", got)
	}
	_, body = ps.get("/?done=rotate")
	wantContains(t, "GET / after rotate", body, "Signing key rotated", "<code class=\"small\">"+before+"</code>\n      <span class=\"state\">retired</span>")
	if after := currentKID(t, body); after == before {
		t.Errorf("current kid after rotate = %q, the same as before", after)
	}

	// Revoke through the row's own form.
	c := jwtClient{t, srv, client, ""}
	c.do("GET", "/api/v2/user", nil, map[string]string{"X-Plex-Token": jwt}).want(t, "user with the JWT before revoke", 200)
	action := formAction(t, body, "Revoke device "+client)
	if want := "/dashboard/devices/living%20room%2Ftv%201/revoke"; action != want {
		t.Errorf("revoke form action = %q, want %q", action, want)
	}
	resp, _ = ps.post(action, nil)
	wantStatus(t, "POST "+action, resp, http.StatusSeeOther)
	if got := resp.Header.Get("Location"); got != "/?done=revoke" {
		t.Errorf("POST %s: Location %q, want /?done=revoke", action, got)
	}
	c.do("GET", "/api/v2/user", nil, map[string]string{"X-Plex-Token": jwt}).want(t, "user with the JWT after revoke", 401)
	_, body = ps.get("/?done=revoke")
	wantContains(t, "GET / after revoke", body, "Device revoked", `data-revoked="true"`)
	if strings.Contains(body, `aria-label="Revoke device `+client) {
		t.Errorf("a revoked device still has a Revoke button")
	}

	// Unknown devices get the error table's title.
	resp, _ = ps.post("/dashboard/devices/nobody/revoke", nil)
	if got := resp.Header.Get("Location"); got != "/?done=nodevice" {
		t.Errorf("POST revoke of an unknown device: Location %q, want /?done=nodevice", got)
	}
	_, body = ps.get("/?done=nodevice")
	wantContains(t, "GET /?done=nodevice", body, `<div id="flash" class="flash error" role="status" aria-live="polite">No such device.</div>`)

	// The latest token's time left follows the mock's clock.
	for _, tc := range []struct {
		by   time.Duration
		want string
	}{{time.Hour, "6d 23h left"}, {6*24*time.Hour + 22*time.Hour + 31*time.Minute, "29m 00s left"}, {30 * time.Minute, ">expired<"}} {
		if err := clock.Advance(tc.by); err != nil {
			t.Fatal(err)
		}
		_, body = ps.get("/dashboard/live")
		wantContains(t, fmt.Sprintf("GET /dashboard/live at %v", clock.Now()), body, tc.want)
	}
}

// currentKID finds the kid the dashboard marks current.
func currentKID(t *testing.T, body string) string {
	t.Helper()
	const open = `<li aria-current="true"><code class="small">`
	i := strings.Index(body, open)
	if i < 0 {
		t.Fatalf("no current signing key in:\n%s", body)
	}
	rest := body[i+len(open):]
	return rest[:strings.Index(rest, "<")]
}

func TestDashboardDeviceFormsGuarded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   []mock.Option
		header http.Header
		status int
		body   string
	}{
		{"foreign origin", nil, http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden, "Cross-site request refused."},
		{"cross-site fetch", nil, http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"http://evil.example"}}, http.StatusForbidden, "Cross-site request refused."},
		{"no control token", []mock.Option{mock.WithControlToken("s3cret")}, http.Header{"Origin": {"http://example.com"}}, http.StatusUnauthorized, "?token=TOKEN"},
		{"control off", []mock.Option{mock.WithControl(false)}, http.Header{"Origin": {"http://example.com"}}, http.StatusNotFound, "--control on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := mock.NewServer(append([]mock.Option{mock.WithSeed(7)}, tc.opts...)...)
			t.Cleanup(srv.Close)
			ps := &pageServer{t: t, s: srv, h: srv.Handler()}
			jwtDevice(t, srv, "guarded-device", 3)
			keys := string(srv.JWKS())
			for _, target := range []string{"/dashboard/devices/guarded-device/revoke", "/dashboard/keys/rotate"} {
				req := httptest.NewRequest(http.MethodPost, target, nil)
				for k, v := range tc.header {
					req.Header[k] = v
				}
				resp, body := ps.do(req)
				wantStatus(t, "POST "+target, resp, tc.status)
				wantContains(t, "POST "+target, body, tc.body)
			}
			if d := srv.Devices(); len(d) != 1 || d[0].Revoked {
				t.Errorf("Devices() = %+v, want guarded-device not revoked", d)
			}
			if got := string(srv.JWKS()); got != keys {
				t.Errorf("signing keys changed by a refused rotate:\n%s\nwant\n%s", got, keys)
			}
		})
	}
}
