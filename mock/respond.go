package mock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/mockplex/mockplex/scenarios"
)

// exchange is one request being answered, and the one responder every
// adapter hands its outcome to: it negotiates and encodes bodies, writes
// plex.tv's error envelope, carries out a scenario's transport effects, and
// fills in the request's journal entry as it goes. It is the
// http.ResponseWriter the handlers write through, so nothing needs to
// type-assert one.
type exchange struct {
	w       http.ResponseWriter
	r       *http.Request
	s       *Server
	router  *mux.Router // the router that matched, for a 405's Allow
	pathID  string      // the poll route's id segment, when routes.fast found it
	status  int         // 0 until written; -1 when no HTTP answer went out
	entry   Request     // the journal entry
	logged  bool        // the entry is journaled already (before a fault cut the connection)
	bodyErr error       // the body-size rule's verdict (limitBody)

	// plex.tv's API only.
	format format
	cors   bool
	p      *params
	pv     params // what p points to
	req    request
	pin    Pin // the pin replyPin sends
}

func (x *exchange) Header() http.Header { return x.w.Header() }

func (x *exchange) WriteHeader(status int) {
	if x.status == 0 {
		x.status = status
	}
	x.w.WriteHeader(status)
}

func (x *exchange) Write(b []byte) (int, error) {
	if x.status == 0 {
		x.status = http.StatusOK
	}
	return x.w.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for faults).
func (x *exchange) Unwrap() http.ResponseWriter { return x.w }

// exchangePool recycles exchanges: every request needs one, and its
// journal entry makes it a few hundred bytes.
var exchangePool = sync.Pool{New: func() any { return new(exchange) }}

// bufPool recycles response buffers. Buffers that grew past maxPooledBuf
// (a big control listing) are dropped rather than kept.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBuf = 64 << 10

func putBuf(buf *bytes.Buffer) {
	if buf.Cap() <= maxPooledBuf {
		bufPool.Put(buf)
	}
}

// bodies is a body whose JSON and XML forms are different types (the user
// bodies).
type bodies struct{ json, xml any }

// reply writes v with status in the negotiated format. Pins take the
// hand-written encoders (BENCHMARKS.md shows they pay); everything else
// goes through encoding/json and encoding/xml.
func (x *exchange) reply(status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	if b, ok := v.(bodies); ok {
		v = b.xml
		if x.format == jsonFormat {
			v = b.json
		}
	}
	p, isPin := v.(*Pin)
	if isPin {
		x.entry.PinID = p.ID
	}
	var err error
	switch {
	case isPin && x.format == jsonFormat:
		buf.Write(appendPinJSON(buf.AvailableBuffer(), p))
	case x.format == jsonFormat:
		if err = json.NewEncoder(buf).Encode(v); err == nil {
			buf.Truncate(buf.Len() - 1) // Encode's trailing newline
		}
	case isPin:
		buf.WriteString(xmlHeader)
		buf.Write(appendPinXML(buf.AvailableBuffer(), p))
	default:
		buf.WriteString(xmlHeader)
		err = xml.NewEncoder(buf).Encode(v)
	}
	if err != nil {
		x.fail(err)
		return
	}
	x.send(status, x.format, buf.Bytes())
}

// replyPin is reply for a pin, which it keeps in the (pooled) exchange: a
// pin on the handler's stack handed to reply as &p would be moved to the
// heap on every poll.
func (x *exchange) replyPin(status int, p Pin) {
	x.pin = p
	x.reply(status, &x.pin)
}

// answer hands an operation's outcome to the responder: the decision's
// transport effects first, then the error's envelope or v with status.
func (x *exchange) answer(d scenarios.Decision, err error, status int, v any) {
	switch {
	case x.transport(d):
	case err != nil:
		x.fail(err)
	default:
		x.reply(status, v)
	}
}

// send writes an encoded body with its content type and length.
func (x *exchange) send(status int, f format, body []byte) {
	// Direct assignment is Header.Set without canonicalizing keys that
	// already are canonical.
	h := x.w.Header()
	if f == jsonFormat {
		h["Content-Type"] = x.s.consts.json
	} else {
		h["Content-Type"] = x.s.consts.xml
	}
	// net/http works out the Content-Length of a body that fits its
	// buffer when the handler returns, the same header without the two
	// allocations of making it here; a longer body gets it here, so it goes
	// out with a length, as plex.tv sends it, not chunked.
	if len(body) >= netHTTPBuffered {
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	x.WriteHeader(status)
	_, _ = x.Write(body)
}

// netHTTPBuffered is the size of net/http's response buffer (its
// bufferBeforeChunkingSize): a body shorter than this, written once by a
// handler that then returns, is sent with a Content-Length net/http
// computes. TestContentLengthEveryBody checks both sides of it.
const netHTTPBuffered = 2048

// fail writes plex.tv's error envelope for err, from the error table.
func (x *exchange) fail(err error) {
	f := describe(err)
	h := x.w.Header()
	switch {
	case f.wire.Status == http.StatusUnauthorized && f.wire.Code == codeUnauthorized:
		h.Set("WWW-Authenticate", `X-Plex-Token realm="plex.tv"`)
	case f.wire.Code == codeTooManyPins:
		// The pin cap frees up as pins expire and the sweeper runs; a
		// client that honours Retry-After backs off instead of hammering.
		h.Set("Retry-After", strconv.Itoa(tooManyPinsRetryAfter))
	case f.wire.Code == codeRateLimited && h.Get("Retry-After") == "":
		h.Set("Retry-After", strconv.Itoa(linkRetryAfter))
	case f.wire.Status == http.StatusRequestEntityTooLarge:
		h.Set("Connection", "close") // the unread body is not drained
	}
	x.failWire(f.wire)
}

func (x *exchange) failWire(e wireError) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer putBuf(buf)
	if x.format == xmlFormat {
		buf.WriteString(xmlHeader)
	}
	buf.Write(appendErrorBody(buf.AvailableBuffer(), x.format, e))
	x.send(e.Status, x.format, buf.Bytes())
}

// transport carries out a decision's transport effects, in this order:
// CORS, delay, fault, scripted answer; a preflight whose CORS the
// decision refuses is answered 403. It reports whether the request is
// answered (or abandoned) and the operation's own answer must not follow.
// The Go methods' form of the same effects is scriptedAnswer.
func (x *exchange) transport(d scenarios.Decision) bool {
	refused := d.CORS != nil && !*d.CORS
	if refused {
		x.cors = false
		h := x.w.Header()
		for _, k := range [...]string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Expose-Headers"} {
			h.Del(k)
		}
	}
	if d.Delay > 0 {
		t := time.NewTimer(d.Delay)
		select {
		case <-t.C:
		case <-x.r.Context().Done():
			t.Stop()
			x.status, x.entry.Fault = -1, "abandoned" // the client left during the delay: no answer went out
			return true
		}
	}
	if d.Fault != scenarios.FaultNone {
		x.fault(d.Fault)
		return true
	}
	if d.Deprecated {
		x.gone()
		return true
	}
	if resp := d.Respond; resp != nil {
		h := x.w.Header()
		for k, v := range resp.Header {
			h.Set(k, v)
		}
		if resp.RetryAfter > 0 {
			h.Set("Retry-After", strconv.Itoa(int((resp.RetryAfter+time.Second-1)/time.Second)))
		}
		if resp.Code == 0 {
			x.WriteHeader(resp.Status)
			return true
		}
		msg := resp.Message
		if msg == "" {
			msg = http.StatusText(resp.Status)
		}
		x.failWire(wireError{Status: resp.Status, Code: resp.Code, Message: msg})
		return true
	}
	if refused && x.r.Method == http.MethodOptions {
		x.WriteHeader(http.StatusForbidden)
		return true
	}
	return false
}

// scriptedAnswer is the Go methods' form of a decision's transport
// effects: a scripted answer or a fault, which only HTTP can carry, becomes
// an error that says what it was.
func scriptedAnswer(d scenarios.Decision) error {
	if r := d.Respond; r != nil {
		return wireError{Status: r.Status, Code: r.Code, Message: "scenario " + d.Scenario + " answered " + http.StatusText(r.Status) + ": " + r.Message}
	}
	return fmt.Errorf("scenario %s cut the connection (%s)", d.Scenario, d.Fault)
}

// fault misbehaves at the transport level, as the flaky scenario asks. The
// request is journaled before the connection is cut, so a test that saw
// the cut finds it in the journal at once.
func (x *exchange) fault(f scenarios.Fault) {
	x.entry.Fault = string(f)
	if f == scenarios.FaultMalformed {
		body := `{"id":12`
		ct := contentTypeJSON
		if x.format == xmlFormat {
			body, ct = xmlHeader+`<pin id="12`, contentTypeXML
		}
		x.w.Header().Set("Content-Type", ct)
		x.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		x.WriteHeader(http.StatusOK)
		_, _ = x.Write([]byte(body))
		return
	}
	conn, buf, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		// In-process (httptest.ResponseRecorder) or over HTTP/2 there is
		// no connection to cut: the fault becomes a 500 that says so.
		x.failWire(wireError{http.StatusInternalServerError, http.StatusInternalServerError,
			"mockplex: fault " + string(f) + " needs an HTTP/1.1 connection to cut; this response writer cannot be hijacked"})
		return
	}
	x.status = -1 // no HTTP status was sent
	x.s.record(x)
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

// control writes a control-API JSON response.
func (x *exchange) control(status int, v any) { writeJSON(x, status, v) }

// writeJSON writes an indented JSON body, as the control API and the pages'
// JSON answers are.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// controlError is the control API's error body: what went wrong, and the
// code the same error has on plex.tv's surface.
type controlError struct {
	Error string `json:"error"`
	Code  int    `json:"code"`
}

// controlFail writes the control API's answer for err, from the error
// table.
func (x *exchange) controlFail(err error) {
	f := describe(err)
	if f.control == http.StatusUnauthorized {
		x.w.Header().Set("WWW-Authenticate", `Bearer realm="mockplex"`)
	}
	writeJSON(x, f.control, controlError{Error: err.Error(), Code: f.wire.Code})
}
