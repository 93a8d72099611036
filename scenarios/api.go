package scenarios

import (
	"net/http"
	"strconv"
	"time"
)

// Op names the kind of request (or lifecycle event) a rule can match.
type Op string

// The operations the mock reports to a Script.
const (
	OpCreate  Op = "create"  // POST /api/v2/pins, POST /pins.xml
	OpPoll    Op = "poll"    // GET /api/v2/pins/{id}, GET /pins/{id}.xml
	OpLink    Op = "link"    // PUT /api/v2/pins/link
	OpClaim   Op = "claim"   // a pin is being claimed (approve, link, auth page); not an HTTP request of its own
	OpUser    Op = "user"    // GET /api/v2/user, GET /users/account.json
	OpPing    Op = "ping"    // GET /api/v2/ping
	OpQR      Op = "qr"      // GET /api/v2/pins/qr/{code}
	OpOptions Op = "options" // a CORS preflight
	OpOther   Op = "other"   // anything else under the plex.tv API

	// JWT device sign-in (WIRE.md J1).
	OpJWK   Op = "jwk"   // POST /api/v2/auth/jwk: register a device key
	OpNonce Op = "nonce" // GET /api/v2/auth/nonce
	OpToken Op = "token" // POST /api/v2/auth/token: exchange a device JWT for a Plex JWT
	OpKeys  Op = "keys"  // GET /api/v2/auth/keys: the JWKS of plex.tv's signing keys
)

// JWTState says what a poll carried in its deviceJWT query parameter.
type JWTState uint8

// The device-JWT states of a poll. The zero value is JWTAbsent, so events
// that carry no device JWT (every op but poll) need not set it.
const (
	JWTAbsent  JWTState = iota // no deviceJWT parameter
	JWTInvalid                 // a deviceJWT that does not verify against the pin's key (structure, kid, signature, aud, iss or exp)
	JWTValid                   // a deviceJWT that verifies
)

var jwtStateNames = [...]string{JWTAbsent: "absent", JWTInvalid: "invalid", JWTValid: "valid"}

// String returns the state's name in scenario files: absent, invalid or valid.
func (s JWTState) String() string {
	if int(s) < len(jwtStateNames) {
		return jwtStateNames[s]
	}
	return "JWTState(" + strconv.Itoa(int(s)) + ")"
}

// Rand is the source of randomness a Script uses for fractions and latency
// distributions. The mock passes its own seeded, goroutine-safe source.
type Rand interface {
	Float64() float64
	NormFloat64() float64
}

// Event is what the mock tells a Script about one request or lifecycle event.
type Event struct {
	Op     Op
	Method string
	Path   string
	Header http.Header // merged X-Plex-* values are also present here under their canonical names

	Now time.Time // the mock's clock

	// Pin facts; zero when the request concerns no existing pin.
	HasPin     bool
	PinCreated time.Time
	Polls      int  // polls of this pin so far, this one included
	Claimed    bool // the pin already has a token
	JWKPin     bool // the pin was created with a jwk (the JWT pin flow)

	// DeviceJWT is what a poll carried in deviceJWT; JWTAbsent for other ops.
	DeviceJWT JWTState

	// Client facts, keyed by X-Plex-Client-Identifier.
	ClientRequests int           // requests by this client so far, this one included
	SinceLastPoll  time.Duration // time on the mock's clock since this client's previous poll; 0 for its first
	ClientPolls    int           // polls by this client so far, this one included (added for faster_than; see README)
	// ClientTokens counts the Plex JWTs issued to this client so far, the one
	// this request would issue included (a token exchange, or the poll that
	// hands a claimed JWK pin its JWT). It is 0 when the request would issue
	// none, so client_tokens triggers match only token-issuing requests.
	ClientTokens int

	Rand Rand
}

// Fault is a transport-level misbehaviour.
type Fault string

// The faults a Script can ask for.
const (
	FaultNone      Fault = ""
	FaultReset     Fault = "reset"     // close the connection without a response (TCP RST where possible)
	FaultEmpty     Fault = "empty"     // status line and headers, then an empty body with a Content-Length promise broken
	FaultMalformed Fault = "malformed" // a truncated / non-parseable body with the normal status
)

// Response is a scripted reply that replaces the mock's own.
type Response struct {
	Status     int               // HTTP status
	Code       int               // plex.tv error code for the envelope; 0 means no error body (e.g. 204)
	Message    string            // plex.tv error message
	RetryAfter time.Duration     // sets Retry-After (whole seconds) when > 0
	Header     map[string]string // extra headers
}

// Approval asks the mock to claim the pin.
type Approval struct {
	Account         string // account name known to the mock; "" is the default account; "new" creates a fresh account
	NewRegistration bool
}

// Decision is what a Script wants done for one Event. The zero Decision
// means "behave like plex.tv".
type Decision struct {
	Scenario string        // name of the script that decided
	Delay    time.Duration // sleep (on the wall clock) before answering
	Fault    Fault
	Respond  *Response // replace the response entirely

	Approve *Approval // claim the pin before answering
	Deny    bool      // the pin can never be claimed; approvals are refused
	Expire  bool      // expire the pin now (before answering)
	// ExpireIn, when > 0, moves the pin's expiry to Now+ExpireIn (used on claim).
	ExpireIn time.Duration
	// ExpireAfterResponse expires the pin once this response is written (consume-on-first-read).
	ExpireAfterResponse bool

	Set  map[string]any // pin field overrides by wire name (e.g. "id", "trusted", "product", "newRegistration")
	CORS *bool          // false suppresses CORS headers and refuses preflights

	// RotateKeys asks for a new signing key before a Plex JWT is issued for
	// this event; the old key stays in the JWKS until its tokens expire.
	RotateKeys bool
	// TokenLifetime, when > 0, is the lifetime (exp - iat) of the Plex JWTs
	// issued under this Decision instead of plex.tv's 7 days.
	TokenLifetime time.Duration

	// Deprecated answers 410 with plex.tv's body for removed endpoints
	// (<Response code="410" status="This endpoint was deprecated and
	// removed"/>), on whatever route the rule matches.
	Deprecated bool
	// World names changes to how servers look in the account's views
	// (offline, relay-only, https-required, no-connections,
	// sections-missing) and to Plex Home and claim rules
	// (home-pin-enforced, claim-expired), in the order first named.
	World []string
}
