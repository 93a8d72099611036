// Package mock is a fake plex.tv sign-in API for tests: the PIN flow apps
// use to sign in with Plex (POST /api/v2/pins, the user approves in a
// browser, GET /api/v2/pins/{id} until authToken appears), plex.tv's JWT
// device sign-in (device keys, nonces, Plex JWTs, a rotating key set), and
// the account endpoints that take the token. Real clients work against it
// unchanged but for their base URL. It is not testify's mock package; the
// name says what it is, a mock plex.tv, so import it under another name if
// both are needed.
//
// It copies net/http/httptest's shape:
//
//	srv := mock.NewServer()        // listening on 127.0.0.1:0, like httptest.NewServer
//	defer srv.Close()
//	resp, _ := srv.Client().Post(srv.URL+"/api/v2/pins?strong=true", …)
//
// NewServer panics on bad options, as httptest.NewServer panics when it
// cannot listen; New returns the error and a server that is not listening,
// to serve through Handler in a server of one's own or to Start later.
// Either way, call Close: it stops the listener, the sweeper (which starts
// on the first request) and the scenario watcher.
//
// What a browser would do, a test does with a method: Approve, Deny and
// Expire a pin, read the journal with Requests, move time with
// Clock().Advance so a 30-minute expiry takes no time at all. The control
// API under /__mockplex/ calls the same methods over HTTP, and the pages at
// /auth, /link and / stand in for plex.tv's approval pages. Scenarios
// (package scenarios) script what plex.tv does not do every day: expiry,
// delays, denials, rate limits, faults; they are chosen per server
// (WithScenario), per client (SetClientScenario) or per request (the
// X-Mockplex-Scenario header).
//
// # Where it departs from plex.tv on purpose
//
//   - Tokens are per account, not per device: every pin an account
//     approves gets the account's 20-character token. When a device gets
//     its first Plex JWT, the legacy token stops working for requests from
//     that device's client identifier only.
//   - Error codes plex.tv has never been seen to send are mockplex's own:
//     1002 for a malformed request, 1096 (expired Plex JWT), 1098 (key
//     already registered) and 1099 (device JWT refused) in the JWT family,
//     and 4000 and up for mockplex's own refusals (unknown scenario, pin
//     limits, the control guard).
//   - Stored fields are capped: a client identifier over MaxClientIDLen
//     bytes is refused (400), a product is cut to MaxProductLen.
//   - Link pins are capped at one million live ones, about 60% of the
//     four-character codes, so creating one stays fast; wrong link codes
//     from one token are slowed down (429 after ten in a minute).
//   - Unknowns of WIRE.md take the default it names (WIRE.md):
//     XML by default and JSON on Accept: application/json, 404 exactly at
//     expiresAt (WithExpiryGrace changes that), a claimed JWK pin polled
//     without a valid deviceJWT gets the legacy token.
//
// # How a request is served
//
// Five files trace a poll, GET /api/v2/pins/{id}:
//
//   - server.go: serveHTTP takes an exchange from a pool and finds the
//     route's endpoint with routes.go: the hottest routes (poll, create,
//     health) by a prefix test, the rest through a gorilla/mux router; both
//     are built once per process and shared by every server.
//   - plexapi.go: the api adapter negotiates the format, merges the
//     X-Plex-* parameters, picks the scenario; handlePoll parses the id and
//     calls the core.
//   - core.go: poll reads the pin under its shard lock once: the scenario
//     sees it, the decision's effects are applied (apply is the only place
//     that does), the read is counted.
//   - respond.go: the exchange carries out the decision's transport
//     effects (CORS, delay, fault, scripted answer), then writes the pin
//     or the error table's (errors.go) envelope, and fills in the journal
//     entry that serveHTTP records.
//
// The control API (control.go) and the pages (pages.go) are adapters over
// the same core; jwt.go holds the JWT family's part of it.
package mock
