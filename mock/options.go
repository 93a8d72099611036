package mock

import (
	"log/slog"
	"time"
)

// config is what options set. The zero config is completed by defaults in
// New.
type config struct {
	seed         int64
	clock        *Clock
	logger       *slog.Logger
	accessLog    *slog.Logger
	scenario     string
	scenarioDir  string
	publicURL    string
	legacyAccept bool
	control      bool
	controlToken string
	maxPins      int
	journalSize  int
	maxBody      int64
	expiryGrace  time.Duration
	accounts     int
	maxAccounts  int
	maxClients   int
	loopbackOnly bool
	sweepEvery   time.Duration
}

// base is where the qr field and the pages point: --public-url, else
// plex.tv.
func (c *config) base() string {
	if c.publicURL != "" {
		return c.publicURL
	}
	return "https://plex.tv"
}

func defaultConfig() config {
	return config{
		control:     true,
		maxPins:     DefaultMaxPins,
		journalSize: DefaultJournalSize,
		maxBody:     DefaultMaxBodyBytes,
		accounts:    3,
		maxAccounts: DefaultMaxAccounts,
		maxClients:  DefaultMaxClients,
		sweepEvery:  time.Second,
		logger:      slog.New(slog.DiscardHandler),
	}
}

// Defaults for the limits options change.
const (
	DefaultMaxPins      = 2_000_000
	DefaultJournalSize  = 1000
	DefaultMaxBodyBytes = 64 << 10
	DefaultMaxAccounts  = 10_000
	DefaultMaxClients   = 10_000
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

// WithAccessLog sets a logger of its own for the line per request (API
// requests at info, the control API, pages and health at debug), apart from
// WithLogger's lifecycle events. mockplex serve uses it to batch its access
// log. The default is WithLogger's logger.
func WithAccessLog(l *slog.Logger) Option { return func(c *config) { c.accessLog = l } }

// WithScenario sets the server's default scenario by name.
func WithScenario(name string) Option { return func(c *config) { c.scenario = name } }

// WithScenarios loads scenario files from dir, besides the shipped ones, and
// reloads them when they change.
func WithScenarios(dir string) Option { return func(c *config) { c.scenarioDir = dir } }

// WithPublicURL points the qr field and the approval pages at base (for
// example http://localhost:8080) instead of https://plex.tv.
func WithPublicURL(base string) Option { return func(c *config) { c.publicURL = base } }

// WithLegacyAccept switches content negotiation to the inferred pre-2026
// rule: the first concrete type in Accept wins (WIRE.md §1.8).
func WithLegacyAccept(on bool) Option { return func(c *config) { c.legacyAccept = on } }

// WithControl turns the /__mockplex/ control API and the pages on or off.
func WithControl(on bool) Option { return func(c *config) { c.control = on } }

// WithControlToken guards the control API and the pages with a token, sent as
// X-Mockplex-Token or Authorization: Bearer.
func WithControlToken(token string) Option { return func(c *config) { c.controlToken = token } }

// WithMaxPins caps live pins; creating more answers 503 until some expire.
func WithMaxPins(n int) Option { return func(c *config) { c.maxPins = n } }

// WithJournalSize sets how many requests the journal keeps.
func WithJournalSize(n int) Option { return func(c *config) { c.journalSize = n } }

// WithMaxBodyBytes caps request bodies; larger ones get 413.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.maxBody = n } }

// WithExpiryGrace keeps an expired pin readable (expiresIn 0) for d after
// expiresAt. plex.tv's grace is unknown (WIRE.md §4.1); the default 0
// answers 404 exactly at expiresAt.
func WithExpiryGrace(d time.Duration) Option { return func(c *config) { c.expiryGrace = d } }

// WithAccounts sets how many fake accounts the server starts with (at least 1).
func WithAccounts(n int) Option { return func(c *config) { c.accounts = max(n, 1) } }

// WithMaxAccounts caps the accounts made for sign-ups (the new-account
// scenario makes one per claim); at the cap the oldest made one is
// forgotten. Reset forgets them all. The accounts a server starts with are
// never dropped.
func WithMaxAccounts(n int) Option { return func(c *config) { c.maxAccounts = n } }

// WithMaxClients caps the per-client state kept for clients that run under
// a scenario (their request and poll counts); at the cap, a client with no
// assigned scenario is forgotten to make room.
func WithMaxClients(n int) Option { return func(c *config) { c.maxClients = n } }

// WithLoopbackHosts makes an unguarded control API and pages (no control
// token) answer only requests whose Host is a loopback name (localhost,
// 127.0.0.0/8, [::1]) or --public-url's host, so a web page cannot reach
// them through DNS rebinding. mockplex serve sets it when it opens the
// control API because it listens on loopback.
func WithLoopbackHosts(on bool) Option { return func(c *config) { c.loopbackOnly = on } }
