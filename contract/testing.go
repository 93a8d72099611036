package contract

import (
	"context"
	"testing"
)

// Test runs the suite against target inside a Go test and returns the
// report. Each check becomes a subtest named by its id (when tb is a
// *testing.T); each violation is reported with Errorf, a transport failure
// with Errorf, a skipped check with Skip. A target that cannot be reached
// fails the test with Fatalf, and so does one whose control API refuses the
// suite (pass its token with WithControlToken). Observations are logged.
//
//	func TestContract(t *testing.T) {
//		srv := mock.NewServer()
//		defer srv.Close()
//		contract.Test(t, contract.Target{URL: srv.URL, Client: srv.Client()})
//	}
func Test(tb testing.TB, target Target, opts ...Option) Report {
	tb.Helper()
	ctx := context.Background()
	if t, ok := tb.(interface{ Context() context.Context }); ok {
		ctx = t.Context()
	}
	rep, err := Run(ctx, target, opts...)
	if err != nil {
		tb.Fatalf("contract.Run(%s): %v", target.URL, err)
		return rep
	}
	for _, o := range rep.Observations {
		tb.Logf("observed %s", o)
	}
	t, ok := tb.(*testing.T)
	for _, ch := range rep.Checks {
		if !ok {
			reportCheck(tb, ch)
			continue
		}
		t.Run(ch.ID, func(t *testing.T) {
			t.Helper()
			reportCheck(t, ch)
		})
	}
	return rep
}

func reportCheck(tb testing.TB, ch CheckResult) {
	tb.Helper()
	switch ch.Status {
	case Fail:
		for _, v := range ch.Violations {
			tb.Errorf("%s", v)
		}
	case Error:
		tb.Errorf("%s: %s", ch.ID, ch.Reason)
	case Skip:
		if _, sub := tb.(*testing.T); sub {
			tb.Skipf("%s: %s", ch.ID, ch.Reason)
		} else {
			tb.Logf("skip %s: %s", ch.ID, ch.Reason)
		}
	}
}
