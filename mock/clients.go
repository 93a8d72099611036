package mock

import (
	"sync"
	"time"
)

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

// setScenario assigns a scenario to a client ("" clears it). It reports
// false when every entry at the cap has a scenario assigned.
func (c *clients) setScenario(id, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if name == "" {
		if st, ok := c.m[id]; ok {
			st.scenario = ""
		}
		return true
	}
	st := c.entry(id)
	if st == nil {
		return false
	}
	st.scenario = name
	return true
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
