package mock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/scenarios"
)

// core holds the fake's state and makes every decision about it: pins,
// accounts, per-client scenario state and the clock. Each operation is one
// method that takes the request's parameters and its scenario, evaluates
// the scenario where it can see the pin, applies the decision's effects on
// state, under the pin's lock when there is a pin (apply is the only
// function that does), and
// returns a result or a sentinel error with the decision, whose transport
// effects (delay, fault, scripted answer, CORS) the responder carries out
// (respond.go's transport; scriptedAnswer for the Go methods). The
// adapters (plex.tv's API, the control API, the pages, the Go methods)
// parse and render, and reach the state only through core methods.
type core struct {
	cfg       *config
	clock     *Clock
	log       *slog.Logger
	faker     *gofakeit.Faker
	rand      seededRand
	pins      *store
	accounts  *accounts
	clients   *clients
	scripts   *scriptSet
	locations func() []Location // the process's pool, built on first use
	links     *fixedWindow      // wrong link codes per token
	jwt       *jwtFamily
	seq       atomic.Uint64 // the last pin's creation sequence number
	// homes finds the identities Plex Home profile switches minted
	// tokens for (home.go).
	homes *worldState
	times timeStrings // createdAt and expiresAt, formatted
}

// init builds the core New configured, drawing from the seeded faker in
// the order that keeps a seed's accounts, pins and tokens as they were.
func (c *core) init(cfg *config) error {
	faker := gofakeit.New(cfg.seed)
	scripts, err := newScriptSet(cfg.scenarioDir, cfg.logger)
	if err != nil {
		return err
	}
	*c = core{
		cfg: cfg, clock: cfg.clock, log: cfg.logger, faker: faker, rand: seededRand{r: faker.Rand},
		pins: newStore(cfg.maxPins), clients: newClients(cfg.maxClients), scripts: scripts,
		links: newLinkLimiter(), jwt: newJWTFamily(cfg.seed, cfg.maxClients, cfg.name("Config.MaxClients")),
	}
	// The location pool is the process's, built once; drawing this value
	// keeps the accounts, pins and tokens a seed gives as they were.
	_ = faker.Int64()
	c.locations = locationPool
	c.accounts = newAccounts(faker, cfg.accounts, cfg.clock.Now())
	if cfg.scenario != "" {
		if _, ok := scripts.get(cfg.scenario); !ok {
			scripts.close()
			return scripts.unknown(cfg.scenario)
		}
	}
	return nil
}

// close stops the scenario watcher.
func (c *core) close() { c.scripts.close() }

// The input rules. Each is written once, here, and used by plex.tv's API,
// the control API, the Go methods and LoadState alike.

// Stored fields are capped (hardening: a 60 KB client identifier was
// stored whole). A client identifier is the pin's owner, so a longer one is
// refused rather than cut, which could make two clients one; a product
// name is only shown, so it is cut.
const (
	maxClientIDLen = 256
	maxProductLen  = 256
)

// checkClientID is the client-identifier rule: at most maxClientIDLen
// bytes, or errFieldTooLong.
func checkClientID(id string) error {
	if len(id) > maxClientIDLen {
		return fmt.Errorf("%w: X-Plex-Client-Identifier has %d bytes, at most %d are kept", errFieldTooLong, len(id), maxClientIDLen)
	}
	return nil
}

// productName is the product rule: cut to maxProductLen bytes on a rune
// boundary.
func productName(s string) string { return cut(s, maxProductLen) }

func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// codeLength is the code rule: a link pin's code has 4 characters, a
// strong pin's 25.
func codeLength(k Kind) int {
	if k == Strong {
		return 25
	}
	return 4
}

// isKind reports whether code has the length of a k pin's code.
func isKind(code string, k Kind) bool { return len(code) == codeLength(k) }

// request is what every operation knows of the HTTP request behind it
// (zero for the Go methods and the pages).
type request struct {
	method, path string
	header       map[string][]string
	client       string
	script       *scenarios.Script // the request's scenario; nil is plex.tv's behaviour
}

// event starts a scenario event for req at now.
func (c *core) event(req request, op scenarios.Op, now time.Time) scenarios.Event {
	return scenarios.Event{Op: op, Method: req.method, Path: req.path, Header: req.header, Now: now, Rand: c.rand}
}

// evaluate runs sc on ev, counting the request for the client's triggers.
func (c *core) evaluate(sc *scenarios.Script, client string, ev scenarios.Event) scenarios.Decision {
	if sc == nil {
		return scenarios.Decision{}
	}
	if client != "" && ev.Op != scenarios.OpClaim {
		ev.ClientRequests, ev.ClientPolls, ev.SinceLastPoll = c.clients.touch(client, ev.Now, ev.Op == scenarios.OpPoll)
	}
	return sc.Evaluate(ev)
}

// preempts reports whether a decision answers in the operation's place (a
// fault or a scripted answer), so the operation itself does not happen.
func preempts(d scenarios.Decision) bool { return d.Fault != scenarios.FaultNone || d.Respond != nil }

// moment is when apply runs, which decides which of a decision's effects
// it carries out.
type moment uint8

const (
	atCreate  moment = iota // a new pin, before it is stored: fields only, the id included
	atPoll                  // a poll saw the pin: an approval, then the common effects
	atClaim                 // the pin is claimed (an approval, a link): deny, the account, then the common effects
	afterRead               // a poll has taken its copy: consume on first read
	atIssue                 // a Plex JWT is about to be issued: keys and lifetime (no pin)
)

// claimant is who a claim is for: an account (nil: a new one, signed up
// while approving) and whether it is a new registration. At atIssue,
// lifetime receives the Plex JWT's lifetime (0: the usual 7 days).
type claimant struct {
	acc      *Account
	newReg   bool
	lifetime *time.Duration
}

// apply carries out a decision's effects on state: the one function that
// does, under the pin's shard lock (at create, before the pin is stored;
// at atIssue from a token exchange, with no pin and no pin lock). The common effects are Deny (never of a claimed pin),
// ExpireIn, Expire and Set (an id only at create). A poll's Approve claims
// the pin, whose claim event is decided and applied in turn (atClaim);
// ExpireAfterResponse ends a claimed pin once a poll has read it. Before
// a Plex JWT is issued (atIssue, p nil), RotateKeys rotates the signing
// keys and TokenLifetime sets the token's lifetime. It returns a claim's
// refusal.
func (c *core) apply(p *pin, d scenarios.Decision, at moment, now time.Time, by claimant) error {
	switch at {
	case atIssue: // RotateKeys rotates the signing keys before the token is signed
		if d.RotateKeys {
			if err := c.jwt.rotate(now); err != nil {
				return err
			}
		}
		if by.lifetime != nil {
			*by.lifetime = d.TokenLifetime
		}
		return nil
	case afterRead:
		if d.ExpireAfterResponse && p.token != "" {
			p.expiresAt = min(p.expiresAt, now.Unix()) // consumed by this read
		}
		return nil
	case atPoll:
		if !open(p, now) {
			return nil // the expiry grace keeps a pin readable only
		}
		if a := d.Approve; a != nil && p.token == "" && !p.denied {
			def, _ := c.accounts.find("")
			if acc, isNew := c.approver(a.Account, def); acc != nil || isNew {
				_ = c.claimLocked(p, claimant{acc: acc, newReg: a.NewRegistration}, now)
			}
		}
	case atClaim:
		switch {
		case p.denied:
			return ErrPinDenied
		case d.Deny && p.token == "":
			p.denied = true
			return ErrPinDenied
		case p.token != "" && d.Approve != nil:
			return nil // the scenario picks every claim's account, and this pin has one
		}
		if a := d.Approve; a != nil {
			by.acc, _ = c.approver(a.Account, by.acc)
			by.newReg = a.NewRegistration
		}
		if p.token != "" {
			if by.acc != nil && p.token == by.acc.AuthToken {
				return nil // claimed twice with one account
			}
			return ErrPinClaimed
		}
		if by.acc == nil { // the user signs up while approving
			by.acc = newAccount(c.faker, now)
			c.accounts.addGenerated(by.acc, c.cfg.maxAccounts)
			by.newReg = true
		}
		p.token, p.accountID, p.newReg = by.acc.AuthToken, by.acc.ID, by.newReg
		c.log.LogAttrs(context.Background(), slog.LevelInfo, "pin claimed", slog.Int64("pin", p.id), slog.String("account", by.acc.Username))
	}
	if at != atCreate { // a create's decision sets fields only
		if d.Deny && p.token == "" {
			p.denied = true
		}
		if d.ExpireIn > 0 {
			p.expiresAt = min(p.expiresAt, now.Add(d.ExpireIn).Unix())
		}
		if d.Expire {
			p.expiresAt = min(p.expiresAt, now.Unix())
		}
	}
	for k, v := range d.Set {
		switch k {
		case "id":
			if n, ok := toInt64(v); ok && n > 0 && at == atCreate {
				p.id = n
			}
		case "product":
			if s, ok := v.(string); ok {
				p.product = productName(s)
			}
		case "trusted":
			if b, ok := v.(bool); ok {
				p.trusted = b
			}
		case "newRegistration":
			if b, ok := v.(bool); ok {
				p.newReg = b
			}
		}
	}
	return nil
}

// approver is the one rule for the account a decision's approval names:
// "new" is a new account (nil, and isNew), a name the server knows is that
// account, and anything else ("" or an unknown name) is fallback, the
// account the claim is for (the default account when the scenario itself
// approves on a poll).
func (c *core) approver(name string, fallback *Account) (acc *Account, isNew bool) {
	if name == "new" {
		return nil, true
	}
	if name != "" {
		if acc, ok := c.accounts.find(name); ok {
			return acc, false
		}
	}
	return fallback, false
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		return int64(n), true
	case float64:
		return int64(n), true
	}
	return 0, false
}

// createReq is a create's parameters.
type createReq struct {
	request
	product        string
	strong, legacy bool
	jwk            *plexjwt.DeviceKey // a JWT pin's device key
}

// create stores a new pin, unless the scenario answers instead.
func (c *core) create(q createReq) (pin, scenarios.Decision, error) {
	now := c.clock.Now()
	if q.client == "" {
		return pin{}, scenarios.Decision{}, errMissingClientID
	}
	d := c.evaluate(q.script, q.client, c.event(q.request, scenarios.OpCreate, now))
	if preempts(d) {
		return pin{}, d, nil
	}
	kind := Link
	if q.strong {
		kind = Strong
	}
	if !c.pins.reserve(kind) {
		return pin{}, d, fmt.Errorf("%w (%d); no room for another %s pin: raise %s, let pins expire, or reset the server (%s)",
			ErrTooManyPins, c.pins.limit(kind), kind, c.cfg.name("Config.MaxPins"), c.cfg.name("Reset"))
	}
	product := productName(q.product)
	if product == "" {
		product = c.faker.AppName()
	}
	life := linkLifetime
	if q.strong {
		life = strongLifetime
	}
	p := &pin{
		product: product, clientID: q.client, scenario: scriptName(q.script), createdAt: now.Unix(),
		expiresAt: now.Add(life).Unix(), strong: q.strong, legacy: q.legacy,
		location: uint16(c.rand.Intn(locationPoolSize)), jwk: q.jwk, seq: c.seq.Add(1),
	}
	_ = c.apply(p, d, atCreate, now, claimant{})
	fixedID := p.id != 0
	for range 1000 {
		if !fixedID {
			p.id = pinID(c.faker.Rand)
		}
		if q.strong {
			p.code = randString(c.faker.Rand, strongAlphabet, codeLength(Strong))
		} else {
			p.code = randString(c.faker.Rand, linkAlphabet, codeLength(Link))
		}
		if c.pins.insert(p) {
			c.log.LogAttrs(context.Background(), slog.LevelDebug, "pin created", slog.Int64("pin", p.id), slog.String("client", q.client))
			return *p, d, nil
		}
	}
	c.pins.release(kind, 1)
	return pin{}, d, fmt.Errorf("%w: no free code or id after 1000 tries", ErrTooManyPins)
}

func scriptName(sc *scenarios.Script) string {
	if sc == nil {
		return ""
	}
	return sc.Name
}

// pollResult is what a poll read: a copy of the pin as it was after the
// poll's effects, with the token this poll may see, and whether the client
// may see it.
type pollResult struct {
	pin   pin
	found bool
}

// poll reads pin id for q.client in one hold of its lock: the scenario sees
// the pin, its effects (an approval included) are applied, and the read is
// counted, all at once, so a consume-on-first-read pin is read by one poll
// only. A claimed JWK pin polled with a valid deviceJWT shows a Plex JWT;
// without one, the legacy token (plex.tv's silent fallback).
func (c *core) poll(id int64, deviceJWT string, q request) (pollResult, scenarios.Decision, error) {
	now := c.clock.Now()
	ev := c.event(q, scenarios.OpPoll, now)
	var res pollResult
	var d scenarios.Decision
	var err error
	decided := false
	_ = c.pins.update(id, func(p *pin) error {
		if p.clientID != q.client || !c.readable(p, now) {
			return nil
		}
		dj, state := c.pollJWT(p, deviceJWT, now)
		ev.HasPin, ev.PinCreated = true, time.Unix(p.createdAt, 0).UTC()
		ev.Polls, ev.Claimed = int(p.polls)+1, p.token != ""
		ev.JWKPin, ev.DeviceJWT = p.jwk != nil, state
		if ev.JWKPin && state == scenarios.JWTValid && p.token != "" && p.jwt == "" {
			ev.ClientTokens = c.clientTokens(p.clientID) + 1
		}
		d, decided = c.evaluate(q.script, q.client, ev), true
		_ = c.apply(p, d, atPoll, now, claimant{})
		if preempts(d) {
			return nil
		}
		p.polls++
		res = pollResult{pin: *p, found: true}
		if p.token != "" && state == scenarios.JWTValid {
			var tok string
			if tok, err = c.pinJWT(p, dj, d, now); err == nil && tok != "" {
				res.pin.jwt, res.pin.token = tok, tok
			}
		}
		return c.apply(p, d, afterRead, now, claimant{})
	})
	if !decided {
		d = c.evaluate(q.script, q.client, ev) // no pin of this client's: the scenario still sees the poll
	}
	switch {
	case preempts(d):
		return res, d, nil
	case err != nil:
		return res, d, err
	case res.found:
		return res, d, nil
	}
	return res, d, ErrPinNotFound
}

// readable reports whether p can still be read at now: until expiresAt,
// plus the expiry grace.
func (c *core) readable(p *pin, now time.Time) bool {
	return now.Unix() < p.expiresAt+int64(c.cfg.expiryGrace/time.Second)
}

// open reports whether p can still change at now: the grace keeps expired
// pins readable only.
func open(p *pin, now time.Time) bool { return now.Unix() < p.expiresAt }

// claim gives pin id the token of acc (nil: a new account, signed up while
// approving), after the pin's scenario has had its say.
func (c *core) claim(id int64, by claimant) (PinInfo, error) {
	now := c.clock.Now()
	var out PinInfo
	err := c.pins.update(id, func(p *pin) error {
		if !c.readable(p, now) {
			return ErrPinNotFound
		}
		if !open(p, now) {
			return fmt.Errorf("%w: it expired at %s; the expiry grace keeps it readable only", ErrPinNotFound, formatTime(p.expiresAt))
		}
		if err := c.claimLocked(p, by, now); err != nil {
			return err
		}
		out = c.info(p, now)
		return nil
	})
	return out, err
}

// claimLocked claims p for by, under its shard lock. The scenario of the
// pin (its client's, else the one that created it, else the server's)
// sees a claim event, and apply carries out the claim as it decides: it
// may deny it, pick the account, or move expiry. Claiming twice with one
// account is a no-op.
func (c *core) claimLocked(p *pin, by claimant, now time.Time) error {
	ev := scenarios.Event{
		Op: scenarios.OpClaim, Now: now, HasPin: true, PinCreated: time.Unix(p.createdAt, 0).UTC(),
		Polls: int(p.polls), Claimed: p.token != "", Rand: c.rand,
	}
	return c.apply(p, c.evaluate(c.scriptForPin(p), p.clientID, ev), atClaim, now, by)
}

// approve claims pin id for the account named ("" is the default), as
// the Go method and the control API do.
func (c *core) approve(id int64, account string, newReg bool) (PinInfo, error) {
	acc, ok := c.accounts.find(account)
	if !ok {
		return PinInfo{}, fmt.Errorf("%w: %q", ErrAccountNotFound, account)
	}
	return c.claim(id, claimant{acc: acc, newReg: newReg})
}

// deny marks pin id as denied by the user.
func (c *core) deny(id int64) (PinInfo, error) {
	now := c.clock.Now()
	var out PinInfo
	err := c.pins.update(id, func(p *pin) error {
		switch {
		case !open(p, now):
			return ErrPinNotFound
		case p.token != "":
			return ErrPinClaimed
		}
		p.denied = true
		out = c.info(p, now)
		return nil
	})
	return out, err
}

// expire ends pin id now.
func (c *core) expire(id int64) (PinInfo, error) {
	now := c.clock.Now()
	var out PinInfo
	err := c.pins.update(id, func(p *pin) error {
		p.expiresAt = min(p.expiresAt, now.Unix())
		out = c.info(p, now)
		return nil
	})
	return out, err
}

// link claims the pin with code for the account of token, as PUT
// /api/v2/pins/link does. A token that keeps sending wrong codes is slowed
// down.
func (c *core) link(code, token string, q request) (int64, scenarios.Decision, error) {
	now := c.clock.Now()
	if q.client == "" {
		return 0, scenarios.Decision{}, errMissingClientID
	}
	d := c.evaluate(q.script, q.client, c.event(q, scenarios.OpLink, now))
	if preempts(d) {
		return 0, d, nil
	}
	acc, _, err := c.resolve(token, q.client, now)
	if err != nil {
		return 0, d, err
	}
	if !c.links.allow(token, now) {
		return 0, d, errLinkRateLimited
	}
	// Strong codes link too: plex.tv's link page takes only 4-character
	// codes, but its API linked a strong JWK pin for streamarr (wire
	// contract J2.1, I; J8 U7 asks for a live check).
	id, ok := c.pins.byCode(code)
	if !ok {
		c.links.hit(token, now)
		return 0, d, ErrPinNotFound
	}
	if _, err := c.claim(id, claimant{acc: acc}); err != nil {
		c.links.hit(token, now)
		return id, d, err // denied and claimed pins are 404/1020 on the wire
	}
	return id, d, nil
}

// account finds the account of a token (legacy or Plex JWT) for
// /api/v2/user and its kin.
func (c *core) account(token string, op scenarios.Op, q request) (*Account, scenarios.Decision, error) {
	now := c.clock.Now()
	d := c.evaluate(q.script, q.client, c.event(q, op, now))
	if preempts(d) {
		return nil, d, nil
	}
	acc, _, err := c.resolve(token, q.client, now)
	if errors.Is(err, errUnauthorized) && c.homes != nil { // not an expired or bad Plex JWT
		if sw, ok := c.homes.switchedAccount(token); ok {
			return sw, d, nil
		}
	}
	return acc, d, err
}

// decide evaluates a request that touches no state (QR, preflight).
func (c *core) decide(op scenarios.Op, q request) scenarios.Decision {
	return c.evaluate(q.script, q.client, c.event(q, op, c.clock.Now()))
}

// byCode returns what the mock knows of the pin with code.
func (c *core) byCode(code string) (PinInfo, error) {
	id, err := c.idByCode(code)
	if err != nil {
		return PinInfo{}, err
	}
	return c.pinInfo(id)
}

// idByCode finds the id of the pin with code.
func (c *core) idByCode(code string) (int64, error) {
	id, ok := c.pins.byCode(code)
	if !ok {
		return 0, ErrPinNotFound
	}
	return id, nil
}

// readableCode returns the code of the pin with code as issued, while a
// poll could still read the pin (the expiry grace included), as the QR
// route needs it.
func (c *core) readableCode(code string) (string, error) {
	id, err := c.idByCode(code)
	if err != nil {
		return "", err
	}
	p, ok := c.pins.get(id)
	if !ok || !c.readable(&p, c.clock.Now()) {
		return "", ErrPinNotFound
	}
	return p.code, nil
}

// pinInfo returns what the mock knows of pin id.
func (c *core) pinInfo(id int64) (PinInfo, error) {
	p, ok := c.pins.get(id)
	if !ok {
		return PinInfo{}, ErrPinNotFound
	}
	return c.info(&p, c.clock.Now()), nil
}

// list returns up to limit pins created before the cursor (0: the newest),
// newest first, and the cursor of the next page (0: none).
func (c *core) list(limit int, before cursor) ([]PinInfo, cursor) {
	now := c.clock.Now()
	page := c.pins.newest(limit+1, before)
	var next cursor
	if len(page) > limit {
		page = page[:limit]
		next = cursor{seq: page[limit-1].seq}
	}
	out := make([]PinInfo, len(page))
	for i := range page {
		out[i] = c.info(&page[i], now)
	}
	return out, next
}

// all returns every stored pin, newest first.
func (c *core) all() []PinInfo {
	now := c.clock.Now()
	all := c.pins.all()
	sort.Slice(all, func(i, j int) bool { return newer(&all[i], &all[j]) })
	out := make([]PinInfo, len(all))
	for i := range all {
		out[i] = c.info(&all[i], now)
	}
	return out
}

// livePins reports how many pins are stored, expired but unswept ones
// included.
func (c *core) livePins() int { return c.pins.len() }

// counts reports stored pins by state now.
func (c *core) counts() map[State]int { return c.pins.counts(c.clock.Now()) }

// accountList lists the accounts, the default first.
func (c *core) accountList() []Account { return c.accounts.all() }

// accountByID finds the account with id, for the world's adapters.
func (c *core) accountByID(id int64) (*Account, bool) { return c.accounts.byID(id) }

// accountByToken finds the account whose legacy token is token (it does
// not resolve Plex JWTs or say whether the token still signs in: resolve
// does).
func (c *core) accountByToken(token string) (*Account, bool) { return c.accounts.byTok(token) }

// findAccount finds an account by username, id, UUID or email; "" is the
// default account.
func (c *core) findAccount(name string) (*Account, bool) { return c.accounts.find(name) }

// newToken draws a token of an account token's shape from the seeded
// faker, for the tokens the world mints (shares, profile switches, claims).
func (c *core) newToken() string { return randString(c.faker.Rand, tokenAlphabet[:62], 20) }

// accountID is the id of the account token belongs to (0: none).
func (c *core) accountID(token string) int64 {
	if acc, ok := c.accounts.byTok(token); ok {
		return acc.ID
	}
	return 0
}

// scenarioNames lists the scenarios the server knows.
func (c *core) scenarioNames() []string { return c.scripts.names() }

// clientScenario is the scenario assigned to client ("": none).
func (c *core) clientScenario(client string) string { return c.clients.scenario(client) }

// clientScenarios returns every client's assigned scenario.
func (c *core) clientScenarios() map[string]string { return c.clients.scenarios() }

// setClientScenario assigns the named scenario to client; "" clears it.
func (c *core) setClientScenario(client, name string) error {
	if name == "" {
		c.clients.setScenario(client, "")
		return nil
	}
	if _, ok := c.scripts.get(name); !ok {
		return c.scripts.unknown(name)
	}
	if !c.clients.setScenario(client, name) {
		return fmt.Errorf("%w: %d clients have a scenario assigned (%s); clear some or reset the server (%s)",
			ErrTooManyPins, c.clients.max, c.cfg.name("Config.MaxClients"), c.cfg.name("Reset"))
	}
	return nil
}

// reset forgets every pin, per-client state and generated account.
func (c *core) reset() {
	c.pins.reset()
	c.clients.reset()
	c.accounts.forgetGenerated()
	c.links.reset()
	c.jwt.reset(c.clock.Now())
}

// sweep deletes pins that can no longer be read, idle client state and
// old link-limiter entries.
func (c *core) sweep() int {
	now := c.clock.Now()
	n := c.pins.sweep(now.Add(-c.cfg.expiryGrace).Unix())
	c.clients.sweep(now.Add(-time.Hour))
	c.links.sweep(now)
	c.jwt.sweep(now)
	return n
}
