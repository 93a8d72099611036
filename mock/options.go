package mock

import (
	"crypto/x509"
	"log/slog"
	"time"

	"github.com/mockplex/mockplex/world"
)

// Option configures a Server. The last option given wins.
type Option func(*config)

// WithSeed makes every generated value (ids, codes, locations, accounts,
// tokens) reproducible. Zero, the default, seeds from crypto/rand.
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithClock makes the server read time from c instead of a clock of its own.
func WithClock(c *Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithLogger sets the logger for one line per request and for lifecycle
// events. The default discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithScenario sets the server's default scenario by name.
func WithScenario(name string) Option { return func(c *config) { c.scenario = name } }

// WithScenarios loads scenario files from dir, besides the shipped ones, and
// reloads them when they change.
func WithScenarios(dir string) Option { return func(c *config) { c.scenarioDir = dir } }

// WithPublicURL points the qr field and the approval pages at base (for
// example http://localhost:8080) instead of https://plex.tv.
func WithPublicURL(base string) Option { return func(c *config) { c.publicURL = base } }

// WithControl turns the /__mockplex/ control API and the pages on or off.
func WithControl(on bool) Option { return func(c *config) { c.control = on } }

// WithControlToken guards the control API and the pages with a token, sent as
// X-Mockplex-Token or Authorization: Bearer.
func WithControlToken(token string) Option { return func(c *config) { c.controlToken = token } }

// WithExpiryGrace keeps an expired pin readable (expiresIn 0) for d after
// expiresAt, for polls and the QR route alike. plex.tv's grace is unknown
// (WIRE.md §4.1); the default 0 answers 404 exactly at expiresAt.
func WithExpiryGrace(d time.Duration) Option { return func(c *config) { c.expiryGrace = d } }

// WithAccounts sets how many fake accounts the server starts with (at least 1).
func WithAccounts(n int) Option { return func(c *config) { c.accounts = max(n, 1) } }

// WithConfig sets the operational knobs of Config, all at once: a second
// WithConfig replaces the first.
func WithConfig(cfg Config) Option { return func(c *config) { c.ops = cfg } }

// Config holds the operational knobs of a long-running server: what
// mockplex serve sets from its flags, and what a test sets to try a limit.
// The zero value of every field is its default.
type Config struct {
	// MaxPins caps live pins of either kind; creating more fails with
	// ErrTooManyPins (503 and Retry-After on the wire) until some expire.
	// Zero is 2,000,000; negative is no cap. Link pins are capped at one
	// million whatever it says.
	MaxPins int
	// JournalSize is how many requests the journal keeps. Zero is 1000;
	// negative keeps none.
	JournalSize int
	// MaxBodyBytes caps request bodies; a larger one gets 413. Zero is
	// 64 KiB.
	MaxBodyBytes int64
	// MaxAccounts caps the accounts made for sign-ups (the new-account
	// scenario makes one per claim); at the cap the oldest made one is
	// forgotten. The accounts a server starts with are never dropped.
	// Zero is 10,000; negative is no cap.
	MaxAccounts int
	// MaxClients caps two tables kept per client identifier: the state of
	// clients that run under a scenario (their request and poll counts;
	// at the cap one with no assigned scenario is forgotten), and the JWT
	// devices (at the cap, one without live Plex JWTs is forgotten, and
	// when every one has them a new one is refused with 503, code 4029).
	// Zero is 10,000; negative is no cap.
	MaxClients int
	// AccessLog, when set, takes the line per request (API requests at
	// info; the control API, pages and health at debug) apart from
	// WithLogger's lifecycle events. mockplex serve uses it to batch its
	// access log. Nil is WithLogger's logger.
	AccessLog *slog.Logger
	// LegacyAccept switches content negotiation to the inferred pre-2026
	// rule: the first concrete type in Accept wins (wire contract §1.8).
	LegacyAccept bool
	// LoopbackHosts makes an unguarded control API and pages (no control
	// token) answer only requests whose Host is a loopback name
	// (localhost, 127.0.0.0/8, [::1]) or WithPublicURL's host, so a web
	// page cannot reach them through DNS rebinding. mockplex serve sets it
	// when it opens the control API because it listens on loopback.
	LoopbackHosts bool
	// Draining, when set and reporting true, makes /readyz answer 503 so
	// a load balancer stops sending work, while requests are still served.
	// mockplex serve sets it to its shutdown state. Close drains too.
	Draining func() bool
	// OptionName, when set, names an option in the errors the server
	// returns and answers: it is given "Config.MaxPins" or
	// "Config.MaxClients" and returns what the reader should change.
	// mockplex serve returns its flags (--max-pins). Nil names the field.
	OptionName func(option string) string
	// WorldFile, when set, is a world file (YAML or JSON, world.Parse)
	// the server starts with instead of the default world and reloads when
	// the file changes; a change that does not parse is logged and the
	// world in force stays. New fails on a bad file with its file:line:col.
	WorldFile string
	// CA is the certificate GET /__mockplex/ca.pem answers and Certificate
	// returns: mockplex serve passes the CA of --tls-dir, NewTLSServer sets
	// its own. Nil, on a server that serves no TLS, answers
	// /__mockplex/ca.pem with 404.
	CA *x509.Certificate
}

// Defaults of Config's zero fields.
const (
	defaultMaxPins      = 2_000_000
	defaultJournalSize  = 1000
	defaultMaxBodyBytes = 64 << 10
	defaultMaxAccounts  = 10_000
	defaultMaxClients   = 10_000
)

// config is what options set; New completes it with defaults (settle).
type config struct {
	seed         int64
	clock        *Clock
	logger       *slog.Logger
	scenario     string
	scenarioDir  string
	publicURL    string
	control      bool
	controlToken string
	expiryGrace  time.Duration
	accounts     int
	ops          Config // as given; settle reads it into the fields below
	sweepEvery   time.Duration
	ca           *x509.Certificate // answered at /__mockplex/ca.pem (tls.go)
	world        *world.World      // WithWorld

	// From ops, with defaults; 0 is no cap (journalSize 0: none kept).
	maxPins, journalSize, maxAccounts, maxClients int
	maxBody                                       int64
	accessLog                                     *slog.Logger
}

func defaultConfig() config {
	return config{control: true, accounts: 3, sweepEvery: time.Second}
}

// settle fills what the options left unset with defaults, and reads the
// Config's fields.
func (c *config) settle() {
	if c.clock == nil {
		c.clock = NewClock()
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	o := &c.ops
	c.maxPins = orDefault(o.MaxPins, defaultMaxPins)
	c.journalSize = orDefault(o.JournalSize, defaultJournalSize)
	c.maxAccounts = orDefault(o.MaxAccounts, defaultMaxAccounts)
	c.maxClients = orDefault(o.MaxClients, defaultMaxClients)
	c.maxBody = o.MaxBodyBytes
	if c.maxBody <= 0 {
		c.maxBody = defaultMaxBodyBytes
	}
	if o.CA != nil {
		c.ca = o.CA
	}
	c.accessLog = o.AccessLog
	if c.accessLog == nil {
		c.accessLog = c.logger
	}
}

// orDefault reads a Config count: zero is def, negative is 0 (no cap).
func orDefault(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// name is how errors name option, a Config field ("Config.MaxPins").
func (c *config) name(option string) string {
	if c.ops.OptionName != nil {
		return c.ops.OptionName(option)
	}
	return option
}

// base is where the qr field and the pages point: WithPublicURL, else
// plex.tv.
func (c *config) base() string {
	if c.publicURL != "" {
		return c.publicURL
	}
	return "https://plex.tv"
}
