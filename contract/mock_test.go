package contract_test

import (
	"context"
	"testing"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/mock"
)

// TestMock runs the whole suite, control API checks included, against the
// in-process mock.
func TestMock(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer()
	t.Cleanup(srv.Close)
	rep := contract.Test(t, contract.Target{Name: "mock", URL: srv.URL, Client: srv.Client()},
		contract.WithClientIdentifier("mockplex-contract-test"), contract.WithStrict(true))
	if !rep.Control {
		t.Errorf("Report.Control = false, want the mock's control API detected")
	}
	for _, ch := range rep.Checks {
		if ch.Status != contract.Pass {
			t.Errorf("check %s = %s (%s), want pass against the mock", ch.ID, ch.Status, ch.Reason)
		}
	}
}

// BenchmarkRunMock is a full run, control API checks included, against the
// in-process mock (issue 7: under 1 s).
func BenchmarkRunMock(b *testing.B) {
	srv := mock.NewServer()
	b.Cleanup(srv.Close)
	target := contract.Target{Name: "mock", URL: srv.URL, Client: srv.Client()}
	for b.Loop() {
		rep, err := contract.Run(context.Background(), target)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.Passed() {
			b.Fatalf("run failed: %v", rep.Violations())
		}
	}
}
