package mock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync/atomic"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/mockplex/mockplex/internal/plexjwt"
	"github.com/mockplex/mockplex/scenarios"
)

// core holds the fake's state and makes every decision about it: pins,
// accounts, per-client scenario state and the clock. Each operation is one
// method that takes the request's parameters and its scenario, evaluates
// the scenario where it can see the pin, applies the decision's effects on
// state under the pin's lock (apply is the only place that does), and
// returns a result or a sentinel error with the decision, whose transport
// effects (delay, fault, scripted answer, CORS) the responder carries out.
// The adapters (plex.tv's API, the control API, the pages, the Go methods)
// only parse and render.
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
	links     *linkLimiter
	jwt       *jwtState
	seq       atomic.Uint64 // the last pin's creation sequence number
	// homes finds the identities Plex Home profile switches minted
	// tokens for (home.go).
	homes *worldState
}

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

// apply carries out a decision's effects on a pin: the one place they are
// applied, always under the pin's shard lock (or, for a create, before the
// pin is stored). Deny never touches a claimed pin, and an id is chosen at
// create only.
func (c *core) apply(p *pin, d scenarios.Decision, now time.Time, create bool) {
	if !create { // a create's decision sets fields only
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
			if n, ok := toInt64(v); ok && n > 0 && create {
				p.id = n
			}
		case "product":
			if s, ok := v.(string); ok {
				p.product = cut(s, MaxProductLen)
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

// readable reports whether p can still be read at now: until expiresAt,
// plus the expiry grace.
func (c *core) readable(p *pin, now time.Time) bool {
	return now.Unix() < p.expiresAt+int64(c.cfg.expiryGrace/time.Second)
}

// open reports whether p can still change at now: the grace keeps expired
// pins readable only.
func open(p *pin, now time.Time) bool { return now.Unix() < p.expiresAt }

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
		return pin{}, scenarios.Decision{}, ErrMissingClientID
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
		return pin{}, d, fmt.Errorf("%w (%d); no room for another %s pin: raise --max-pins, let pins expire, or POST /__mockplex/reset", ErrTooManyPins, c.pins.limit(kind), kind)
	}
	product := q.product
	if product == "" {
		product = c.faker.AppName()
	}
	life := LinkLifetime
	if q.strong {
		life = StrongLifetime
	}
	p := &pin{
		product: product, clientID: q.client, scenario: scriptName(q.script), createdAt: now.Unix(),
		expiresAt: now.Add(life).Unix(), strong: q.strong, legacy: q.legacy,
		location: uint16(c.rand.Intn(locationPoolSize)), jwk: q.jwk, seq: c.seq.Add(1),
	}
	c.apply(p, d, now, true)
	fixedID := p.id != 0
	for range 1000 {
		if !fixedID {
			p.id = pinID(c.faker.Rand)
		}
		if q.strong {
			p.code = randString(c.faker.Rand, strongAlphabet, 25)
		} else {
			p.code = randString(c.faker.Rand, linkAlphabet, 4)
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
		if open(p, now) {
			if a := d.Approve; a != nil && p.token == "" && !p.denied {
				if acc, ok := c.approver(a.Account); ok || a.Account == "new" {
					_ = c.claimLocked(p, acc, a.NewRegistration, now)
				}
			}
			c.apply(p, d, now, false)
		}
		if preempts(d) {
			return nil
		}
		p.polls++
		res = pollResult{pin: *p, found: true}
		if p.token != "" && state == scenarios.JWTValid {
			var tok string
			if tok, err = c.pinJWT(p, dj, d, now); err == nil {
				res.pin.jwt, res.pin.token = tok, tok
			}
		}
		if d.ExpireAfterResponse && p.token != "" {
			p.expiresAt = min(p.expiresAt, now.Unix()) // consumed by this read
		}
		return nil
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

// approver finds the account a scenario's approval names: "" is the
// default account, "new" a new one (nil), an unknown name the default.
func (c *core) approver(name string) (*Account, bool) {
	switch name {
	case "new":
		return nil, false
	case "":
		return c.accounts.find("")
	}
	if acc, ok := c.accounts.find(name); ok {
		return acc, true
	}
	return c.accounts.find("")
}

// claim gives pin id the token of acc (nil: a new account, signed up while
// approving), after the pin's scenario has had its say.
func (c *core) claim(id int64, acc *Account, newReg bool) (PinInfo, error) {
	now := c.clock.Now()
	var out PinInfo
	err := c.pins.update(id, func(p *pin) error {
		if !c.readable(p, now) {
			return ErrPinNotFound
		}
		if !open(p, now) {
			return fmt.Errorf("%w: it expired at %s; the expiry grace keeps it readable only", ErrPinNotFound, formatTime(p.expiresAt))
		}
		if err := c.claimLocked(p, acc, newReg, now); err != nil {
			return err
		}
		out = c.info(p, now)
		return nil
	})
	return out, err
}

// claimLocked claims p, under its shard lock. The scenario of the pin (its
// client's, else the one that created it, else the server's) sees a claim
// event and may deny it, pick the account, or move expiry. Claiming twice
// with one account is a no-op.
func (c *core) claimLocked(p *pin, acc *Account, newReg bool, now time.Time) error {
	ev := scenarios.Event{
		Op: scenarios.OpClaim, Now: now, HasPin: true, PinCreated: time.Unix(p.createdAt, 0).UTC(),
		Polls: int(p.polls), Claimed: p.token != "", Rand: c.rand,
	}
	d := c.evaluate(c.scriptForPin(p), p.clientID, ev)
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
		newReg = a.NewRegistration
		switch a.Account {
		case "":
		case "new":
			acc = nil
		default:
			if named, ok := c.accounts.find(a.Account); ok {
				acc = named
			}
		}
	}
	if p.token != "" {
		if acc != nil && p.token == acc.AuthToken {
			return nil
		}
		return ErrPinClaimed
	}
	if acc == nil { // the user signs up while approving
		acc = newAccount(c.faker, now)
		c.accounts.addGenerated(acc, c.cfg.maxAccounts)
		newReg = true
	}
	p.token, p.accountID, p.newReg = acc.AuthToken, acc.ID, newReg
	c.apply(p, d, now, false)
	c.log.LogAttrs(context.Background(), slog.LevelInfo, "pin claimed", slog.Int64("pin", p.id), slog.String("account", acc.Username))
	return nil
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
		return 0, scenarios.Decision{}, ErrMissingClientID
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
		c.links.miss(token, now)
		return 0, d, ErrPinNotFound
	}
	if _, err := c.claim(id, acc, false); err != nil {
		c.links.miss(token, now)
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
	id, ok := c.pins.byCode(code)
	if !ok {
		return PinInfo{}, ErrPinNotFound
	}
	return c.pinInfo(id)
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

// reset forgets every pin, per-client state and generated account.
func (c *core) reset() {
	c.pins.reset()
	c.clients.reset()
	c.accounts.forgetGenerated()
	c.links.reset()
	c.resetJWT()
}

// sweep deletes pins that can no longer be read, idle client state and
// old link-limiter entries.
func (c *core) sweep() int {
	now := c.clock.Now()
	n := c.pins.sweep(now.Add(-c.cfg.expiryGrace).Unix())
	c.clients.sweep(now.Add(-time.Hour))
	c.links.sweep(now)
	c.sweepJWT(now)
	return n
}
