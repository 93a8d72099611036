package mock

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
)

// mockplex's own request headers.
const (
	// TokenHeader carries the control token when one is set.
	TokenHeader = "X-Mockplex-Token"
	// ScenarioHeader names a scenario for one request; it beats the
	// client's and the server's. It obeys the control API's guard: on a
	// server with a control token it needs the token, and with the control
	// API off it is refused.
	ScenarioHeader = "X-Mockplex-Scenario"
)

const (
	controlPrefix = "/__mockplex"
	// defaultPageSize and maxPageSize bound GET /__mockplex/pins.
	defaultPageSize = 100
	maxPageSize     = 1000
)

// controlRoutes is the control API's router: JSON in and out, never CORS.
// Like routes, it is built once per process, on the first control request.
var controlRoutes = sync.OnceValue(func() *mux.Router {
	r := mux.NewRouter()
	sub := r.PathPrefix(controlPrefix).Subrouter()
	handle := func(path string, h endpoint, methods ...string) {
		sub.Handle(path, h).Methods(methods...)
		// Any other method on the path gets the control API's 405. (A
		// subrouter's MethodNotAllowedHandler is not reached: gorilla/mux
		// falls through to its NotFoundHandler.)
		allow := strings.Join(methods, ", ")
		sub.Handle(path, endpoint(func(s *Server, x *exchange) {
			x.w.Header().Set("Allow", allow)
			x.controlFail(errorf(errMethod, "%s %s takes %s", x.r.Method, x.r.URL.Path, allow))
		}))
	}
	handle("/pins", ctlPins, http.MethodGet)
	handle("/pins/{id}", ctlPin, http.MethodGet)
	handle("/pins/{id}/{action:approve|deny|expire}", ctlPinAction, http.MethodPost)
	handle("/reset", ctlReset, http.MethodPost)
	handle("/world", ctlWorld, http.MethodGet, http.MethodPut)
	handle("/requests", ctlRequests, http.MethodGet, http.MethodDelete)
	handle("/accounts", ctlAccounts, http.MethodGet)
	handle("/scenarios", ctlScenarios, http.MethodGet)
	// A client identifier may hold a slash: the pattern takes the rest of
	// the path up to /scenario.
	handle("/clients/{client:.+}/scenario", ctlClientScenario, http.MethodGet, http.MethodPut, http.MethodDelete)
	handle("/devices", ctlDevices, http.MethodGet)
	handle("/devices/{client:.+}/revoke", ctlRevoke, http.MethodPost)
	handle("/keys", ctlKeys, http.MethodGet)
	handle("/keys/rotate", ctlRotate, http.MethodPost)
	handle("/clock", ctlClock, http.MethodGet)
	handle("/clock/{action:advance|freeze|resume}", ctlClockAction, http.MethodPost)
	return r
})

// serveControl guards the control API and dispatches to its routes.
func serveControl(s *Server, x *exchange) {
	if err := s.guard(x.r); err != nil {
		x.controlFail(err)
		return
	}
	if !crossOriginOK(x.r) {
		x.controlFail(errorf(errControlHost, "cross-site request refused (Origin %q, Sec-Fetch-Site %q); call the control API from test code or curl, which send neither", x.r.Header.Get("Origin"), x.r.Header.Get("Sec-Fetch-Site")))
		return
	}
	ep, r := match(controlRoutes(), x.r)
	x.r = r
	if ep == nil {
		x.controlFail(errorf(errRouteNotFound, "no control route %s %s; see docs/control-api.md for the routes", r.Method, r.URL.Path))
		return
	}
	ep(s, x)
}

// crossOrigin is the control API's protection against cross-site requests
// (a page a developer visits posting to localhost): the same check the
// pages' forms make. Requests that send neither Sec-Fetch-Site nor Origin
// (test code, curl) pass.
var crossOrigin = sync.OnceValue(http.NewCrossOriginProtection)

func crossOriginOK(r *http.Request) bool { return crossOrigin().Check(r) == nil }

// guard is the control API's rule, which the pages and X-Mockplex-Scenario
// obey too: refused when the control API is off; with a control token, the
// token (X-Mockplex-Token, Authorization: Bearer, or the pages' cookie),
// checked in constant time; without one, a loopback Host when the server
// asks for it (Config.LoopbackHosts).
func (s *Server) guard(r *http.Request) error {
	switch {
	case !s.cfg.control:
		return errControlOff
	case s.cfg.controlToken != "":
		if !s.tokenOK(requestToken(r)) {
			return errControlToken
		}
	case !s.hostAllowed(r.Host):
		return errControlHost
	}
	return nil
}

// hostAllowed reports whether an unguarded control API may answer a
// request for host: with Config.LoopbackHosts, only loopback names,
// plex.tv's names and the public URL's host.
func (s *Server) hostAllowed(host string) bool {
	if !s.cfg.ops.LoopbackHosts {
		return true
	}
	host = hostname(host)
	// plex.tv's names reach loopback only when the developer maps them
	// (TLS mode, tls.go); a page cannot rebind them.
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || isPlexHost(host) {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	if u, err := url.Parse(s.cfg.publicURL); err == nil && u.Host != "" {
		return hostname(u.Host) == host
	}
	return false
}

// hostname is host without its port, lower case, without a final dot.
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

// guardScenario is X-Mockplex-Scenario's guard: the control API's, with
// two differences. Only the headers carry the token, never the pages'
// cookie, which a browser attaches to requests other pages make; and any
// request but a preflight that a browser says another origin made is
// refused, GETs included, since a poll under a scenario reads a token.
func (s *Server) guardScenario(r *http.Request) error {
	if err := s.guard(r); err != nil {
		return errScenarioGuarded
	}
	if s.cfg.controlToken != "" && !s.tokenOK(headerToken(r)) {
		return errorf(errScenarioGuarded, "mockplex: %s needs the control token in %s or Authorization: Bearer; the pages' cookie does not count", ScenarioHeader, TokenHeader)
	}
	// A preflight reads and changes nothing (and a browser's carries no
	// X-Mockplex-Scenario; test code that sends one with an Origin is
	// testing the scenario's CORS answers).
	if r.Method != http.MethodOptions && !sameOrigin(r) {
		return errorf(errScenarioGuarded, "mockplex: %s refused from another origin (Origin %q, Sec-Fetch-Site %q); send it from test code or curl", ScenarioHeader, r.Header.Get("Origin"), r.Header.Get("Sec-Fetch-Site"))
	}
	return nil
}

// sameOrigin reports whether r was not sent by a page of another origin:
// Sec-Fetch-Site, when sent, is same-origin or none, and Origin, when
// sent, names r's own host. Test code and curl send neither.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	return true
}

// tokenOK compares got with the control token in constant time.
func (s *Server) tokenOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.controlToken)) == 1
}

// requestToken finds a control token in r: its headers, else the pages'
// cookie.
func requestToken(r *http.Request) string {
	if got := headerToken(r); got != "" {
		return got
	}
	if c, err := r.Cookie(tokenCookie); err == nil {
		return c.Value
	}
	return ""
}

// headerToken finds a control token in r's headers.
func headerToken(r *http.Request) string {
	if got := r.Header.Get(TokenHeader); got != "" {
		return got
	}
	// The scheme name is case-insensitive (RFC 9110 §11.1).
	if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(cred)
	}
	return ""
}

func ctlPinID(x *exchange) (int64, bool) {
	raw := mux.Vars(x.r)["id"]
	id, ok := parsePinID(raw)
	if !ok {
		x.controlFail(errorf(errBadPinID, "pin id must be a positive integer, got %q", raw))
	}
	return id, ok
}

// pinsPage is GET /__mockplex/pins's paging: the body stays a JSON array,
// newest first; X-Total-Count has every stored pin and a Link header the
// next page (RFC 8288), as GitHub's API does.
func ctlPins(s *Server, x *exchange) {
	q := x.r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		x.controlFail(err)
		return
	}
	var cur cursor
	if v := q.Get("cursor"); v != "" {
		if cur, err = parseCursor(v); err != nil {
			x.controlFail(err)
			return
		}
	}
	page, next := s.core.list(limit, cur)
	h := x.w.Header()
	h.Set("X-Total-Count", strconv.Itoa(s.core.livePins()))
	if next != (cursor{}) {
		h.Set("Link", fmt.Sprintf(`<%s/pins?limit=%d&cursor=%s>; rel="next"`, controlPrefix, limit, next.String()))
	}
	x.control(http.StatusOK, page)
}

// pageLimit reads a listing's limit query parameter ("" is the default).
func pageLimit(v string) (int, error) {
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, errorf(errBadRequest, "query limit must be 1 to %d, got %q", maxPageSize, v)
	}
	return n, nil
}

// String encodes a cursor for a URL.
func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(c.seq, 10)))
}

func parseCursor(s string) (cursor, error) {
	bad := errorf(errBadRequest, "query cursor %q is not one this server gave; take it from the Link header", s)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	seq, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil || seq == 0 {
		return cursor{}, bad
	}
	return cursor{seq: seq}, nil
}

func ctlPin(s *Server, x *exchange) {
	id, ok := ctlPinID(x)
	if !ok {
		return
	}
	info, err := s.PinInfo(id)
	if err != nil {
		x.controlFail(err)
		return
	}
	x.control(http.StatusOK, info)
}

// approveBody is the optional body of POST /__mockplex/pins/{id}/approve.
type approveBody struct {
	Account         string `json:"account"`
	NewRegistration bool   `json:"newRegistration"`
}

func ctlPinAction(s *Server, x *exchange) {
	id, ok := ctlPinID(x)
	if !ok {
		return
	}
	var info PinInfo
	var err error
	switch mux.Vars(x.r)["action"] {
	case "approve":
		var body approveBody
		if err := decodeOptionalJSON(x.r, &body, `{"account":"username"}`); err != nil {
			x.controlFail(err)
			return
		}
		info, err = s.core.approve(id, body.Account, body.NewRegistration)
		if errors.Is(err, ErrAccountNotFound) {
			err = fmt.Errorf("%w; GET %s/accounts lists them", err, controlPrefix)
		}
	case "deny":
		info, err = s.Deny(id)
	case "expire":
		info, err = s.Expire(id)
	}
	if err != nil {
		x.controlFail(err)
		return
	}
	x.control(http.StatusOK, info)
}

// decodeOptionalJSON decodes a JSON body into v; an empty body is fine.
func decodeOptionalJSON(r *http.Request, v any, example string) error {
	body, err := readBody(r.Body)
	if err != nil {
		return err
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errorf(errBadBody, "body must be a JSON object like %s: %v", example, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errorf(errBadBody, "body must be one JSON object like %s, with nothing after it", example)
	}
	return nil
}

func ctlReset(s *Server, x *exchange) {
	s.Reset()
	x.WriteHeader(http.StatusNoContent)
}

// ctlRequests lists (GET) or clears (DELETE) the journal. Filters: method,
// path (a prefix), client, scenario, status, pin, limit.
func ctlRequests(s *Server, x *exchange) {
	if x.r.Method == http.MethodDelete {
		s.ClearRequests()
		x.WriteHeader(http.StatusNoContent)
		return
	}
	q := x.r.URL.Query()
	f := RequestFilter{
		Method: q.Get("method"), PathPrefix: q.Get("path"), ClientIdentifier: q.Get("client"),
		Scenario: q.Get("scenario"),
	}
	for name, dst := range map[string]*int{"status": &f.Status, "limit": &f.Limit} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				x.controlFail(errorf(errBadRequest, "query %s must be a non-negative integer, got %q", name, v))
				return
			}
			*dst = n
		}
	}
	if v := q.Get("pin"); v != "" {
		id, ok := parsePinID(v)
		if !ok {
			x.controlFail(errorf(errBadRequest, "query pin must be a pin id, got %q", v))
			return
		}
		f.PinID = id
	}
	x.control(http.StatusOK, s.Requests(f))
}

func ctlAccounts(s *Server, x *exchange) { x.control(http.StatusOK, s.Accounts()) }

func ctlScenarios(s *Server, x *exchange) {
	x.control(http.StatusOK, map[string]any{
		"default": s.cfg.scenario, "known": s.Scenarios(), "clients": s.ClientScenarios(),
	})
}

type scenarioBody struct {
	Scenario string `json:"scenario"`
}

func ctlClientScenario(s *Server, x *exchange) {
	client := mux.Vars(x.r)["client"]
	switch x.r.Method {
	case http.MethodGet:
		x.control(http.StatusOK, scenarioBody{Scenario: s.core.clientScenario(client)})
		return
	case http.MethodDelete:
		_ = s.core.setClientScenario(client, "")
		x.WriteHeader(http.StatusNoContent)
		return
	}
	var body scenarioBody
	if err := decodeOptionalJSON(x.r, &body, `{"scenario":"NAME"}`); err != nil {
		x.controlFail(err)
		return
	}
	if err := s.SetClientScenario(client, body.Scenario); err != nil {
		x.controlFail(err)
		return
	}
	x.control(http.StatusOK, body)
}

// clockView is the control API's view of the clock.
type clockView struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
	Offset string    `json:"offset"`
}

func (s *Server) clockView() clockView {
	c := s.core.clock
	return clockView{Now: c.Now(), Frozen: c.Frozen(), Offset: c.Offset().Round(time.Millisecond).String()}
}

func ctlClock(s *Server, x *exchange) { x.control(http.StatusOK, s.clockView()) }

func ctlClockAction(s *Server, x *exchange) {
	c := s.core.clock
	switch mux.Vars(x.r)["action"] {
	case "advance":
		by := x.r.URL.Query().Get("by")
		d, err := time.ParseDuration(by)
		if err != nil {
			x.controlFail(errorf(errBadRequest, "query by must be a Go duration such as 30m or 90s, got %q", by))
			return
		}
		if err := c.Advance(d); err != nil {
			x.controlFail(err)
			return
		}
	case "freeze":
		c.Freeze()
	case "resume":
		c.Resume()
	}
	x.control(http.StatusOK, s.clockView())
}

// ctlDevices is GET /__mockplex/devices, paged as GET /__mockplex/pins is:
// by client identifier; the cursor is the last identifier of the page.
func ctlDevices(s *Server, x *exchange) {
	q := x.r.URL.Query()
	limit, err := pageLimit(q.Get("limit"))
	if err != nil {
		x.controlFail(err)
		return
	}
	after, err := parseDeviceCursor(q.Get("cursor"))
	if err != nil {
		x.controlFail(err)
		return
	}
	page, total := s.core.devicePage(limit+1, after)
	h := x.w.Header()
	h.Set("X-Total-Count", strconv.Itoa(total))
	if len(page) > limit {
		page = page[:limit]
		next := deviceCursor(page[limit-1].ClientIdentifier)
		h.Set("Link", fmt.Sprintf(`<%s/devices?limit=%d&cursor=%s>; rel="next"`, controlPrefix, limit, next))
	}
	x.control(http.StatusOK, page)
}

// deviceCursor is the cursor of the device listing's page after client.
func deviceCursor(client string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(client))
}

// parseDeviceCursor reads a device listing's cursor ("" is the start).
func parseDeviceCursor(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) == 0 || checkClientID(string(raw)) != nil {
		return "", errorf(errBadRequest, "query cursor %q is not one this server gave; take it from the Link header", s)
	}
	return string(raw), nil
}

func ctlRevoke(s *Server, x *exchange) {
	if err := s.RevokeDevice(mux.Vars(x.r)["client"]); err != nil {
		x.controlFail(err)
		return
	}
	x.WriteHeader(http.StatusNoContent)
}

// keyView is the control API's view of a signing key.
type keyView struct {
	KID         string     `json:"kid"`
	Current     bool       `json:"current"`
	CreatedAt   time.Time  `json:"createdAt"`
	RetiredAt   *time.Time `json:"retiredAt,omitempty"`
	SignedUntil *time.Time `json:"signedUntil,omitempty"`
}

func (s *Server) keyViews() ([]keyView, error) {
	keys, err := s.core.keySet()
	if err != nil {
		return nil, err
	}
	var out []keyView
	for _, k := range keys.Keys() {
		v := keyView{KID: k.KID, Current: k.Current, CreatedAt: k.CreatedAt}
		if !k.RetiredAt.IsZero() {
			t := k.RetiredAt
			v.RetiredAt = &t
		}
		if !k.SignedUntil.IsZero() {
			t := k.SignedUntil
			v.SignedUntil = &t
		}
		out = append(out, v)
	}
	return out, nil
}

func ctlKeys(s *Server, x *exchange) {
	keys, err := s.keyViews()
	if err != nil {
		x.controlFail(err)
		return
	}
	x.control(http.StatusOK, keys)
}

func ctlRotate(s *Server, x *exchange) {
	if err := s.RotateKeys(); err != nil {
		x.controlFail(err)
		return
	}
	ctlKeys(s, x)
}
