package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/scenarios"
)

// scenarioTransport sends every request under one scenario, as a test that
// shares a server with others would.
type scenarioTransport struct {
	name string
	next http.RoundTripper
}

func (s scenarioTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(mock.ScenarioHeader, s.name)
	return s.next.RoundTrip(r)
}

// TestMockUnderEveryScenario runs the suite under each shipped scenario,
// selected per request by header: scenarios marked contract: true must
// pass, the others must be reported as violations (or errors, for transport
// faults), never as a silent pass. Each scenario gets a mock of its own:
// the suite advances the mock clock (expires-in.countdown), and on a shared
// mock one run's advance would expire another's pin under expire-on-claim.
func TestMockUnderEveryScenario(t *testing.T) {
	t.Parallel()
	reg, err := scenarios.NewRegistry("")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range reg.Names() {
		sc, _ := reg.Get(name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := mock.NewServer(mock.WithSeed(3))
			t.Cleanup(srv.Close)
			client := &http.Client{Transport: scenarioTransport{name: name, next: srv.Client().Transport}}
			rep, err := contract.Run(context.Background(),
				contract.Target{Name: "mock+" + name, URL: srv.URL, Client: client},
				contract.WithClientIdentifier("contract-"+name), contract.WithBackoff(3, 2e9))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if sc.Contract && !rep.Passed() {
				for _, v := range rep.Violations() {
					t.Errorf("%s", v)
				}
				for _, ch := range rep.Checks {
					if ch.Status == contract.Error {
						t.Errorf("check %s: error %s", ch.ID, ch.Reason)
					}
				}
				t.Errorf("scenario %s is marked contract: true but the suite fails under it", name)
			}
			if !sc.Contract && rep.Passed() {
				t.Errorf("scenario %s is marked contract: false but the suite passes under it", name)
			}
			if !sc.Contract {
				c := rep.Counts()
				t.Logf("%s: expected departures reported: %+v", name, c)
			}
		})
	}
}

// TestConcurrentRunsShareAMock runs the suite four times at once against
// one mock, as parallel CI jobs sharing a compose service would. Each run
// advances the shared clock; every run must still pass.
func TestConcurrentRunsShareAMock(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(4))
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			rep, err := contract.Run(context.Background(), contract.Target{Name: "shared", URL: srv.URL, Client: srv.Client()},
				contract.WithClientIdentifier(fmt.Sprintf("shared-%d", i)))
			if err != nil {
				t.Errorf("run %d: %v", i, err)
				return
			}
			for _, v := range rep.Violations() {
				t.Errorf("run %d: %s", i, v)
			}
		})
	}
	wg.Wait()
}
