package mock

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mockplex/mockplex/internal/textlog"
)

// Server is a fake plex.tv PIN API. NewServer starts one on a loopback port,
// like httptest.NewServer; New returns one that is not listening, for use
// through Handler.
type Server struct {
	// URL is the base URL of a started server, e.g. http://127.0.0.1:41234.
	URL string

	core      core
	cfg       config
	log       *slog.Logger
	accessLog *slog.Logger
	journal   *journal
	pages     func() *pages // built on first use
	consts    headerValues
	handler   http.Handler

	ts       *httptest.Server
	sweeping sync.Once
	stop     chan struct{}
	done     chan struct{}
	closing  sync.Once
	draining atomic.Bool
	world    worldState // built on first use (world.go)
}

// New builds a server without starting a listener. It fails when a scenario
// file is bad or the default scenario is unknown: a server never runs half
// configured.
func New(opts ...Option) (*Server, error) {
	s := &Server{cfg: defaultConfig(), stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		o(&s.cfg)
	}
	cfg := &s.cfg
	cfg.settle()
	s.log, s.accessLog = cfg.logger, cfg.accessLog
	if err := s.core.init(cfg); err != nil {
		return nil, err
	}
	s.journal = newJournal(cfg.journalSize)
	s.pages = sync.OnceValue(func() *pages { return newPages(s) })
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.consts = headerValues{
		cacheControl: []string{"max-age=0, private, must-revalidate"}, vary: []string{"Origin"},
		json: []string{contentTypeJSON}, xml: []string{contentTypeXML},
	}
	if err := s.initWorld(); err != nil {
		s.core.close()
		return nil, err
	}
	return s, nil
}

// NewServer starts a server on a loopback port. It panics if the options
// are invalid (a bad scenario file, an unknown scenario), as
// httptest.NewServer panics when it cannot listen; use New to get the error.
func NewServer(opts ...Option) *Server {
	s, err := New(opts...)
	if err != nil {
		panic("mock: NewServer: " + err.Error())
	}
	s.Start()
	return s
}

// Start starts listening on a loopback port and sets URL.
func (s *Server) Start() {
	s.ts = httptest.NewServer(s.handler)
	s.URL = s.ts.URL
}

// Handler returns the fake as an http.Handler, for use in a server of one's
// own. The sweeper, which deletes expired pins
// once a second, starts with the server's first HTTP request; until then
// expired pins stay listed until Sweep. Close stops it.
func (s *Server) Handler() http.Handler { return s.handler }

// Client returns an HTTP client for a started server (http.DefaultClient's
// behaviour otherwise).
func (s *Server) Client() *http.Client {
	if s.ts != nil {
		return s.ts.Client()
	}
	return &http.Client{}
}

// Close stops the listener, blocks until in-flight requests end, and stops
// the background sweeper and scenario watcher. Call it for every server,
// started or not, once its requests are done.
func (s *Server) Close() {
	s.closing.Do(func() {
		s.draining.Store(true)
		if s.ts != nil {
			s.ts.Close()
		}
		s.sweeping.Do(func() { close(s.done) }) // never started: nothing to wait for
		close(s.stop)
		<-s.done
		s.core.close()
		s.closeWorld()
	})
}

// drained reports whether /readyz answers 503: the server is closing, or
// Config.Draining says the process is shutting down.
func (s *Server) drained() bool {
	return s.draining.Load() || s.cfg.ops.Draining != nil && s.cfg.ops.Draining()
}

// Clock returns the server's clock, to advance, freeze or resume it.
func (s *Server) Clock() *Clock { return s.core.clock }

// startSweeper starts the goroutine that deletes expired pins once a
// second (wall time), on the server's first request.
func (s *Server) startSweeper() {
	s.sweeping.Do(func() {
		go func() {
			defer close(s.done)
			t := time.NewTicker(s.cfg.sweepEvery)
			defer t.Stop()
			for {
				select {
				case <-s.stop:
					return
				case <-t.C:
					s.core.sweep()
				}
			}
		}()
	})
}

// Sweep deletes every pin that can no longer be read now, and reports how
// many it removed. The server sweeps by itself once a second while it
// serves; tests call it after advancing the clock to check memory.
func (s *Server) Sweep() int { return s.core.sweep() }

// serveHTTP serves one request: it finds the route's endpoint in the
// shared router, hands it an exchange, and journals and logs the outcome.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.startSweeper()
	start := time.Now()
	x := exchangePool.Get().(*exchange)
	*x = exchange{w: w, s: s, entry: Request{Time: s.core.clock.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v) // x is not reused: net/http may still hold it
			}
			s.log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("panic", v))
			if x.status == 0 {
				x.format = negotiate(r.URL.Path, r.Header.Values("Accept"), s.cfg.ops.LegacyAccept)
				x.failWire(internalFailure.wire)
			}
		}
		end := time.Now() // one reading for the duration and the log line
		x.entry.Duration = end.Sub(start)
		s.record(x)
		s.logRequest(x, end)
		*x = exchange{} // drop the references before pooling
		exchangePool.Put(x)
	}()
	if p := cleanPath(r.URL.Path); p != r.URL.Path {
		u := *r.URL
		u.Path = p
		w.Header().Set("Location", u.String())
		x.WriteHeader(http.StatusMovedPermanently)
		return
	}
	rt := routes()
	ep, id := rt.fast(r)
	if ep != nil {
		x.pathID = id
	} else {
		x.router = rt.router()
		ep, r = match(x.router, r)
	}
	r, x.bodyErr = s.limitBody(w, r)
	if x.bodyErr != nil && (ep == nil || !isPlexPath(r.URL.Path)) {
		// plex.tv's API paths answer it in their own envelope (api).
		x.w.Header().Set("Connection", "close")
		writeJSON(x, http.StatusRequestEntityTooLarge, controlError{Error: x.bodyErr.Error(), Code: http.StatusRequestEntityTooLarge})
		return
	}
	x.r = r
	if ep == nil {
		ep = api(handleNotFound)
	}
	ep(s, x)
}

// limitBody is the body-size rule (Config.MaxBodyBytes), on every route.
// A body announced larger than the limit is errBodyTooLarge before any of
// it is read: waiting for bytes a client will never send would hold the
// connection until the read timeout. Any other body is read through the
// limit, whose error readBody reports as errBodyTooLarge. The request
// returned carries the limited body in a copy: net/http then sees the
// original unread body after a 413 and closes the connection, instead of
// draining a body that may never come.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request) (*http.Request, error) {
	var err error
	if r.ContentLength > s.cfg.maxBody {
		err = errBodyTooLarge
	}
	if r.Body != nil && r.Body != http.NoBody {
		r2 := *r
		r2.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBody)
		r = &r2
	}
	return r, err
}

// record journals x's request once, if it is plex.tv's API.
func (s *Server) record(x *exchange) {
	if x.logged || isInternal(x.entry.Path) {
		return
	}
	x.logged = true
	x.entry.Status = x.status
	if x.entry.Status == 0 {
		x.entry.Status = http.StatusOK
	}
	s.journal.add(&x.entry)
}

// logRequest writes the access log's line for x, which ended at end.
func (s *Server) logRequest(x *exchange, end time.Time) {
	level := slog.LevelInfo
	if isInternal(x.entry.Path) {
		level = slog.LevelDebug
	}
	ctx := context.Background()
	if x.r != nil {
		ctx = x.r.Context()
	}
	h := s.accessLog.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	status := x.status
	if status == 0 {
		status = http.StatusOK
	}
	e := &x.entry
	// The scenario only comes when there is one.
	attrs := [...]slog.Attr{
		slog.String("method", e.Method), slog.String("path", e.Path), slog.Int("status", status),
		slog.Duration("took", e.Duration), slog.String("client", e.ClientIdentifier),
		slog.String("scenario", e.Scenario),
	}
	n := len(attrs)
	if e.Scenario == "" {
		n--
	}
	// serve's handler (internal/textlog) takes the line as parts, without
	// a slog.Record, which allocates past five attributes; for any other,
	// the record is built here rather than by Logger.LogAttrs, which
	// looks up its caller on every call (runtime.Callers) for a source line
	// that would say nothing.
	if th, ok := h.(*textlog.Handler); ok {
		_ = th.HandleAttrs(ctx, end, level, "request", attrs[:n]...) // a concrete call: attrs stays on the stack
		return
	}
	line := slog.NewRecord(end, level, "request", 0)
	line.AddAttrs(attrs[:n]...)
	_ = h.Handle(ctx, line)
}

// The Server's Go controls: what the control API and the pages do, as
// methods. They reach the state only through the core's methods.

// CreatePin creates a pin for clientID as POST /api/v2/pins would, under
// the client's scenario or the server's. product may be empty (a fake app
// name is used). A scenario's scripted answer or fault has no Go form: the
// pin is then not created and the error says so.
func (s *Server) CreatePin(clientID, product string, strong bool) (Pin, error) {
	if err := checkClientID(clientID); err != nil {
		return Pin{}, err
	}
	q := request{client: clientID}
	var err error
	if q.script, err = s.core.selectScript("", clientID); err != nil {
		return Pin{}, err
	}
	p, d, err := s.core.create(createReq{request: q, product: product, strong: strong})
	if err == nil && p.id == 0 {
		err = scriptedAnswer(d)
	}
	if err != nil {
		return Pin{}, err
	}
	return s.core.created(&p).own(), nil
}

// Poll reads a pin as GET /api/v2/pins/{id} would for clientID, under the
// client's scenario or the server's: a pin of another client, an unknown id
// and an expired pin are all ErrPinNotFound. A scenario's scripted answer
// or fault comes back as an error that says what it was.
func (s *Server) Poll(id int64, clientID string) (Pin, error) {
	q := request{client: clientID}
	var err error
	if q.script, err = s.core.selectScript("", clientID); err != nil {
		return Pin{}, err
	}
	res, d, err := s.core.poll(id, "", q)
	if err == nil && preempts(d) {
		err = scriptedAnswer(d)
	}
	if err != nil {
		return Pin{}, err
	}
	return s.core.wire(&res.pin, s.core.clock.Now()).own(), nil
}

// Approve claims pin id for the named account ("" is the default account),
// as the user approving it in the browser would. The pin gets the account's
// token, which /api/v2/user and /api/v2/pins/link then accept.
func (s *Server) Approve(id int64, account string) (PinInfo, error) {
	return owned(s.core.approve(id, account, false))
}

// ApproveCode claims the pin with code (either kind), as the auth and link
// pages do.
func (s *Server) ApproveCode(code, account string) (PinInfo, error) {
	id, err := s.core.idByCode(code)
	if err != nil {
		return PinInfo{}, err
	}
	return s.Approve(id, account)
}

// Deny marks pin id as denied by the user: its token stays null until it
// expires, and approvals are refused.
func (s *Server) Deny(id int64) (PinInfo, error) { return owned(s.core.deny(id)) }

// Expire ends pin id now: polls answer 404/1020 from here on.
func (s *Server) Expire(id int64) (PinInfo, error) { return owned(s.core.expire(id)) }

// PinInfo returns what the mock knows of pin id, expired pins included
// until they are swept.
func (s *Server) PinInfo(id int64) (PinInfo, error) { return owned(s.core.pinInfo(id)) }

// PinByCode returns what the mock knows of the pin with code.
func (s *Server) PinByCode(code string) (PinInfo, error) { return owned(s.core.byCode(code)) }

// Pins lists the stored pins (live ones, and expired ones not yet swept),
// newest first. GET /__mockplex/pins pages the same list.
func (s *Server) Pins() []PinInfo {
	all := s.core.all()
	for i := range all {
		all[i] = all[i].own()
	}
	return all
}

// owned is own for a Go method's result.
func owned(pi PinInfo, err error) (PinInfo, error) { return pi.own(), err }

// Reset forgets every pin, journal entry, per-client scenario, account
// made for a sign-up and JWT device. The accounts the server started with,
// the clock and the signing keys stay as they are; Plex JWTs issued before
// the reset are revoked, and legacy tokens they ended stay ended.
func (s *Server) Reset() {
	s.core.reset()
	s.journal.clear()
	s.resetWorld()
}

// Requests returns journal entries matching f, oldest first.
func (s *Server) Requests(f RequestFilter) []Request { return s.journal.list(f) }

// ClearRequests empties the journal.
func (s *Server) ClearRequests() { s.journal.clear() }

// Accounts lists the fake accounts; the first is the default.
func (s *Server) Accounts() []Account { return s.core.accountList() }

// Scenarios lists the scenario names the server knows.
func (s *Server) Scenarios() []string { return s.core.scenarioNames() }

// SetClientScenario makes every request from clientID answer under the
// named scenario (unless a request names its own with X-Mockplex-Scenario).
// An empty name clears it.
func (s *Server) SetClientScenario(clientID, name string) error {
	return s.core.setClientScenario(clientID, name)
}

// ClientScenarios returns the per-client scenario assignments.
func (s *Server) ClientScenarios() map[string]string { return s.core.clientScenarios() }

// JWKS returns the server's signing keys as GET /api/v2/auth/keys serves
// them, for checking a Plex JWT with device.VerifyPlexJWT.
func (s *Server) JWKS() []byte {
	jwks, err := s.core.jwks()
	if err != nil {
		panic("mock: signing keys: " + err.Error()) // only a failing random source gets here
	}
	return jwks
}

// RotateKeys makes a new signing key current, as plex.tv rotates its keys.
// The previous key stays listed until the tokens it signed have expired, so
// they still verify.
func (s *Server) RotateKeys() error {
	keys, err := s.core.keySet()
	if err != nil {
		return err
	}
	return keys.Rotate(s.core.clock.Now())
}

// RevokeDevice ends the JWT device of clientID, as removing it from
// plex.tv's Authorized Devices does: its Plex JWTs and its legacy token get
// 401, and its key no longer verifies. The Plex JWTs issued so far stay
// refused until they expire, whatever happens to the device after.
func (s *Server) RevokeDevice(clientID string) error { return s.core.revoke(clientID) }

// Devices lists the JWT devices: registered keys, the account each signs
// in as, and the Plex JWTs issued to it.
func (s *Server) Devices() []Device { return s.core.devices() }

// headerValues are header values every API answer carries, made once per
// server and shared by its answers, which only read them.
type headerValues struct {
	cacheControl, vary, json, xml []string
}
