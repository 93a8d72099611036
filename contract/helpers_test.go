package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/contract/replay"
)

// newReplay returns the replay handler of the captures in testdata, with
// the JWT fake on top: the captures predate plex.tv's JWT sign-in, so the
// jwt.* checks are answered by the fake.
func newReplay(tb testing.TB) http.Handler {
	tb.Helper()
	return worldFake{next: newJWTFake(newCaptures(tb)), claimed: new(atomic.Value)}
}

// newCaptures returns the replay handler of the captures alone.
func newCaptures(tb testing.TB) *replay.Handler {
	tb.Helper()
	h, err := replay.New(os.DirFS("testdata/captures"))
	if err != nil {
		tb.Fatalf("replay.New: %v", err)
	}
	return h
}

// serve starts an httptest server for h.
func serve(tb testing.TB, h http.Handler) contract.Target {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return contract.Target{Name: "captures", URL: srv.URL, Client: srv.Client()}
}

// quick are the options for in-process targets without a clock.
func quick() []contract.Option {
	return []contract.Option{
		contract.WithClientIdentifier("mockplex-contract-test"),
		contract.WithCountdownWait(0),
		contract.WithRequestTimeout(5 * time.Second),
	}
}

func run(tb testing.TB, target contract.Target, opts ...contract.Option) contract.Report {
	tb.Helper()
	rep, err := contract.Run(context.Background(), target, append(quick(), opts...)...)
	if err != nil {
		tb.Fatalf("Run(%s): %v", target.URL, err)
	}
	return rep
}
