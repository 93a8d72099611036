package mock_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

var t0 = time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC)

// scenarioClient drives the PIN flow over real HTTP as one client.
type scenarioClient struct {
	t        *testing.T
	srv      *mock.Server
	id       string
	scenario string // sent as X-Mockplex-Scenario when set
}

type wirePin struct {
	ID              int64   `json:"id"`
	Code            string  `json:"code"`
	ExpiresIn       int64   `json:"expiresIn"`
	AuthToken       *string `json:"authToken"`
	NewRegistration *bool   `json:"newRegistration"`
}

type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (c *scenarioClient) do(method, path string, hdr map[string]string) reply {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-Plex-Client-Identifier", c.id)
	req.Header.Set("X-Plex-Product", "Scenario Test")
	req.Header.Set("Accept", "application/json")
	if c.scenario != "" {
		req.Header.Set(mock.ScenarioHeader, c.scenario)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

func (c *scenarioClient) create(strong bool) wirePin {
	c.t.Helper()
	r := c.do("POST", fmt.Sprintf("/api/v2/pins?strong=%t", strong), nil)
	if r.err != nil || r.status != http.StatusCreated {
		c.t.Fatalf("create: status %d err %v body %s", r.status, r.err, r.body)
	}
	var p wirePin
	if err := json.Unmarshal(r.body, &p); err != nil {
		c.t.Fatalf("create: %v in %s", err, r.body)
	}
	return p
}

// poll returns the status and, for 200, the pin.
func (c *scenarioClient) poll(id int64) (int, wirePin, reply) {
	c.t.Helper()
	r := c.do("GET", fmt.Sprintf("/api/v2/pins/%d", id), nil)
	if r.err != nil {
		c.t.Fatalf("poll: %v", r.err)
	}
	var p wirePin
	if r.status == http.StatusOK {
		if err := json.Unmarshal(r.body, &p); err != nil {
			c.t.Fatalf("poll: %v in %s", err, r.body)
		}
	}
	return r.status, p, r
}

func (c *scenarioClient) wantPending(id int64) {
	c.t.Helper()
	status, p, r := c.poll(id)
	if status != http.StatusOK || p.AuthToken != nil {
		c.t.Fatalf("poll %d: status %d token %v (%s), want 200 pending", id, status, p.AuthToken, r.body)
	}
}

func (c *scenarioClient) wantToken(id int64) wirePin {
	c.t.Helper()
	status, p, r := c.poll(id)
	if status != http.StatusOK || p.AuthToken == nil || *p.AuthToken == "" {
		c.t.Fatalf("poll %d: status %d (%s), want 200 with a token", id, status, r.body)
	}
	return p
}

func (c *scenarioClient) wantGone(id int64) {
	c.t.Helper()
	status, _, r := c.poll(id)
	if status != http.StatusNotFound || !strings.Contains(string(r.body), `"code":1020`) {
		c.t.Fatalf("poll %d: status %d (%s), want 404 with code 1020", id, status, r.body)
	}
}

func newScenarioServer(t *testing.T, opts ...mock.Option) *mock.Server {
	t.Helper()
	srv := mock.NewServer(append([]mock.Option{mock.WithSeed(1), mock.WithClock(mock.NewFrozenClock(t0))}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// TestShippedScenarios drives a client through every shipped scenario and
// checks the scripted behaviour, moving the mock's clock instead of
// sleeping.
func TestShippedScenarios(t *testing.T) {
	t.Parallel()
	tests := []struct {
		scenario string
		run      func(t *testing.T, srv *mock.Server, c *scenarioClient)
	}{
		{"default", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			c.wantPending(p.ID)
			if _, err := srv.Approve(p.ID, ""); err != nil {
				t.Fatal(err)
			}
			c.wantToken(p.ID)
			srv.Clock().Advance(30 * time.Minute)
			c.wantGone(p.ID)
		}},
		{"happy-path", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			c.wantPending(p.ID)
			got := c.wantToken(p.ID)
			if *got.AuthToken != srv.Accounts()[0].AuthToken {
				t.Errorf("token %q, want the default account's", *got.AuthToken)
			}
			if got.NewRegistration == nil || *got.NewRegistration {
				t.Errorf("newRegistration = %v, want false", got.NewRegistration)
			}
		}},
		{"delayed-token", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(false)
			for range 4 {
				c.wantPending(p.ID)
			}
			c.wantToken(p.ID)

			q := c.create(false)
			c.wantPending(q.ID)
			srv.Clock().Advance(30 * time.Second)
			c.wantToken(q.ID)
		}},
		{"expiry", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			for range 3 {
				c.wantPending(p.ID)
			}
			c.wantGone(p.ID)

			q := c.create(true)
			c.wantPending(q.ID)
			srv.Clock().Advance(59 * time.Second)
			c.wantPending(q.ID)
			srv.Clock().Advance(time.Second)
			c.wantGone(q.ID)
		}},
		{"untrusted", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			c.wantGone(p.ID)
			if _, err := srv.Approve(p.ID, ""); !errors.Is(err, mock.ErrPinDenied) {
				t.Fatalf("Approve = %v, want ErrPinDenied", err)
			}
			if info, _ := srv.PinInfo(p.ID); info.AuthToken != nil {
				t.Errorf("untrusted pin got a token")
			}
		}},
		{"denied", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(false)
			if _, err := srv.Approve(p.ID, ""); !errors.Is(err, mock.ErrPinDenied) {
				t.Fatalf("Approve = %v, want ErrPinDenied", err)
			}
			c.wantPending(p.ID)
			srv.Clock().Advance(15 * time.Minute)
			c.wantGone(p.ID)
		}},
		{"consume-on-first-read", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			c.wantPending(p.ID)
			if _, err := srv.Approve(p.ID, ""); err != nil {
				t.Fatal(err)
			}
			c.wantToken(p.ID)
			c.wantGone(p.ID)
		}},
		{"expire-on-claim", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			if _, err := srv.Approve(p.ID, ""); err != nil {
				t.Fatal(err)
			}
			got := c.wantToken(p.ID)
			if got.ExpiresIn != 5 {
				t.Errorf("expiresIn after claim = %d, want 5", got.ExpiresIn)
			}
			srv.Clock().Advance(4 * time.Second)
			c.wantToken(p.ID)
			srv.Clock().Advance(time.Second)
			c.wantGone(p.ID)
		}},
		{"new-account", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			before := len(srv.Accounts())
			p := c.create(true)
			info, err := srv.Approve(p.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Accounts()); n != before+1 {
				t.Errorf("accounts = %d after the claim, want %d", n, before+1)
			}
			got := c.wantToken(p.ID)
			if got.NewRegistration == nil || !*got.NewRegistration {
				t.Errorf("newRegistration = %v, want true", got.NewRegistration)
			}
			if info.Account == srv.Accounts()[0].Username {
				t.Errorf("claimed by the default account, want a new one")
			}
			r := c.do("GET", "/api/v2/user", map[string]string{"X-Plex-Token": *got.AuthToken})
			if r.status != http.StatusOK {
				t.Errorf("/api/v2/user with the new account's token: %d %s", r.status, r.body)
			}
			q := c.create(false)
			c.wantPending(q.ID)
			c.wantToken(q.ID)
		}},
		{"rate-limited", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			c.wantPending(p.ID)
			status, _, r := c.poll(p.ID)
			if status != http.StatusTooManyRequests || r.header.Get("Retry-After") != "1" {
				t.Fatalf("second poll at once: %d Retry-After %q (%s), want 429 with Retry-After 1", status, r.header.Get("Retry-After"), r.body)
			}
			srv.Clock().Advance(time.Second)
			c.wantPending(p.ID)
			srv.Clock().Advance(1500 * time.Millisecond)
			c.wantPending(p.ID)
		}},
		{"server-errors", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			r := c.do("GET", "/api/v2/user", map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken})
			if r.status != http.StatusInternalServerError || !strings.Contains(string(r.body), `"code":1500`) {
				t.Fatalf("/api/v2/user: %d %s, want 500 code 1500", r.status, r.body)
			}
			failed := 0
			for range 100 {
				r := c.do("POST", "/api/v2/pins", nil)
				switch r.status {
				case http.StatusCreated:
				case http.StatusServiceUnavailable:
					failed++
					if r.header.Get("Retry-After") != "2" {
						t.Errorf("503 without Retry-After: 2: %v", r.header)
					}
				default:
					t.Fatalf("create: %d %s", r.status, r.body)
				}
			}
			if failed < 10 || failed > 55 {
				t.Errorf("%d of 100 creates failed, want about 30", failed)
			}
		}},
		{"slow", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			start := time.Now()
			c.create(false)
			if took := time.Since(start); took < 300*time.Millisecond {
				t.Errorf("create took %v, want at least the scripted 300ms", took)
			}
		}},
		{"flaky", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			var transport, malformed, ok int
			for range 120 {
				r := c.do("POST", "/api/v2/pins", nil)
				var p wirePin
				switch {
				case r.err != nil:
					transport++
				case r.status == http.StatusCreated && json.Unmarshal(r.body, &p) == nil:
					ok++
				case r.status == http.StatusOK:
					malformed++
				default:
					t.Fatalf("unexpected answer %d %s", r.status, r.body)
				}
			}
			if transport == 0 || malformed == 0 || ok < 60 {
				t.Errorf("transport faults %d, malformed %d, good %d: want some of each, mostly good", transport, malformed, ok)
			}
			// A reset reaches the client before the server has journaled
			// the request, so wait until all 120 are in.
			faults := srv.Requests(mock.RequestFilter{Scenario: "flaky"})
			for deadline := time.Now().Add(10 * time.Second); len(faults) < 120 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
				faults = srv.Requests(mock.RequestFilter{Scenario: "flaky"})
			}
			if len(faults) != 120 {
				t.Fatalf("journal has %d flaky requests, want the 120 sent", len(faults))
			}
			n := 0
			for _, f := range faults {
				if f.Fault != "" {
					n++
				}
			}
			if n != transport+malformed {
				t.Errorf("journal has %d faults, client saw %d", n, transport+malformed)
			}
		}},
		{"large-ids", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			p := c.create(true)
			if p.ID <= 1<<31 {
				t.Fatalf("id %d, want above 2^31", p.ID)
			}
			c.wantPending(p.ID)
			if _, err := srv.Approve(p.ID, ""); err != nil {
				t.Fatal(err)
			}
			c.wantToken(p.ID)
		}},
		{"no-cors", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			// A browser's request cannot name a scenario in a header
			// (another origin's X-Mockplex-Scenario is refused, issue
			// 18 item 4): the client's assignment names it.
			if err := srv.SetClientScenario(c.id, c.scenario); err != nil {
				t.Fatal(err)
			}
			c = &scenarioClient{t: c.t, srv: c.srv, id: c.id}
			r := c.do("POST", "/api/v2/pins", map[string]string{"Origin": "http://app.example"})
			if r.status != http.StatusCreated || r.header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("create from a browser: %d ACAO %q, want 201 with no CORS header", r.status, r.header.Get("Access-Control-Allow-Origin"))
			}
			r = c.do("OPTIONS", "/api/v2/pins", map[string]string{"Origin": "http://app.example", "Access-Control-Request-Method": "POST"})
			if r.status == http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "" {
				t.Errorf("preflight: %d ACAO %q, want refused", r.status, r.header.Get("Access-Control-Allow-Origin"))
			}
		}},
		{"jwt-strict-pin", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			j := jwtClient{t, srv, c.id, c.scenario}
			key := newDeviceKey(t, 21)
			var p mock.Pin
			j.do("POST", "/api/v2/pins", map[string]any{"jwk": key.JWK(), "strong": true}, nil).want(t, "create", 201).decode(t, &p)
			path := fmt.Sprintf("/api/v2/pins/%d", p.ID)
			j.do("GET", path, nil, nil).want(t, "poll without deviceJWT", 422)
			j.do("GET", path+"?deviceJWT=garbage", nil, nil).want(t, "poll with a bad deviceJWT", 422)
			poll, _ := key.PollJWT(c.id)
			j.do("GET", path+"?deviceJWT="+poll, nil, nil).want(t, "poll with a good deviceJWT", 200)
			classic := c.create(true)
			c.wantPending(classic.ID) // classic pins are unaffected
		}},
		{"jwk-taken", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			j := jwtClient{t, srv, c.id, c.scenario}
			key := newDeviceKey(t, 22)
			a := j.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}).want(t, "POST jwk", 422)
			if !strings.Contains(string(a.body), "Thumbprint Already Taken") {
				t.Errorf("body %s, want Thumbprint Already Taken", a.body)
			}
		}},
		{"nonce-rate-limited", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			j := jwtClient{t, srv, c.id, c.scenario}
			a := j.do("GET", "/api/v2/auth/nonce", nil, nil).want(t, "GET nonce", 429)
			if a.header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}},
		{"rotating-keys", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			j := jwtClient{t, srv, c.id, c.scenario}
			key := newDeviceKey(t, 23)
			j.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}).want(t, "POST jwk", 201)
			kids := map[string]bool{}
			var toks []string
			for range 6 {
				tok := j.refresh(key, "")
				toks = append(toks, tok)
				claims, err := device.VerifyPlexJWT(tok, srv.JWKS(), c.id, srv.Clock().Now())
				if err != nil {
					t.Fatalf("VerifyPlexJWT: %v", err)
				}
				_ = claims
				kids[headerKID(t, tok)] = true
			}
			if len(kids) != 3 {
				t.Errorf("6 tokens signed by %d keys, want 3 (a new key before the 3rd and 6th)", len(kids))
			}
			for _, tok := range toks { // old tokens still verify against the listed old keys
				if _, err := device.VerifyPlexJWT(tok, srv.JWKS(), c.id, srv.Clock().Now()); err != nil {
					t.Errorf("after rotations: %v", err)
				}
			}
		}},
		{"jwt-short-lived", func(t *testing.T, srv *mock.Server, c *scenarioClient) {
			j := jwtClient{t, srv, c.id, c.scenario}
			key := newDeviceKey(t, 24)
			j.do("POST", "/api/v2/auth/jwk", map[string]any{"jwk": key.JWK()}, map[string]string{"X-Plex-Token": srv.Accounts()[0].AuthToken}).want(t, "POST jwk", 201)
			tok := j.refresh(key, "")
			claims, err := device.VerifyPlexJWT(tok, srv.JWKS(), c.id, srv.Clock().Now())
			if err != nil {
				t.Fatal(err)
			}
			if life := claims.Expiry - claims.IssuedAt; life != 300 {
				t.Errorf("exp - iat = %d, want 300", life)
			}
			bearer := map[string]string{"X-Plex-Token": tok}
			j.do("GET", "/api/v2/user", nil, bearer).want(t, "user", 200)
			srv.Clock().Advance(5 * time.Minute)
			j.do("GET", "/api/v2/user", nil, bearer).want(t, "user after 5 minutes", 498)
		}},
	}
	for _, w := range worldScenarioTests() {
		tests = append(tests, struct {
			scenario string
			run      func(t *testing.T, srv *mock.Server, c *scenarioClient)
		}{w.scenario, w.run})
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.scenario] = true
		t.Run(tt.scenario, func(t *testing.T) {
			t.Parallel()
			srv := newScenarioServer(t)
			c := &scenarioClient{t: t, srv: srv, id: "client-" + tt.scenario, scenario: tt.scenario}
			tt.run(t, srv, c)
			for _, r := range srv.Requests(mock.RequestFilter{ClientIdentifier: c.id}) {
				if r.Scenario != tt.scenario {
					t.Errorf("journal: %s %s answered by scenario %q, want %q", r.Method, r.Path, r.Scenario, tt.scenario)
				}
			}
		})
	}
	srv := newScenarioServer(t)
	for _, name := range srv.Scenarios() {
		if !seen[name] {
			t.Errorf("shipped scenario %q has no test here", name)
		}
	}
}

// TestScenarioSelection checks that the most specific choice wins: the
// request header, then the client's assignment, then the server default.
func TestScenarioSelection(t *testing.T) {
	t.Parallel()
	srv := newScenarioServer(t, mock.WithScenario("untrusted"))
	c := &scenarioClient{t: t, srv: srv, id: "sel"}

	p := c.create(true)
	c.wantGone(p.ID) // server default: untrusted

	if err := srv.SetClientScenario("sel", "happy-path"); err != nil {
		t.Fatal(err)
	}
	q := c.create(true)
	c.wantPending(q.ID)
	c.wantToken(q.ID) // client scenario beats the default

	c.scenario = "default"
	r := c.create(true)
	c.wantPending(r.ID)
	c.wantPending(r.ID) // the header beats the client's

	other := &scenarioClient{t: t, srv: srv, id: "other"}
	o := other.create(true)
	other.wantGone(o.ID) // other clients keep the default

	c.scenario = "no-such-scenario"
	resp := c.do("POST", "/api/v2/pins", nil)
	if resp.status != http.StatusBadRequest || !strings.Contains(string(resp.body), `no-such-scenario`) ||
		!strings.Contains(string(resp.body), "happy-path") {
		t.Errorf("unknown scenario: %d %s, want 400 naming it and listing the known ones", resp.status, resp.body)
	}

	if err := srv.SetClientScenario("sel", "nope"); !errors.Is(err, mock.ErrUnknownScenario) {
		t.Errorf("SetClientScenario(nope) = %v, want ErrUnknownScenario", err)
	}
}

// TestClientScenarioControlAPI sets a client's scenario over HTTP.
func TestClientScenarioControlAPI(t *testing.T) {
	t.Parallel()
	srv := newScenarioServer(t)
	put := func(body string) reply {
		req, _ := http.NewRequest("PUT", srv.URL+"/__mockplex/clients/ctl-client/scenario", strings.NewReader(body))
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return reply{status: resp.StatusCode, body: b}
	}
	if r := put(`{"scenario":"consume-on-first-read"}`); r.status != http.StatusOK {
		t.Fatalf("PUT scenario: %d %s", r.status, r.body)
	}
	c := &scenarioClient{t: t, srv: srv, id: "ctl-client"}
	p := c.create(true)
	if _, err := srv.Approve(p.ID, ""); err != nil {
		t.Fatal(err)
	}
	c.wantToken(p.ID)
	c.wantGone(p.ID)

	if r := put(`{"scenario":"bogus"}`); r.status != http.StatusBadRequest || !strings.Contains(string(r.body), "bogus") {
		t.Errorf("PUT unknown scenario: %d %s, want 400 naming it", r.status, r.body)
	}
	if r := put(`{"scenario":`); r.status != http.StatusBadRequest {
		t.Errorf("PUT malformed body: %d %s, want 400", r.status, r.body)
	}
}

// TestParallelClientsOnOneServer runs many clients, each with its own
// scenario, against one server at once; none may see another's behaviour.
func TestParallelClientsOnOneServer(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(2))
	t.Cleanup(srv.Close)
	flows := map[string]func(c *scenarioClient){
		"happy-path": func(c *scenarioClient) {
			p := c.create(true)
			c.wantPending(p.ID)
			c.wantToken(p.ID)
		},
		"delayed-token": func(c *scenarioClient) {
			p := c.create(false)
			for range 4 {
				c.wantPending(p.ID)
			}
			c.wantToken(p.ID)
		},
		"expiry": func(c *scenarioClient) {
			p := c.create(true)
			for range 3 {
				c.wantPending(p.ID)
			}
			c.wantGone(p.ID)
		},
		"consume-on-first-read": func(c *scenarioClient) {
			p := c.create(true)
			if _, err := c.srv.Approve(p.ID, ""); err != nil {
				c.t.Fatal(err)
			}
			c.wantToken(p.ID)
			c.wantGone(p.ID)
		},
		"large-ids": func(c *scenarioClient) {
			p := c.create(true)
			if p.ID <= 1<<31 {
				c.t.Fatalf("id %d, want above 2^31", p.ID)
			}
			c.wantPending(p.ID)
		},
		"default": func(c *scenarioClient) {
			p := c.create(true)
			for range 6 {
				c.wantPending(p.ID)
			}
		},
	}
	var mu sync.Mutex
	used := map[string]string{}
	for i := range 4 {
		for name, flow := range flows {
			id := fmt.Sprintf("par-%s-%d", name, i)
			byHeader := i%2 == 0
			t.Run(id, func(t *testing.T) {
				t.Parallel()
				c := &scenarioClient{t: t, srv: srv, id: id}
				if byHeader {
					c.scenario = name
				} else if err := srv.SetClientScenario(id, name); err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				used[id] = name
				mu.Unlock()
				flow(c)
				for _, r := range srv.Requests(mock.RequestFilter{ClientIdentifier: id}) {
					if r.Scenario != name {
						t.Errorf("journal: %s %s answered by %q, want %q", r.Method, r.Path, r.Scenario, name)
					}
				}
			})
		}
	}
}

// TestApproveByAnotherAccount: approving a claimed pin again is a no-op for
// the same account and a conflict for another.
func TestApproveByAnotherAccount(t *testing.T) {
	t.Parallel()
	srv := newScenarioServer(t)
	p, err := srv.CreatePin("twice", "Twice", true)
	if err != nil {
		t.Fatal(err)
	}
	accs := srv.Accounts()
	if _, err := srv.Approve(p.ID, accs[0].Username); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Approve(p.ID, accs[0].Username); err != nil {
		t.Errorf("second Approve by the same account = %v, want nil", err)
	}
	if _, err := srv.Approve(p.ID, accs[1].Username); !errors.Is(err, mock.ErrPinClaimed) {
		t.Errorf("Approve by another account = %v, want ErrPinClaimed", err)
	}
}
