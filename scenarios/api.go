package scenarios

import (
	"net/http"
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
)

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

	// Client facts, keyed by X-Plex-Client-Identifier.
	ClientRequests int           // requests by this client so far, this one included
	SinceLastPoll  time.Duration // time on the mock's clock since this client's previous poll; 0 for its first
	ClientPolls    int           // polls by this client so far, this one included (added for faster_than; see README)

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
}
