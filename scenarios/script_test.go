package scenarios

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeRand returns preset values in order and counts the draws. When a list
// runs out it returns 0.999 (Float64) or 0 (NormFloat64).
type fakeRand struct {
	floats, norms []float64
	draws         int
}

func (f *fakeRand) Float64() float64 {
	f.draws++
	if len(f.floats) == 0 {
		return 0.999
	}
	v := f.floats[0]
	f.floats = f.floats[1:]
	return v
}

func (f *fakeRand) NormFloat64() float64 {
	f.draws++
	if len(f.norms) == 0 {
		return 0
	}
	v := f.norms[0]
	f.norms = f.norms[1:]
	return v
}

var t0 = time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC)

// ev builds an event; pin events carry HasPin and PinCreated t0, and Now is
// t0+age.
func ev(op Op, opts ...func(*Event)) Event {
	e := Event{Op: op, Method: http.MethodGet, Path: "/api/v2/pins/1234567890", Now: t0}
	switch op {
	case OpCreate:
		e.Method, e.Path = http.MethodPost, "/api/v2/pins"
	case OpPoll, OpClaim, OpLink:
		e.HasPin, e.PinCreated, e.Polls = true, t0, 1
	case OpUser:
		e.Path = "/api/v2/user"
	case OpPing:
		e.Path = "/api/v2/ping"
	}
	for _, o := range opts {
		o(&e)
	}
	return e
}

func atPath(p string) func(*Event)     { return func(e *Event) { e.Path = p } }
func polls(n int) func(*Event)         { return func(e *Event) { e.Polls = n } }
func age(d time.Duration) func(*Event) { return func(e *Event) { e.Now = e.PinCreated.Add(d) } }
func claimed(e *Event)                 { e.Claimed = true }
func rnd(r *fakeRand) func(*Event)     { return func(e *Event) { e.Rand = r } }
func method(m string) func(*Event)     { return func(e *Event) { e.Method = m } }
func jwkPin(st JWTState) func(*Event) {
	return func(e *Event) { e.JWKPin, e.DeviceJWT = true, st }
}
func tokens(n int) func(*Event) { return func(e *Event) { e.ClientTokens = n } }
func client(n int, since time.Duration) func(*Event) {
	return func(e *Event) { e.ClientPolls, e.SinceLastPoll = n, since }
}

func loadBuiltins(t testing.TB) *Registry {
	t.Helper()
	r, err := NewRegistry("")
	if err != nil {
		t.Fatalf("NewRegistry(\"\") = %v", err)
	}
	return r
}

type evalCase struct {
	name string
	ev   Event
	want Decision // Scenario is filled in by the test
}

func ptr[T any](v T) *T { return &v }

// builtinCases holds, per shipped scenario, Events in and Decisions out.
func builtinCases() map[string][]evalCase {
	return map[string][]evalCase{
		"default": {
			{"poll", ev(OpPoll, polls(7)), Decision{}},
			{"claim", ev(OpClaim), Decision{}},
		},
		"happy-path": {
			{"first poll", ev(OpPoll, polls(1)), Decision{}},
			{"second poll approves", ev(OpPoll, polls(2)), Decision{Approve: &Approval{}}},
			{"claimed pin is left alone", ev(OpPoll, polls(3), claimed), Decision{}},
			{"create", ev(OpCreate), Decision{}},
		},
		"expiry": {
			{"third poll", ev(OpPoll, polls(3), age(10*time.Second)), Decision{}},
			{"fourth poll expires", ev(OpPoll, polls(4), age(10*time.Second)), Decision{Expire: true}},
			{"59s is fine", ev(OpPoll, polls(1), age(59*time.Second)), Decision{}},
			{"60s expires", ev(OpPoll, polls(1), age(60*time.Second)), Decision{Expire: true}},
			{"claim after a minute expires", ev(OpClaim, age(61*time.Second)), Decision{Expire: true}},
			{"create", ev(OpCreate), Decision{}},
		},
		"delayed-token": {
			{"fourth poll at 29s", ev(OpPoll, polls(4), age(29*time.Second)), Decision{}},
			{"fifth poll", ev(OpPoll, polls(5), age(time.Second)), Decision{Approve: &Approval{}}},
			{"second poll at 30s", ev(OpPoll, polls(2), age(30*time.Second)), Decision{Approve: &Approval{}}},
			{"already claimed", ev(OpPoll, polls(6), age(time.Minute), claimed), Decision{}},
		},
		"untrusted": {
			{"poll looks unknown", ev(OpPoll), Decision{Respond: &Response{Status: 404, Code: 1020, Message: "Code not found or expired"}}},
			{"claim refused", ev(OpClaim), Decision{Deny: true}},
			{"create works", ev(OpCreate), Decision{}},
		},
		"denied": {
			{"claim refused", ev(OpClaim), Decision{Deny: true}},
			{"poll answers", ev(OpPoll, polls(9)), Decision{}},
		},
		"consume-on-first-read": {
			{"unclaimed poll", ev(OpPoll, polls(2)), Decision{}},
			{"claimed poll consumes", ev(OpPoll, polls(3), claimed), Decision{ExpireAfterResponse: true}},
			{"claim itself", ev(OpClaim), Decision{}},
		},
		"expire-on-claim": {
			{"claim shortens", ev(OpClaim), Decision{ExpireIn: 5 * time.Second}},
			{"poll", ev(OpPoll, polls(2), claimed), Decision{}},
		},
		"new-account": {
			{"claim uses a new account", ev(OpClaim), Decision{Approve: &Approval{Account: "new", NewRegistration: true}}},
			{"first poll", ev(OpPoll, polls(1)), Decision{}},
			{"second poll approves", ev(OpPoll, polls(2)), Decision{Approve: &Approval{Account: "new", NewRegistration: true}}},
			{"claimed pin", ev(OpPoll, polls(3), claimed), Decision{}},
		},
		"rate-limited": {
			{"first poll", ev(OpPoll, client(1, 0)), Decision{}},
			{"999ms later", ev(OpPoll, client(2, 999*time.Millisecond)), Decision{Respond: &Response{Status: 429, Code: 1029, Message: "Too many requests, slow down", RetryAfter: time.Second}}},
			{"1s later", ev(OpPoll, client(2, time.Second)), Decision{}},
			{"frozen clock", ev(OpPoll, client(3, 0)), Decision{Respond: &Response{Status: 429, Code: 1029, Message: "Too many requests, slow down", RetryAfter: time.Second}}},
			{"create is not a poll", ev(OpCreate, client(3, 0)), Decision{}},
			{"no ClientPolls: first", ev(OpPoll, client(0, 0)), Decision{}},
			{"no ClientPolls: fast", ev(OpPoll, client(0, 500*time.Millisecond)), Decision{Respond: &Response{Status: 429, Code: 1029, Message: "Too many requests, slow down", RetryAfter: time.Second}}},
		},
		"server-errors": {
			{"user always fails", ev(OpUser, rnd(&fakeRand{})), Decision{Respond: &Response{Status: 500, Code: 1500, Message: "Internal server error"}}},
			{"POST user is fine", ev(OpUser, method(http.MethodPost), rnd(&fakeRand{})), Decision{}},
			{"create below the fraction", ev(OpCreate, rnd(&fakeRand{floats: []float64{0.29}})), Decision{Respond: &Response{Status: 503, Code: 1503, Message: "Service temporarily unavailable", RetryAfter: 2 * time.Second}}},
			{"create at the fraction", ev(OpCreate, rnd(&fakeRand{floats: []float64{0.3}})), Decision{}},
			{"poll below the fraction", ev(OpPoll, rnd(&fakeRand{floats: []float64{0}})), Decision{Respond: &Response{Status: 503, Code: 1503, Message: "Service temporarily unavailable", RetryAfter: 2 * time.Second}}},
			{"ping never", ev(OpPing, rnd(&fakeRand{floats: []float64{0}})), Decision{}},
			{"no Rand, no fraction", ev(OpPoll), Decision{}},
		},
		"slow": {
			{"create fixed", ev(OpCreate), Decision{Delay: 300 * time.Millisecond}},
			{"poll at the median", ev(OpPoll, rnd(&fakeRand{norms: []float64{0}})), Decision{Delay: 150 * time.Millisecond}},
			{"poll one sigma up", ev(OpPoll, rnd(&fakeRand{norms: []float64{1}})), Decision{Delay: time.Duration(float64(150*time.Millisecond) * math.Exp(0.8))}},
			{"poll capped", ev(OpPoll, rnd(&fakeRand{norms: []float64{10}})), Decision{Delay: 2 * time.Second}},
			{"user uniform", ev(OpUser, rnd(&fakeRand{floats: []float64{0.5}})), Decision{Delay: 150 * time.Millisecond}},
			{"no Rand gives min", ev(OpPing), Decision{Delay: 50 * time.Millisecond}},
		},
		"flaky": {
			{"reset", ev(OpPoll, rnd(&fakeRand{floats: []float64{0.05}})), Decision{Fault: FaultReset}},
			{"empty", ev(OpPoll, rnd(&fakeRand{floats: []float64{0.5, 0.05}})), Decision{Fault: FaultEmpty}},
			{"malformed", ev(OpCreate, rnd(&fakeRand{floats: []float64{0.5, 0.5, 0.05}})), Decision{Fault: FaultMalformed}},
			{"fine", ev(OpPoll, rnd(&fakeRand{floats: []float64{0.5, 0.5, 0.5}})), Decision{}},
		},
		"large-ids": {
			{"lowest", ev(OpCreate, rnd(&fakeRand{floats: []float64{0}})), Decision{Set: map[string]any{"id": int64(1) << 31}}},
			{"highest", ev(OpCreate, rnd(&fakeRand{floats: []float64{0.9999999999999999}})), Decision{Set: map[string]any{"id": int64(1)<<32 - 1}}},
			{"middle", ev(OpCreate, rnd(&fakeRand{floats: []float64{0.5}})), Decision{Set: map[string]any{"id": int64(1)<<31 + 1<<30}}},
			{"poll", ev(OpPoll), Decision{}},
		},
		"no-cors": {
			{"preflight", ev(OpOptions, method(http.MethodOptions)), Decision{CORS: ptr(false)}},
			{"create", ev(OpCreate), Decision{CORS: ptr(false)}},
		},
		"jwt-strict-pin": {
			{"JWK pin without deviceJWT", ev(OpPoll, jwkPin(JWTAbsent)), Decision{Respond: &Response{Status: 422, Code: 1099, Message: "Signature Verification Failed"}}},
			{"claimed JWK pin, invalid deviceJWT", ev(OpPoll, jwkPin(JWTInvalid), claimed), Decision{Respond: &Response{Status: 422, Code: 1099, Message: "Signature Verification Failed"}}},
			{"JWK pin, valid deviceJWT", ev(OpPoll, jwkPin(JWTValid), claimed), Decision{}},
			{"classic pin", ev(OpPoll, claimed), Decision{}},
			{"create", ev(OpCreate), Decision{}},
		},
		"jwk-taken": {
			{"register a key", ev(OpJWK), Decision{Respond: &Response{Status: 422, Code: 1098, Message: "Thumbprint Already Taken"}}},
			{"token exchange", ev(OpToken, tokens(1)), Decision{}},
		},
		"nonce-rate-limited": {
			{"nonce", ev(OpNonce), Decision{Respond: &Response{Status: 429, Code: 1003, Message: "Rate limit exceeded", RetryAfter: 5 * time.Second}}},
			{"keys", ev(OpKeys), Decision{}},
		},
		"rotating-keys": {
			{"first token", ev(OpToken, tokens(1)), Decision{}},
			{"third token rotates", ev(OpToken, tokens(3)), Decision{RotateKeys: true}},
			{"sixth token, issued by a poll", ev(OpPoll, jwkPin(JWTValid), claimed, tokens(6)), Decision{RotateKeys: true}},
			{"no token issued", ev(OpNonce), Decision{}},
		},
		"server-offline": {
			{"resources", ev(OpOther, atPath("/api/v2/resources")), Decision{World: []string{"offline"}}},
		},
		"relay-only": {
			{"resources", ev(OpOther, atPath("/api/resources")), Decision{World: []string{"relay-only"}}},
		},
		"https-required": {
			{"resources", ev(OpOther, atPath("/api/resources")), Decision{World: []string{"https-required"}}},
		},
		"no-connections": {
			{"resources", ev(OpOther, atPath("/api/resources")), Decision{World: []string{"no-connections"}}},
		},
		"sections-missing": {
			{"server", ev(OpOther, atPath("/api/servers/abc")), Decision{World: []string{"sections-missing"}}},
		},
		"home-pin-enforced": {
			{"switch", ev(OpOther, atPath("/api/v2/home/users/abc/switch")), Decision{World: []string{"home-pin-enforced"}}},
		},
		"claim-expired": {
			{"exchange", ev(OpOther, atPath("/api/claim/exchange")), Decision{World: []string{"claim-expired"}}},
		},
		"users-401": {
			{"users", ev(OpOther, method("GET"), atPath("/api/users")), Decision{Respond: &Response{Status: 401, Code: 1001, Message: "Please sign in."}}},
			{"users with a slash", ev(OpOther, method("GET"), atPath("/api/users/")), Decision{Respond: &Response{Status: 401, Code: 1001, Message: "Please sign in."}}},
			{"resources answer", ev(OpOther, method("GET"), atPath("/api/resources")), Decision{}},
		},
		"deprecated-410": {
			{"legacy resources", ev(OpOther, atPath("/pms/resources")), Decision{Deprecated: true}},
			{"v1 resources", ev(OpOther, atPath("/api/resources")), Decision{Deprecated: true}},
			{"v2 resources answer", ev(OpOther, atPath("/api/v2/resources")), Decision{}},
		},
		"jwt-short-lived": {
			{"token exchange", ev(OpToken, tokens(1)), Decision{TokenLifetime: 5 * time.Minute}},
			{"poll", ev(OpPoll, jwkPin(JWTValid), claimed, tokens(1)), Decision{TokenLifetime: 5 * time.Minute}},
			{"keys", ev(OpKeys), Decision{}},
		},
	}
}

func TestBuiltinScenarios(t *testing.T) {
	t.Parallel()
	reg := loadBuiltins(t)
	cases := builtinCases()
	if got, want := reg.Names(), slices.Sorted(maps.Keys(cases)); !slices.Equal(got, want) {
		t.Fatalf("builtin scenarios = %v, tested = %v; add a table for every shipped scenario", got, want)
	}
	for name, tcs := range cases {
		s, ok := reg.Get(name)
		if !ok {
			t.Fatalf("Get(%q) = false", name)
		}
		for _, tc := range tcs {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				want := tc.want
				want.Scenario = name
				got := s.Evaluate(tc.ev)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s.Evaluate(%+v) mismatch (-want +got):\n%s", name, tc.ev, diff)
				}
			})
		}
	}
}

func TestBuiltinContractFlags(t *testing.T) {
	t.Parallel()
	reg := loadBuiltins(t)
	want := map[string]bool{
		"default": true, "happy-path": true, "delayed-token": true, "expire-on-claim": true,
		"new-account": true, "slow": true, "large-ids": true, "rate-limited": true,
		"expiry": false, "untrusted": false, "denied": false, "consume-on-first-read": false,
		"server-errors": false, "flaky": false, "no-cors": false,
		"rotating-keys": true, "jwt-strict-pin": false, "jwk-taken": false, "nonce-rate-limited": false,
		"jwt-short-lived": false,
		"server-offline":  true, "relay-only": true, "https-required": true, "no-connections": true,
		"sections-missing": true, "users-401": false, "deprecated-410": false,
		"home-pin-enforced": true, "claim-expired": false,
	}
	for _, name := range reg.Names() {
		s, _ := reg.Get(name)
		w, ok := want[name]
		if !ok {
			t.Errorf("scenario %q has no expected contract flag in this test", name)
			continue
		}
		if s.Contract != w {
			t.Errorf("%s: Contract = %v, want %v", name, s.Contract, w)
		}
		if s.Description == "" {
			t.Errorf("%s: empty Description", name)
		}
		if got, want := s.File, "builtin/"+name+".yaml"; got != want {
			t.Errorf("%s: File = %q, want %q", name, got, want)
		}
	}
}

// testParser compiles the schema once for a test; Parse compiles it per call.
func testParser(t testing.TB) *parser {
	t.Helper()
	p, err := newParser()
	if err != nil {
		t.Fatalf("newParser: %v", err)
	}
	return p
}

func mustParse(t *testing.T, p *parser, src string) *Script {
	t.Helper()
	s, err := p.parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, src)
	}
	return s
}

const head = "name: t\ndescription: test\ncontract: false\nrules:\n"

func TestEvaluateSemantics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rules string
		ev    Event
		want  Decision
		draws int // Rand draws expected (checked when the event has a *fakeRand)
	}{
		{
			name: "first matching rule wins per effect, flags add up",
			rules: `
  - then: {delay: 1s, respond: {status: 500}}
  - then: {delay: 2s, respond: {status: 502}, fault: reset, expire: true}
  - then: {fault: empty, deny: true}
`,
			ev:   ev(OpPoll),
			want: Decision{Delay: time.Second, Respond: &Response{Status: 500}, Fault: FaultReset, Expire: true, Deny: true},
		},
		{
			name: "stop ends evaluation",
			rules: `
  - when: {op: poll}
    then: {delay: 1s}
    stop: true
  - then: {deny: true}
`,
			ev:   ev(OpPoll),
			want: Decision{Delay: time.Second},
		},
		{
			name: "stop only when the rule matched",
			rules: `
  - when: {op: create}
    then: {delay: 1s}
    stop: true
  - then: {deny: true}
`,
			ev:   ev(OpPoll),
			want: Decision{Deny: true},
		},
		{
			name: "set merges per field, first wins",
			rules: `
  - then: {set: {product: A, trusted: true}}
  - then: {set: {product: B, authToken: null, expiresIn: 10}}
`,
			ev:   ev(OpPoll),
			want: Decision{Set: map[string]any{"product": "A", "trusted": true, "authToken": nil, "expiresIn": int64(10)}},
		},
		{
			name: "fraction is drawn only when everything else matched",
			rules: `
  - when: {op: create, fraction: 0.5}
    then: {deny: true}
  - when: {op: poll, fraction: 0.5}
    then: {expire: true}
`,
			ev:    ev(OpPoll, rnd(&fakeRand{floats: []float64{0.1}})),
			want:  Decision{Expire: true},
			draws: 1,
		},
		{
			name: "polls every",
			rules: `
  - when: {polls: {every: 3}}
    then: {expire: true}
`,
			ev:   ev(OpPoll, polls(6)),
			want: Decision{Expire: true},
		},
		{
			name: "polls every, off beat",
			rules: `
  - when: {polls: {every: 3}}
    then: {expire: true}
`,
			ev:   ev(OpPoll, polls(7)),
			want: Decision{},
		},
		{
			name: "polls window",
			rules: `
  - when: {polls: {gte: 2, lte: 3}}
    then: {expire: true}
`,
			ev:   ev(OpPoll, polls(3)),
			want: Decision{Expire: true},
		},
		{
			name: "polls exact",
			rules: `
  - when: {polls: 2}
    then: {expire: true}
`,
			ev:   ev(OpPoll, polls(3)),
			want: Decision{},
		},
		{
			name: "pin triggers need a pin",
			rules: `
  - when: {claimed: false}
    then: {expire: true}
`,
			ev:   ev(OpCreate),
			want: Decision{},
		},
		{
			name: "before",
			rules: `
  - when: {before: 10s}
    then: {expire: true}
`,
			ev:   ev(OpPoll, age(9*time.Second)),
			want: Decision{Expire: true},
		},
		{
			name: "before, too late",
			rules: `
  - when: {before: 10s}
    then: {expire: true}
`,
			ev:   ev(OpPoll, age(10*time.Second)),
			want: Decision{},
		},
		{
			name: "method list is case-insensitive",
			rules: `
  - when: {method: [put, Post]}
    then: {expire: true}
`,
			ev:   ev(OpCreate),
			want: Decision{Expire: true},
		},
		{
			name: "path glob stays within a segment",
			rules: `
  - when: {path: /api/v2/pins/*}
    then: {expire: true}
`,
			ev:   ev(OpQR, func(e *Event) { e.Path = "/api/v2/pins/qr/abcd" }),
			want: Decision{},
		},
		{
			name: "path regex",
			rules: `
  - when: {path_regex: '^/api/v2/pins/\d+(\.json)?$'}
    then: {expire: true}
`,
			ev:   ev(OpPoll, func(e *Event) { e.Path = "/api/v2/pins/42.json" }),
			want: Decision{Expire: true},
		},
		{
			name: "header glob with canonical name",
			rules: `
  - when: {header: {x-plex-product: '*Web*', X-PLEX-PLATFORM: Chrome}}
    then: {expire: true}
`,
			ev: ev(OpPoll, func(e *Event) {
				e.Header = http.Header{"X-Plex-Product": {"Plex Web/4.1"}, "X-Plex-Platform": {"Chrome"}}
			}),
			want: Decision{Expire: true},
		},
		{
			name: "absent header only matches an empty-matching pattern",
			rules: `
  - when: {header: {X-Plex-Product: '?*'}}
    then: {expire: true}
`,
			ev:   ev(OpPoll),
			want: Decision{},
		},
		{
			name: "op list",
			rules: `
  - when: {op: [link, claim]}
    then: {approve: {account: alice}}
`,
			ev:   ev(OpLink),
			want: Decision{Approve: &Approval{Account: "alice"}},
		},
		{
			name: "unknown op from the mock matches only op-less rules",
			rules: `
  - when: {op: poll}
    then: {deny: true}
  - then: {cors: true}
`,
			ev:   ev(Op("teleport")),
			want: Decision{CORS: ptr(true)},
		},
		{
			name: "respond with headers",
			rules: `
  - then:
      respond:
        status: 403
        code: 1041
        message: A valid PIN is required to perform this action
        header: {x-extra: "1"}
`,
			ev:   ev(OpPoll),
			want: Decision{Respond: &Response{Status: 403, Code: 1041, Message: "A valid PIN is required to perform this action", Header: map[string]string{"X-Extra": "1"}}},
		},
		{
			name: "jwk_pin needs a JWK pin",
			rules: `
  - when: {jwk_pin: true}
    then: {expire: true}
`,
			ev:   ev(OpPoll),
			want: Decision{},
		},
		{
			name: "jwk_pin false matches a classic pin",
			rules: `
  - when: {jwk_pin: false}
    then: {expire: true}
`,
			ev:   ev(OpPoll),
			want: Decision{Expire: true},
		},
		{
			name: "jwk_pin is a pin trigger",
			rules: `
  - when: {jwk_pin: false}
    then: {expire: true}
`,
			ev:   ev(OpNonce),
			want: Decision{},
		},
		{
			name: "device_jwt single state",
			rules: `
  - when: {device_jwt: valid}
    then: {expire: true}
`,
			ev:   ev(OpPoll, jwkPin(JWTValid)),
			want: Decision{Expire: true},
		},
		{
			name: "device_jwt list, state not in it",
			rules: `
  - when: {device_jwt: [absent, invalid]}
    then: {expire: true}
`,
			ev:   ev(OpPoll, jwkPin(JWTValid)),
			want: Decision{},
		},
		{
			name: "device_jwt absent is the zero Event",
			rules: `
  - when: {device_jwt: absent}
    then: {expire: true}
`,
			ev:   ev(OpCreate),
			want: Decision{Expire: true},
		},
		{
			name: "client_tokens every",
			rules: `
  - when: {client_tokens: {every: 2}}
    then: {rotate_keys: true}
`,
			ev:   ev(OpToken, tokens(4)),
			want: Decision{RotateKeys: true},
		},
		{
			name: "client_tokens never matches a request that issues none",
			rules: `
  - when: {client_tokens: {every: 1}}
    then: {rotate_keys: true}
`,
			ev:   ev(OpToken),
			want: Decision{},
		},
		{
			name: "client_tokens window",
			rules: `
  - when: {client_tokens: {gte: 2, lte: 3}}
    then: {rotate_keys: true}
`,
			ev:   ev(OpToken, tokens(4)),
			want: Decision{},
		},
		{
			name: "token_lifetime first wins, rotate_keys adds up",
			rules: `
  - when: {op: token}
    then: {token_lifetime: 5m}
  - then: {token_lifetime: 1h, rotate_keys: true}
`,
			ev:   ev(OpToken, tokens(1)),
			want: Decision{TokenLifetime: 5 * time.Minute, RotateKeys: true},
		},
		{
			name: "ranges without Rand give min",
			rules: `
  - then: {set: {id: {min: 5, max: 9}}}
`,
			ev:   ev(OpCreate),
			want: Decision{Set: map[string]any{"id": int64(5)}},
		},
	}
	p := testParser(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, p, head+tc.rules)
			want := tc.want
			want.Scenario = "t"
			got := s.Evaluate(tc.ev)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
			}
			if fr, ok := tc.ev.Rand.(*fakeRand); ok && fr.draws != tc.draws {
				t.Errorf("Rand draws = %d, want %d", fr.draws, tc.draws)
			}
		})
	}
}

// TestEvaluateSharedSetUntouched checks that merging sets never writes into a
// rule's own map, which every Decision of the Script shares.
func TestEvaluateSharedSetUntouched(t *testing.T) {
	t.Parallel()
	s := mustParse(t, testParser(t), head+`
  - then: {set: {product: A}}
  - when: {op: poll}
    then: {set: {trusted: true}}
`)
	poll := s.Evaluate(ev(OpPoll))
	if diff := cmp.Diff(map[string]any{"product": "A", "trusted": true}, poll.Set); diff != "" {
		t.Errorf("poll Set mismatch (-want +got):\n%s", diff)
	}
	create := s.Evaluate(ev(OpCreate))
	if diff := cmp.Diff(map[string]any{"product": "A"}, create.Set); diff != "" {
		t.Errorf("create Set after a merge mismatch (-want +got):\n%s", diff)
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "Plex/Web x", true},
		{"?*", "", false},
		{"?*", "a", true},
		{"Plex Web", "Plex Web", true},
		{"Plex Web", "plex web", false},
		{"*Web*", "Plex Web/4.1", true},
		{"*Web", "Plex Web/4.1", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"**", "x", true},
	}
	for _, tc := range tests {
		if got := globMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	reg := loadBuiltins(b)
	events := map[string]Event{
		"happy-path":    ev(OpPoll, polls(2)),
		"delayed-token": ev(OpPoll, polls(3), age(10*time.Second)),
		"rate-limited":  ev(OpPoll, client(2, 100*time.Millisecond)),
		"server-errors": ev(OpPoll, method(http.MethodGet), rnd(&fakeRand{})),
		"slow":          ev(OpPoll, rnd(&fakeRand{})),
		"large-ids":     ev(OpCreate, rnd(&fakeRand{})),
		"default":       ev(OpPoll),
	}
	for _, name := range slices.Sorted(maps.Keys(events)) {
		s, ok := reg.Get(name)
		if !ok {
			b.Fatalf("Get(%q) = false", name)
		}
		e := events[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Evaluate(e)
			}
		})
	}
}
