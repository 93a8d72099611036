package scenarios

import (
	"math"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Script is one parsed scenario. It is immutable, so one Script may be
// evaluated from many goroutines at once.
type Script struct {
	Name        string
	Description string
	Contract    bool   // a client under this scenario still sees plex.tv-conformant behaviour; false when the file leaves it out
	File        string // where the script came from (a path, or "builtin/NAME.yaml")

	rules                []rule
	nameLine, nameColumn int
}

// Evaluate decides what to do for one event. Rules are tried top to bottom;
// every rule whose triggers all hold contributes the effects that no earlier
// matching rule has set (the first matching rule wins per effect kind; the
// flags deny, expire, expire_after_response and rotate_keys add up; set
// merges per field).
// A matching rule with stop: true ends the evaluation.
//
// The Decision's pointers and maps (Respond, Approve, CORS, Set) may be shared
// with other Decisions of the same Script: read them, never modify them.
func (s *Script) Evaluate(ev Event) Decision {
	d := Decision{Scenario: s.Name}
	var have effects
	sharedSet := false
	for i := range s.rules {
		r := &s.rules[i]
		if !r.match(&ev) {
			continue
		}
		if r.delay != nil && have&hasDelay == 0 {
			d.Delay, have = r.delay.sample(ev.Rand), have|hasDelay
		}
		if r.fault != FaultNone && have&hasFault == 0 {
			d.Fault, have = r.fault, have|hasFault
		}
		if r.respond != nil && d.Respond == nil {
			d.Respond = r.respond
		}
		if r.approve != nil && d.Approve == nil {
			d.Approve = r.approve
		}
		if r.expireIn > 0 && d.ExpireIn == 0 {
			d.ExpireIn = r.expireIn
		}
		if r.cors != nil && d.CORS == nil {
			d.CORS = r.cors
		}
		if r.tokenLifetime > 0 && d.TokenLifetime == 0 {
			d.TokenLifetime = r.tokenLifetime
		}
		d.RotateKeys = d.RotateKeys || r.rotateKeys
		d.Deprecated = d.Deprecated || r.deprecated
		for _, v := range r.world {
			if !slices.Contains(d.World, v) {
				d.World = append(slices.Clip(d.World), v)
			}
		}
		d.Deny = d.Deny || r.deny
		d.Expire = d.Expire || r.expire
		d.ExpireAfterResponse = d.ExpireAfterResponse || r.expireAfterResponse
		if r.set != nil {
			sharedSet = r.set.mergeInto(&d, sharedSet, ev.Rand)
		}
		if r.stop {
			break
		}
	}
	return d
}

type effects uint8

const (
	hasDelay effects = 1 << iota
	hasFault
)

type rule struct {
	name string

	// triggers
	ops        uint16 // bit set of opBit; 0 matches every op
	needPin    bool   // a pin trigger is present: the event must concern a pin
	polls      countCond
	after      time.Duration
	hasAfter   bool
	before     time.Duration
	hasBefore  bool
	claimed    int8  // 0 either, 1 must be claimed, -1 must not
	jwkPin     int8  // 0 either, 1 must be a JWK pin, -1 must not
	deviceJWT  uint8 // bit set of 1<<JWTState; 0 matches every state
	tokens     countCond
	methods    []string
	pathGlob   string
	hasGlob    bool
	pathRe     *regexp.Regexp
	headers    []headerMatch
	fasterThan time.Duration
	fraction   float64 // 0: no fraction trigger

	// effects
	delay               *delaySpec
	fault               Fault
	respond             *Response
	approve             *Approval
	deny                bool
	expire              bool
	expireIn            time.Duration
	expireAfterResponse bool
	set                 *setSpec
	cors                *bool
	rotateKeys          bool
	deprecated          bool
	world               []string
	tokenLifetime       time.Duration
	stop                bool
}

// countCond is a trigger on a count (polls, client_tokens): equal to, at
// least, at most, or a positive multiple of a number. The zero countCond
// holds for every count.
type countCond struct {
	eq, gte, lte, every   int
	hasEq, hasGte, hasLte bool
}

func (c *countCond) holds(n int) bool {
	return !((c.hasEq && n != c.eq) || (c.hasGte && n < c.gte) || (c.hasLte && n > c.lte) ||
		(c.every > 0 && (n <= 0 || n%c.every != 0)))
}

type headerMatch struct {
	name    string // canonical
	pattern string
}

// match reports whether all of the rule's triggers hold. The fraction is
// drawn last, so a rule draws from Rand only when everything else matched.
func (r *rule) match(ev *Event) bool {
	if r.ops != 0 && r.ops&opBit(ev.Op) == 0 {
		return false
	}
	if r.needPin && !ev.HasPin {
		return false
	}
	if !r.polls.holds(ev.Polls) || !r.tokens.holds(ev.ClientTokens) {
		return false
	}
	if r.hasAfter || r.hasBefore {
		age := ev.Now.Sub(ev.PinCreated)
		if (r.hasAfter && age < r.after) || (r.hasBefore && age >= r.before) {
			return false
		}
	}
	if (r.claimed == 1 && !ev.Claimed) || (r.claimed == -1 && ev.Claimed) {
		return false
	}
	if (r.jwkPin == 1 && !ev.JWKPin) || (r.jwkPin == -1 && ev.JWKPin) {
		return false
	}
	if r.deviceJWT != 0 && r.deviceJWT&(1<<ev.DeviceJWT) == 0 {
		return false
	}
	if len(r.methods) > 0 && !methodIn(ev.Method, r.methods) {
		return false
	}
	if r.hasGlob {
		if ok, _ := path.Match(r.pathGlob, ev.Path); !ok {
			return false
		}
	}
	if r.pathRe != nil && !r.pathRe.MatchString(ev.Path) {
		return false
	}
	for _, h := range r.headers {
		var v string
		if vs := ev.Header[h.name]; len(vs) > 0 {
			v = vs[0]
		}
		if !globMatch(h.pattern, v) {
			return false
		}
	}
	if r.fasterThan > 0 && !fasterThan(ev, r.fasterThan) {
		return false
	}
	if r.fraction > 0 {
		if ev.Rand == nil || ev.Rand.Float64() >= r.fraction {
			return false
		}
	}
	return true
}

// fasterThan reports whether this poll came less than d after the client's
// previous one. A client's first poll is never too fast. When the mock does
// not report ClientPolls, a zero SinceLastPoll stands for "first poll".
func fasterThan(ev *Event, d time.Duration) bool {
	if ev.ClientPolls > 0 {
		if ev.ClientPolls < 2 {
			return false
		}
	} else if ev.SinceLastPoll <= 0 {
		return false
	}
	return ev.SinceLastPoll < d
}

func methodIn(m string, list []string) bool {
	for _, x := range list {
		if strings.EqualFold(m, x) {
			return true
		}
	}
	return false
}

// globMatch matches s against a pattern where * is any run of bytes
// (including none) and ? is exactly one byte. Everything else is literal.
func globMatch(pattern, s string) bool {
	px, sx := 0, 0
	star, next := -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && pattern[px] == '*':
			star, next = px, sx
			px++
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px++
			sx++
		case star >= 0:
			px = star + 1
			next++
			sx = next
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

type delayKind uint8

const (
	delayFixed delayKind = iota
	delayUniform
	delayLognormal
)

type delaySpec struct {
	kind             delayKind
	fixed            time.Duration
	min, max, median time.Duration
	sigma            float64
}

// sample draws one delay. Without a Rand, uniform gives its min and
// lognormal its median.
func (d *delaySpec) sample(rnd Rand) time.Duration {
	switch d.kind {
	case delayUniform:
		if rnd == nil {
			return d.min
		}
		return d.min + time.Duration(rnd.Float64()*float64(d.max-d.min))
	case delayLognormal:
		if rnd == nil {
			return min(d.median, d.max)
		}
		v := float64(d.median) * math.Exp(d.sigma*rnd.NormFloat64())
		if !(v < float64(d.max)) { // also catches NaN and +Inf
			return d.max
		}
		return time.Duration(v)
	}
	return d.fixed
}

type setSpec struct {
	consts map[string]any // shared by every Decision that takes it unmodified
	ranges []intRange
}

type intRange struct {
	field    string
	min, max int64
}

// draw picks an integer in [min, max]; without a Rand it gives min.
func (r intRange) draw(rnd Rand) int64 {
	if rnd == nil {
		return r.min
	}
	span := uint64(r.max) - uint64(r.min)
	off := uint64(rnd.Float64() * (float64(span) + 1))
	if off > span {
		off = span
	}
	return int64(uint64(r.min) + off)
}

// mergeInto adds the fields not set yet to d.Set. shared says whether d.Set is
// a map owned by a rule (which must be copied before writing); it returns the
// new value of shared.
func (s *setSpec) mergeInto(d *Decision, shared bool, rnd Rand) bool {
	if d.Set == nil && len(s.ranges) == 0 {
		d.Set = s.consts
		return true
	}
	if d.Set == nil {
		d.Set = make(map[string]any, len(s.consts)+len(s.ranges))
	} else if shared {
		m := make(map[string]any, len(d.Set)+len(s.consts)+len(s.ranges))
		for k, v := range d.Set {
			m[k] = v
		}
		d.Set = m
	}
	for k, v := range s.consts {
		if _, ok := d.Set[k]; !ok {
			d.Set[k] = v
		}
	}
	for _, r := range s.ranges {
		if _, ok := d.Set[r.field]; !ok {
			d.Set[r.field] = r.draw(rnd)
		}
	}
	return false
}
