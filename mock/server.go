package mock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/gorilla/mux"
)

// Server is a fake plex.tv PIN API. NewServer starts one on a loopback port,
// like httptest.NewServer; New returns one that is not listening, for use
// through Handler.
type Server struct {
	// URL is the base URL of a started server, e.g. http://127.0.0.1:41234.
	URL string

	cfg       config
	clock     *Clock
	log       *slog.Logger
	accessLog *slog.Logger
	faker     *gofakeit.Faker
	rand      lockedRand
	pins      *store
	accounts  *accounts
	locations []Location
	journal   *journal
	clients   *clients
	scripts   *scriptSet
	handler   http.Handler
	router    *mux.Router // for the Allow header of a 405

	ts       *httptest.Server
	stop     chan struct{}
	done     chan struct{}
	closing  sync.Once
	draining atomic.Bool
}

// New builds a server without starting a listener. It fails when a scenario
// file is bad or the default scenario is unknown: a server never runs half
// configured.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = NewClock()
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	if cfg.accessLog == nil {
		cfg.accessLog = cfg.logger
	}
	faker := gofakeit.New(cfg.seed)
	s := &Server{
		cfg:     cfg,
		clock:   cfg.clock,
		log:     cfg.logger,
		faker:   faker,
		rand:    lockedRand{r: faker.Rand},
		pins:    newStore(cfg.maxPins),
		journal: newJournal(cfg.journalSize),
		clients: newClients(),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	// Locations come from one pool built per process; pins pick from it
	// with s.rand. The draw that seeded a pool per server is kept, so a
	// seed still gives the same accounts, pins and tokens.
	s.accessLog = cfg.accessLog
	faker.Int64()
	s.locations = slices.Clone(locationPool()) // a copy while LoadState copies a saved pool into it
	s.accounts = newAccounts(faker, cfg.accounts, s.clock.Now())
	scripts, err := newScriptSet(cfg.scenarioDir, cfg.logger)
	if err != nil {
		return nil, err
	}
	s.scripts = scripts
	if cfg.scenario != "" {
		if _, ok := scripts.get(cfg.scenario); !ok {
			return nil, s.unknownScenario(cfg.scenario)
		}
	}
	s.handler = s.routes()
	go s.sweeper()
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
// own.
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
// the background sweeper and scenario watcher.
func (s *Server) Close() {
	s.closing.Do(func() {
		s.draining.Store(true)
		if s.ts != nil {
			s.ts.Close()
		}
		close(s.stop)
		<-s.done
		s.scripts.close()
	})
}

// SetDraining marks the server as shutting down: /readyz answers 503 so a
// load balancer stops sending work, while requests are still served.
func (s *Server) SetDraining() { s.draining.Store(true) }

// Clock returns the server's clock, to advance, freeze or resume it.
func (s *Server) Clock() *Clock { return s.clock }

// sweeper deletes expired pins once a second (wall time), and idle client
// state, so memory does not grow forever.
func (s *Server) sweeper() {
	defer close(s.done)
	t := time.NewTicker(s.cfg.sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Sweep()
		}
	}
}

// Sweep deletes every expired pin now and reports how many it removed. The
// server sweeps by itself once a second; tests call it after advancing the
// clock to check memory.
func (s *Server) Sweep() int {
	now := s.clock.Now()
	n := s.pins.sweep(now.Add(-s.cfg.expiryGrace).Unix())
	s.clients.sweep(now.Add(-time.Hour))
	return n
}

// PinInfo is the control API's view of a pin: the wire object plus what the
// mock knows about it.
type PinInfo struct {
	Pin
	Kind     Kind   `json:"kind"`
	State    State  `json:"state"`
	Scenario string `json:"scenario,omitempty"`
	Polls    int    `json:"polls"`
	Account  string `json:"account,omitempty"`
	Legacy   bool   `json:"legacy,omitempty"`
}

// wire renders a stored pin as plex.tv sends it at now.
func (s *Server) wire(p *pin, now time.Time) Pin {
	loc := s.locations[int(p.location)%len(s.locations)]
	out := Pin{
		ID:               p.id,
		Code:             p.code,
		Product:          p.product,
		Trusted:          p.trusted,
		QR:               s.qrURL(p.code),
		ClientIdentifier: p.clientID,
		Location:         &loc,
		ExpiresIn:        max(p.expiresAt-now.Unix(), 0),
		CreatedAt:        formatTime(p.createdAt),
		ExpiresAt:        formatTime(p.expiresAt),
	}
	if p.token != "" {
		tok, reg := p.token, p.newReg
		out.AuthToken, out.NewRegistration = &tok, &reg
	}
	return out
}

func (s *Server) info(p *pin, now time.Time) PinInfo {
	pi := PinInfo{
		Pin: s.wire(p, now), Kind: p.kind(), State: p.state(now), Scenario: p.scenario,
		Polls: int(p.polls), Legacy: p.legacy,
	}
	if p.token != "" {
		if acc, ok := s.accounts.byTok(p.token); ok {
			pi.Account = acc.Username
		}
	}
	return pi
}

func (s *Server) qrURL(code string) string {
	base := "https://plex.tv"
	if s.cfg.publicURL != "" {
		base = s.cfg.publicURL
	}
	return base + "/api/v2/pins/qr/" + code
}

// linkURL is what the QR code encodes (wire contract §1.5, inferred).
func (s *Server) linkURL(code string) string {
	if s.cfg.publicURL != "" {
		return s.cfg.publicURL + "/link?pin=" + code
	}
	return "https://plex.tv/link/?pin=" + code
}

// CreatePin creates a pin for clientID as POST /api/v2/pins would. product
// may be empty (a fake app name is used).
func (s *Server) CreatePin(clientID, product string, strong bool) (Pin, error) {
	now := s.clock.Now()
	p, err := s.createPin(now, clientID, product, strong, false, "", nil)
	if err != nil {
		return Pin{}, err
	}
	return s.wire(&p, now), nil
}

// createPin stores a new pin created at now; callers render it at the same
// instant, so expiresIn is exactly the lifetime.
func (s *Server) createPin(at time.Time, clientID, product string, strong, legacy bool, scenario string, set map[string]any) (pin, error) {
	if clientID == "" {
		return pin{}, ErrMissingClientID
	}
	if !s.pins.reserve() {
		return pin{}, fmt.Errorf("%w (%d); raise --max-pins or let pins expire", ErrTooManyPins, s.cfg.maxPins)
	}
	if product == "" {
		product = s.faker.AppName()
	}
	now := at.Unix()
	life := LinkLifetime
	if strong {
		life = StrongLifetime
	}
	p := &pin{
		product: product, clientID: clientID, scenario: scenario, createdAt: now,
		expiresAt: now + int64(life/time.Second), strong: strong, legacy: legacy,
		location: uint16(s.rand.Intn(len(s.locations))),
	}
	applyPinSet(p, set, s.rand)
	fixedID := p.id != 0
	for range 1000 {
		if !fixedID {
			p.id = pinID(s.faker.Rand)
		}
		if strong {
			p.code = randString(s.faker.Rand, strongAlphabet, 25)
		} else {
			p.code = randString(s.faker.Rand, linkAlphabet, 4)
		}
		if s.pins.insert(p) {
			return *p, nil
		}
	}
	s.pins.release(1)
	return pin{}, fmt.Errorf("%w: no free code or id after 1000 tries", ErrTooManyPins)
}

// Poll reads a pin as GET /api/v2/pins/{id} would for clientID: a pin of
// another client, an unknown id and an expired pin are all ErrPinNotFound.
func (s *Server) Poll(id int64, clientID string) (Pin, error) {
	now := s.clock.Now()
	var out Pin
	err := s.pins.update(id, func(p *pin) error {
		if p.clientID != clientID || !s.live(p, now) {
			return ErrPinNotFound
		}
		p.polls++
		out = s.wire(p, now)
		return nil
	})
	return out, err
}

// live reports whether p can still be read at now.
func (s *Server) live(p *pin, now time.Time) bool {
	return now.Unix() < p.expiresAt+int64(s.cfg.expiryGrace/time.Second)
}

// Approve claims pin id for the named account ("" is the default account),
// as the user approving it in the browser would. The pin gets the account's
// token, which /api/v2/user and /api/v2/pins/link then accept.
func (s *Server) Approve(id int64, account string) (PinInfo, error) {
	acc, ok := s.accounts.find(account)
	if !ok {
		return PinInfo{}, fmt.Errorf("%w: %q; GET /__mockplex/accounts lists them", ErrAccountNotFound, account)
	}
	return s.claim(id, acc, false)
}

// ApproveCode claims the pin with code (either kind), as the auth and link
// pages do.
func (s *Server) ApproveCode(code, account string) (PinInfo, error) {
	id, ok := s.pins.byCode(code)
	if !ok {
		return PinInfo{}, ErrPinNotFound
	}
	return s.Approve(id, account)
}

// PinByCode returns the live pin with code.
func (s *Server) PinByCode(code string) (PinInfo, error) {
	id, ok := s.pins.byCode(code)
	if !ok {
		return PinInfo{}, ErrPinNotFound
	}
	return s.PinInfo(id)
}

// PinInfo returns what the mock knows of pin id, expired pins included
// until they are swept.
func (s *Server) PinInfo(id int64) (PinInfo, error) {
	p, ok := s.pins.get(id)
	if !ok {
		return PinInfo{}, ErrPinNotFound
	}
	return s.info(&p, s.clock.Now()), nil
}

// claim gives pin id the token of acc, after the pin's scenario has had its
// say (it may refuse, pick a new account, or move expiry). A nil acc means a
// new account, created for the claim, with newRegistration true.
func (s *Server) claim(id int64, acc *Account, newReg bool) (PinInfo, error) {
	now := s.clock.Now()
	snap, ok := s.pins.get(id)
	if !ok || !s.live(&snap, now) {
		return PinInfo{}, ErrPinNotFound
	}
	d := s.evaluate(s.scriptForPin(&snap), claimEvent(&snap, now, s.rand))
	if d.Deny {
		_ = s.pins.update(id, func(p *pin) error { p.denied = true; return nil })
		return PinInfo{}, ErrPinDenied
	}
	if snap.token != "" && d.Approve != nil {
		// The scenario picks the account of every claim, and this pin was
		// already claimed under it: approving again is a no-op.
		return s.info(&snap, now), nil
	}
	if a := d.Approve; a != nil {
		newReg = a.NewRegistration
		switch a.Account {
		case "":
		case "new":
			acc = nil
		default:
			if named, ok := s.accounts.find(a.Account); ok {
				acc = named
			}
		}
	}
	if acc == nil { // the user signs up while approving
		acc = newAccount(s.faker, now)
		s.accounts.add(acc)
		newReg = true
	}
	var out PinInfo
	err := s.pins.update(id, func(p *pin) error {
		switch p.state(now) {
		case Expired:
			if !s.live(p, now) {
				return ErrPinNotFound
			}
		case Denied:
			return ErrPinDenied
		case Claimed:
			if p.token == acc.AuthToken {
				out = s.info(p, now) // approving twice with one account is a no-op
				return errAlreadyClaimed
			}
			return ErrPinClaimed
		}
		p.token, p.accountID, p.newReg = acc.AuthToken, acc.ID, newReg
		if d.ExpireIn > 0 {
			p.expiresAt = min(p.expiresAt, now.Add(d.ExpireIn).Unix())
		}
		if d.Expire {
			p.expiresAt = now.Unix()
		}
		applyPinSet(p, d.Set, s.rand)
		out = s.info(p, now)
		return nil
	})
	if err == errAlreadyClaimed {
		return out, nil
	}
	if err == nil {
		s.log.LogAttrs(context.Background(), slog.LevelInfo, "pin claimed", slog.Int64("pin", id), slog.String("account", acc.Username))
	}
	return out, err
}

// errAlreadyClaimed ends a claim that the same account already made.
var errAlreadyClaimed = errors.New("already claimed by this account")

// Deny marks pin id as denied by the user: its token stays null until it
// expires, and approvals are refused.
func (s *Server) Deny(id int64) (PinInfo, error) {
	now := s.clock.Now()
	var out PinInfo
	err := s.pins.update(id, func(p *pin) error {
		if !s.live(p, now) {
			return ErrPinNotFound
		}
		if p.token != "" {
			return ErrPinClaimed
		}
		p.denied = true
		out = s.info(p, now)
		return nil
	})
	return out, err
}

// Expire ends pin id now: polls answer 404/1020 from here on.
func (s *Server) Expire(id int64) (PinInfo, error) {
	now := s.clock.Now()
	var out PinInfo
	err := s.pins.update(id, func(p *pin) error {
		p.expiresAt = min(p.expiresAt, now.Unix())
		out = s.info(p, now)
		return nil
	})
	return out, err
}

// Pins lists the stored pins (live ones, and expired ones not yet swept),
// newest first.
func (s *Server) Pins() []PinInfo {
	now := s.clock.Now()
	all := s.pins.all()
	out := make([]PinInfo, len(all))
	for i := range all {
		out[i] = s.info(&all[i], now)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedAt != out[j].CreatedAt {
			return out[i].CreatedAt > out[j].CreatedAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// LivePins reports how many pins are stored.
func (s *Server) LivePins() int { return s.pins.len() }

// Reset forgets every pin, journal entry and per-client scenario. Accounts
// and the clock stay as they are.
func (s *Server) Reset() {
	s.pins.reset()
	s.journal.clear()
	s.clients.reset()
}

// Requests returns journal entries matching f, oldest first.
func (s *Server) Requests(f RequestFilter) []Request { return s.journal.list(f) }

// ClearRequests empties the journal.
func (s *Server) ClearRequests() { s.journal.clear() }

// Accounts lists the fake accounts; the first is the default.
func (s *Server) Accounts() []Account { return s.accounts.all() }

// AccountByToken returns the account a token belongs to.
func (s *Server) AccountByToken(token string) (Account, bool) {
	acc, ok := s.accounts.byTok(token)
	if !ok {
		return Account{}, false
	}
	return *acc, true
}

// Scenarios lists the scenario names the server knows.
func (s *Server) Scenarios() []string { return s.scripts.names() }

// SetClientScenario makes every request from clientID answer under the
// named scenario (unless a request names its own with X-Mockplex-Scenario).
// An empty name clears it.
func (s *Server) SetClientScenario(clientID, name string) error {
	if name != "" {
		if _, ok := s.scripts.get(name); !ok {
			return s.unknownScenario(name)
		}
	}
	s.clients.setScenario(clientID, name)
	return nil
}

// ClientScenarios returns the per-client scenario assignments.
func (s *Server) ClientScenarios() map[string]string { return s.clients.scenarios() }

func (s *Server) unknownScenario(name string) error {
	return fmt.Errorf("%w %q; known scenarios: %s", ErrUnknownScenario, name, joinNames(s.scripts.names()))
}
