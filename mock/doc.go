// Package mock is a fake plex.tv sign-in API for tests: the PIN flow
// (POST /api/v2/pins, the user approves, GET /api/v2/pins/{id} until
// authToken appears), JWT device sign-in, and the account endpoints that
// take the token. Real clients work against it unchanged but for their base
// URL. (It is not testify's mock; import it under another name if you need
// both.)
//
// A Server has net/http/httptest's shape:
//
//	srv := mock.NewServer(mock.WithSeed(1)) // listening on 127.0.0.1:0
//	defer srv.Close()
//	p, _ := srv.CreatePin("my-app", "My App", true)
//	srv.Approve(p.ID, "")                   // what the user would do
//	resp, _ := srv.Client().Get(srv.URL + "/api/v2/pins/…")
//
// New returns a server that is not listening, to serve through Handler or
// Start later. Options take values (WithSeed, WithClock, WithScenario,
// WithLogger, …); the operational knobs of a long-running server (limits,
// access log, loopback hosts) are one Config, set with WithConfig. Test
// controls are methods (Approve, Deny, Expire, Pins, Requests,
// RevokeDevice) and Clock().Advance, so a 30-minute expiry takes no time;
// the control API under /__mockplex/ and the pages at /auth, /link and /
// do the same through the same core. Scenarios (package scenarios) script
// expiry, delays, denials, rate limits and faults, per server, per client
// or per request.
//
// NewTLSServer serves HTTPS for plex.tv's names: its Client sends
// https://plex.tv/… to the mock, and Certificate is the CA to trust
// elsewhere. The account's world (servers, shares, Plex Home, claim) is a
// world.World, served to signed-in clients; WithWorld starts a server with
// one and SetWorld replaces it.
//
// Where it departs from plex.tv on purpose: legacy tokens are per account,
// not per device; codes plex.tv has never been seen to send are mockplex's
// own (1002, 1096, 1098, 1099, and 4000 up); a client identifier over 256
// bytes is refused and a product cut to 256; link pins are capped at one
// million and wrong link codes slowed down; the wire contract's unknowns
// (WIRE.md) take the default it names.
//
// docs/architecture.md traces a poll and a token exchange through the
// files, and says where each rule lives.
package mock
