package mock

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"strings"
	"sync"

	"github.com/mockplex/mockplex/scenarios"
)

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
