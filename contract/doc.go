// Package contract is an acceptance-test suite for plex.tv's PIN API. It
// runs a fixed list of checks against any target given as a base URL and
// an *http.Client (the mockplex mock in-process or as a binary, a
// container, a recording served by package replay, or https://plex.tv
// itself) and reports every violation, never stopping at the first.
//
// The ground truth is WIRE.md. Bodies are
// validated with package schema (profile "wire" by default, "sdk" for the
// SDK field table as written); XML bodies are converted to the JSON shape
// first, so one schema serves both formats. Cross-field rules of the
// contract's §5 (qr is the QR base plus the code, clientIdentifier echoes
// the request, code patterns per kind, lifetimes) are checked in Go.
//
// # Checks
//
// Checks lists them with descriptions. Each has a stable id:
// create.{strong,link}.{json,xml}, pin.qr, pin.client-identifier, pin.code,
// lifetime.strong, lifetime.link, content-type.default-xml,
// content-type.accept-json, content-type.json-suffix,
// content-type.axios-accept, poll.pending, poll.wrong-client,
// poll.missing-client, poll.unknown-id, poll.unknown-id.xml,
// poll.non-numeric-id, errors.envelope, cors.preflight,
// expires-in.countdown, and, against a target with the mockplex control
// API (GET /__mockplex/pins answering 200 JSON), claim.approve,
// claim.shape, claim.shape.xml, user.json, user.xml, user.bad-token and
// link.put. Without the control API (the probe answers 404, or plex.tv's
// error envelope) those end in Skip, not Fail.
//
// plex.tv's JWT device sign-in (WIRE.md, JWT device authentication) adds jwt.nonce,
// jwt.nonce.missing-client, jwt.keys, jwt.pin.create and
// jwt.pin.poll-pending, which need no account; jwt.register, jwt.token,
// jwt.token.verify and jwt.user, which need an account token
// (WithAccountToken; --token) or, against a mock with the control API, the
// token the suite mints by approving a pin; and jwt.pin.claimed (control
// API only). Without a token the account checks end in Skip. Only the
// addendum's known (K) and corroborated (C) facts, and the inferred ones it
// names as defaults clients rely on, fail a run; its unknowns are
// Observations. What mockplex promises beyond them (at least two keys, an
// empty E1 body, a legacy token for a claimed JWT pin polled without a
// deviceJWT) fails only a target with the control API. With an account
// token the suite links a new link pin of its own client identifier and
// uses that pin's token, so the Plex JWT it obtains ends no token but its
// own. Violations in a Plex JWT are "jwt header", "jwt claims" or "jwt
// signature", with Pointer into the decoded part. A mock whose control API
// refuses the suite (401 or 403 with another body: it is guarded by a token
// the suite lacks) is no such target: the control checks end in Error and
// Run returns ErrControlRefused, so a CI run without the token fails
// instead of passing with those checks skipped. A target that does not
// answer at all gives ErrUnreachable and a report with every check in
// Error.
//
// After sign-in (plex-account-api.md), with an account token: the read-only
// world.resources.v1, world.resources.json, world.resources.xml,
// world.tokens, world.users, world.shared-servers, world.server,
// world.bad-token and home.users; and home.switch and claim.exchange,
// which change the account (a claimed server stays in its resources), so
// they run against a mock with the control API, or against a real account
// only WithDisposableAccount(true) (--disposable-account). The suite never
// invites, accepts or unshares. Exchanges of these checks are recorded
// without their bodies' fields: the bodies carry server tokens.
//
// # Profiles
//
// The profile (WithProfile; --profile) chooses the schema that types a
// pin's fields; every check runs under both, and the rest of the contract
// is the same. What ProfileSDK means for each check:
//
//   - create.*, poll.pending, content-type.axios-accept, claim.shape and
//     claim.shape.xml validate the pin with the SDK field table as written:
//     PascalCase keys, every field optional, so the wire's camelCase keys
//     are in effect unconstrained, and XML attributes stay strings (with
//     WithStrict, every wire key is a violation: the table's drift).
//   - claim.shape and claim.shape.xml: newRegistration must be set once the
//     pin is claimed under both; wire wants a boolean, sdk a boolean or a
//     string (the table's type). authToken is a non-empty string in both.
//   - pin.qr, pin.client-identifier, pin.code, lifetime.*,
//     expires-in.countdown and the null authToken and newRegistration of a
//     new pin are WIRE.md's §5 rules on values, read whatever their
//     type (an XML "1800" counts as 1800): the same under both.
//   - content-type.*, poll.wrong-client, poll.missing-client,
//     poll.unknown-id*, poll.non-numeric-id, errors.envelope,
//     cors.preflight, user.* and link.put check statuses, headers, the
//     error envelope and the user document. The field table has no model
//     for these, so both profiles use the wire overlay's envelope and the
//     checks are the same.
//
// The countdown uses the mock's clock when there is one (POST
// /__mockplex/clock/advance?by=5s between two polls, and GET
// /__mockplex/clock around them: expiresIn must drop by the 5 s at least and
// by no more than the clock moved, so runs that share a mock and advance
// its clock at once still pass); otherwise it polls twice,
// WithCountdownWait apart, and compares expiresIn with the Date headers.
// At the end of a run against a mock the suite expires the pins it created
// through the control API, so that a mock shared with other tests is left
// as it was found but for its clock, 5 s ahead.
//
// # Politeness
//
// Against plex.tv the suite uses only calls that need no account: about 21
// requests (about 11 more with an account token) (Report.Requests counts them; WithMaxRequests caps them), a
// client identifier of its own ("mockplex-contract-" plus random hex),
// X-Plex-Product "mockplex-contract", a per-request timeout, and bounded
// back-off on 429 that honours Retry-After. It sends no secrets; the only
// tokens it sends are one the mock handed out, or the account token given
// with WithAccountToken and those the target issues for the suite's own
// device; reports redact X-Plex-Token and deviceJWT, and never quote a
// token. What WIRE.md's open questions list as unknown (the XML shapes,
// "status" in the 404 body, the CORS headers, Retry-After, the product
// echo, the body of a non-numeric id's 400) is recorded as Observations,
// which never fail a run.
//
// # Results
//
// A Report holds one CheckResult per check (Pass, Fail, Skip or Error).
// A Violation names the check, the request (method, URL, relevant headers),
// where (status, a header, or the body at a JSON pointer), what was
// expected and what came back. Compare tells how two reports differ
// (check statuses, HTTP statuses, content types, formats, fields present
// in one body only, JSON types), e.g. the mock against plex.tv. Test
// adapts the suite to go test, one subtest per check.
//
// # Output formats
//
// Write renders reports as text (one FAIL line per violation), JUnit XML
// (one testsuite per target, one testcase per check; failures carry the
// violations; with two targets a "compare" suite fails one testcase per
// check that differs) or JSON. The JSON document (Document, version 1) is:
//
//	{
//	  "version": 1,                  // DocumentVersion
//	  "passed": false,               // no check failed or errored, in any report, and no diffs
//	  "reports": [{                  // one per target, in the order given
//	    "target": "mock",            // Target.Name (the URL when unnamed)
//	    "url": "http://127.0.0.1:8080",
//	    "profile": "wire",           // schema profile
//	    "control": true,             // the mockplex control API was found
//	    "controlRefused": false,     // it was found but refused the suite (401/403)
//	    "clientIdentifier": "mockplex-contract-…",
//	    "requests": 24,              // HTTP requests sent, retries included
//	    "seconds": 0.05,             // wall time of the run
//	    "checks": [{                 // every check, in Checks order
//	      "id": "create.strong.json",
//	      "status": "fail",          // pass | fail | skip | error
//	      "reason": "",              // why skipped or errored
//	      "seconds": 0.002,          // time in the check's own requests
//	      "violations": [{
//	        "check": "create.strong.json",
//	        "request": {"method": "POST", "url": "…/api/v2/pins?strong=true",
//	                    "header": {"Accept": "application/json", "X-Plex-Client-Identifier": "…"}},
//	        "where": "body",         // status | header <Name> | body
//	        "pointer": "/id",        // RFC 6901, into the (JSON-shaped) body
//	        "expected": "type integer",
//	        "got": "\"1899765704\""
//	      }],
//	      "exchanges": [{            // the responses, as Compare sees them
//	        "request": {…}, "status": 201,
//	        "contentType": "application/json", "format": "json",
//	        "fields": {"": "object", "/id": "integer", "/location": "object", …}
//	      }]
//	    }],
//	    "observations": [{"check": "errors.envelope", "key": "errors.status-field",
//	                      "value": "absent in the 404 JSON body", "request": {…}}]
//	  }],
//	  "diffs": [{                    // only with two reports: Compare(reports[0], reports[1])
//	    "check": "create.link.json", "exchange": 0,
//	    "kind": "http-status",       // status | http-status | content-type | format | field | type | exchanges
//	    "pointer": "",               // for field and type
//	    "a": "201", "b": "200"       // "(absent)" when one side lacks it
//	  }]
//	}
//
// Empty "reason", "violations", false "controlRefused", "exchanges", "observations", "diffs",
// "header", "pointer", "contentType", "format" and "fields" are omitted.
package contract
