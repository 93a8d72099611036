package contract_test

import (
	"context"
	"net/http"
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

// TestMockUnderEveryScenario runs the suite against one mock with each
// shipped scenario selected per request: scenarios marked contract: true
// must pass, the others must be reported as violations (or errors, for
// transport faults), never as a silent pass.
func TestMockUnderEveryScenario(t *testing.T) {
	t.Parallel()
	reg, err := scenarios.NewRegistry("")
	if err != nil {
		t.Fatal(err)
	}
	srv := mock.NewServer(mock.WithSeed(3))
	t.Cleanup(srv.Close)
	for _, name := range reg.Names() {
		sc, _ := reg.Get(name)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
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
