package mock

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
	"github.com/mockplex/mockplex/scenarios"
)

// The adapters of plex.tv's API: each parses its request, calls the core,
// and hands the outcome to the exchange, which renders it.

// api makes an endpoint of a plex.tv handler: it negotiates the format,
// sets CORS headers, merges the request's parameters and picks its
// scenario before the handler runs.
func api(h func(s *Server, x *exchange)) endpoint {
	return func(s *Server, x *exchange) {
		r := x.r
		// The control API never gets CORS headers, not even on the 405
		// answer this adapter renders for it.
		x.cors = !strings.HasPrefix(r.URL.Path, controlPrefix)
		x.format = negotiate(r.URL.Path, r.Header.Values("Accept"), s.cfg.ops.LegacyAccept)
		x.entry.Format = formatName(x.format)
		hd := x.w.Header()
		hd["Cache-Control"] = s.consts.cacheControl // canonical keys, values shared read-only
		hd["Vary"] = s.consts.vary
		if origin := r.Header.Get("Origin"); origin != "" && x.cors {
			hd.Set("Access-Control-Allow-Origin", origin)
			hd.Set("Access-Control-Allow-Credentials", "true")
			hd.Set("Access-Control-Expose-Headers", "Location, Retry-After, X-Request-Id")
		}
		x.pv = params{header: r.Header}
		x.p = &x.pv
		if x.bodyErr != nil { // refused before reading (limitBody)
			x.fail(x.bodyErr)
			return
		}
		if err := x.pv.read(r); err != nil {
			x.fail(err)
			return
		}
		p := x.p
		client, err := p.clientID()
		if err != nil {
			x.fail(err)
			return
		}
		x.req = request{method: r.Method, path: r.URL.Path, header: r.Header, client: client}
		x.entry.ClientIdentifier = client
		x.entry.Product = productName(p.get(hProduct))
		name := r.Header.Get(ScenarioHeader)
		if name != "" {
			if err := s.guardScenario(r); err != nil {
				x.fail(err)
				return
			}
		}
		x.req.script, err = s.core.selectScript(name, client)
		if err != nil {
			x.fail(err)
			return
		}
		x.entry.Scenario = scriptName(x.req.script)
		h(s, x)
	}
}

func formatName(f format) string {
	if f == jsonFormat {
		return "json"
	}
	return "xml"
}

// parsePinID reads a pin id from a path segment, allowing a .json suffix.
func parsePinID(seg string) (id int64, ok bool) {
	seg = strings.TrimSuffix(seg, ".json")
	id, err := strconv.ParseInt(seg, 10, 64)
	return id, err == nil && id > 0
}

func handleCreate(s *Server, x *exchange) {
	q := createReq{request: x.req, product: x.p.get(hProduct), strong: x.p.flag("strong")}
	if v := jsonFold(x.p.json, "jwk"); v != nil {
		key, err := s.core.pinKey(v, x.req.client)
		if err != nil {
			x.fail(err)
			return
		}
		q.jwk = key
	}
	p, d, err := s.core.create(q)
	if x.transport(d) {
		return
	}
	if err != nil {
		x.fail(err)
		return
	}
	pin := s.core.created(&p)
	x.replyPin(http.StatusCreated, pin)
}

func handlePoll(s *Server, x *exchange) {
	if p, ok := pollPin(s, x); ok {
		x.replyPin(http.StatusOK, p)
	}
}

// pollPin reads the poll's pin id and client (v2 and v1 alike), runs the
// poll through the core and the decision's transport effects, and returns
// the pin to send, rendered when the answer goes out. It answers the
// failures itself.
func pollPin(s *Server, x *exchange) (Pin, bool) {
	id, ok := parsePinID(x.pinIDSegment())
	if !ok {
		x.fail(errBadPinID)
		return Pin{}, false
	}
	if x.req.client == "" {
		x.fail(errMissingClientID)
		return Pin{}, false
	}
	x.entry.PinID = id // journaled even when the poll fails, so ?pin= shows the 404s
	res, d, err := s.core.poll(id, x.p.get("deviceJWT"), x.req)
	if x.transport(d) {
		return Pin{}, false
	}
	now := s.core.clock.Now()
	if err == nil && !s.core.readable(&res.pin, now) {
		err = ErrPinNotFound // it expired during a scripted delay
	}
	if err != nil {
		x.fail(err)
		return Pin{}, false
	}
	return s.core.wire(&res.pin, now), true
}

// pinIDSegment returns the request's {id} path segment.
func (x *exchange) pinIDSegment() string {
	if x.pathID != "" {
		return x.pathID
	}
	return mux.Vars(x.r)["id"]
}

func handleLink(s *Server, x *exchange) {
	id, d, err := s.core.link(x.p.get("code"), x.p.get(hToken), x.req)
	x.entry.PinID = id
	if x.transport(d) {
		return
	}
	if err != nil {
		x.fail(err)
		return
	}
	x.WriteHeader(http.StatusNoContent)
}

func handleUser(s *Server, x *exchange) {
	acc, d, err := s.core.account(x.p.get(hToken), scenarios.OpUser, x.req)
	if x.transport(d) {
		return
	}
	if err != nil {
		x.fail(err)
		return
	}
	now := s.core.clock.Now()
	u := acc.userJSON(now)
	s.homeRole(acc).apply(&u) // a Plex Home profile's identity (home.go)
	x.reply(http.StatusOK, bodies{json: &u, xml: userXMLOf(u)})
}

func handleAccount(s *Server, x *exchange) {
	if x.r.URL.Path == "/users/account" {
		x.format = xmlFormat // v1: XML whatever Accept says; only .json is JSON (addendum §3.1)
	}
	acc, d, err := s.core.account(x.p.get(hToken), scenarios.OpUser, x.req)
	if x.transport(d) {
		return
	}
	if err != nil {
		x.fail(err)
		return
	}
	a := acc.accountJSON()
	x.reply(http.StatusOK, bodies{json: &a, xml: acc.userXML(s.core.clock.Now())})
}

// pong is GET /api/v2/ping's body: {"pong":true}, or <pong>true</pong>,
// which python-plexapi reads as the root element's text.
type pong struct {
	XMLName struct{} `json:"-" xml:"pong"`
	Pong    bool     `json:"pong" xml:",chardata"`
}

func handlePing(s *Server, x *exchange) {
	_, d, err := s.core.account(x.p.get(hToken), scenarios.OpPing, x.req)
	x.answer(d, err, http.StatusOK, &pong{Pong: true})
}

func handleV1Create(s *Server, x *exchange) {
	x.format = xmlFormat
	p, d, err := s.core.create(createReq{request: x.req, product: x.p.get(hProduct), legacy: true})
	if x.transport(d) {
		return
	}
	if err != nil {
		x.fail(err)
		return
	}
	x.w.Header().Set("Location", s.cfg.base()+"/pins/"+strconv.FormatInt(p.id, 10))
	x.entry.PinID = p.id
	pin := s.core.created(&p)
	x.reply(http.StatusCreated, pin.v1(0))
}

func handleV1Poll(s *Server, x *exchange) {
	x.format = xmlFormat
	p, ok := pollPin(s, x)
	if !ok {
		return
	}
	var userID int64
	if p.AuthToken != nil {
		userID = s.core.accountID(*p.AuthToken)
	}
	x.reply(http.StatusOK, p.v1(userID))
}

func handleQR(s *Server, x *exchange) {
	if x.transport(s.core.decide(scenarios.OpQR, x.req)) {
		return
	}
	code, err := s.core.readableCode(mux.Vars(x.r)["code"])
	if err != nil {
		x.fail(err)
		return
	}
	png, err := qrPNG(s.linkURL(code))
	if err != nil {
		x.fail(err)
		return
	}
	h := x.w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	x.WriteHeader(http.StatusOK)
	if x.r.Method != http.MethodHead {
		_, _ = x.Write(png)
	}
}

// linkURL is what the QR code encodes (WIRE.md §1.5, inferred).
func (s *Server) linkURL(code string) string {
	if s.cfg.publicURL != "" {
		return s.cfg.publicURL + "/link?pin=" + code
	}
	return "https://plex.tv/link/?pin=" + code
}

func handlePreflight(s *Server, x *exchange) {
	path := x.r.URL.Path
	h := x.w.Header()
	if strings.HasPrefix(path, controlPrefix) || !isPlexPath(path) {
		h.Del("Access-Control-Allow-Origin")
		h.Del("Access-Control-Allow-Credentials")
		h.Del("Access-Control-Expose-Headers")
		x.WriteHeader(http.StatusForbidden)
		return
	}
	if x.transport(s.core.decide(scenarios.OpOptions, x.req)) {
		return
	}
	if x.r.Header.Get("Origin") == "" {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS")
	if req := allowedRequestHeaders(x.r.Header.Get("Access-Control-Request-Headers")); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	} else {
		h.Set("Access-Control-Allow-Headers", "Accept, Content-Type, X-Plex-Client-Identifier, X-Plex-Product, X-Plex-Version, X-Plex-Platform, X-Plex-Platform-Version, X-Plex-Device, X-Plex-Device-Name, X-Plex-Model, X-Plex-Token")
	}
	h.Set("Access-Control-Max-Age", "86400")
	x.WriteHeader(http.StatusNoContent)
}

// allowedRequestHeaders is the preflight's echo of the headers a page asks
// to send, without mockplex's own (X-Mockplex-Scenario, X-Mockplex-Token):
// a page of another origin may not choose a scenario.
func allowedRequestHeaders(req string) string {
	if !strings.Contains(strings.ToLower(req), "x-mockplex-") {
		return req
	}
	var keep []string
	for name := range strings.SplitSeq(req, ",") {
		if name = strings.TrimSpace(name); name != "" && !strings.HasPrefix(strings.ToLower(name), "x-mockplex-") {
			keep = append(keep, name)
		}
	}
	return strings.Join(keep, ",")
}

// isPlexPath reports whether path is in plex.tv's namespace as mocked.
func isPlexPath(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/users/") || strings.HasPrefix(path, "/pins") ||
		strings.HasPrefix(path, "/pms/") || path == "/devices.xml"
}

func handleNotFound(s *Server, x *exchange) {
	if strings.HasPrefix(x.r.URL.Path, "/api/v2/") {
		// plex.tv's v2 answer for a route it does not have (addendum §3.1,
		// V-report [PYPLEX-1504]).
		x.failWire(wireError{http.StatusNotFound, codeBadRequest, "The requested resource or endpoint could not be found"})
		return
	}
	x.fail(errRouteNotFound)
}

func handleMethodNotAllowed(s *Server, x *exchange) {
	x.w.Header().Set("Allow", strings.Join(allowedMethods(x.router, x.r), ", "))
	x.fail(errMethod)
}

// The health answers are written as encoding/json's indented output of
// their maps would be (the golden files hold them to it), without it: a
// readiness probe is often a process's first request, and a cold
// encoding/json costs it more than the answer.

func handleHealthz(s *Server, x *exchange) {
	x.health(http.StatusOK, "{\n  \"status\": \"ok\"\n}\n")
}

func handleReadyz(s *Server, x *exchange) {
	if s.drained() {
		x.health(http.StatusServiceUnavailable, "{\n  \"status\": \"draining\"\n}\n")
		return
	}
	x.health(http.StatusOK, "{\n  \"live_pins\": "+strconv.Itoa(s.core.livePins())+",\n  \"status\": \"ready\"\n}\n")
}

// health writes a health answer's JSON body.
func (x *exchange) health(status int, body string) {
	h := x.w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Cache-Control", "no-store")
	x.WriteHeader(status)
	_, _ = x.Write([]byte(body))
}

// The JWT family's endpoints answer JSON whatever the Accept header (wire
// contract J1.6).

// handleJWK is POST /api/v2/auth/jwk: register a device key with a token.
func handleJWK(s *Server, x *exchange) {
	x.format = jsonFormat
	raw, _ := x.p.jsonRaw("jwk")
	d, err := s.core.registerJWK(x.p.get(hToken), raw, x.req)
	if x.transport(d) {
		return
	}
	if err != nil {
		x.fail(err)
		return
	}
	h := x.w.Header()
	h["Content-Type"] = []string{contentTypeJSON}
	h["Content-Length"] = []string{"0"}
	x.WriteHeader(http.StatusCreated)
}

// nonceBody is GET /api/v2/auth/nonce's body.
type nonceBody struct {
	Nonce string `json:"nonce"`
}

// handleNonce is GET /api/v2/auth/nonce.
func handleNonce(s *Server, x *exchange) {
	x.format = jsonFormat
	n, d, err := s.core.nonce(x.req)
	x.answer(d, err, http.StatusOK, &nonceBody{Nonce: n})
}

// tokenBody is POST /api/v2/auth/token's body: snake_case, unlike the
// pin's authToken (WIRE.md J0.3).
type tokenBody struct {
	AuthToken string `json:"auth_token"`
}

// handleToken is POST /api/v2/auth/token: a device JWT for a Plex JWT.
func handleToken(s *Server, x *exchange) {
	x.format = jsonFormat
	jwt, ok := jsonFold(x.p.json, "jwt").(string)
	if !ok || jwt == "" {
		d := s.core.decide(scenarios.OpToken, x.req)
		if x.transport(d) {
			return
		}
		x.fail(errorf(errJWTRequest, "Invalid request format or missing required fields: the body must be {\"jwt\": \"<device JWT>\"}"))
		return
	}
	tok, d, err := s.core.exchange(jwt, x.req)
	x.answer(d, err, http.StatusOK, &tokenBody{AuthToken: tok})
}

// handleKeys is GET /api/v2/auth/keys: the JWKS of the signing keys.
func handleKeys(s *Server, x *exchange) {
	x.format = jsonFormat
	if x.transport(s.core.decide(scenarios.OpKeys, x.req)) {
		return
	}
	jwks, err := s.core.jwks()
	if err != nil {
		x.fail(err)
		return
	}
	x.send(http.StatusOK, jsonFormat, jwks)
}
