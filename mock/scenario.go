package mock

import (
	"context"
	"log/slog"
	"math/rand"
	"strings"
	"sync"
	"time"

	"github.com/mockplex/mockplex/scenarios"
)

// ScenarioHeader names a scenario for one request; it beats the client's
// and the server's.
const ScenarioHeader = "X-Mockplex-Scenario"

// scriptSet is the server's view of the scenario registry: the shipped
// scenarios plus a user folder, hot-reloaded.
type scriptSet struct {
	reg    *scenarios.Registry
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newScriptSet(dir string, logger *slog.Logger) (*scriptSet, error) {
	reg, err := scenarios.NewRegistry(dir, scenarios.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	ss := &scriptSet{reg: reg}
	if dir != "" {
		ctx, cancel := context.WithCancel(context.Background())
		ss.cancel = cancel
		ss.wg.Add(1)
		go func() {
			defer ss.wg.Done()
			if err := reg.Watch(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("scenario hot reload stopped", "dir", dir, "err", err)
			}
		}()
	}
	return ss, nil
}

func (ss *scriptSet) get(name string) (*scenarios.Script, bool) { return ss.reg.Get(name) }
func (ss *scriptSet) names() []string                           { return ss.reg.Names() }

func (ss *scriptSet) close() {
	if ss.cancel != nil {
		ss.cancel()
		ss.wg.Wait()
	}
}

func joinNames(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

// clients holds per-client state: the assigned scenario and what scenario
// triggers need (request count, last poll). It is only kept for clients
// that run under a scenario, so plain traffic costs nothing here.
type clients struct {
	mu sync.Mutex
	m  map[string]*clientState
}

type clientState struct {
	scenario string
	requests int
	polls    int
	lastPoll time.Time
	lastSeen time.Time
}

func newClients() *clients { return &clients{m: make(map[string]*clientState)} }

func (c *clients) scenario(id string) string {
	if id == "" {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[id]; ok {
		return st.scenario
	}
	return ""
}

func (c *clients) setScenario(id, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[id]
	if !ok {
		st = &clientState{}
		c.m[id] = st
	}
	st.scenario = name
}

func (c *clients) scenarios() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]string)
	for id, st := range c.m {
		if st.scenario != "" {
			out[id] = st.scenario
		}
	}
	return out
}

// touch counts a request by id and returns the client's request and poll
// counts (this one included) and, for a poll, the time since its previous
// poll.
func (c *clients) touch(id string, now time.Time, poll bool) (requests, polls int, sinceLastPoll time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[id]
	if !ok {
		st = &clientState{}
		c.m[id] = st
	}
	st.requests++
	st.lastSeen = now
	if poll {
		st.polls++
		if !st.lastPoll.IsZero() {
			sinceLastPoll = max(now.Sub(st.lastPoll), time.Nanosecond)
		}
		st.lastPoll = now
	}
	return st.requests, st.polls, sinceLastPoll
}

// sweep forgets clients idle since before cutoff that have no assigned
// scenario.
func (c *clients) sweep(cutoff time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, st := range c.m {
		if st.scenario == "" && st.lastSeen.Before(cutoff) {
			delete(c.m, id)
		}
	}
}

func (c *clients) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = make(map[string]*clientState)
}

// lockedRand is the scenarios' randomness: the server's seeded source,
// whose gofakeit source is already safe for concurrent use.
type lockedRand struct{ r *rand.Rand }

func (l lockedRand) Float64() float64     { return l.r.Float64() }
func (l lockedRand) NormFloat64() float64 { return l.r.NormFloat64() }
func (l lockedRand) Intn(n int) int       { return l.r.Intn(n) }

// selectScript picks the scenario for a request: the X-Mockplex-Scenario
// header, else the client's assignment, else the server default. An unknown
// name in the header is an error that lists the known ones.
func (s *Server) selectScript(header, clientID string) (*scenarios.Script, error) {
	name := header
	if name == "" {
		name = s.clients.scenario(clientID)
	}
	if name == "" {
		name = s.cfg.scenario
	}
	if name == "" {
		return nil, nil
	}
	sc, ok := s.scripts.get(name)
	if !ok {
		return nil, s.unknownScenario(name)
	}
	return sc, nil
}

// scriptForPin picks the scenario for a lifecycle event of p (a claim): the
// client's assignment, else the scenario that created it, else the default.
func (s *Server) scriptForPin(p *pin) *scenarios.Script {
	for _, name := range [...]string{s.clients.scenario(p.clientID), p.scenario, s.cfg.scenario} {
		if name == "" {
			continue
		}
		if sc, ok := s.scripts.get(name); ok {
			return sc
		}
	}
	return nil
}

func (s *Server) evaluate(sc *scenarios.Script, ev scenarios.Event) scenarios.Decision {
	if sc == nil {
		return scenarios.Decision{}
	}
	return sc.Evaluate(ev)
}

func claimEvent(p *pin, now time.Time, r scenarios.Rand) scenarios.Event {
	return scenarios.Event{
		Op: scenarios.OpClaim, Now: now, HasPin: true, PinCreated: time.Unix(p.createdAt, 0).UTC(),
		Polls: int(p.polls), Claimed: p.token != "", Rand: r,
	}
}

// applyPinSet applies a scenario's field overrides to a stored pin. Values
// come from YAML, so numbers may be int, int64, uint64 or float64.
func applyPinSet(p *pin, set map[string]any, r lockedRand) {
	for k, v := range set {
		switch k {
		case "id":
			if n, ok := toInt64(v); ok && n > 0 {
				p.id = n
			}
		case "product":
			if str, ok := v.(string); ok {
				p.product = str
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
