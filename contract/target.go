package contract

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// Target is what the suite runs against: a base URL (scheme, host and
// optional path prefix, e.g. "https://plex.tv" or an httptest server's URL)
// and the client to reach it with.
type Target struct {
	// Name labels the target in reports; the URL when empty.
	Name string
	// URL is the base URL; API paths such as /api/v2/pins are appended.
	URL string
	// Client sends the requests; http.DefaultClient when nil. Per-request
	// timeouts come from WithRequestTimeout, not from the client.
	Client *http.Client
}

// The profiles a run can validate against; they name schema profiles.
const (
	// ProfileWire is what real plex.tv sends (the SDK table plus the wire
	// overlay). The default.
	ProfileWire = "wire"
	// ProfileSDK is the SDK field table as written.
	ProfileSDK = "sdk"
)

// DefaultQRBase is the prefix of a pin's qr field on plex.tv.
const DefaultQRBase = "https://plex.tv/api/v2/pins/qr/"

// Product is the X-Plex-Product the suite identifies itself with.
const Product = "mockplex-contract"

// Option configures Run.
type Option func(*config)

type config struct {
	profile        string
	clientID       string
	version        string
	qrBase         string
	requestTimeout time.Duration
	maxRetries     int
	maxWait        time.Duration
	maxRequests    int
	countdownWait  time.Duration
	controlToken   string
	accountToken   string
	disposable     bool
	strict         bool
	logger         *slog.Logger
}

func newConfig(opts []Option) config {
	c := config{
		profile:        ProfileWire,
		version:        "1",
		qrBase:         DefaultQRBase,
		requestTimeout: 10 * time.Second,
		maxRetries:     2,
		maxWait:        10 * time.Second,
		maxRequests:    100,
		countdownWait:  1100 * time.Millisecond,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.clientID == "" {
		c.clientID = randomClientID()
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func randomClientID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "mockplex-contract-" + hex.EncodeToString(b[:])
}

// WithProfile selects the schema profile, ProfileWire (default) or
// ProfileSDK.
func WithProfile(p string) Option { return func(c *config) { c.profile = p } }

// WithClientIdentifier sets the X-Plex-Client-Identifier the suite sends
// (default "mockplex-contract-" plus 16 random hex digits).
func WithClientIdentifier(id string) Option { return func(c *config) { c.clientID = id } }

// WithQRBase sets the expected prefix of a pin's qr field (default
// DefaultQRBase); use the mock's --public-url base when it has one.
func WithQRBase(base string) Option { return func(c *config) { c.qrBase = base } }

// WithRequestTimeout bounds each request (default 10 s).
func WithRequestTimeout(d time.Duration) Option { return func(c *config) { c.requestTimeout = d } }

// WithBackoff sets how often a request answered 429 is retried (default
// 2) and the longest wait between tries (default 10 s). Retry-After is
// honoured up to that bound; without it the wait doubles from 500 ms.
func WithBackoff(maxRetries int, maxWait time.Duration) Option {
	return func(c *config) { c.maxRetries, c.maxWait = maxRetries, maxWait }
}

// WithMaxRequests caps the requests of one run, retries included (default
// 100; a run against a target without the control API needs about 21, 35
// more with WithAccountToken, and one against a mock about 60).
// Requests over the cap are not sent and their checks end in Error.
func WithMaxRequests(n int) Option { return func(c *config) { c.maxRequests = n } }

// WithCountdownWait sets how long the countdown check waits between two
// polls of a target without a mock clock (default 1.1 s). Zero polls twice
// at once and only checks that expiresIn does not grow and agrees with the
// Date header.
func WithCountdownWait(d time.Duration) Option { return func(c *config) { c.countdownWait = d } }

// WithStrict(true) validates with the strict schema variant, in which an
// unknown key is a violation. Use it for the mock's own output; leave it off
// (the default) for plex.tv, which may add fields at any time.
func WithStrict(strict bool) Option { return func(c *config) { c.strict = strict } }

// WithControlToken sets the X-Mockplex-Token sent to the control API.
func WithControlToken(t string) Option { return func(c *config) { c.controlToken = t } }

// WithAccountToken sets a plex.tv account token for the jwt.* checks that
// need an account (Checks lists them with Account set). The suite uses it
// only to link a pin of its own client identifier with PUT
// /api/v2/pins/link, so the account's own token stays valid; it never
// appears in a report or a log. Against a mock with the control API the
// suite mints a token itself when none is given. Use a test account.
func WithAccountToken(t string) Option { return func(c *config) { c.accountToken = t } }

// WithDisposableAccount(true) lets the suite change the account of
// WithAccountToken on a target without the mockplex control API: switch
// Plex Home profiles and claim a server (which stays in the account's
// resources). Without it those checks run against a mock only. Never set
// it for an account you keep.
func WithDisposableAccount(on bool) Option { return func(c *config) { c.disposable = on } }

// WithLogger sets the logger for per-request debug logs (default discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
