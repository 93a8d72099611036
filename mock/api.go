package mock

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockplex/mockplex/scenarios"
)

// call is one request to plex.tv's API surface, with what every handler
// needs already worked out.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	rec    *recorder
	p      *params
	format Format
	now    time.Time
	client string
	script *scenarios.Script
	cors   bool
}

// api adapts a handler of plex.tv's API: it merges the request's
// parameters, negotiates the format, picks the scenario, and sets CORS
// headers.
func (s *Server) api(h func(*call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The control API never gets CORS headers, not even on the 405
		// answer this adapter renders for it.
		c := &call{s: s, w: w, r: r, now: s.clock.Now(), cors: !strings.HasPrefix(r.URL.Path, controlPrefix)}
		c.rec, _ = w.(*recorder)
		c.format = Negotiate(r.URL.Path, r.Header.Values("Accept"), s.cfg.legacyAccept)
		if c.rec != nil {
			c.rec.entry.Format = formatName(c.format)
		}
		h2 := w.Header()
		h2.Set("Cache-Control", "max-age=0, private, must-revalidate")
		h2.Set("Vary", "Origin")
		if origin := r.Header.Get("Origin"); origin != "" && c.cors {
			h2.Set("Access-Control-Allow-Origin", origin)
			h2.Set("Access-Control-Allow-Credentials", "true")
			h2.Set("Access-Control-Expose-Headers", "Location, Retry-After, X-Request-Id")
		}
		// A body announced larger than the limit is refused before reading:
		// waiting for bytes a client will never send would hold the
		// connection until the read timeout.
		if r.ContentLength > s.cfg.maxBody {
			c.p = &params{header: r.Header}
			c.fail(errBodyTooLarge)
			return
		}
		p, err := readParams(r)
		if err != nil {
			c.p = &params{header: r.Header}
			c.fail(toAPIError(err))
			return
		}
		c.p = p
		c.client = p.get(hClientID)
		if c.rec != nil {
			c.rec.entry.ClientIdentifier = c.client
			c.rec.entry.Product = p.get(hProduct)
		}
		c.script, err = s.selectScript(r.Header.Get(ScenarioHeader), c.client)
		if err != nil {
			c.fail(toAPIError(err))
			return
		}
		if c.script != nil && c.rec != nil {
			c.rec.entry.Scenario = c.script.Name
		}
		h(c)
	})
}

func formatName(f Format) string {
	if f == JSON {
		return "json"
	}
	return "xml"
}

// event starts a scenario event for this request.
func (c *call) event(op scenarios.Op) scenarios.Event {
	ev := scenarios.Event{
		Op: op, Method: c.r.Method, Path: c.r.URL.Path, Header: c.r.Header, Now: c.now, Rand: c.s.rand,
	}
	return ev
}

// evaluate runs the request's scenario, if any, counting the request for
// the client's triggers.
func (c *call) evaluate(ev scenarios.Event) scenarios.Decision {
	if c.script == nil {
		return scenarios.Decision{}
	}
	if c.client != "" {
		ev.ClientRequests, ev.ClientPolls, ev.SinceLastPoll = c.s.clients.touch(c.client, c.now, ev.Op == scenarios.OpPoll)
	}
	d := c.script.Evaluate(ev)
	if d.CORS != nil && !*d.CORS {
		c.cors = false
		h := c.w.Header()
		for _, k := range [...]string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers"} {
			h.Del(k)
		}
	}
	return d
}

// answered carries out a decision's transport effects (delay, fault, a
// scripted response) and reports whether the request is done.
func (c *call) answered(d scenarios.Decision) bool {
	if d.Delay > 0 {
		t := time.NewTimer(d.Delay)
		select {
		case <-t.C:
			c.now = c.s.clock.Now()
		case <-c.r.Context().Done():
			t.Stop()
			return true
		}
	}
	if d.Fault != scenarios.FaultNone {
		c.fault(d.Fault)
		return true
	}
	if resp := d.Respond; resp != nil {
		h := c.w.Header()
		for k, v := range resp.Header {
			h.Set(k, v)
		}
		if resp.RetryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(int((resp.RetryAfter+time.Second-1)/time.Second)))
		}
		if resp.Code == 0 {
			c.w.WriteHeader(resp.Status)
			return true
		}
		msg := resp.Message
		if msg == "" {
			msg = http.StatusText(resp.Status)
		}
		c.fail(apiError{Status: resp.Status, Code: resp.Code, Message: msg})
		return true
	}
	return false
}

// fault misbehaves at the transport level, as the flaky scenario asks.
func (c *call) fault(f scenarios.Fault) {
	if c.rec != nil {
		c.rec.entry.Fault = string(f)
	}
	switch f {
	case scenarios.FaultMalformed:
		body := `{"id":12`
		ct := contentTypeJSON
		if c.format == XML {
			body, ct = xmlHeader+`<pin id="12`, contentTypeXML
		}
		c.w.Header().Set("Content-Type", ct)
		c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		c.w.WriteHeader(http.StatusOK)
		_, _ = c.w.Write([]byte(body))
		return
	}
	conn, buf, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		// In-process (httptest.ResponseRecorder) or over HTTP/2 there is
		// no connection to cut: the fault becomes a 500 that says so.
		c.fail(apiError{http.StatusInternalServerError, http.StatusInternalServerError,
			"mockplex: fault " + string(f) + " needs an HTTP/1.1 connection to cut; this response writer cannot be hijacked"})
		return
	}
	defer conn.Close()
	switch f {
	case scenarios.FaultReset:
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
	case scenarios.FaultEmpty:
		writeEmptyResponse(buf)
	}
}

// writeEmptyResponse promises a body and sends none: the client sees the
// connection close mid-response.
func writeEmptyResponse(buf *bufio.ReadWriter) {
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 512\r\nConnection: close\r\n\r\n")
	_ = buf.Flush()
}

// fail writes plex.tv's error envelope.
func (c *call) fail(e apiError) {
	switch {
	case e.Status == http.StatusUnauthorized:
		c.w.Header().Set("WWW-Authenticate", `X-Plex-Token realm="plex.tv"`)
	case e.Code == codeTooManyPins:
		// The pin cap frees up as pins expire and the sweeper runs; a
		// client that honours Retry-After backs off instead of hammering.
		c.w.Header().Set("Retry-After", strconv.Itoa(tooManyPinsRetryAfter))
	}
	writeError(c.w, c.format, e)
}

// sendPin writes a pin in the negotiated format.
func (c *call) sendPin(status int, p Pin) {
	if c.rec != nil {
		c.rec.entry.PinID = p.ID
	}
	write(c.w, c.format, status, &p, p.xml())
}

func (s *Server) handleCreate(c *call) {
	if c.client == "" {
		c.fail(errMissingClientID)
		return
	}
	d := c.evaluate(c.event(scenarios.OpCreate))
	if c.answered(d) {
		return
	}
	p, err := s.createPin(c.now, c.client, c.p.get(hProduct), c.p.flag("strong"), false, scriptName(c.script), d.Set)
	if err != nil {
		c.fail(toAPIError(err))
		return
	}
	s.log.LogAttrs(c.r.Context(), slog.LevelDebug, "pin created", slog.Int64("pin", p.id), slog.String("client", c.client))
	c.sendPin(http.StatusCreated, s.wire(&p, c.now))
}

// parsePinID reads a pin id from a path segment, allowing a .json suffix.
func parsePinID(seg string) (id int64, ok bool) {
	seg = strings.TrimSuffix(seg, ".json")
	id, err := strconv.ParseInt(seg, 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) handlePoll(c *call) {
	id, ok := parsePinID(mux.Vars(c.r)["id"])
	if !ok {
		c.fail(errBadPinID)
		return
	}
	if c.client == "" {
		c.fail(errMissingClientID)
		return
	}
	s.pollCommon(c, id, func(p Pin) { c.sendPin(http.StatusOK, p) })
}

// pollCommon runs a poll through the scenario and the store; send writes a
// found pin (v2 or v1 shape).
func (s *Server) pollCommon(c *call, id int64, send func(Pin)) {
	if c.rec != nil {
		c.rec.entry.PinID = id // journaled even when the poll fails, so ?pin= shows the 404s
	}
	ev := c.event(scenarios.OpPoll)
	snap, found := s.pins.get(id)
	owned := found && snap.clientID == c.client && s.live(&snap, c.now)
	if owned {
		ev.HasPin, ev.PinCreated = true, time.Unix(snap.createdAt, 0).UTC()
		ev.Polls, ev.Claimed = int(snap.polls)+1, snap.token != ""
	}
	d := c.evaluate(ev)
	if owned {
		s.applyState(id, d)
	}
	if c.answered(d) {
		return
	}
	p, err := s.Poll(id, c.client)
	if err != nil {
		c.fail(toAPIError(err))
		return
	}
	send(p)
	if d.ExpireAfterResponse && p.AuthToken != nil {
		_, _ = s.Expire(id)
	}
}

// applyState carries out a decision's effects on a pin.
func (s *Server) applyState(id int64, d scenarios.Decision) {
	now := s.clock.Now()
	if d.Approve != nil {
		acc, _ := s.accounts.find("")
		switch d.Approve.Account {
		case "":
		case "new":
			acc = nil // claim creates it
		default:
			if named, ok := s.accounts.find(d.Approve.Account); ok {
				acc = named
			}
		}
		if snap, ok := s.pins.get(id); ok && snap.token == "" && !snap.denied {
			_, _ = s.claim(id, acc, d.Approve.NewRegistration)
		}
	}
	if !d.Deny && !d.Expire && d.ExpireIn == 0 && len(d.Set) == 0 {
		return
	}
	_ = s.pins.update(id, func(p *pin) error {
		if d.Deny && p.token == "" {
			p.denied = true
		}
		if d.ExpireIn > 0 {
			p.expiresAt = min(p.expiresAt, now.Add(d.ExpireIn).Unix())
		}
		if d.Expire {
			p.expiresAt = now.Unix()
		}
		set := d.Set
		if _, hasID := set["id"]; hasID {
			set = withoutKey(set, "id") // an id is chosen at create only
		}
		applyPinSet(p, set, s.rand)
		return nil
	})
}

func withoutKey(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

func (s *Server) handleLink(c *call) {
	if c.client == "" {
		c.fail(errMissingClientID)
		return
	}
	d := c.evaluate(c.event(scenarios.OpLink))
	if c.answered(d) {
		return
	}
	acc, ok := s.accounts.byTok(c.p.get(hToken))
	if !ok {
		c.fail(errUnauthorized)
		return
	}
	code := c.p.get("code")
	id, ok := s.pins.byCode(code)
	if !ok || len(code) != 4 {
		c.fail(errPinNotFound)
		return
	}
	if c.rec != nil {
		c.rec.entry.PinID = id
	}
	if _, err := s.claim(id, acc, false); err != nil {
		if errors.Is(err, ErrPinDenied) || errors.Is(err, ErrPinClaimed) {
			err = ErrPinNotFound
		}
		c.fail(toAPIError(err))
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}

// tokenAccount finds the account of the request's X-Plex-Token, or answers
// 401 with code 1001.
func (c *call) tokenAccount(op scenarios.Op) (*Account, bool) {
	d := c.evaluate(c.event(op))
	if c.answered(d) {
		return nil, false
	}
	acc, ok := c.s.accounts.byTok(c.p.get(hToken))
	if !ok {
		c.fail(errUnauthorized)
		return nil, false
	}
	return acc, true
}

func (s *Server) handleUser(c *call) {
	acc, ok := c.tokenAccount(scenarios.OpUser)
	if !ok {
		return
	}
	u := acc.userJSON(c.now)
	write(c.w, c.format, http.StatusOK, &u, acc.userXML(c.now))
}

func (s *Server) handleAccount(c *call) {
	acc, ok := c.tokenAccount(scenarios.OpUser)
	if !ok {
		return
	}
	a := acc.accountJSON()
	write(c.w, c.format, http.StatusOK, &a, acc.userXML(c.now))
}

// pong is GET /api/v2/ping's body: {"pong":true}, or <pong>true</pong>,
// which python-plexapi reads as the root element's text.
type pong struct {
	XMLName struct{} `json:"-" xml:"pong"`
	Pong    bool     `json:"pong" xml:",chardata"`
}

func (s *Server) handlePing(c *call) {
	if _, ok := c.tokenAccount(scenarios.OpPing); !ok {
		return
	}
	v := pong{Pong: true}
	write(c.w, c.format, http.StatusOK, &v, &v)
}

func (s *Server) handleV1Create(c *call) {
	if c.client == "" {
		c.fail(errMissingClientID)
		return
	}
	c.format = XML
	d := c.evaluate(c.event(scenarios.OpCreate))
	if c.answered(d) {
		return
	}
	p, err := s.createPin(c.now, c.client, c.p.get(hProduct), false, true, scriptName(c.script), d.Set)
	if err != nil {
		c.fail(toAPIError(err))
		return
	}
	base := "https://plex.tv"
	if s.cfg.publicURL != "" {
		base = s.cfg.publicURL
	}
	c.w.Header().Set("Location", base+"/pins/"+formatInt(p.id))
	if c.rec != nil {
		c.rec.entry.PinID = p.id
	}
	v := s.wire(&p, c.now)
	write(c.w, XML, http.StatusCreated, nil, v.v1(0))
}

func scriptName(sc *scenarios.Script) string {
	if sc == nil {
		return ""
	}
	return sc.Name
}

func (s *Server) handleV1Poll(c *call) {
	c.format = XML
	id, ok := parsePinID(mux.Vars(c.r)["id"])
	if !ok {
		c.fail(errBadPinID)
		return
	}
	if c.client == "" {
		c.fail(errMissingClientID)
		return
	}
	s.pollCommon(c, id, func(p Pin) {
		var userID int64
		if p.AuthToken != nil {
			if acc, ok := s.accounts.byTok(*p.AuthToken); ok {
				userID = acc.ID
			}
		}
		if c.rec != nil {
			c.rec.entry.PinID = p.ID
		}
		write(c.w, XML, http.StatusOK, nil, p.v1(userID))
	})
}

func (s *Server) handleQR(c *call) {
	d := c.evaluate(c.event(scenarios.OpQR))
	if c.answered(d) {
		return
	}
	code := mux.Vars(c.r)["code"]
	info, err := s.PinByCode(code)
	if err != nil || info.State == Expired {
		c.fail(errPinNotFound)
		return
	}
	png, err := qrPNG(s.linkURL(info.Code))
	if err != nil {
		c.fail(errInternal)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(png)
	}
}

func (s *Server) handlePreflight(c *call) {
	path := c.r.URL.Path
	if strings.HasPrefix(path, controlPrefix) || !isPlexPath(path) {
		c.w.Header().Del("Access-Control-Allow-Origin")
		c.w.Header().Del("Access-Control-Allow-Credentials")
		c.w.Header().Del("Access-Control-Expose-Headers")
		c.w.WriteHeader(http.StatusForbidden)
		return
	}
	d := c.evaluate(c.event(scenarios.OpOptions))
	if !c.cors {
		c.w.WriteHeader(http.StatusForbidden)
		return
	}
	if c.answered(d) {
		return
	}
	h := c.w.Header()
	if c.r.Header.Get("Origin") == "" {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	if req := c.r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "Accept, Content-Type, X-Plex-Client-Identifier, X-Plex-Product, X-Plex-Version, X-Plex-Platform, X-Plex-Platform-Version, X-Plex-Device, X-Plex-Device-Name, X-Plex-Model, X-Plex-Token")
	}
	h.Set("Access-Control-Max-Age", "86400")
	c.w.WriteHeader(http.StatusNoContent)
}

// isPlexPath reports whether path is in plex.tv's namespace as mocked.
func isPlexPath(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/users/") || strings.HasPrefix(path, "/pins")
}

func (s *Server) handleNotFound(c *call) { c.fail(errRouteNotFound) }

// handleMethodNotAllowed answers 405 with the Allow header RFC 9110 §15.5.6
// asks for: the methods the router would take on this path.
func (s *Server) handleMethodNotAllowed(c *call) {
	c.w.Header().Set("Allow", strings.Join(s.allowedMethods(c.r), ", "))
	c.fail(errMethod)
}

// allowedMethods asks the router which methods match r's path.
func (s *Server) allowedMethods(r *http.Request) []string {
	var allowed []string
	for _, m := range [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		probe := r.WithContext(r.Context()) // a shallow copy
		probe.Method = m
		var match mux.RouteMatch
		if s.router.Match(probe, &match) && match.MatchErr == nil {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeControl(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	writeControl(w, http.StatusOK, map[string]string{"status": "ready", "live_pins": strconv.Itoa(s.pins.len())})
}
