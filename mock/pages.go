package mock

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
)

// web holds the pages' templates, stylesheet and script: embedded, so the
// binary serves them offline, with no CDN and no build step.
//
//go:embed web
var web embed.FS

// The pages: stand-ins for app.plex.tv/auth and plex.tv/link, and a
// dashboard at /. They obey the control API's guard (off: 404; token: the
// same token, which ?token= turns into a cookie), refuse cross-origin form
// posts, and are not journaled.
const (
	tokenCookie = "mockplex_token"
	tokenQuery  = "token"
	// journalRows is how many recent requests the dashboard shows.
	journalRows = 20
)

// contextKey matches the auth app's context[device][…] parameters.
var contextKey = regexp.MustCompile(`^context\[device\]\[([A-Za-z0-9_]+)\]$`)

// deviceLabels names the context[device][…] keys clients send (wire
// WIRE.md §1.10), in the order the auth page lists them. product is the
// page's title, not a row.
func deviceLabels() [9][2]string {
	return [...][2]string{
		{"deviceName", "Device name"},
		{"device", "Device"},
		{"model", "Model"},
		{"platform", "Platform"},
		{"platformVersion", "Platform version"},
		{"version", "App version"},
		{"screenResolution", "Screen"},
		{"layout", "Layout"},
		{"environment", "Environment"},
	}
}

// pages serves the HTML pages of one server.
type pages struct {
	s      *Server
	tmpl   func() map[string]*template.Template // parsed on first render, not at start
	static http.Handler
	cop    *http.CrossOriginProtection
}

// pageHandler is a page's handler.
type pageHandler func(p *pages, w http.ResponseWriter, r *http.Request)

// pageRoutes registers the approval pages and the dashboard.
func pageRoutes(r *mux.Router) {
	page := func(path string, h pageHandler, methods ...string) {
		r.Handle(path, endpoint(func(s *Server, x *exchange) { s.pages().serve(h, x, x.r) })).Methods(methods...)
	}
	page("/", (*pages).dashboard, http.MethodGet, http.MethodHead)
	page("/dashboard/live", (*pages).dashboardLive, http.MethodGet, http.MethodHead)
	page("/dashboard/pins/{id}/{action:approve|deny|expire}", (*pages).dashboardPin, http.MethodPost)
	page("/dashboard/clock/{action:advance|freeze|resume}", (*pages).dashboardClock, http.MethodPost)
	page("/dashboard/devices/{client:.+}/revoke", (*pages).dashboardRevoke, http.MethodPost)
	page("/dashboard/keys/rotate", (*pages).dashboardRotate, http.MethodPost)
	page("/auth", (*pages).auth, http.MethodGet, http.MethodHead)
	page("/auth/pin", (*pages).authPin, http.MethodGet, http.MethodHead)
	page("/auth/approve", (*pages).authApprove, http.MethodPost)
	page("/auth/deny", (*pages).authDeny, http.MethodPost)
	page("/link", (*pages).link, http.MethodGet, http.MethodHead)
	page("/link/", (*pages).link, http.MethodGet, http.MethodHead) // plex.tv's QR says /link/?pin=
	page("/link", (*pages).linkPost, http.MethodPost)
	r.PathPrefix("/static/").Handler(endpoint(func(s *Server, x *exchange) { s.pages().static.ServeHTTP(x, x.r) })).
		Methods(http.MethodGet, http.MethodHead)
}

// parseTemplates parses the embedded page templates. They are compiled in,
// so an error is a bug that TestPages* catch; it panics like template.Must.
func parseTemplates() map[string]*template.Template {
	funcs := template.FuncMap{"timeLeft": timeLeft, "clockTime": clockTime, "pathEscape": url.PathEscape}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(web, "web/layout.html"))
	tmpl := map[string]*template.Template{}
	for _, name := range [...]string{"auth", "link", "dashboard", "message"} {
		tmpl[name] = template.Must(template.Must(base.Clone()).ParseFS(web, "web/"+name+".html"))
	}
	return tmpl
}

// isPagePath reports whether path belongs to the pages (not journaled).
func isPagePath(path string) bool {
	switch path {
	case "/", "/auth", "/link", "/link/":
		return true
	}
	for _, prefix := range [...]string{"/auth/", "/link/", "/dashboard/", "/static/"} {
		if strings.HasPrefix(path, prefix) {
			return true
		}
	}
	return false
}

func newPages(s *Server) *pages {
	p := &pages{s: s, tmpl: sync.OnceValue(parseTemplates), cop: http.NewCrossOriginProtection()}
	static, err := fs.Sub(web, "web/static")
	if err != nil {
		panic("mock: embedded pages: " + err.Error()) // web is compiled in; cannot happen
	}
	files := http.StripPrefix("/static", http.FileServerFS(static))
	p.static = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
	if u, err := url.Parse(s.cfg.publicURL); err == nil && u.Scheme != "" && u.Host != "" {
		_ = p.cop.AddTrustedOrigin(u.Scheme + "://" + u.Host)
	}
	p.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.problem(w, r, http.StatusForbidden, problem{
			Title:   "Cross-site request refused.",
			Message: "This form was sent from another site. Open mockplex's own page and submit the form there.",
		})
	}))
	return p
}

// serve applies the control API's guard to a page, then runs h: 404 when
// the control API is off, the control token when one is set, loopback
// hosts when asked, and cross-origin protection for forms. A GET with the
// right ?token= sets the token cookie and redirects to the same page
// without it (the browser keeps the fragment).
func (p *pages) serve(h pageHandler, w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	err := p.s.guard(r)
	if err == nil {
		p.cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h(p, w, r) })).ServeHTTP(w, r)
		return
	}
	if errors.Is(err, errControlToken) {
		if got := r.URL.Query().Get(tokenQuery); got != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && p.s.tokenOK(got) {
			http.SetCookie(w, &http.Cookie{
				Name: tokenCookie, Value: got, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
				Secure: r.TLS != nil,
			})
			u := *r.URL
			q := u.Query()
			q.Del(tokenQuery)
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="mockplex"`)
	}
	p.fail(w, r, err, "")
}

// fail shows the error table's page for err; subject names what it is
// about ("Code 7RQZ").
func (p *pages) fail(w http.ResponseWriter, r *http.Request, err error, subject string) {
	f := describe(err)
	if subject == "" {
		subject = "Code"
	}
	advice := f.advice
	if errors.Is(err, ErrAccountNotFound) {
		advice = err.Error() + "; pick one of the listed accounts."
	}
	p.problem(w, r, f.control, problem{Title: f.pageTitle(subject), Message: advice})
}

func securityHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
}

// problem is a message the pages show instead of a form: what went wrong
// and what to do, with an optional link.
type problem struct {
	Title    string `json:"title"`
	Message  string `json:"message"`
	Link     string `json:"link,omitempty"`
	LinkText string `json:"linkText,omitempty"`
}

// flash is the status line at the top of a page (an aria-live region).
type flash struct {
	OK   bool
	Text string
}

// view is what every page template gets; Body is the page's own data.
type view struct {
	Title string
	Nav   string
	Flash *flash
	Body  any
}

// render executes a page template into a buffer first, so a template error
// never leaves half a page.
func (p *pages) render(w http.ResponseWriter, status int, name, tmpl string, data any) {
	var buf bytes.Buffer
	if err := p.tmpl()[name].ExecuteTemplate(&buf, tmpl, data); err != nil {
		p.s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "mockplex: page template failed: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// problem answers with a message page, or JSON when the request asks for it
// (the auth page's script).
func (p *pages) problem(w http.ResponseWriter, r *http.Request, status int, pr problem) {
	if wantsJSON(r) {
		writeJSON(w, status, map[string]problem{"problem": pr})
		return
	}
	p.render(w, status, "message", "layout", view{Title: pr.Title, Flash: &flash{Text: pr.Title}, Body: messageView{Problem: &pr}})
}

func wantsJSON(r *http.Request) bool {
	return r.URL.Path == "/auth/pin" || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// messageView is the body of message.html: a problem, or a done message.
type messageView struct {
	Problem *problem
	Done    *problem
}

// field is one labelled value of the auth page's device list.
type field struct {
	Key, Label, Value string
}

// authView is the body of auth.html.
type authView struct {
	FromQuery  bool // parameters came in the query string, so the page is complete
	Ready      bool // the approve form can be shown
	Code       string
	ClientID   string
	ForwardURL string
	Product    string
	Device     []field
	Pin        *PinInfo
	Problem    *problem
	Accounts   []Account
	LabelsJSON string
}

func (p *pages) auth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	labels, _ := json.Marshal(deviceLabels())
	v := authView{
		FromQuery: q.Has("code") || q.Has("clientID"), Code: q.Get("code"), ClientID: q.Get("clientID"),
		ForwardURL: q.Get("forwardUrl"), Product: q.Get("context[device][product]"),
		Device: deviceFields(q), Accounts: p.s.Accounts(), LabelsJSON: string(labels),
	}
	status := http.StatusOK
	if v.FromQuery {
		info, pr, st := p.lookupAuth(v.Code, v.ClientID)
		switch {
		case pr != nil:
			v.Problem, status = pr, st
		default:
			v.Pin = &info
			if v.Product == "" {
				v.Product = info.Product
			}
			v.Problem = stateProblem(info)
			v.Ready = v.Problem == nil
		}
	}
	title := "Sign in"
	if v.Product != "" {
		title = "Sign in to " + v.Product
	}
	p.render(w, status, "auth", "layout", view{Title: title, Nav: "auth", Body: v})
}

// deviceFields lists the context[device][…] parameters, known keys first.
func deviceFields(q url.Values) []field {
	var out []field
	seen := map[string]bool{"product": true}
	for _, kl := range deviceLabels() {
		if v := q.Get("context[device][" + kl[0] + "]"); v != "" {
			out = append(out, field{Key: kl[0], Label: kl[1], Value: v})
		}
		seen[kl[0]] = true
	}
	var extra []field
	for k, vs := range q {
		m := contextKey.FindStringSubmatch(k)
		if m == nil || seen[m[1]] || len(vs) == 0 || vs[0] == "" {
			continue
		}
		extra = append(extra, field{Key: m[1], Label: m[1], Value: vs[0]})
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Key < extra[j].Key })
	return append(out, extra...)
}

// lookupAuth finds the strong pin an auth URL names, or says why it cannot.
func (p *pages) lookupAuth(code, clientID string) (PinInfo, *problem, int) {
	code = strings.TrimSpace(code)
	switch {
	case code == "":
		return PinInfo{}, &problem{
			Title:   "No pin code in this address.",
			Message: "The app must open /auth#?clientID=CLIENT&code=CODE with the code of a pin it created with POST /api/v2/pins?strong=true.",
		}, http.StatusBadRequest
	case isKind(code, Link):
		return PinInfo{}, &problem{
			Title:    "This is a 4-character link code.",
			Message:  "Link codes are entered at /link, not at the auth page (plex.tv's auth app fails them too). Create the pin with strong=true to use this page.",
			Link:     "/link?pin=" + url.QueryEscape(strings.ToUpper(code)),
			LinkText: "Enter " + strings.ToUpper(code) + " at /link",
		}, http.StatusBadRequest
	}
	info, err := p.s.PinByCode(code)
	if err != nil || info.State == Expired {
		return PinInfo{}, &problem{
			Title:   "Code not found or expired.",
			Message: "No live pin has the code " + strconv.Quote(code) + ". Pins expire (strong ones after 30 minutes); ask the app to start signing in again.",
		}, http.StatusNotFound
	}
	if clientID != "" && clientID != info.ClientIdentifier {
		return PinInfo{}, &problem{
			Title: "This code belongs to another client.",
			Message: "The pin was created by client " + strconv.Quote(info.ClientIdentifier) + " but the page was opened with clientID=" +
				strconv.Quote(clientID) + ". plex.tv answers such polls with 404; open the auth URL with the client identifier that created the pin.",
		}, http.StatusNotFound
	}
	return info, nil, http.StatusOK
}

// stateProblem explains why a found pin cannot be approved, or is nil.
func stateProblem(info PinInfo) *problem {
	switch info.State {
	case Claimed:
		who := ""
		if info.Account != "" {
			who = " by " + info.Account
		}
		return &problem{Title: "Already signed in.", Message: "This sign-in request was approved" + who + "; you may close this window."}
	case Denied:
		return &problem{Title: "This sign-in was denied.", Message: "Ask the app to start signing in again."}
	case Expired:
		return &problem{Title: "Code not found or expired.", Message: "Ask the app to start signing in again."}
	}
	return nil
}

// authPinJSON is GET /auth/pin's body, which the auth page's script reads.
type authPinJSON struct {
	Code             string   `json:"code"`
	ClientIdentifier string   `json:"clientIdentifier"`
	Product          string   `json:"product"`
	Kind             Kind     `json:"kind"`
	State            State    `json:"state"`
	ExpiresIn        int64    `json:"expiresIn"`
	Account          string   `json:"account,omitempty"`
	Problem          *problem `json:"problem"`
}

func (p *pages) authPin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	info, pr, status := p.lookupAuth(q.Get("code"), q.Get("clientID"))
	if pr != nil {
		writeJSON(w, status, map[string]problem{"problem": *pr})
		return
	}
	writeJSON(w, http.StatusOK, authPinJSON{
		Code: info.Code, ClientIdentifier: info.ClientIdentifier, Product: info.Product, Kind: info.Kind,
		State: info.State, ExpiresIn: info.ExpiresIn, Account: info.Account, Problem: stateProblem(info),
	})
}

// authForm reads the auth page's form and finds its pin.
func (p *pages) authForm(w http.ResponseWriter, r *http.Request) (PinInfo, bool) {
	if err := r.ParseForm(); err != nil {
		p.problem(w, r, http.StatusBadRequest, problem{Title: "Unreadable form.", Message: "Submit the form on the auth page again: " + err.Error()})
		return PinInfo{}, false
	}
	info, pr, status := p.lookupAuth(r.PostForm.Get("code"), r.PostForm.Get("clientID"))
	if pr != nil {
		p.problem(w, r, status, *pr)
		return PinInfo{}, false
	}
	return info, true
}

func (p *pages) authApprove(w http.ResponseWriter, r *http.Request) {
	info, ok := p.authForm(w, r)
	if !ok {
		return
	}
	claimed, err := p.s.Approve(info.ID, r.PostForm.Get("account"))
	if err != nil {
		p.claimProblem(w, r, info.ID, err)
		return
	}
	forward := r.PostForm.Get("forwardUrl")
	if forward != "" && isWebURL(forward) {
		http.Redirect(w, r, forward, http.StatusSeeOther)
		return
	}
	msg := claimed.Product + " is signed in as " + claimed.Account + ". You may close this window."
	if forward != "" {
		msg += " (forwardUrl " + strconv.Quote(forward) + " was not followed: only http and https addresses are.)"
	}
	p.render(w, http.StatusOK, "message", "layout", view{
		Title: "Signed in", Nav: "auth", Flash: &flash{OK: true, Text: "Sign-in complete."},
		Body: messageView{Done: &problem{Title: "Sign-in complete.", Message: msg}},
	})
}

func (p *pages) authDeny(w http.ResponseWriter, r *http.Request) {
	info, ok := p.authForm(w, r)
	if !ok {
		return
	}
	if _, err := p.s.Deny(info.ID); err != nil {
		p.claimProblem(w, r, info.ID, err)
		return
	}
	done := &problem{
		Title:   "Sign-in denied.",
		Message: info.Product + " was not signed in; its pin keeps a null authToken until it expires. You may close this window.",
	}
	if f := r.PostForm.Get("forwardUrl"); isWebURL(f) {
		done.Link, done.LinkText = f, "Return to "+info.Product
	}
	p.render(w, http.StatusOK, "message", "layout", view{
		Title: "Sign-in denied", Nav: "auth", Flash: &flash{Text: "Sign-in denied."}, Body: messageView{Done: done},
	})
}

// claimProblem explains a failed approval or denial on the auth page: by
// the pin's state when it has one (denied, claimed), else from the error
// table.
func (p *pages) claimProblem(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if info, ierr := p.s.PinInfo(id); ierr == nil && !errors.Is(err, ErrAccountNotFound) {
		if pr := stateProblem(info); pr != nil {
			p.problem(w, r, describe(err).control, *pr)
			return
		}
	}
	p.fail(w, r, err, "Code")
}

// isWebURL reports whether s is an absolute http or https URL, the only
// forwardUrl the auth page follows.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// linkView is the body of link.html.
type linkView struct {
	Code     string
	Problem  *problem
	Accounts []Account
	Selected string
}

func (p *pages) link(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("pin")))
	p.render(w, http.StatusOK, "link", "layout", view{
		Title: "Link a device", Nav: "link", Body: linkView{Code: code, Accounts: p.s.Accounts()},
	})
}

func (p *pages) linkPost(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	code := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("code")))
	account := r.PostForm.Get("account")
	v := linkView{Code: code, Accounts: p.s.Accounts(), Selected: account}
	fail := func(status int, pr problem) {
		v.Problem = &pr
		p.render(w, status, "link", "layout", view{Title: "Link a device", Nav: "link", Flash: &flash{Text: pr.Title}, Body: v})
	}
	switch {
	case code == "":
		fail(http.StatusBadRequest, problem{Title: "Enter a code.", Message: "Type the 4-character code the device shows."})
		return
	case isKind(code, Strong):
		fail(http.StatusBadRequest, problem{
			Title:   "That is a strong pin's code.",
			Message: "25-character codes are approved at the auth page the app opens (/auth#?clientID=…&code=…), not here.",
		})
		return
	case !isKind(code, Link):
		fail(http.StatusBadRequest, problem{Title: "Codes have 4 characters.", Message: "Type the 4 letters and digits the device shows, for example 7RQZ."})
		return
	}
	info, err := p.s.PinByCode(code)
	if err == nil && info.Kind != Link {
		err = ErrPinNotFound
	}
	if err == nil {
		info, err = p.s.ApproveCode(code, account)
	}
	if err != nil {
		f := describe(err)
		advice := f.advice
		if errors.Is(err, ErrAccountNotFound) {
			advice = err.Error() + "; pick one of the listed accounts."
		}
		fail(f.control, problem{Title: f.pageTitle("Code " + code), Message: advice})
		return
	}
	text := "Linked " + code + ": " + info.Product + " is signed in as " + info.Account + "."
	v.Code = ""
	p.render(w, http.StatusOK, "link", "layout", view{
		Title: "Device linked", Nav: "link", Flash: &flash{OK: true, Text: text}, Body: v,
	})
}

// dashboardRows is how many pins the dashboard shows, newest first (and
// how many JWT devices): a page fetched every 2 s stays small however many
// there are.
const dashboardRows = 50

// dashboardView is the body of dashboard.html.
type dashboardView struct {
	Pins        []PinInfo      // the newest dashboardRows
	Total       int            // every stored pin
	Counts      map[string]int // by state name, for the template
	Accounts    []Account
	Clock       clockView
	Requests    []Request
	Scenarios   []string
	Default     string
	Clients     map[string]string
	Public      string
	Devices     []deviceRow // the first dashboardRows, by client identifier
	DeviceTotal int
	Keys        []keyView // the signing keys, oldest first; the last is current
	World       worldView // servers and shares (world.go)
}

// deviceRow is one JWT device as the dashboard lists it.
type deviceRow struct {
	Device
	ShortKID string // the kid, shortened to fit the table
	Expiry   string // the latest token's time left on the mock's clock
	Expired  bool
}

// shortKIDLen is how many characters of a kid the devices table shows.
const shortKIDLen = 10

func deviceRows(devices []Device, now time.Time) []deviceRow {
	rows := make([]deviceRow, 0, len(devices))
	for _, d := range devices {
		r := deviceRow{Device: d, ShortKID: d.KID}
		if kid := []rune(d.KID); len(kid) > shortKIDLen+1 { // kids are any text (WithKID)
			r.ShortKID = string(kid[:shortKIDLen]) + "…"
		}
		if n := len(d.Tokens); n > 0 {
			r.Expiry = durationLeft(d.Tokens[n-1].ExpiresAt.Sub(now))
			r.Expired = r.Expiry == "expired"
		}
		rows = append(rows, r)
	}
	return rows
}

func (p *pages) dashboardData() dashboardView {
	reqs := p.s.Requests(RequestFilter{Limit: journalRows})
	slices.Reverse(reqs)
	pins, _ := p.s.core.list(dashboardRows, cursor{})
	keys, err := p.s.keyViews()
	if err != nil {
		p.s.log.Error("dashboard: signing keys", "err", err)
	}
	devices := p.s.Devices()
	return dashboardView{
		Devices: deviceRows(devices[:min(len(devices), dashboardRows)], p.s.core.clock.Now()), DeviceTotal: len(devices), Keys: keys,
		Pins: pins, Total: p.s.core.livePins(), Counts: stateCounts(p.s.core.counts()),
		Accounts: p.s.Accounts(), Clock: p.s.clockView(), Requests: reqs,
		Scenarios: p.s.Scenarios(), Default: p.s.cfg.scenario, Clients: p.s.ClientScenarios(), Public: p.s.cfg.publicURL,
		World: p.s.worldView(),
	}
}

func (p *pages) dashboard(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "dashboard", "layout", view{
		Title: "Dashboard", Nav: "dashboard", Flash: dashboardFlash(r.URL.Query()), Body: p.dashboardData(),
	})
}

// dashboardLive is the part of the dashboard its script refreshes.
func (p *pages) dashboardLive(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "dashboard", "live", view{Body: p.dashboardData()})
}

// dashboardFlash turns the outcome a dashboard form redirected with into a
// message. Only fixed outcomes are shown, so a link cannot put text of its
// own on the page; failures read the error table.
func dashboardFlash(q url.Values) *flash {
	pin := q.Get("pin")
	if _, err := strconv.ParseInt(pin, 10, 64); err != nil {
		pin = ""
	}
	switch done := q.Get("done"); done {
	case "":
		return nil
	case "approve":
		return &flash{OK: true, Text: "Approved pin " + pin + "."}
	case "deny":
		return &flash{OK: true, Text: "Denied pin " + pin + "."}
	case "expire":
		return &flash{OK: true, Text: "Expired pin " + pin + "."}
	case "advance":
		return &flash{OK: true, Text: "Clock advanced."}
	case "freeze":
		return &flash{OK: true, Text: "Clock frozen."}
	case "resume":
		return &flash{OK: true, Text: "Clock resumed."}
	case "duration":
		return &flash{Text: "Advance by a Go duration such as 30m, 90s or 1h30m, within the clock's range."}
	case "revoke":
		return &flash{OK: true, Text: "Device revoked: its Plex JWTs and legacy token now get 401."}
	case "rotate":
		return &flash{OK: true, Text: "Signing key rotated: new Plex JWTs are signed with the current key."}
	case "nodevice":
		// ErrDeviceNotFound's row shares the "error" keyword; this one is
		// the dashboard's own, for the same row.
		return &flash{Text: describe(ErrDeviceNotFound).pageTitle("Device")}
	default:
		if f, ok := byFlash(done); ok {
			return &flash{Text: f.pageTitle("Pin " + pin)}
		}
		return &flash{Text: internalFailure.title}
	}
}

func (p *pages) dashboardPin(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	id, ok := parsePinID(vars["id"])
	if !ok {
		http.Redirect(w, r, "/?done=notfound", http.StatusSeeOther)
		return
	}
	var err error
	switch vars["action"] {
	case "approve":
		_, err = p.s.Approve(id, r.PostFormValue("account"))
	case "deny":
		_, err = p.s.Deny(id)
	case "expire":
		_, err = p.s.Expire(id)
	}
	done := vars["action"]
	if err != nil {
		done = describe(err).flash
	}
	http.Redirect(w, r, "/?done="+done+"&pin="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (p *pages) dashboardClock(w http.ResponseWriter, r *http.Request) {
	done := mux.Vars(r)["action"]
	c := p.s.core.clock
	switch done {
	case "advance":
		d, err := time.ParseDuration(strings.TrimSpace(r.PostFormValue("by")))
		if err == nil {
			err = c.Advance(d)
		}
		if err != nil {
			done = "duration"
		}
	case "freeze":
		c.Freeze()
	case "resume":
		c.Resume()
	}
	http.Redirect(w, r, "/?done="+done, http.StatusSeeOther)
}

// dashboardRevoke ends a JWT device (RevokeDevice).
func (p *pages) dashboardRevoke(w http.ResponseWriter, r *http.Request) {
	done := "revoke"
	if err := p.s.RevokeDevice(mux.Vars(r)["client"]); err != nil {
		done = describe(err).flash
		if errors.Is(err, ErrDeviceNotFound) {
			done = "nodevice"
		}
	}
	http.Redirect(w, r, "/?done="+done, http.StatusSeeOther)
}

// dashboardRotate makes a new signing key current (RotateKeys).
func (p *pages) dashboardRotate(w http.ResponseWriter, r *http.Request) {
	done := "rotate"
	if err := p.s.RotateKeys(); err != nil {
		p.s.log.Error("dashboard: rotate signing keys", "err", err)
		done = describe(err).flash
	}
	http.Redirect(w, r, "/?done="+done, http.StatusSeeOther)
}

// durationLeft renders a token's time left in its two largest units
// ("6d 23h", "4h 05m", "9m 30s"), or "expired".
func durationLeft(d time.Duration) string {
	sec := int64(d / time.Second)
	switch {
	case sec <= 0:
		return "expired"
	case sec >= 86400:
		return strconv.FormatInt(sec/86400, 10) + "d " + strconv.FormatInt(sec%86400/3600, 10) + "h"
	case sec >= 3600:
		return strconv.FormatInt(sec/3600, 10) + "h " + twoDigits(sec%3600/60) + "m"
	case sec >= 60:
		return strconv.FormatInt(sec/60, 10) + "m " + twoDigits(sec%60) + "s"
	}
	return strconv.FormatInt(sec, 10) + "s"
}

// timeLeft renders seconds as m:ss, or "expired".
func timeLeft(sec int64) string {
	if sec <= 0 {
		return "expired"
	}
	return strconv.FormatInt(sec/60, 10) + ":" + twoDigits(sec%60)
}

func twoDigits(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// clockTime renders a time of the mock's clock for the dashboard.
func clockTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05Z") }

// stateCounts keys counts by state name, which the template indexes with.
func stateCounts(m map[State]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}
