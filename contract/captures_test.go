package contract_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mockplex/mockplex/contract"
)

// TestCaptures runs the suite against the captured real responses: every
// check the captures can answer passes; the rest (the control API checks)
// are skipped, not failed.
func TestCaptures(t *testing.T) {
	t.Parallel()
	for _, profile := range []string{contract.ProfileWire, contract.ProfileSDK} {
		t.Run(profile, func(t *testing.T) {
			t.Parallel()
			rep := run(t, serve(t, newReplay(t)), contract.WithProfile(profile))
			if rep.Profile != profile {
				t.Errorf("Report.Profile = %q, want %q", rep.Profile, profile)
			}
			var skipped []string
			for _, ch := range rep.Checks {
				switch ch.Status {
				case contract.Pass:
				case contract.Skip:
					skipped = append(skipped, ch.ID)
				default:
					t.Errorf("check %s = %s (%s), want pass:\n%s", ch.ID, ch.Status, ch.Reason, lines(ch.Violations))
				}
			}
			var control []string
			for _, info := range contract.Checks() {
				if info.Control || info.Account {
					control = append(control, info.ID)
				}
			}
			if diff := cmp.Diff(control, skipped); diff != "" {
				t.Errorf("skipped checks (-control checks +skipped):\n%s", diff)
			}
			if rep.Control {
				t.Errorf("Report.Control = true for a target without the control API")
			}
			if rep.Requests > 21 {
				t.Errorf("Report.Requests = %d, want at most 21 against a target without the control API (politeness)", rep.Requests)
			}
		})
	}
}

// TestCapturesObservations checks that the unknowns of §7 are recorded.
func TestCapturesObservations(t *testing.T) {
	t.Parallel()
	rep := run(t, serve(t, newReplay(t)))
	want := map[string]string{
		"errors.envelope errors.status-field":               "absent in the 404 JSON body",
		"create.strong.xml xml.pin-shape":                   "<pin id code product trusted qr clientIdentifier expiresIn createdAt expiresAt><location code",
		"poll.unknown-id.xml xml.error-shape":               "<errors><error code message status></error></errors>",
		"cors.preflight header Access-Control-Allow-Origin": "http://localhost:5055",
		"poll.non-numeric-id body":                          "empty",
	}
	for key, prefix := range want {
		var found bool
		for _, o := range rep.Observations {
			if o.Check+" "+o.Key == key && strings.HasPrefix(o.Value, prefix) {
				found = true
			}
		}
		if !found {
			t.Errorf("no observation %q starting %q in %v", key, prefix, rep.Observations)
		}
	}
}

// TestRetryAfter: a 429 is retried after Retry-After, and the header is
// observed; the wait is bounded by WithBackoff.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	good := newReplay(t)
	var limited atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && limited.Add(1) <= 2 {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		good.ServeHTTP(w, r)
	})
	start := time.Now()
	rep := run(t, serve(t, h), contract.WithBackoff(2, 10*time.Millisecond))
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Run took %s with Retry-After 3600 and a 10ms bound, want the bound honoured", el)
	}
	if !rep.Passed() {
		t.Errorf("Run after two 429s failed:\n%s", lines(rep.Violations()))
	}
	var seen bool
	for _, o := range rep.Observations {
		if o.Key == "retry-after" && o.Value == "3600" {
			seen = true
		}
	}
	if !seen {
		t.Errorf("no retry-after observation in %v", rep.Observations)
	}
	if rep.Requests != 20+2 {
		t.Errorf("Report.Requests = %d, want 22 (20 plus two retried 429s)", rep.Requests)
	}
}

// TestRetryGivesUp: a target that keeps answering 429 fails the create
// checks with the status, after the configured retries.
func TestRetryGivesUp(t *testing.T) {
	t.Parallel()
	good := newReplay(t)
	var posts atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		good.ServeHTTP(w, r)
	})
	rep := run(t, serve(t, h), contract.WithBackoff(1, time.Millisecond))
	ch, _ := rep.Check(contract.CheckCreateStrongJSON)
	if ch.Status != contract.Fail || len(ch.Violations) == 0 || ch.Violations[0].Got != "429 Too Many Requests" {
		t.Errorf("create.strong.json = %s %v, want a fail with got 429", ch.Status, ch.Violations)
	}
	if got := posts.Load(); got != 12 {
		t.Errorf("POSTs sent = %d, want 12 (4 creates and 2 JWT pin creates, each tried twice)", got)
	}
	if ch, _ := rep.Check(contract.CheckContentAxiosAccept); ch.Status != contract.Skip {
		t.Errorf("%s = %s, want skip when no pin was created", contract.CheckContentAxiosAccept, ch.Status)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := contract.Run(context.Background(), contract.Target{URL: srv.URL}, quick()...)
	if !errors.Is(err, contract.ErrUnreachable) {
		t.Errorf("Run(closed server) error = %v, want ErrUnreachable", err)
	}
}

func TestBadTargetURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "plex.tv", "ftp://plex.tv", "http://"} {
		if _, err := contract.Run(context.Background(), contract.Target{URL: u}); err == nil || !strings.Contains(err.Error(), "http or https") {
			t.Errorf("Run(%q) error = %v, want a message asking for an http(s) URL", u, err)
		}
	}
	if _, err := contract.Run(context.Background(), contract.Target{URL: "http://127.0.0.1:1"}, contract.WithProfile("swagger")); err == nil || !strings.Contains(err.Error(), "swagger") {
		t.Errorf("Run(profile swagger) error = %v, want it named", err)
	}
}

// TestBudget: requests over WithMaxRequests are not sent; their checks
// end in Error and nothing fails.
func TestBudget(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	good := newReplay(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); good.ServeHTTP(w, r) })
	rep := run(t, serve(t, h), contract.WithMaxRequests(3))
	if got := n.Load(); got != 3 {
		t.Errorf("requests received = %d, want 3", got)
	}
	if rep.Requests != 3 {
		t.Errorf("Report.Requests = %d, want 3", rep.Requests)
	}
	c := rep.Counts()
	if c.Errors == 0 || c.Failed != 0 {
		t.Errorf("Counts = %+v, want errors and no failures", c)
	}
	ch, _ := rep.Check(contract.CheckCreateLinkJSON)
	if ch.Status != contract.Error || !strings.Contains(ch.Reason, "WithMaxRequests") {
		t.Errorf("create.link.json = %s %q, want error naming WithMaxRequests", ch.Status, ch.Reason)
	}
}

func TestCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := contract.Run(ctx, serve(t, newReplay(t)), quick()...)
	if !errors.Is(err, context.Canceled) || errors.Is(err, contract.ErrUnreachable) {
		t.Errorf("Run(cancelled) error = %v, want context.Canceled and not ErrUnreachable", err)
	}
}
