package contract_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// TestMockProfiles runs the whole suite with each schema profile against
// the in-process mock: the mock keeps the contract under both, which
// differ only in the types they give the pin's fields (see the package
// doc). Strict mode is for the wire profile: the SDK table's keys are
// PascalCase, so strict sdk flags every key the wire sends.
func TestMockProfiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		profile string
		strict  bool
	}{
		{contract.ProfileWire, false},
		{contract.ProfileWire, true},
		{contract.ProfileSDK, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s strict=%v", tt.profile, tt.strict), func(t *testing.T) {
			t.Parallel()
			target := mockTarget()(t)
			rep, err := contract.Run(context.Background(), target,
				contract.WithClientIdentifier("mockplex-contract-test"), contract.WithProfile(tt.profile), contract.WithStrict(tt.strict))
			if err != nil {
				t.Fatalf("Run(profile %s): %v", tt.profile, err)
			}
			if rep.Profile != tt.profile || !rep.Control {
				t.Errorf("Report.Profile, Control = %q, %v; want %q, true", rep.Profile, rep.Control, tt.profile)
			}
			for _, ch := range rep.Checks {
				if ch.Status != contract.Pass {
					t.Errorf("check %s = %s (%s %v), want pass against the mock", ch.ID, ch.Status, ch.Reason, ch.Violations)
				}
			}
		})
	}
}

// BenchmarkRunMock is a full run, control API checks included, against the
// in-process mock (the target: under 1 s).
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

// TestControlDetection runs the suite against targets that answer the
// control API probe (GET /__mockplex/pins) in each way a target can: the
// control checks run, are skipped (no control API: a 404, or plex.tv's own
// error envelope even on a 401), or end in Error with ErrControlRefused (a
// guarded mock without its token).
func TestControlDetection(t *testing.T) {
	t.Parallel()
	plex401 := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/__mockplex/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	tests := []struct {
		name        string
		target      func(t *testing.T) contract.Target
		opts        []contract.Option
		wantErr     error
		wantControl contract.Status // of the checks that need the control API
	}{
		{"open mock", mockTarget(), nil, nil, contract.Pass},
		{"guarded mock with its token", mockTarget(mock.WithControlToken("s3cret")), []contract.Option{contract.WithControlToken("s3cret")}, nil, contract.Pass},
		{"guarded mock without its token", mockTarget(mock.WithControlToken("s3cret")), nil, contract.ErrControlRefused, contract.Error},
		{"guarded mock with a wrong token", mockTarget(mock.WithControlToken("s3cret")), []contract.Option{contract.WithControlToken("nope")}, contract.ErrControlRefused, contract.Error},
		{"mock with the control API off", mockTarget(mock.WithControl(false)), nil, nil, contract.Skip},
		{"plex.tv captures (404)", func(t *testing.T) contract.Target { return serve(t, newReplay(t)) }, nil, nil, contract.Skip},
		{"plex.tv envelope on a 401", func(t *testing.T) contract.Target { return serve(t, plex401(newReplay(t))) }, nil, nil, contract.Skip},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep, err := contract.Run(context.Background(), tt.target(t), append(quick(), tt.opts...)...)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			for _, info := range contract.Checks() {
				ch, _ := rep.Check(info.ID)
				want := contract.Pass
				if info.Control || info.Account {
					want = tt.wantControl
				}
				if ch.Status != want {
					t.Errorf("check %s = %s (%s), want %s", info.ID, ch.Status, ch.Reason, want)
				}
				if ch.Status == contract.Error && !strings.Contains(ch.Reason, "MOCKPLEX_CONTROL_TOKEN") {
					t.Errorf("check %s reason %q does not say how to pass the token", info.ID, ch.Reason)
				}
			}
		})
	}
}

// mockTarget returns a target factory for an in-process mock of its own.
func mockTarget(opts ...mock.Option) func(t *testing.T) contract.Target {
	return func(t *testing.T) contract.Target {
		t.Helper()
		srv := mock.NewServer(opts...)
		t.Cleanup(srv.Close)
		return contract.Target{Name: "mock", URL: srv.URL, Client: srv.Client()}
	}
}

// TestUnreachableReport: every check of an unreachable target's report
// ends in Error, so a written report shows the failure.
func TestUnreachableReport(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	rep, err := contract.Run(context.Background(), contract.Target{URL: srv.URL}, quick()...)
	if !errors.Is(err, contract.ErrUnreachable) {
		t.Fatalf("Run(closed server) error = %v, want ErrUnreachable", err)
	}
	if c := rep.Counts(); c.Errors != c.Total || c.Total != len(contract.Checks()) {
		t.Errorf("Counts = %+v, want every check in error", c)
	}
}

// TestMockLeftAsFound: a run against a mock with the control API leaves it
// as it found it but for the clock: no live pin of the suite's, and the
// clock exactly 5 s ahead (the countdown check's advance, the one change
// docs/contract.md states).
func TestMockLeftAsFound(t *testing.T) {
	t.Parallel()
	clock := mock.NewFrozenClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := mock.NewServer(mock.WithClock(clock))
	t.Cleanup(srv.Close)
	before := clock.Now()
	rep, err := contract.Run(context.Background(), contract.Target{URL: srv.URL, Client: srv.Client()})
	if err != nil || !rep.Passed() {
		t.Fatalf("Run = %v, passed %v; want a passing run", err, rep.Passed())
	}
	if got, want := clock.Now(), before.Add(5*time.Second); !got.Equal(want) {
		t.Errorf("mock clock after the run = %v, want %v (5 s ahead, as documented)", got, want)
	}
	var live []string
	for _, p := range srv.Pins() {
		if p.ExpiresIn > 0 {
			live = append(live, fmt.Sprintf("%d (%s)", p.ID, p.State))
		}
	}
	if len(live) > 0 {
		t.Errorf("live pins after the run: %v, want none", live)
	}
}
