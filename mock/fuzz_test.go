package mock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fuzzEpoch is the frozen instant the fuzzed servers start at.
var fuzzEpoch = time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC)

// Requests real clients send (WIRE.md §1.1–§1.6), as fuzz seeds:
// method, request target, header lines, body. {id} is a live pin of
// client "fuzz-client", {code} its code, {token} the default account's.
var clientRequests = [][4]string{
	// python-plexapi: query strong=True, headers, JSON accepted.
	{"POST", "/api/v2/pins?strong=True", "X-Plex-Client-Identifier: 5d1e6b7c\nX-Plex-Product: PlexAPI\nX-Plex-Version: 4.15.0\nX-Plex-Platform: Linux\nAccept: application/json\n", ""},
	{"GET", "/api/v2/pins/{id}", "X-Plex-Client-Identifier: fuzz-client\nX-Plex-Product: PlexAPI\nAccept: application/json\n", ""},
	// Radarr: every X-Plex value in the query.
	{"POST", "/api/v2/pins?X-Plex-Client-Identifier=radarr-1&X-Plex-Product=Radarr&X-Plex-Platform=Windows&X-Plex-Platform-Version=7&X-Plex-Device-Name=Radarr&X-Plex-Version=3.0.0&strong=True", "Accept: application/json\n", ""},
	{"GET", "/api/v2/pins/{id}?X-Plex-Client-Identifier=fuzz-client&X-Plex-Product=Radarr", "Accept: application/json\n", ""},
	// plex-oauth (npm): a JSON content type with "" as the body.
	{"POST", "/api/v2/pins?strong=true", "Content-Type: application/json\nAccept: application/json\nX-Plex-Client-Identifier: npm-1\nX-Plex-Product: Overseerr\n", `""`},
	// DashoTV: a form body.
	{"POST", "/api/v2/pins.json", "Content-Type: application/x-www-form-urlencoded\n", "strong=true&X-Plex-Product=DashoTV&X-Plex-Client-Identifier=dashotv-web"},
	// The JWT variant: a JSON body.
	{"POST", "/api/v2/pins", "Content-Type: application/json\nAccept: application/json\nX-Plex-Client-Identifier: jwt-1\n", `{"jwk":{"kty":"OKP","crv":"Ed25519","x":"AAAA"},"strong":true}`},
	// axios in a browser: XML, since Accept lists */*.
	{"POST", "/api/v2/pins?strong=true", "Accept: application/json, text/plain, */*\nOrigin: https://app.example\nX-Plex-Client-Identifier: web-1\n", ""},
	{"OPTIONS", "/api/v2/pins", "Origin: https://app.example\nAccess-Control-Request-Method: POST\nAccess-Control-Request-Headers: x-plex-client-identifier\n", ""},
	// A PHP client polling with the identity in the query, reading XML.
	{"GET", "/api/v2/pins/{id}?X-Plex-Client-Identifier=fuzz-client", "", ""},
	// Watcharr's bug: polling /pins/undefined.
	{"GET", "/api/v2/pins/undefined", "X-Plex-Client-Identifier: watcharr\nAccept: application/json\n", ""},
	// The forum's curl: a GET with a form body.
	{"GET", "/api/v2/user", "Accept: application/json\nContent-Type: application/x-www-form-urlencoded\n", "X-Plex-Product=Test&X-Plex-Client-Identifier=curl&X-Plex-Token={token}"},
	{"GET", "/users/account.json", "X-Plex-Token: {token}\n", ""},
	{"GET", "/api/v2/ping", "X-Plex-Token: {token}\nX-Plex-Client-Identifier: fuzz-client\n", ""},
	// Roku and Kodi: the legacy v1 endpoints.
	{"POST", "/pins.xml", "X-Plex-Client-Identifier: roku-1\nX-Plex-Product: Plex for Roku\nX-Plex-Device: Roku 3\n", ""},
	{"GET", "/pins/{id}.xml", "X-Plex-Client-Identifier: fuzz-client\n", ""},
	// Linking a 4-character code with an account token.
	{"PUT", "/api/v2/pins/link.json", "X-Plex-Client-Identifier: tv-1\nX-Plex-Token: {token}\nContent-Type: application/x-www-form-urlencoded\n", "code={code}"},
	{"GET", "/api/v2/pins/qr/{code}", "", ""},
	// Tests driving the control API.
	{"POST", "/__mockplex/pins/{id}/approve", "Content-Type: application/json\n", `{"account":""}`},
	{"POST", "/__mockplex/pins/{id}/deny", "", ""},
	{"PUT", "/__mockplex/clients/fuzz-client/scenario", "Content-Type: application/json\n", `{"scenario":"happy-path"}`},
	{"GET", "/__mockplex/requests?limit=5&status=201&pin={id}", "", ""},
	{"POST", "/__mockplex/clock/advance?by=30m", "", ""},
	{"GET", "/healthz", "", ""},
}

// fuzzFixture is the server a fuzz process shares between inputs, and the
// pin and token its seeds refer to. rewind puts it back as it was after
// each input, so inputs do not leak state (scenarios, clock) into the next.
type fuzzFixture struct {
	srv   *Server
	id    int64
	code  string
	link  string
	token string
}

func newFuzzFixture(tb testing.TB) *fuzzFixture {
	tb.Helper()
	srv, err := New(WithSeed(8), WithClock(NewFrozenClock(fuzzEpoch)), WithConfig(Config{JournalSize: 16, MaxPins: 10_000}))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	tb.Cleanup(srv.Close)
	fx := &fuzzFixture{srv: srv, token: srv.Accounts()[0].AuthToken}
	fx.rewind(tb)
	return fx
}

func (fx *fuzzFixture) rewind(tb testing.TB) {
	tb.Helper()
	s := fx.srv
	s.Reset()
	s.Clock().Freeze()
	s.Clock().Advance(fuzzEpoch.Sub(s.Clock().Now()))
	p, err := s.CreatePin("fuzz-client", "Fuzz", true)
	if err != nil {
		tb.Fatalf("CreatePin: %v", err)
	}
	l, err := s.CreatePin("fuzz-client", "Fuzz", false)
	if err != nil {
		tb.Fatalf("CreatePin: %v", err)
	}
	fx.id, fx.code, fx.link = p.ID, p.Code, l.Code
}

func (fx *fuzzFixture) expand(s string) string {
	return strings.NewReplacer("{id}", strconv.FormatInt(fx.id, 10), "{code}", fx.code, "{link}", fx.link, "{token}", fx.token).Replace(s)
}

// fuzzRequest builds the request net/http would hand the handler, or nil
// when net/http would have refused it before any handler ran.
func fuzzRequest(method, target, headers, body string) *http.Request {
	if method == "" || strings.ContainsAny(method, " \t\r\n") || !validToken(method) {
		return nil
	}
	u, err := url.ParseRequestURI(target)
	if err != nil || !strings.HasPrefix(target, "/") {
		return nil
	}
	hdr := http.Header{}
	tp := textproto.NewReader(bufio.NewReader(strings.NewReader(strings.ReplaceAll(headers, "\n", "\r\n") + "\r\n\r\n")))
	mh, err := tp.ReadMIMEHeader()
	if err != nil {
		return nil
	}
	for k, vs := range mh {
		switch k {
		case "Content-Length", "Transfer-Encoding", "Host":
			continue // net/http owns the framing
		}
		for _, v := range vs {
			if !validHeaderValue(v) {
				return nil
			}
			hdr.Add(k, v)
		}
	}
	r := &http.Request{
		Method: method, URL: u, RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: hdr, Host: "plex.tv", RemoteAddr: "127.0.0.1:50000",
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}
	if body == "" {
		r.Body = http.NoBody
	}
	return r
}

func validToken(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validHeaderValue(v string) bool {
	for _, c := range []byte(v) {
		if c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

var (
	pinPathRE   = regexp.MustCompile(`^/api/v2/pins(\.json)?$|^/api/v2/pins/[^/]+$`)
	v1PinPathRE = regexp.MustCompile(`^/pins\.xml$|^/pins/[^/]+\.xml$`)
)

// FuzzHandler serves fuzzed requests through Handler: never a panic or a
// 500, plex.tv's error envelope for every API error, a valid pin for every
// pin answer, and the control API's JSON for its errors.
func FuzzHandler(f *testing.F) {
	for _, r := range clientRequests {
		f.Add(r[0], r[1], r[2], r[3])
	}
	f.Add("DELETE", "/api/v2/pins/{id}.json", "X-Plex-Client-Identifier: fuzz-client\n", "")
	f.Add("POST", "/api/v2/pins?%zz", "X-Plex-Client-Identifier: a\nX-Plex-Client-Identifier: b\n", "")
	f.Add("POST", "/api/v2/pins", "Content-Type: application/x-www-form-urlencoded\n", "%zz")
	f.Add("POST", "/api/v2/pins", "X-Mockplex-Scenario: nope\nX-Plex-Client-Identifier: x\n", "")
	f.Add("GET", "//api/v2/../v2/pins/1e9", "", "")
	fx := newFuzzFixture(f)
	known := map[string]bool{}
	for _, n := range fx.srv.Scenarios() {
		known[n] = true
	}
	h := fx.srv.Handler()
	f.Fuzz(func(t *testing.T, method, target, headers, body string) {
		defer fx.rewind(t)
		r := fuzzRequest(method, fx.expand(target), fx.expand(headers), fx.expand(body))
		if r == nil {
			return
		}
		// Shipped scenarios answer 500 on purpose, sleep, or cut the
		// connection; unknown names still go through (400, code 4000).
		for _, v := range r.Header.Values(ScenarioHeader) {
			if known[v] {
				r.Header.Del(ScenarioHeader)
			}
		}
		if strings.HasPrefix(r.URL.Path, controlPrefix+"/clients/") && r.Method == http.MethodPut {
			r.Method = http.MethodGet // a client scenario would outlive rewind's Reset only for this input, but may sleep
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		checkFuzzResponse(t, r, rec)
	})
}

func checkFuzzResponse(t *testing.T, r *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	status, body, ct := rec.Code, rec.Body.Bytes(), rec.Header().Get("Content-Type")
	path := r.URL.Path
	if status >= 500 {
		t.Fatalf("%s %q answered %d: %s", r.Method, r.RequestURI, status, body)
	}
	switch {
	case strings.HasPrefix(path, controlPrefix):
		if status >= 400 {
			var ce controlError
			if err := json.Unmarshal(body, &ce); err != nil || ce.Error == "" {
				t.Fatalf("control %s %q answered %d with %q, want {\"error\":…}", r.Method, path, status, body)
			}
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("control %s %q carries CORS headers: %v", r.Method, path, rec.Header())
		}
	case isPagePath(path) || path == "/healthz" || path == "/readyz":
		// The pages and probes have shapes of their own.
	case r.Method == http.MethodOptions:
		if status != http.StatusNoContent && status != http.StatusForbidden && status != http.StatusMovedPermanently {
			t.Fatalf("preflight %q answered %d", path, status)
		}
	case status == http.StatusMovedPermanently:
		// gorilla/mux's redirect to the cleaned path.
		if loc := rec.Header().Get("Location"); loc == "" {
			t.Fatalf("301 for %q without Location", path)
		}
	case status >= 400:
		env, err := decodeEnvelope(ct, body)
		if err != nil {
			t.Fatalf("%s %q answered %d without an envelope: %v", r.Method, r.RequestURI, status, err)
		}
		if len(env.Errors) != 1 || env.Errors[0].Status != status || env.Errors[0].Message == "" {
			t.Fatalf("%s %q answered %d with envelope %+v", r.Method, r.RequestURI, status, env)
		}
		if strings.HasSuffix(path, ".json") && ct != contentTypeJSON {
			t.Fatalf("%s %q: error Content-Type %q for a .json path", r.Method, path, ct)
		}
	case (status == http.StatusOK || status == http.StatusCreated) && pinPathRE.MatchString(path) && !strings.HasPrefix(path, "/api/v2/pins/qr") && path != "/api/v2/pins/link":
		if err := checkPinBody(ct, body); err != nil {
			t.Fatalf("%s %q answered %d with a bad pin: %v: %s", r.Method, r.RequestURI, status, err, body)
		}
	case (status == http.StatusOK || status == http.StatusCreated) && v1PinPathRE.MatchString(path):
		if ct != contentTypeXML || !wellFormedXML(body) {
			t.Fatalf("%s %q answered %d with %q: %s", r.Method, path, status, ct, body)
		}
	}
}

func decodeEnvelope(ct string, body []byte) (errorBody, error) {
	var env errorBody
	switch ct {
	case contentTypeJSON:
		return env, json.Unmarshal(body, &env)
	case contentTypeXML:
		if !bytes.HasPrefix(body, []byte(xmlHeader)) {
			return env, errors.New("no XML declaration")
		}
		return env, xml.Unmarshal(body, &env)
	}
	return env, fmt.Errorf("Content-Type %q", ct)
}

// checkPinBody checks a v2 pin in either encoding: the twelve JSON keys in
// wire order, or the XML attributes.
func checkPinBody(ct string, body []byte) error {
	switch ct {
	case contentTypeJSON:
		dec := json.NewDecoder(bytes.NewReader(body))
		if _, err := dec.Token(); err != nil {
			return err
		}
		var keys []string
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			keys = append(keys, k.(string))
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return err
			}
		}
		want := []string{"id", "code", "product", "trusted", "qr", "clientIdentifier", "location", "expiresIn", "createdAt", "expiresAt", "authToken", "newRegistration"}
		if diff := cmp.Diff(want, keys); diff != "" {
			return fmt.Errorf("keys (-want +got):\n%s", diff)
		}
		var p Pin
		if err := json.Unmarshal(body, &p); err != nil {
			return err
		}
		if p.ID <= 0 || p.Code == "" || p.ExpiresIn < 0 {
			return fmt.Errorf("pin %+v", p)
		}
	case contentTypeXML:
		var p struct {
			ID   int64  `xml:"id,attr"`
			Code string `xml:"code,attr"`
		}
		if !wellFormedXML(body) {
			return errors.New("XML is not well-formed")
		}
		if err := xml.Unmarshal(body, &p); err != nil {
			return err
		}
		if p.ID <= 0 || p.Code == "" {
			return fmt.Errorf("pin %+v", p)
		}
	default:
		return fmt.Errorf("Content-Type %q", ct)
	}
	return nil
}

func wellFormedXML(b []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// FuzzParams merges X-Plex values from a header, a query and a body:
// a header wins, the answer never depends on map order, and a body the
// parser refuses gets 400 or 413, never anything else.
func FuzzParams(f *testing.F) {
	f.Add("X-Plex-Client-Identifier", "hdr", "X-Plex-Client-Identifier=q&strong=True", "application/x-www-form-urlencoded", "X-Plex-Client-Identifier=form&strong=false")
	f.Add("x-plex-product", "", "x-plex-product=a&X-PLEX-PRODUCT=b&X-Plex-Product=c", "application/json", `{"x-plex-product":"j","X-Plex-Product":"k","strong":true}`)
	// testdata/fuzz/FuzzParams/case-variant-names-map-order is the input
	// that caught names differing only in case being picked by map order.
	f.Add("strong", "", "STRONG=1&Strong=0", "application/json", `{"STRONG":true,"Strong":false}`)
	f.Add("strong", "", "strong=1", "application/json; charset=utf-8", `""`)
	f.Add("X-Plex-Token", "", "%zz", "application/x-www-form-urlencoded", "a=%zz;b")
	f.Add("X-Plex-Client-Identifier", "", "", "multipart/form-data; boundary=x", "--x\r\n")
	f.Fuzz(func(t *testing.T, name, headerValue, query, contentType, body string) {
		if !validHeaderValue(headerValue) || !validHeaderValue(contentType) {
			return
		}
		r := httptest.NewRequest(http.MethodPost, "/api/v2/pins", strings.NewReader(body))
		r.URL.RawQuery = query
		r.Header.Set("Content-Type", contentType)
		if headerValue != "" && validToken(name) && name != "" {
			r.Header.Set(name, headerValue)
		}
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1024)
		p, err := readParams(r)
		if err != nil {
			if !errors.Is(err, errBadBody) && !errors.Is(err, errBodyTooLarge) {
				t.Fatalf("readParams: %v, want the malformed-body or too-large error", err)
			}
			if len(body) <= 1024 && errors.Is(err, errBodyTooLarge) {
				t.Fatalf("readParams(%d-byte body) = too large", len(body))
			}
			return
		}
		got, gotFlag := p.get(name), p.flag(name)
		if hv := r.Header.Get(name); hv != "" && got != hv {
			t.Fatalf("get(%q) = %q, want the header's %q", name, got, hv)
		}
		for range 8 {
			again, err := readParams(cloneForParams(r, query, body))
			if err != nil {
				t.Fatalf("readParams again: %v", err)
			}
			if g := again.get(name); g != got {
				t.Fatalf("get(%q) = %q, then %q: the merge depends on map order", name, got, g)
			}
			if g := again.flag(name); g != gotFlag {
				t.Fatalf("flag(%q) = %v, then %v: the merge depends on map order", name, gotFlag, g)
			}
		}
	})
}

func cloneForParams(r *http.Request, query, body string) *http.Request {
	c := httptest.NewRequest(http.MethodPost, "/api/v2/pins", strings.NewReader(body))
	c.URL.RawQuery = query
	c.Header = r.Header.Clone()
	return c
}

// FuzzNegotiate checks the format decision: a .json path is JSON and a .xml
// path XML whatever Accept says, one Accept line equals the same list split
// over several lines, and (outside legacy mode) */* anywhere means XML.
func FuzzNegotiate(f *testing.F) {
	for _, a := range []string{
		"application/json", "application/json, text/plain, */*", "*/*", "application/xml",
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json;q=0",
		"APPLICATION/JSON ; q=1", "", ",,,;;", "application/json, */*;q=0",
	} {
		f.Add("/api/v2/pins", a, false)
		f.Add("/api/v2/pins/1.json", a, true)
	}
	f.Fuzz(func(t *testing.T, path, accept string, legacy bool) {
		got := negotiate(path, []string{accept}, legacy)
		if got != jsonFormat && got != xmlFormat {
			t.Fatalf("Negotiate = %d, want JSON or XML", got)
		}
		switch {
		case strings.HasSuffix(path, ".json"):
			if got != jsonFormat {
				t.Fatalf("negotiate(%q) = XML, want JSON for a .json path", path)
			}
			return
		case strings.HasSuffix(path, ".xml"):
			if got != xmlFormat {
				t.Fatalf("negotiate(%q) = jsonFormat, want XML for a .xml path", path)
			}
			return
		}
		if split := negotiate(path, strings.Split(accept, ","), legacy); split != got {
			t.Fatalf("negotiate(%q) = %d as one line, %d split at commas", accept, got, split)
		}
		if !legacy && got == jsonFormat && negotiate(path, []string{accept, "*/*"}, false) != xmlFormat {
			t.Fatalf("negotiate(%q, */*) = jsonFormat, want XML", accept)
		}
		if got == jsonFormat && !strings.Contains(strings.ToLower(accept), "application/json") {
			t.Fatalf("negotiate(%q) = JSON without application/json listed", accept)
		}
	})
}

// FuzzParsePinID checks pin ids: accepted ids are positive, and every id
// round-trips through its decimal form, with and without .json.
func FuzzParsePinID(f *testing.F) {
	for _, s := range []string{"1", "12345", "0", "-1", "abc", "1e9", "99999999999999999999", "9223372036854775807", "+7", "007", "5.json", "5.json.json", "\x00", "undefined", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seg string) {
		id, ok := parsePinID(seg)
		if !ok {
			return
		}
		if id <= 0 {
			t.Fatalf("parsePinID(%q) = %d, true: want a positive id", seg, id)
		}
		digits := strings.TrimPrefix(strings.TrimSuffix(seg, ".json"), "+")
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			t.Fatalf("parsePinID(%q) accepted non-digits", seg)
		}
		for _, s := range []string{strconv.FormatInt(id, 10), strconv.FormatInt(id, 10) + ".json"} {
			if back, ok := parsePinID(s); !ok || back != id {
				t.Fatalf("parsePinID(%q) = %d, %v; want %d", s, back, ok, id)
			}
		}
	})
}

// FuzzLoadState reads fuzzed state files: a bad one is an error, never a
// panic; a good one restores pins that poll over HTTP and survive another
// save and load unchanged.
func FuzzLoadState(f *testing.F) {
	seed := newFuzzFixture(f)
	if _, err := seed.srv.Approve(seed.id, ""); err != nil {
		f.Fatal(err)
	}
	if err := seed.srv.SetClientScenario("fuzz-client", "slow"); err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if err := seed.srv.SaveState(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"version":1}`)
	f.Add(`{"version":2,"pins":[]}`)
	f.Add(`{"version":1,"accounts":[{"username":"a","authToken":""}],"pins":[{"id":1,"code":"ABCD","clientIdentifier":"c","createdAt":0,"expiresAt":9999999999,"location":65535}]}`)
	f.Add(`{"version":1,"pins":[{"id":1,"code":"X","expiresAt":9223372036854775807},{"id":1,"code":"Y","expiresAt":9999999999}]}`)
	f.Add(buf.String()[:buf.Len()/2])
	// The JWT part: a device, a revoked grant, a nonce and a JWK pin.
	jwk := `{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k1"}`
	f.Add(`{"version":1,"jwt":{"devices":[{"clientIdentifier":"d/1","accountId":1,"jwk":` + jwk + `,"registeredAt":"2026-10-01T22:00:00Z","tokensIssued":1}],` +
		`"grants":[{"clientIdentifier":"d/1","accountId":1,"thumbprint":"t","legacyTokenEnded":[1],"until":9999999999,"revokedTo":1790000000,"removed":true}],` +
		`"nonces":[{"nonce":"n","clientIdentifier":"d/1","issuedAt":"2026-10-01T22:39:00Z"}]},` +
		`"pins":[{"id":7,"code":"ABCDEFGHIJKLMNOPQRSTUVWXY","strong":true,"clientIdentifier":"d/1","createdAt":1790000000,"expiresAt":9999999999,"jwk":` + jwk + `}]}`)
	f.Add(`{"version":1,"jwt":{"devices":[{"clientIdentifier":"a//b","jwk":{"kty":"OKP"}}],"grants":[{"clientIdentifier":"..","legacyTokenEnded":[1,2,3]}]}}`)
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		load := func(state string) (*Server, error) {
			srv, err := New(WithSeed(1), WithClock(NewFrozenClock(fuzzEpoch)), WithConfig(Config{MaxPins: 1000}))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			return srv, srv.LoadState(strings.NewReader(state))
		}
		srv, err := load(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("LoadState failed with an empty message")
			}
			return
		}
		if len(srv.Accounts()) == 0 {
			t.Fatal("no accounts after LoadState")
		}
		if _, ok := srv.core.accounts.find(""); !ok {
			t.Fatal("no default account after LoadState")
		}
		pins := srv.Pins()
		for _, p := range pins {
			if p.State == Expired {
				continue
			}
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/api/v2/pins/"+strconv.FormatInt(p.ID, 10)+".json", nil)
			req.Header.Set(hClientID, p.ClientIdentifier)
			req.Header.Del(ScenarioHeader)
			if p.ClientIdentifier == "" {
				continue
			}
			_ = srv.SetClientScenario(p.ClientIdentifier, "") // clearing cannot fail
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("poll of restored pin %d = %d: %s", p.ID, rec.Code, rec.Body)
			}
			if err := checkPinBody(rec.Header().Get("Content-Type"), rec.Body.Bytes()); err != nil {
				t.Fatalf("poll of restored pin %d: %v", p.ID, err)
			}
		}
		var saved bytes.Buffer
		if err := srv.SaveState(&saved); err != nil {
			t.Fatalf("SaveState after LoadState: %v", err)
		}
		again, err := load(saved.String())
		if err != nil {
			t.Fatalf("LoadState of SaveState's output: %v\n%s", err, saved.String())
		}
		if diff := cmp.Diff(srv.Pins(), again.Pins()); diff != "" {
			t.Fatalf("pins changed over a save and load (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(srv.Accounts(), again.Accounts()); diff != "" {
			t.Fatalf("accounts changed over a save and load (-first +second):\n%s", diff)
		}
		if diff := cmp.Diff(srv.Devices(), again.Devices()); diff != "" {
			t.Fatalf("JWT devices changed over a save and load (-first +second):\n%s", diff)
		}
		for _, d := range srv.Devices() {
			if !routableClientID(d.ClientIdentifier) || len(d.KID) > maxKIDLen {
				t.Fatalf("restored device %+v breaks a registration rule", d)
			}
		}
	})
}

// FuzzParseCursor checks the control listing's cursor: what a server gave
// reads back as itself, and nothing else panics or reads as the start.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "MQ", cursor{seq: 42}.String(), "!!", "MA", "LTE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		if c.seq == 0 {
			t.Fatalf("parseCursor(%q) = the start cursor, want an error", s)
		}
		if again, err := parseCursor(c.String()); err != nil || again != c {
			t.Fatalf("parseCursor(%q).String() does not read back: %v %v", s, again, err)
		}
	})
}
