package mock_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"go.uber.org/goleak"
)

// loadKind is how a load client misbehaves: not at all, or under one of
// the fault scenarios, named per request with X-Mockplex-Scenario.
type loadKind int

const (
	kindNormal loadKind = iota
	kindServerErrors
	kindFlaky
)

func (k loadKind) scenario() string {
	return [...]string{"", "server-errors", "flaky"}[k]
}

// loadPin is a pin a load client created and what it knows of it.
type loadPin struct {
	id      int64
	code    string
	strong  bool
	claimed bool
}

// loadResult is one answer, in-process or over HTTP. err is a transport
// error (only the flaky scenario may cause one).
type loadResult struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// loadClient drives the PIN flow as one client identifier.
type loadClient struct {
	id     string
	kind   loadKind
	rng    *rand.Rand
	srv    *mock.Server
	h      http.Handler
	hc     *http.Client // nil: in-process through h
	token  string
	live   []*loadPin
	gone   []int64
	budget *atomic.Int64
	sent   int
}

// do sends one request; scenario requests carry the client's scenario.
func (c *loadClient) do(method, path, body string, scenario bool) loadResult {
	c.sent++
	var req *http.Request
	if c.hc == nil {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
	} else {
		var err error
		req, err = http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
		if err != nil {
			return loadResult{err: err}
		}
	}
	req.Header.Set("X-Plex-Client-Identifier", c.id)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if scenario && c.kind != kindNormal {
		req.Header.Set(mock.ScenarioHeader, c.kind.scenario())
	}
	if c.hc == nil {
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, req)
		return loadResult{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return loadResult{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return loadResult{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

// faulted reports whether r is an outcome the client's scenario allows in
// place of the normal answer: server-errors' 503 with Retry-After, or one
// of flaky's faults (a cut connection over HTTP, which in-process, where
// nothing can be cut, is a 500 envelope; or a truncated 200 body).
func (c *loadClient) faulted(r loadResult) (bool, error) {
	switch c.kind {
	case kindServerErrors:
		if r.err == nil && r.status == http.StatusServiceUnavailable {
			code, err := parseEnvelope(r.status, r.header.Get("Content-Type"), r.body)
			if err != nil || code != 1503 || r.header.Get("Retry-After") != "2" {
				return false, fmt.Errorf("503 with code %d, Retry-After %q (%v)", code, r.header.Get("Retry-After"), err)
			}
			return true, nil
		}
	case kindFlaky:
		switch {
		case r.err != nil && c.hc != nil:
			return true, nil
		case r.err == nil && r.status == http.StatusInternalServerError && c.hc == nil:
			code, err := parseEnvelope(r.status, r.header.Get("Content-Type"), r.body)
			return err == nil && code == 500, err
		case r.err == nil && r.status == http.StatusOK && !json.Valid(r.body):
			return true, nil
		}
	}
	return false, nil
}

func (c *loadClient) expect(op string, r loadResult, want int) error {
	if r.err != nil {
		return fmt.Errorf("%s %s: %v", c.id, op, r.err)
	}
	if r.status != want {
		return fmt.Errorf("%s %s = %d, want %d: %.200s", c.id, op, r.status, want, r.body)
	}
	return nil
}

// step runs one operation of the mix; it returns an error for any answer
// the client's kind does not allow.
func (c *loadClient) step() error {
	p := c.rng.Float64()
	switch {
	case len(c.live) == 0 || p < 0.25:
		return c.create()
	case p < 0.80:
		return c.poll(c.live[c.rng.IntN(len(c.live))], true)
	case p < 0.88:
		return c.approve()
	case p < 0.93:
		return c.link()
	default:
		return c.expire()
	}
}

func (c *loadClient) create() error {
	strong := c.rng.IntN(2) == 0
	r := c.do("POST", fmt.Sprintf("/api/v2/pins?strong=%v", strong), "", true)
	if ok, err := c.faulted(r); ok || err != nil {
		return err
	}
	if err := c.expect("create", r, http.StatusCreated); err != nil {
		return err
	}
	var got wireLoadPin
	if err := json.Unmarshal(r.body, &got); err != nil {
		return fmt.Errorf("%s create: %v: %s", c.id, err, r.body)
	}
	want := 4
	if strong {
		want = 25
	}
	if got.ID <= 0 || len(got.Code) != want || got.ClientIdentifier != c.id || got.AuthToken != nil {
		return fmt.Errorf("%s create: unexpected pin %+v", c.id, got)
	}
	c.live = append(c.live, &loadPin{id: got.ID, code: got.Code, strong: strong})
	return nil
}

type wireLoadPin struct {
	ID               int64   `json:"id"`
	Code             string  `json:"code"`
	ClientIdentifier string  `json:"clientIdentifier"`
	AuthToken        *string `json:"authToken"`
}

// poll reads a live pin: it must still be there, with a token exactly when
// it was claimed.
func (c *loadClient) poll(lp *loadPin, scenario bool) error {
	r := c.do("GET", fmt.Sprintf("/api/v2/pins/%d", lp.id), "", scenario)
	if scenario {
		if ok, err := c.faulted(r); ok || err != nil {
			return err
		}
	}
	if err := c.expect("poll", r, http.StatusOK); err != nil {
		return err
	}
	var got wireLoadPin
	if err := json.Unmarshal(r.body, &got); err != nil {
		return fmt.Errorf("%s poll %d: %v", c.id, lp.id, err)
	}
	if got.ID != lp.id || got.Code != lp.code || (got.AuthToken != nil) != lp.claimed {
		return fmt.Errorf("%s poll: got %+v, want pin %+v", c.id, got, *lp)
	}
	return nil
}

func (c *loadClient) pending(strong bool) *loadPin {
	for range 4 {
		lp := c.live[c.rng.IntN(len(c.live))]
		if !lp.claimed && lp.strong == strong {
			return lp
		}
	}
	return nil
}

// approve claims a pending strong pin through the control API.
func (c *loadClient) approve() error {
	lp := c.pending(true)
	if lp == nil {
		return c.poll(c.live[0], true)
	}
	r := c.do("POST", fmt.Sprintf("/__mockplex/pins/%d/approve", lp.id), "", false)
	if err := c.expect("approve", r, http.StatusOK); err != nil {
		return err
	}
	lp.claimed = true
	return nil
}

// link claims a pending link pin as a signed-in TV would.
func (c *loadClient) link() error {
	lp := c.pending(false)
	if lp == nil {
		return c.create()
	}
	r := c.do("PUT", "/api/v2/pins/link?X-Plex-Token="+c.token, "code="+lp.code, true)
	if ok, err := c.faulted(r); ok || err != nil {
		return err
	}
	if err := c.expect("link", r, http.StatusNoContent); err != nil {
		return err
	}
	lp.claimed = true
	return nil
}

// expire ends a pin through the control API; polling it then answers
// 404 with code 1020.
func (c *loadClient) expire() error {
	i := c.rng.IntN(len(c.live))
	lp := c.live[i]
	r := c.do("POST", fmt.Sprintf("/__mockplex/pins/%d/expire", lp.id), "", false)
	if err := c.expect("expire", r, http.StatusOK); err != nil {
		return err
	}
	c.live[i] = c.live[len(c.live)-1]
	c.live = c.live[:len(c.live)-1]
	c.gone = append(c.gone, lp.id)
	return c.gonePoll(lp.id)
}

func (c *loadClient) gonePoll(id int64) error {
	r := c.do("GET", fmt.Sprintf("/api/v2/pins/%d", id), "", false)
	if err := c.expect("poll of an expired pin", r, http.StatusNotFound); err != nil {
		return err
	}
	if code, err := parseEnvelope(r.status, r.header.Get("Content-Type"), r.body); err != nil || code != 1020 {
		return fmt.Errorf("%s poll of expired pin %d: code %d, %v; want 1020", c.id, id, code, err)
	}
	return nil
}

// run steps until the shared budget is spent or a step fails.
func (c *loadClient) run() error {
	for c.budget.Add(-1) >= 0 {
		if err := c.step(); err != nil {
			return err
		}
	}
	return nil
}

// verify polls every pin the client still holds, without any scenario:
// each must be there as last seen, and each expired one must be gone.
func (c *loadClient) verify() error {
	var errs []error
	for _, lp := range c.live {
		errs = append(errs, c.poll(lp, false))
	}
	for _, id := range c.gone {
		errs = append(errs, c.gonePoll(id))
	}
	return errors.Join(errs...)
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestMixedLoad sends 100,000 requests (20,000 with -short) from many
// concurrent clients, nine in ten in-process through Handler and the rest
// over loopback HTTP, a quarter of the clients under the server-errors or
// flaky scenario. Every pin a client created and did not expire must stay
// readable by it with the right state, no answer may fall outside what the
// client's scenario allows, no goroutine may outlive Close, and after
// expiry and a sweep the heap must be back near where it started.
//
// It does not call t.Parallel: goleak looks at every goroutine of the
// process, so the test runs while no other test does.
func TestMixedLoad(t *testing.T) {
	total := int64(100_000)
	if testing.Short() {
		total = 20_000
	}
	ignore := goleak.IgnoreCurrent()
	start := time.Now()

	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithSeed(100), mock.WithClock(clock))
	before := heapAlloc()
	token := srv.Accounts()[0].AuthToken
	transport := &http.Transport{MaxIdleConnsPerHost: 32}
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var inproc, overHTTP atomic.Int64
	inproc.Store(total * 9 / 10)
	overHTTP.Store(total - total*9/10)
	var clients []*loadClient
	add := func(n int, budget *atomic.Int64, viaHTTP bool) {
		for i := range n {
			c := &loadClient{
				id:  fmt.Sprintf("load-%d-%v", len(clients), viaHTTP),
				rng: rand.New(rand.NewPCG(uint64(len(clients)), 8)), srv: srv, h: srv.Handler(), token: token, budget: budget,
			}
			// One in four clients runs under a fault scenario.
			switch i % 8 {
			case 6:
				c.kind = kindServerErrors
			case 7:
				c.kind = kindFlaky
			default:
				c.kind = kindNormal
			}
			if viaHTTP {
				c.hc = hc
			}
			clients = append(clients, c)
		}
	}
	add(64, &inproc, false)
	add(16, &overHTTP, true)

	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		wg.Go(func() { errs[i] = c.run() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("load: %v", err)
	}
	for i, c := range clients {
		wg.Go(func() { errs[i] = c.verify() })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("after load: %v", err)
	}
	sent, livePins := 0, 0
	for _, c := range clients {
		sent += c.sent
		livePins += len(c.live)
	}
	if int64(sent) < total {
		t.Fatalf("sent %d requests, want at least %d", sent, total)
	}
	if got := srv.LivePins(); got < livePins {
		t.Fatalf("server stores %d pins, clients hold %d live ones", got, livePins)
	}
	peak := heapAlloc()

	// Expire everything, sweep, and let the idle-client state go too.
	clock.Advance(2 * time.Hour)
	if n := srv.Sweep(); n == 0 {
		t.Fatalf("Sweep removed nothing after the clock passed every expiry")
	}
	if got := srv.LivePins(); got != 0 {
		t.Fatalf("LivePins after expiry and Sweep = %d, want 0", got)
	}
	srv.ClearRequests()
	clients = nil
	transport.CloseIdleConnections()
	srv.Close()
	after := heapAlloc()
	// The server must be reachable while the heap is measured, or a leak
	// in its store would be collected with it.
	if got := srv.LivePins(); got != 0 {
		t.Fatalf("LivePins after Close = %d", got)
	}
	runtime.KeepAlive(srv)

	// Go maps keep their buckets after deletes, so the store's maps stay
	// sized for the peak; that is a fraction of the pins they held. A leak
	// of the pins themselves would keep all of the peak.
	grew, rose := int64(after)-int64(before), int64(peak)-int64(before)
	limit := max(rose*6/10, 1<<20)
	t.Logf("%d requests (%d live pins at the end) in %v; heap %d KiB at start, %d KiB at peak, %d KiB after expiry (%.0f%% of the rise kept)",
		sent, livePins, time.Since(start).Round(time.Millisecond), before>>10, peak>>10, after>>10, 100*float64(grew)/float64(rose))
	if grew > limit {
		t.Errorf("heap kept %d KiB of the %d KiB it rose under load after every pin expired and was swept; want at most %d KiB",
			grew>>10, rose>>10, limit>>10)
	}
	goleak.VerifyNone(t, ignore)
}
