package mock

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"strings"
	"sync"
	"time"

	"github.com/mockplex/mockplex/scenarios"
)

// ScenarioHeader names a scenario for one request; it beats the client's
// and the server's. It obeys the control API's guard: on a server with a
// control token it needs the token, and with the control API off it is
// refused.
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

// unknown is the error for a scenario name the set does not have.
func (ss *scriptSet) unknown(name string) error {
	names := ss.names()
	list := "(none)"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return fmt.Errorf("%w %q; known scenarios: %s", ErrUnknownScenario, name, list)
}

// clients holds per-client state: the assigned scenario and what scenario
// triggers need (request count, last poll). It is only kept for clients
// that run under a scenario, and at most max entries: at the cap, a
// client with no assigned scenario is forgotten to make room.
type clients struct {
	mu  sync.Mutex
	max int
	m   map[string]*clientState
}

type clientState struct {
	scenario string
	requests int
	polls    int
	lastPoll time.Time
	lastSeen time.Time
}

func newClients(max int) *clients { return &clients{max: max, m: make(map[string]*clientState)} }

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

// entry returns id's state, making room for it at the cap; nil when every
// entry has an assigned scenario. The caller holds mu.
func (c *clients) entry(id string) *clientState {
	if st, ok := c.m[id]; ok {
		return st
	}
	if c.max > 0 && len(c.m) >= c.max {
		evicted := false
		probes := 0
		for k, st := range c.m { // map order is random: a random victim
			if st.scenario == "" {
				delete(c.m, k)
				evicted = true
				break
			}
			if probes++; probes == 64 {
				break
			}
		}
		if !evicted {
			return nil
		}
	}
	st := &clientState{}
	c.m[id] = st
	return st
}

// setScenario assigns a scenario to a client ("" clears it).
func (c *clients) setScenario(id, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "" {
		if st, ok := c.m[id]; ok {
			st.scenario = ""
		}
		return nil
	}
	st := c.entry(id)
	if st == nil {
		return fmt.Errorf("%w: %d clients have a scenario assigned (--max-clients); DELETE some or POST /__mockplex/reset", ErrTooManyPins, c.max)
	}
	st.scenario = name
	return nil
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
	st := c.entry(id)
	if st == nil {
		return 1, 1, 0
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

func (c *clients) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *clients) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = make(map[string]*clientState)
}

// seededRand is the scenarios' randomness: the server's seeded source,
// which gofakeit already makes safe for concurrent use.
type seededRand struct{ r *rand.Rand }

func (l seededRand) Float64() float64     { return l.r.Float64() }
func (l seededRand) NormFloat64() float64 { return l.r.NormFloat64() }
func (l seededRand) Intn(n int) int       { return l.r.Intn(n) }

// selectScript picks the scenario for a request: the X-Mockplex-Scenario
// header, else the client's assignment, else the server default. An unknown
// name in the header is an error that lists the known ones.
func (c *core) selectScript(header, clientID string) (*scenarios.Script, error) {
	name := header
	if name == "" {
		name = c.clients.scenario(clientID)
	}
	if name == "" {
		name = c.cfg.scenario
	}
	if name == "" {
		return nil, nil
	}
	sc, ok := c.scripts.get(name)
	if !ok {
		return nil, c.scripts.unknown(name)
	}
	return sc, nil
}

// scriptForPin picks the scenario for a lifecycle event of p (a claim): the
// client's assignment, else the scenario that created it, else the default.
func (c *core) scriptForPin(p *pin) *scenarios.Script {
	for _, name := range [...]string{c.clients.scenario(p.clientID), p.scenario, c.cfg.scenario} {
		if name == "" {
			continue
		}
		if sc, ok := c.scripts.get(name); ok {
			return sc
		}
	}
	return nil
}
