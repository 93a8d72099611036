// Package scenarios scripts how mockplex departs from (or sticks to) plex.tv's
// PIN API for a client: pins that expire early, tokens that arrive late,
// throttling, server errors, latency, broken connections and the like.
//
// A scenario is a small YAML file (one per scenario, format in README.md and
// scenario.schema.json) with a name, a description, a contract flag (whether
// a client under the scenario still sees plex.tv-conformant behaviour) and a
// list of rules. Each rule has triggers ("when": op, poll count, elapsed time
// on the mock's clock, claimed, method, path, header, request rate, fraction,
// and for JWT device sign-in jwk_pin, device_jwt and client_tokens) and
// effects ("then": approve, deny, expire, expire_in, expire_after_response,
// set, respond, delay, fault, cors, rotate_keys, token_lifetime, deprecated, world).
//
// The mock turns each request into an Event and asks the selected Script for
// a Decision with Script.Evaluate; the zero Decision means "behave like
// plex.tv". Parse reads one file; a Registry holds the builtin scenarios
// (Builtin) plus an optional user folder that overrides them by name and can
// be followed with Registry.Watch for hot reload. Every error about file
// content is an *Error naming file, line, column, what was wanted and what
// was found.
//
// This package imports no other mockplex package but three internal leaves
// (internal/yamljson to read files, internal/jsonptr to name positions,
// internal/watchdir to follow the folder),
// holds no package-level mutable state, and reads time and randomness
// only from the Event.
package scenarios
