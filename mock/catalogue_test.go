package mock_test

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
)

// The limits of cmd/mockplex/serve.go's http.Server at their defaults
// (--max-header-bytes; --max-body-bytes is mock.DefaultMaxBodyBytes). The
// catalogue's server uses them, with timeouts far shorter than the CLI's
// so the slow-client rows finish quickly.
const (
	cliMaxHeaderBytes    = 64 << 10
	catReadHeaderTimeout = time.Second
	catReadTimeout       = 3 * time.Second
)

// catServer is a mock behind an http.Server configured like serve.go's.
type catServer struct {
	srv  *mock.Server
	addr string
	fix  catFixture
}

// catFixture is what every catalogue row starts with: a strong and a link
// pin of catClient, the default account's token and a second account's
// name. Rows refer to them as {id}, {code}, {linkid}, {link}, {token} and
// {other}.
type catFixture struct {
	id, linkID  int64
	code, link  string
	token       string
	defaultUser string
	otherUser   string
}

const catClient = "cat-client"

func newCatServer(t *testing.T, opts ...mock.Option) *catServer {
	t.Helper()
	srv, err := mock.New(append([]mock.Option{mock.WithSeed(8)}, opts...)...)
	if err != nil {
		t.Fatalf("mock.New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: catReadHeaderTimeout,
		ReadTimeout:       catReadTimeout,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       10 * time.Second,
		MaxHeaderBytes:    cliMaxHeaderBytes,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		_ = hs.Close()
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
	})
	cs := &catServer{srv: srv, addr: ln.Addr().String()}
	strong, err := srv.CreatePin(catClient, "Catalogue", true)
	if err != nil {
		t.Fatalf("CreatePin(strong): %v", err)
	}
	link, err := srv.CreatePin(catClient, "Catalogue", false)
	if err != nil {
		t.Fatalf("CreatePin(link): %v", err)
	}
	accs := srv.Accounts()
	cs.fix = catFixture{id: strong.ID, code: strong.Code, linkID: link.ID, link: link.Code,
		token: accs[0].AuthToken, defaultUser: accs[0].Username, otherUser: accs[1].Username}
	return cs
}

// expand fills in the fixture's placeholders.
func (f catFixture) expand(s string) string {
	return strings.NewReplacer(
		"{id}", fmt.Sprint(f.id), "{linkid}", fmt.Sprint(f.linkID), "{code}", f.code,
		"{link}", f.link, "{token}", f.token, "{client}", catClient, "{other}", f.otherUser,
	).Replace(s)
}

// wire renders a request for a fixture: placeholders are filled in before
// any Content-Length is counted.
type wire func(catFixture) string

// literal is a request sent exactly as written, placeholders filled in.
func literal(raw string) wire { return func(f catFixture) string { return f.expand(raw) } }

// rawReq builds an HTTP/1.1 request as it goes on the wire. Host and
// Connection: close are added, and Content-Length for a body unless the
// headers frame it themselves.
func rawReq(method, target string, headers []string, body string) wire {
	return func(f catFixture) string {
		exp := make([]string, len(headers))
		for i, h := range headers {
			exp[i] = f.expand(h)
		}
		return renderReq(method, f.expand(target), exp, f.expand(body))
	}
}

func renderReq(method, target string, headers []string, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	framed, host := false, false
	for _, h := range headers {
		name, _, _ := strings.Cut(h, ":")
		switch strings.ToLower(name) {
		case "content-length", "transfer-encoding":
			framed = true
		case "host":
			host = true
		}
	}
	if !host {
		b.WriteString("Host: 127.0.0.1\r\n")
	}
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	if body != "" && !framed {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.WriteString(body)
	return b.String()
}

// catReply is what came back for a raw request.
type catReply struct {
	status int
	header http.Header
	body   []byte
}

// send writes raw on a new connection and reads one response. The write
// runs on its own goroutine: the server may answer (413) and close before
// it has read everything.
func (cs *catServer) send(t *testing.T, method, raw string) catReply {
	t.Helper()
	conn, err := net.Dial("tcp", cs.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		_, _ = io.WriteString(conn, raw)
	}()
	defer func() { conn.Close(); <-wrote }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return catReply{status: resp.StatusCode, header: resp.Header, body: body}
}

// envelope is plex.tv's error body in either encoding.
type envelope struct {
	XMLName xml.Name `json:"-" xml:"errors"`
	Errors  []struct {
		Code    int    `json:"code" xml:"code,attr"`
		Message string `json:"message" xml:"message,attr"`
		Status  int    `json:"status" xml:"status,attr"`
	} `json:"errors" xml:"error"`
}

// parseEnvelope decodes an error body by its Content-Type and checks its
// shape: one error whose status matches the response's.
func parseEnvelope(status int, contentType string, body []byte) (code int, err error) {
	var env envelope
	switch {
	case strings.HasPrefix(contentType, "application/json"):
		err = json.Unmarshal(body, &env)
	case strings.HasPrefix(contentType, "application/xml"):
		err = xml.Unmarshal(body, &env)
	default:
		return 0, fmt.Errorf("Content-Type %q is neither JSON nor XML", contentType)
	}
	if err != nil {
		return 0, fmt.Errorf("not an error envelope: %v: %q", err, body)
	}
	if len(env.Errors) != 1 {
		return 0, fmt.Errorf("envelope has %d errors, want 1: %q", len(env.Errors), body)
	}
	e := env.Errors[0]
	if e.Status != status || e.Message == "" {
		return 0, fmt.Errorf("envelope error %+v does not match HTTP status %d or has no message", e, status)
	}
	return e.Code, nil
}

// catPin is the part of a pin body the catalogue looks at.
type catPin struct {
	XMLName          xml.Name `json:"-" xml:"pin"`
	ID               int64    `json:"id" xml:"id,attr"`
	Code             string   `json:"code" xml:"code,attr"`
	Product          string   `json:"product" xml:"product,attr"`
	ClientIdentifier string   `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	AuthToken        *string  `json:"authToken" xml:"authToken,attr"`
}

func parsePin(contentType string, body []byte) (catPin, error) {
	var p catPin
	var err error
	switch {
	case strings.HasPrefix(contentType, "application/json"):
		if !json.Valid(body) {
			return p, fmt.Errorf("invalid JSON: %q", body)
		}
		err = json.Unmarshal(body, &p)
	case strings.HasPrefix(contentType, "application/xml"):
		err = xml.Unmarshal(body, &p)
	default:
		return p, fmt.Errorf("Content-Type %q is neither JSON nor XML", contentType)
	}
	if err == nil && (p.ID <= 0 || p.Code == "") {
		err = fmt.Errorf("pin without id or code: %q", body)
	}
	return p, err
}

// answer is a row's expected response.
type answer struct {
	status int
	// code is plex.tv's envelope code; 0 means no envelope is expected
	// (net/http's own answers, redirects, pins, empty bodies).
	code int
	// control expects the control API's {"error": "..."} body.
	control bool
	// pin checks a pin body; nil means none is expected.
	pin func(catPin) error
	// header must be present with these values; noHeader must be absent.
	header   map[string]string
	noHeader []string
	// noBody expects an empty body (HEAD).
	noBody bool
}

func (a answer) check(t *testing.T, got catReply) {
	t.Helper()
	if got.status != a.status {
		t.Fatalf("status = %d, want %d; body %.300q", got.status, a.status, got.body)
	}
	ct := got.header.Get("Content-Type")
	if a.code != 0 {
		code, err := parseEnvelope(got.status, ct, got.body)
		if err != nil {
			t.Fatalf("envelope: %v", err)
		}
		if code != a.code {
			t.Errorf("envelope code = %d, want %d; body %q", code, a.code, got.body)
		}
	}
	if a.control {
		var ce struct {
			Error string `json:"error"`
		}
		if err := json.Unmarshal(got.body, &ce); err != nil || ce.Error == "" {
			t.Errorf("control error body = %q, want {\"error\": \"…\"} (%v)", got.body, err)
		}
	}
	if a.pin != nil {
		p, err := parsePin(ct, got.body)
		if err != nil {
			t.Fatalf("pin body: %v", err)
		}
		if err := a.pin(p); err != nil {
			t.Errorf("pin %+v: %v", p, err)
		}
	}
	for k, v := range a.header {
		if g := got.header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
	for _, k := range a.noHeader {
		if g, ok := got.header[http.CanonicalHeaderKey(k)]; ok {
			t.Errorf("header %s = %q, want none", k, g)
		}
	}
	if a.noBody && len(got.body) != 0 {
		t.Errorf("body = %q, want none", got.body)
	}
}

// Helpers for pin checks.
func clientIs(want string) func(catPin) error {
	return func(p catPin) error {
		if p.ClientIdentifier != want {
			return fmt.Errorf("clientIdentifier = %q, want %q", p.ClientIdentifier, want)
		}
		return nil
	}
}

func codeLen(n int) func(catPin) error {
	return func(p catPin) error {
		if len(p.Code) != n {
			return fmt.Errorf("code %q has %d characters, want %d", p.Code, len(p.Code), n)
		}
		return nil
	}
}

func anyPin(catPin) error { return nil }

// badRequest is one row of the catalogue.
type badRequest struct {
	name   string
	setup  func(t *testing.T, cs *catServer)
	method string // for reading the response (HEAD has no body)
	raw    wire   // the request on the wire
	// run replaces the single exchange for rows that need more (slow
	// clients); it checks its own expectations.
	run  func(t *testing.T, cs *catServer)
	want answer
}

const (
	hClient = "X-Plex-Client-Identifier: {client}"
	hJSON   = "Accept: application/json"
	ctForm  = "Content-Type: application/x-www-form-urlencoded"
	ctJSON  = "Content-Type: application/json"
)

func h(lines ...string) []string { return lines }

func catalogue() []badRequest {
	return append(catalogueRows(), hardening3Catalogue()...)
}

func catalogueRows() []badRequest {
	bigPad := strings.Repeat("a", 70<<10)
	hugeAcceptJSON := "Accept: " + strings.Repeat("application/json;q=0.9, ", 2000) + "application/json"
	hugeAcceptAny := "Accept: " + strings.Repeat("application/json, ", 2000) + "*/*"
	manyHeaders := make([]string, 0, 2001)
	for i := range 2000 {
		manyHeaders = append(manyHeaders, fmt.Sprintf("X-Filler-%d: v", i))
	}
	manyHeaders = append(manyHeaders, hClient)
	nested := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	approve := func(t *testing.T, cs *catServer) {
		if _, err := cs.srv.Approve(cs.fix.id, ""); err != nil {
			t.Fatalf("Approve: %v", err)
		}
	}
	expire := func(t *testing.T, cs *catServer) {
		if _, err := cs.srv.Expire(cs.fix.id); err != nil {
			t.Fatalf("Expire: %v", err)
		}
	}

	return []badRequest{
		// Sizes and framing.
		{name: "oversized form body", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, ctForm), "strong=true&pad="+bigPad),
			want: answer{status: 413, code: 413}},
		{name: "oversized JSON body", raw: rawReq("POST", "/api/v2/pins.json", h(hClient, ctJSON), `{"pad":"`+bigPad+`"}`),
			want: answer{status: 413, code: 413}},
		{name: "oversized body of an unread type", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, "Content-Type: application/octet-stream"), bigPad),
			want: answer{status: 413, code: 413}},
		{name: "absurd Content-Length with a short body", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, ctForm, "Content-Length: 1000000000"), "strong=true"),
			want: answer{status: 413, code: 413}},
		{name: "Content-Length beyond int64", raw: rawReq("POST", "/api/v2/pins", h(hClient, "Content-Length: 99999999999999999999"), "x"),
			want: answer{status: 400}},
		{name: "negative Content-Length", raw: rawReq("POST", "/api/v2/pins", h(hClient, "Content-Length: -1"), "x"),
			want: answer{status: 400}},
		{name: "conflicting Content-Length headers", raw: rawReq("POST", "/api/v2/pins", h(hClient, "Content-Length: 3", "Content-Length: 4"), "abcd"),
			want: answer{status: 400}},
		{name: "oversized headers", raw: rawReq("GET", "/api/v2/pins/{id}", h(hClient, "X-Pad: "+strings.Repeat("p", cliMaxHeaderBytes+8<<10)), ""),
			want: answer{status: 431}},
		{name: "oversized control body", raw: rawReq("POST", "/__mockplex/pins/{id}/approve", h(ctJSON), `{"account":"`+bigPad+`"}`),
			want: answer{status: 413, control: true}},
		{name: "huge Accept listing only JSON", raw: rawReq("POST", "/api/v2/pins", h(hClient, hugeAcceptJSON), ""),
			want: answer{status: 201, pin: anyPin, header: map[string]string{"Content-Type": "application/json; charset=utf-8"}}},
		{name: "huge Accept ending in */*", raw: rawReq("POST", "/api/v2/pins", h(hClient, hugeAcceptAny), ""),
			want: answer{status: 201, pin: anyPin, header: map[string]string{"Content-Type": "application/xml; charset=utf-8"}}},
		{name: "two thousand headers", raw: rawReq("POST", "/api/v2/pins", manyHeaders, ""),
			want: answer{status: 201, pin: clientIs(catClient)}},
		{name: "chunked form body", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctForm, "Transfer-Encoding: chunked"),
			"18\r\nX-Plex-Client-Identifier\r\nb\r\n=chunky&str\r\n8\r\nong=true\r\n0\r\n\r\n"),
			want: answer{status: 201, pin: func(p catPin) error {
				return errors.Join(clientIs("chunky")(p), codeLen(25)(p))
			}}},
		{name: "chunked body with a bad chunk size", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctForm, "Transfer-Encoding: chunked"), "zz\r\nabc\r\n0\r\n\r\n"),
			want: answer{status: 400, code: 1002}},
		{name: "chunked body over the limit", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, ctForm, "Transfer-Encoding: chunked"),
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(bigPad)+4, "pad="+bigPad)),
			want: answer{status: 413, code: 413}},
		{name: "unsupported Transfer-Encoding", raw: rawReq("POST", "/api/v2/pins", h(hClient, "Transfer-Encoding: gzip"), "abc"),
			want: answer{status: 501}},
		{name: "request line of garbage", raw: literal("HELLO\r\n\r\n"), want: answer{status: 400}},
		{name: "header line without a colon", raw: rawReq("GET", "/api/v2/pins/{id}", h(hClient, "NoColonHere"), ""),
			want: answer{status: 400}},
		{name: "NUL in a header value", raw: rawReq("GET", "/api/v2/pins/{id}", h(hClient, "X-Plex-Product: a\x00b"), ""),
			want: answer{status: 400}},
		{name: "HTTP/1.1 without Host", raw: literal("GET /api/v2/pins/{id} HTTP/1.1\r\nX-Plex-Client-Identifier: {client}\r\n\r\n"),
			want: answer{status: 400}},
		{name: "HTTP/1.0 without Host", raw: literal("POST /api/v2/pins HTTP/1.0\r\nX-Plex-Client-Identifier: old\r\nAccept: application/json\r\n\r\n"),
			want: answer{status: 201, pin: clientIs("old")}},

		// Invalid UTF-8.
		{name: "invalid UTF-8 in a header", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, "X-Plex-Product: \xff\xfe\xc3\x28"), ""),
			want: answer{status: 201, pin: func(p catPin) error {
				if p.Product != "\ufffd\ufffd\ufffd(" {
					return fmt.Errorf("product = %q, want the bytes replaced by U+FFFD", p.Product)
				}
				return nil
			}}},
		{name: "invalid UTF-8 in the query", raw: rawReq("POST", "/api/v2/pins?X-Plex-Product=%ff%fe&X-Plex-Client-Identifier=q%c3%28", h(hJSON), ""),
			want: answer{status: 201, pin: clientIs("q\ufffd(")}},
		{name: "invalid UTF-8 in a form body", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctForm), "X-Plex-Client-Identifier=f%C3%28&X-Plex-Product=%ff"),
			want: answer{status: 201, pin: clientIs("f\ufffd(")}},
		{name: "invalid UTF-8 in a JSON body", raw: rawReq("POST", "/api/v2/pins.json", h(ctJSON), "{\"X-Plex-Client-Identifier\":\"j\xff\"}"),
			want: answer{status: 201, pin: clientIs("j\ufffd")}},
		{name: "invalid UTF-8 as a pin id", raw: rawReq("GET", "/api/v2/pins/%ff", h(hClient, hJSON), ""),
			want: answer{status: 400, code: 1002}},
		{name: "invalid UTF-8 as a scenario name", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, "X-Mockplex-Scenario: \xff"), ""),
			want: answer{status: 400, code: 4000}},

		// Wrong methods.
		{name: "DELETE on create", raw: rawReq("DELETE", "/api/v2/pins", h(hClient, hJSON), ""), want: answer{status: 405, code: 405}},
		{name: "GET on create", raw: rawReq("GET", "/api/v2/pins.json", h(hClient), ""), want: answer{status: 405, code: 405}},
		{name: "PATCH on a pin", raw: rawReq("PATCH", "/api/v2/pins/{id}", h(hClient, hJSON), ""), want: answer{status: 405, code: 405}},
		{name: "POST on user", raw: rawReq("POST", "/api/v2/user", h(hClient, hJSON), ""), want: answer{status: 405, code: 405}},
		{name: "PUT on the legacy create", raw: rawReq("PUT", "/pins.xml", h(hClient), ""),
			want: answer{status: 405, code: 405, header: map[string]string{"Content-Type": "application/xml; charset=utf-8"}}},
		{name: "made-up method", raw: rawReq("BREW", "/api/v2/pins", h(hClient, hJSON), ""), want: answer{status: 405, code: 405}},
		{name: "HEAD on create", method: "HEAD", raw: rawReq("HEAD", "/api/v2/pins", h(hClient), ""), want: answer{status: 405, noBody: true}},
		{name: "HEAD on a pin", method: "HEAD", raw: rawReq("HEAD", "/api/v2/pins/{id}", h(hClient), ""),
			want: answer{status: 200, noBody: true, header: map[string]string{"Content-Type": "application/xml; charset=utf-8"}}},
		{name: "HEAD on healthz", method: "HEAD", raw: rawReq("HEAD", "/healthz", nil, ""), want: answer{status: 200, noBody: true}},
		{name: "wrong method on the control API", raw: rawReq("GET", "/__mockplex/pins/{id}/approve", h("Origin: https://evil.example"), ""),
			want: answer{status: 405, control: true, noHeader: []string{"Access-Control-Allow-Origin"}}},

		// Bad pin ids.
		{name: "id abc", raw: rawReq("GET", "/api/v2/pins/abc", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "id -1", raw: rawReq("GET", "/api/v2/pins/-1", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "id 0", raw: rawReq("GET", "/api/v2/pins/0", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "id beyond int64", raw: rawReq("GET", "/api/v2/pins/99999999999999999999", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "id 1e9", raw: rawReq("GET", "/api/v2/pins/1e9", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "id %00", raw: rawReq("GET", "/api/v2/pins/%00", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "id with two .json suffixes", raw: rawReq("GET", "/api/v2/pins/{id}.json.json", h(hClient), ""), want: answer{status: 400, code: 1002}},
		{name: "legacy id abc", raw: rawReq("GET", "/pins/abc.xml", h(hClient), ""),
			want: answer{status: 400, code: 1002, header: map[string]string{"Content-Type": "application/xml; charset=utf-8"}}},
		{name: "unknown id", raw: rawReq("GET", "/api/v2/pins/123456789", h(hClient, hJSON), ""), want: answer{status: 404, code: 1020}},
		{name: "another client's pin", raw: rawReq("GET", "/api/v2/pins/{id}", h("X-Plex-Client-Identifier: intruder", hJSON), ""),
			want: answer{status: 404, code: 1020}},
		{name: "poll without a client", raw: rawReq("GET", "/api/v2/pins/{id}", h(hJSON), ""), want: answer{status: 400, code: 1000}},

		// Duplicate and conflicting X-Plex values.
		{name: "create without a client", raw: rawReq("POST", "/api/v2/pins", h(hJSON), ""), want: answer{status: 400, code: 1000}},
		{name: "header beats query", raw: rawReq("POST", "/api/v2/pins?X-Plex-Client-Identifier=from-query", h("X-Plex-Client-Identifier: from-header", hJSON), ""),
			want: answer{status: 201, pin: clientIs("from-header")}},
		{name: "query beats form", raw: rawReq("POST", "/api/v2/pins?X-Plex-Client-Identifier=from-query", h(hJSON, ctForm), "X-Plex-Client-Identifier=from-form"),
			want: answer{status: 201, pin: clientIs("from-query")}},
		{name: "query beats JSON body", raw: rawReq("POST", "/api/v2/pins?X-Plex-Client-Identifier=from-query", h(hJSON, ctJSON), `{"X-Plex-Client-Identifier":"from-json"}`),
			want: answer{status: 201, pin: clientIs("from-query")}},
		{name: "duplicate headers: the first wins", raw: rawReq("POST", "/api/v2/pins", h("X-Plex-Client-Identifier: first", "X-Plex-Client-Identifier: second", hJSON), ""),
			want: answer{status: 201, pin: clientIs("first")}},
		{name: "duplicate query values: the first wins", raw: rawReq("POST", "/api/v2/pins?X-Plex-Client-Identifier=first&X-Plex-Client-Identifier=second", h(hJSON), ""),
			want: answer{status: 201, pin: clientIs("first")}},
		{name: "lower-case query name", raw: rawReq("POST", "/api/v2/pins?x-plex-client-identifier=lower", h(hJSON), ""),
			want: answer{status: 201, pin: clientIs("lower")}},
		{name: "empty header falls back to the query", raw: rawReq("POST", "/api/v2/pins?X-Plex-Client-Identifier=q", h("X-Plex-Client-Identifier:", hJSON), ""),
			want: answer{status: 201, pin: clientIs("q")}},
		{name: "strong in query beats strong in form", raw: rawReq("POST", "/api/v2/pins?strong=false", h(hClient, hJSON, ctForm), "strong=true"),
			want: answer{status: 201, pin: codeLen(4)}},
		{name: "strong=TRUE", raw: rawReq("POST", "/api/v2/pins?strong=TRUE", h(hClient, hJSON), ""),
			want: answer{status: 201, pin: codeLen(25)}},
		{name: "wrong token header beats right token query", raw: rawReq("GET", "/api/v2/user?X-Plex-Token={token}", h(hClient, hJSON, "X-Plex-Token: wrong"), ""),
			want: answer{status: 401, code: 1001, header: map[string]string{"WWW-Authenticate": `X-Plex-Token realm="plex.tv"`}}},
		{name: "unknown scenario", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, "X-Mockplex-Scenario: no-such"), ""),
			want: answer{status: 400, code: 4000}},
		{name: "ping without a token", raw: rawReq("GET", "/api/v2/ping.json", h(hClient), ""), want: answer{status: 401, code: 1001}},
		{name: "link a strong code (the API takes them, wire contract J2.1)", raw: rawReq("PUT", "/api/v2/pins/link.json", h(hClient, "X-Plex-Token: {token}", ctForm), "code={code}"),
			want: answer{status: 204}},
		{name: "link without a token", raw: rawReq("PUT", "/api/v2/pins/link.json", h(hClient, ctForm), "code={link}"),
			want: answer{status: 401, code: 1001}},
		{name: "QR of an unknown code", raw: rawReq("GET", "/api/v2/pins/qr/NOPE", h(hJSON), ""), want: answer{status: 404, code: 1020}},

		// Path tricks.
		{name: "double slash", raw: rawReq("POST", "//api/v2/pins", h(hClient, hJSON), ""),
			want: answer{status: 301, header: map[string]string{"Location": "/api/v2/pins"}}},
		{name: "dot-dot segment", raw: rawReq("POST", "/api/v2/../v2/pins", h(hClient, hJSON), ""),
			want: answer{status: 301, header: map[string]string{"Location": "/api/v2/pins"}}},
		{name: "escaped dot-dot", raw: rawReq("POST", "/api/v2/%2e%2e/v2/pins", h(hClient, hJSON), ""),
			want: answer{status: 301, header: map[string]string{"Location": "/api/v2/pins"}}},
		{name: "trailing slash", raw: rawReq("POST", "/api/v2/pins/", h(hClient, hJSON), ""), want: answer{status: 404, code: 1002}},
		{name: "upper-case path", raw: rawReq("POST", "/API/V2/PINS", h(hClient, hJSON), ""), want: answer{status: 404, code: 404}},
		{name: "upper-case suffix", raw: rawReq("GET", "/api/v2/pins/{id}.JSON", h(hClient), ""), want: answer{status: 400, code: 1002}},
		{name: "absolute-form target", raw: rawReq("GET", "http://plex.tv/api/v2/pins/{id}", h(hClient, hJSON), ""),
			want: answer{status: 200, pin: clientIs(catClient)}},

		// Control API misuse.
		{name: "approve with bad JSON", raw: rawReq("POST", "/__mockplex/pins/{id}/approve", h(ctJSON), `{"account":`), want: answer{status: 400, control: true}},
		{name: "approve with an unknown field", raw: rawReq("POST", "/__mockplex/pins/{id}/approve", h(ctJSON), `{"acount":"x"}`), want: answer{status: 400, control: true}},
		{name: "approve with trailing garbage", raw: rawReq("POST", "/__mockplex/pins/{id}/approve", h(ctJSON), `{} {}`), want: answer{status: 400, control: true}},
		{name: "approve for an unknown account", raw: rawReq("POST", "/__mockplex/pins/{id}/approve", h(ctJSON), `{"account":"nobody"}`), want: answer{status: 400, control: true}},
		// Approving again with the same account is idempotent (scenarios such as
		// happy-path claim on their own before a test approves); another
		// account gets 409 (TestApproveByAnotherAccount).
		{name: "approve twice by one account is a no-op", setup: approve, raw: rawReq("POST", "/__mockplex/pins/{id}/approve", nil, ""), want: answer{status: 200}},
		{name: "approve twice by another account", setup: approve, raw: rawReq("POST", "/__mockplex/pins/{id}/approve", h(ctJSON), `{"account":"{other}"}`),
			want: answer{status: 409, control: true}},
		{name: "approve an expired pin", setup: expire, raw: rawReq("POST", "/__mockplex/pins/{id}/approve", nil, ""), want: answer{status: 404, control: true}},
		{name: "approve an unknown pin", raw: rawReq("POST", "/__mockplex/pins/42/approve", nil, ""), want: answer{status: 404, control: true}},
		{name: "approve pin abc", raw: rawReq("POST", "/__mockplex/pins/abc/approve", nil, ""), want: answer{status: 400, control: true}},
		{name: "deny a claimed pin", setup: approve, raw: rawReq("POST", "/__mockplex/pins/{id}/deny", nil, ""), want: answer{status: 409, control: true}},
		{name: "advance by a bad duration", raw: rawReq("POST", "/__mockplex/clock/advance?by=soon", nil, ""), want: answer{status: 400, control: true}},
		{name: "advance without a duration", raw: rawReq("POST", "/__mockplex/clock/advance", nil, ""), want: answer{status: 400, control: true}},
		{name: "negative journal limit", raw: rawReq("GET", "/__mockplex/requests?limit=-1", nil, ""), want: answer{status: 400, control: true}},
		{name: "non-numeric journal status", raw: rawReq("GET", "/__mockplex/requests?status=ok", nil, ""), want: answer{status: 400, control: true}},
		{name: "unknown client scenario", raw: rawReq("PUT", "/__mockplex/clients/{client}/scenario", h(ctJSON), `{"scenario":"no-such"}`), want: answer{status: 400, control: true}},
		{name: "client scenario as a JSON string", raw: rawReq("PUT", "/__mockplex/clients/{client}/scenario", h(ctJSON), `"slow"`), want: answer{status: 400, control: true}},
		{name: "unknown control route", raw: rawReq("POST", "/__mockplex/launch", nil, ""), want: answer{status: 404, control: true}},
		{name: "control preflight gets no CORS", raw: rawReq("OPTIONS", "/__mockplex/pins", h("Origin: https://evil.example", "Access-Control-Request-Method: POST"), ""),
			want: answer{status: 405, control: true, noHeader: []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"}}},

		// Bad form and JSON bodies.
		{name: "form body that does not parse", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctForm), "%zz"), want: answer{status: 400, code: 1002}},
		{name: "form body with one bad pair", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctForm), "a=%zz&X-Plex-Client-Identifier=good"),
			want: answer{status: 201, pin: clientIs("good")}},
		{name: "form body with semicolons", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctForm), "X-Plex-Client-Identifier=a;b"), want: answer{status: 400, code: 1002}},
		{name: "query that does not parse", raw: rawReq("POST", "/api/v2/pins?%zz", h(hClient, hJSON), ""), want: answer{status: 400, code: 1002}},
		{name: "JSON body that is an array", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctJSON), `["X-Plex-Client-Identifier"]`), want: answer{status: 400, code: 1000}},
		{name: "JSON client id that is a number", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctJSON), `{"X-Plex-Client-Identifier":5}`), want: answer{status: 400, code: 1000}},
		{name: "truncated JSON body", raw: rawReq("POST", "/api/v2/pins", h(hJSON, ctJSON), `{"X-Plex-Client-Identifier":`), want: answer{status: 400, code: 1000}},
		{name: "deeply nested JSON body", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, ctJSON), nested),
			want: answer{status: 201, pin: clientIs(catClient)}},
		{name: "empty JSON body", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, ctJSON, "Content-Length: 0"), ""),
			want: answer{status: 201, pin: clientIs(catClient)}},
		{name: "body of an unread type is ignored", raw: rawReq("POST", "/api/v2/pins", h(hJSON, "Content-Type: text/plain"), "X-Plex-Client-Identifier=x"),
			want: answer{status: 400, code: 1000}},
		{name: "malformed Content-Type", raw: rawReq("POST", "/api/v2/pins", h(hClient, hJSON, "Content-Type: ;;;=="), "x=y"),
			want: answer{status: 201, pin: clientIs(catClient)}},

		// Slow clients.
		{name: "slowloris: headers never finish", run: slowHeaders},
		{name: "slow body: never sent", run: slowBody},
	}
}

// slowHeaders opens a connection, sends half a request and stops. The
// server must serve others meanwhile and close the slow one once its
// ReadHeaderTimeout passes, without answering.
func slowHeaders(t *testing.T, cs *catServer) {
	conn, err := net.Dial("tcp", cs.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "POST /api/v2/pins HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Plex-"); err != nil {
		t.Fatalf("write: %v", err)
	}
	cs.healthy(t, "while-slow")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	got, err := io.ReadAll(conn)
	if err != nil && !isReset(err) {
		t.Fatalf("read from the slow connection: %v after %q; want the server to close it", err, got)
	}
	// net/http closes the connection, at most with a plain 4xx of its own:
	// never a pin, never a 5xx.
	if len(got) > 0 && !strings.HasPrefix(string(got), "HTTP/1.1 4") {
		t.Errorf("slow connection got %q, want nothing or a 4xx", got)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("server took %v to drop a client stuck in its headers; ReadHeaderTimeout is %v", took, catReadHeaderTimeout)
	}
	t.Logf("slow client got %q", got)
}

// slowBody sends complete headers that announce a body and never sends
// it. Once ReadTimeout passes the read fails, and the client gets plex.tv's
// 400 for a malformed body rather than a hung connection.
func slowBody(t *testing.T, cs *catServer) {
	conn, err := net.Dial("tcp", cs.addr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	raw := rawReq("POST", "/api/v2/pins", h(hClient, hJSON, ctForm, "Content-Length: 100"), "")(cs.fix)
	if _, err := io.WriteString(conn, raw+"strong="); err != nil {
		t.Fatalf("write: %v", err)
	}
	cs.healthy(t, "while-slow")
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	answer{status: 400, code: 1002}.check(t, catReply{status: resp.StatusCode, header: resp.Header, body: body})
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}

// healthy runs a normal create and poll as client over HTTP.
func (cs *catServer) healthy(t *testing.T, client string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, want int) catPin {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+cs.addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Plex-Client-Identifier", client)
		req.Header.Set("Accept", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s after the bad request: %v", method, path, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s after the bad request = %d, want %d: %s", method, path, resp.StatusCode, want, body)
		}
		p, err := parsePin(resp.Header.Get("Content-Type"), body)
		if err != nil {
			t.Fatalf("%s %s after the bad request: %v", method, path, err)
		}
		return p
	}
	created := do("POST", "/api/v2/pins?strong=true", http.StatusCreated)
	polled := do("GET", fmt.Sprintf("/api/v2/pins/%d", created.ID), http.StatusOK)
	if polled.ID != created.ID || polled.Code != created.Code {
		t.Fatalf("poll after the bad request = %+v, want the created pin %+v", polled, created)
	}
}

// TestBadRequestCatalogue sends each malformed, oversized, slow or
// misdirected request over real loopback HTTP and checks plex.tv's answer
// (or net/http's, for what never reaches a handler). No row may get a 500,
// and the server must still create and poll a pin afterwards.
func TestBadRequestCatalogue(t *testing.T) {
	t.Parallel()
	rows := catalogue()
	if len(rows) < 30 {
		t.Fatalf("catalogue has %d rows, want at least 30", len(rows))
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if seen[row.name] {
			t.Fatalf("duplicate row name %q", row.name)
		}
		seen[row.name] = true
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			cs := newCatServer(t)
			if row.setup != nil {
				row.setup(t, cs)
			}
			if row.run != nil {
				row.run(t, cs)
			} else {
				method := row.method
				if method == "" {
					method = "GET"
				}
				got := cs.send(t, method, row.raw(cs.fix))
				if got.status >= 500 && got.status != row.want.status {
					t.Errorf("status %d: the server failed on a bad request: %.300q", got.status, got.body)
				}
				row.want.check(t, got)
			}
			cs.healthy(t, "after-"+strings.ReplaceAll(row.name, " ", "-"))
		})
	}
}

// TestCatalogueNeverJournalsA500 runs the whole catalogue against one
// server and then reads the journal: no request of it was answered 500.
func TestCatalogueNeverJournalsA500(t *testing.T) {
	t.Parallel()
	cs := newCatServer(t, mock.WithConfig(mock.Config{JournalSize: 10_000}))
	for _, row := range catalogue() {
		if row.run != nil || row.setup != nil {
			continue
		}
		method := row.method
		if method == "" {
			method = "GET"
		}
		got := cs.send(t, method, row.raw(cs.fix))
		if got.status >= 500 && got.status != row.want.status {
			t.Errorf("%s: status %d", row.name, got.status)
		}
	}
	if bad := cs.srv.Requests(mock.RequestFilter{Status: 500}); len(bad) > 0 {
		t.Errorf("journal has %d requests answered 500, first %+v", len(bad), bad[0])
	}
	cs.healthy(t, "after-all")
}
