package mock_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mockplex/mockplex/mock"
)

// The whole PIN flow in-process: create a pin over HTTP, approve it with a
// Go call instead of a browser, and poll until the token appears.
func Example() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/api/v2/pins?strong=true", nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set("X-Plex-Product", "My App")
	req.Header.Set("Accept", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	var pin struct {
		ID        int64   `json:"id"`
		Code      string  `json:"code"`
		ExpiresIn int     `json:"expiresIn"`
		AuthToken *string `json:"authToken"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&pin)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, len(pin.Code), pin.ExpiresIn, pin.AuthToken == nil)

	if _, err := srv.Approve(pin.ID, ""); err != nil {
		panic(err)
	}

	req, _ = http.NewRequest("GET", fmt.Sprintf("%s/api/v2/pins/%d", srv.URL, pin.ID), nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set("Accept", "application/json")
	resp, err = srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	_ = json.NewDecoder(resp.Body).Decode(&pin)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, *pin.AuthToken == srv.Accounts()[0].AuthToken)
	// Output:
	// 201 25 1800 true
	// 200 true
}

// The Server's Go methods return sentinel errors; check them with
// errors.Is; the message around them says what to do next.
func Example_errors() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	_, err := srv.Poll(12345, "my-app")
	fmt.Println(errors.Is(err, mock.ErrPinNotFound))

	_, err = srv.Approve(12345, "")
	fmt.Println(errors.Is(err, mock.ErrPinNotFound))

	p, _ := srv.CreatePin("my-app", "My App", true)
	_, err = srv.Approve(p.ID, "nobody@example.com")
	fmt.Println(errors.Is(err, mock.ErrAccountNotFound))

	_, _ = srv.Approve(p.ID, "")
	_, err = srv.Approve(p.ID, srv.Accounts()[1].Username)
	fmt.Println(errors.Is(err, mock.ErrPinClaimed))

	q, _ := srv.CreatePin("my-app", "My App", true)
	_, _ = srv.Deny(q.ID)
	_, err = srv.Approve(q.ID, "")
	fmt.Println(errors.Is(err, mock.ErrPinDenied))
	// Output:
	// true
	// true
	// true
	// true
	// true
}

// X-Mockplex-Scenario (mock.ScenarioHeader) runs one request under a
// scenario, whatever the client's or the server's is; the journal records
// which scenario answered.
func Example_scenarioHeader() {
	srv := mock.NewServer()
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/api/v2/pins.json", nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set(mock.ScenarioHeader, "large-ids")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	var pin struct {
		ID int64 `json:"id"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&pin)
	resp.Body.Close()

	fmt.Println(resp.StatusCode, pin.ID > 1<<31-1)
	fmt.Println(srv.Requests(mock.RequestFilter{})[0].Scenario)
	// Output:
	// 201 true
	// large-ids
}

// NewServer listens on a loopback port, as httptest.NewServer does; talk
// to it at URL with Client, and Close it when done.
func ExampleNewServer() {
	srv := mock.NewServer()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(strings.HasPrefix(srv.URL, "http://127.0.0.1:"), resp.StatusCode)
	// Output: true 200
}

// New builds a server that does not listen: serve it through Handler, here
// into an httptest.ResponseRecorder. Close it all the same.
func ExampleNew() {
	srv, err := mock.New(mock.WithSeed(1))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	req := httptest.NewRequest("POST", "/api/v2/pins", nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)

	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Println(strings.HasPrefix(rec.Body.String(), "<?xml"))
	// Output:
	// 201 application/xml; charset=utf-8
	// true
}

// Handler mounts the fake in a server of one's own, for example behind a
// prefix or next to other fakes.
func ExampleServer_Handler() {
	srv, err := mock.New()
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	mux := http.NewServeMux()
	mux.Handle("/plex/", http.StripPrefix("/plex", srv.Handler()))
	ts := httptest.NewServer(mux)
	defer ts.Close()

	resp, err := ts.Client().Get(ts.URL + "/plex/readyz")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output: 200
}

// CreatePin makes a pin as POST /api/v2/pins would, without HTTP: strong
// pins have 25-character codes and live 30 minutes, link pins 4 and 15.
func ExampleServer_CreatePin() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	strong, _ := srv.CreatePin("my-app", "My App", true)
	link, _ := srv.CreatePin("my-app", "", false)
	fmt.Println(len(strong.Code), strong.ExpiresIn, strong.Product)
	fmt.Println(len(link.Code), link.ExpiresIn, link.Product != "")
	// Output:
	// 25 1800 My App
	// 4 900 true
}

// Poll reads a pin as its client would: the token is nil until someone
// approves, and another client's pin is not found.
func ExampleServer_Poll() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", true)
	got, _ := srv.Poll(p.ID, "my-app")
	fmt.Println(got.AuthToken == nil)

	_, _ = srv.Approve(p.ID, "")
	got, _ = srv.Poll(p.ID, "my-app")
	fmt.Println(got.AuthToken != nil)

	_, err := srv.Poll(p.ID, "someone-else")
	fmt.Println(err)
	// Output:
	// true
	// true
	// pin not found or expired
}

// Approve claims a pin for a named account (username, email, UUID or id);
// "" is the default account.
func ExampleServer_Approve() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	second := srv.Accounts()[1]
	p, _ := srv.CreatePin("my-app", "My App", true)
	info, err := srv.Approve(p.ID, second.Username)
	if err != nil {
		panic(err)
	}
	fmt.Println(info.State, *info.AuthToken == second.AuthToken)
	// Output: claimed true
}

// ApproveCode claims a pin by the code the user would type at plex.tv/link.
func ExampleServer_ApproveCode() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("tv-app", "My TV App", false)
	info, err := srv.ApproveCode(p.Code, "")
	if err != nil {
		panic(err)
	}
	fmt.Println(info.ID == p.ID, info.Kind, info.State)
	// Output: true link claimed
}

// Deny is the user refusing: the pin keeps answering with a null token,
// and approving it fails with ErrPinDenied.
func ExampleServer_Deny() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", true)
	info, _ := srv.Deny(p.ID)
	fmt.Println(info.State)

	got, err := srv.Poll(p.ID, "my-app")
	fmt.Println(got.AuthToken == nil, err)

	_, err = srv.Approve(p.ID, "")
	fmt.Println(errors.Is(err, mock.ErrPinDenied))
	// Output:
	// denied
	// true <nil>
	// true
}

// Expire ends a pin now, without waiting for its lifetime.
func ExampleServer_Expire() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", true)
	info, _ := srv.Expire(p.ID)
	fmt.Println(info.State)

	_, err := srv.Poll(p.ID, "my-app")
	fmt.Println(errors.Is(err, mock.ErrPinNotFound))
	// Output:
	// expired
	// true
}

// PinInfo is what the mock knows beyond the wire object: kind, state, poll
// count and the claiming account. Reading it is not a poll.
func ExampleServer_PinInfo() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", true)
	_, _ = srv.Poll(p.ID, "my-app")
	_, _ = srv.Poll(p.ID, "my-app")

	info, _ := srv.PinInfo(p.ID)
	fmt.Println(info.Kind, info.State, info.Polls)
	// Output: strong pending 2
}

// PinByCode finds a pin by the code a user sees.
func ExampleServer_PinByCode() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("tv-app", "My TV App", false)
	info, err := srv.PinByCode(p.Code)
	fmt.Println(info.ID == p.ID, info.ClientIdentifier, err)

	_, err = srv.PinByCode("ZZZZZZ")
	fmt.Println(errors.Is(err, mock.ErrPinNotFound))
	// Output:
	// true tv-app <nil>
	// true
}

// Pins lists the stored pins, newest first. createdAt has whole seconds,
// so the clock moves a second between the two pins here.
func ExampleServer_Pins() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithClock(clock))
	defer srv.Close()

	_, _ = srv.CreatePin("my-app", "First", true)
	_ = clock.Advance(time.Second)
	_, _ = srv.CreatePin("my-app", "Second", false)

	for _, p := range srv.Pins() {
		fmt.Println(p.Product, p.Kind, p.State)
	}
	// Output:
	// Second link pending
	// First strong pending
}

// Requests reads the journal of HTTP requests, filtered by method, path
// prefix, client, scenario, status or pin.
func ExampleServer_Requests() {
	srv := mock.NewServer()
	defer srv.Close()

	for _, client := range []string{"app-a", "app-b", "app-a"} {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v2/pins", nil)
		req.Header.Set("X-Plex-Client-Identifier", client)
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}

	for _, r := range srv.Requests(mock.RequestFilter{ClientIdentifier: "app-a", Method: "POST"}) {
		fmt.Println(r.Seq, r.Method, r.Path, r.Status)
	}
	// Output:
	// 1 POST /api/v2/pins 201
	// 3 POST /api/v2/pins 201
}

// ClearRequests empties the journal, for example between the phases of a
// test.
func ExampleServer_ClearRequests() {
	srv := mock.NewServer()
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/api/v2/pins/1")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(len(srv.Requests(mock.RequestFilter{})))

	srv.ClearRequests()
	fmt.Println(len(srv.Requests(mock.RequestFilter{})))
	// Output:
	// 1
	// 0
}

// Reset forgets pins, the journal and per-client scenarios, so one server
// can serve several tests in turn; its accounts and clock stay.
func ExampleServer_Reset() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	_, _ = srv.CreatePin("my-app", "My App", true)
	_ = srv.SetClientScenario("my-app", "slow")

	srv.Reset()
	fmt.Println(len(srv.Pins()), len(srv.ClientScenarios()), len(srv.Accounts()))
	// Output: 0 0 3
}

// Accounts lists the fake accounts; the first is the default one, which
// claims pins approved with "".
func ExampleServer_Accounts() {
	srv := mock.NewServer(mock.WithSeed(1), mock.WithAccounts(2))
	defer srv.Close()

	accounts := srv.Accounts()
	fmt.Println(len(accounts), accounts[0].Default, accounts[1].Default)
	// Output: 2 true false
}

// Scenarios lists the scenario names a server knows: the shipped ones and
// any loaded with WithScenarios.
func ExampleServer_Scenarios() {
	srv := mock.NewServer()
	defer srv.Close()

	names := srv.Scenarios()
	fmt.Println(slices.Contains(names, "default"), slices.Contains(names, "expiry"))
	// Output: true true
}

// SetClientScenario scripts one client identifier, so parallel tests can
// share a server; under "denied" every claim of that client's pins fails.
func ExampleServer_SetClientScenario() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	if err := srv.SetClientScenario("stubborn-user", "denied"); err != nil {
		panic(err)
	}
	p, _ := srv.CreatePin("stubborn-user", "My App", true)
	_, err := srv.Approve(p.ID, "")
	fmt.Println(errors.Is(err, mock.ErrPinDenied))

	q, _ := srv.CreatePin("happy-user", "My App", true)
	_, err = srv.Approve(q.ID, "")
	fmt.Println(err)

	err = srv.SetClientScenario("stubborn-user", "no-such-scenario")
	fmt.Println(errors.Is(err, mock.ErrUnknownScenario))
	// Output:
	// true
	// <nil>
	// true
}

// ClientScenarios reports the per-client assignments; an empty name clears
// one.
func ExampleServer_ClientScenarios() {
	srv := mock.NewServer()
	defer srv.Close()

	_ = srv.SetClientScenario("app-a", "slow")
	_ = srv.SetClientScenario("app-b", "expiry")
	_ = srv.SetClientScenario("app-b", "")
	fmt.Println(srv.ClientScenarios())
	// Output: map[app-a:slow]
}

// WithScenario sets the scenario every client gets unless it or its
// request picks another. Under "expiry" a pin is gone a minute after it
// was created.
func ExampleWithScenario() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithScenario("expiry"), mock.WithClock(clock))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", true)
	// Server.Poll skips scenarios, so poll over HTTP as the client does.
	poll := func() int {
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v2/pins/%d", srv.URL, p.ID), nil)
		req.Header.Set("X-Plex-Client-Identifier", "my-app")
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(poll())
	_ = clock.Advance(time.Minute)
	fmt.Println(poll())
	// Output:
	// 200
	// 404
}

// WithScenarios loads scenario files of one's own from a folder (see
// scenarios/README.md for the format). This one refuses every pin
// creation with plex.tv's error envelope.
func ExampleWithScenarios() {
	dir, err := os.MkdirTemp("", "scenarios")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	yaml := `name: maintenance
description: plex.tv is down for maintenance.
rules:
  - when: {op: create}
    then:
      respond: {status: 503, code: 1503, message: Down for maintenance}
    stop: true
`
	if err := os.WriteFile(filepath.Join(dir, "maintenance.yaml"), []byte(yaml), 0o644); err != nil {
		panic(err)
	}

	srv := mock.NewServer(mock.WithScenarios(dir), mock.WithScenario("maintenance"))
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/api/v2/pins.json", nil)
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	fmt.Print(body.String())
	// Output:
	// 503
	// {"errors":[{"code":1503,"message":"Down for maintenance","status":503}]}
}

// WithClock and NewFrozenClock give a server a time that moves only when
// the test moves it, so createdAt and expiresAt are fixed.
func ExampleWithClock() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithClock(clock))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", false)
	fmt.Println(p.CreatedAt, p.ExpiresAt)

	_ = clock.Advance(10 * time.Minute)
	got, _ := srv.Poll(p.ID, "my-app")
	fmt.Println(got.ExpiresIn)
	// Output:
	// 2026-10-01T22:00:00Z 2026-10-01T22:15:00Z
	// 300
}

// A frozen clock shows the same time until advanced.
func ExampleNewFrozenClock() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	fmt.Println(clock.Frozen(), clock.Now())
	_ = clock.Advance(90 * time.Second)
	fmt.Println(clock.Now())
	// Output:
	// true 2026-10-01 22:00:00 +0000 UTC
	// 2026-10-01 22:01:30 +0000 UTC
}

// A 30-minute expiry checked in no time: advance the server's clock.
func ExampleClock_Advance() {
	srv := mock.NewServer(mock.WithClock(mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC))))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", false)
	fmt.Println(p.CreatedAt, p.ExpiresIn)

	if err := srv.Clock().Advance(15 * time.Minute); err != nil {
		panic(err)
	}
	_, err := srv.Poll(p.ID, "my-app")
	fmt.Println(err)
	// Output:
	// 2026-10-01T22:39:52Z 900
	// pin not found or expired
}

// Advance refuses to move the clock past the times it can show, and leaves
// it where it was.
func ExampleClock_Advance_outOfRange() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	err := clock.Advance(250 * 365 * 24 * time.Hour)
	fmt.Println(errors.Is(err, mock.ErrClockRange), clock.Now().Year())
	// Output: true 2026
}

// Freeze stops a running clock, so a test can look at one instant.
func ExampleClock_Freeze() {
	clock := mock.NewClock()
	clock.Freeze()
	first := clock.Now()
	fmt.Println(clock.Frozen(), clock.Now().Equal(first))
	// Output: true true
}

// Resume lets a frozen clock run again from the time it shows: after an
// Advance, it stays ahead of the wall clock.
func ExampleClock_Resume() {
	clock := mock.NewClock()
	clock.Freeze()
	_ = clock.Advance(time.Hour)
	clock.Resume()
	fmt.Println(clock.Frozen(), clock.Offset().Round(time.Minute))
	// Output: false 1h0m0s
}

// WithSeed makes ids, codes and accounts reproducible: two servers with the
// same seed hand out the same values.
func ExampleWithSeed() {
	a := mock.NewServer(mock.WithSeed(42))
	defer a.Close()
	b := mock.NewServer(mock.WithSeed(42))
	defer b.Close()

	pa, _ := a.CreatePin("my-app", "My App", true)
	pb, _ := b.CreatePin("my-app", "My App", true)
	fmt.Println(pa.ID == pb.ID, pa.Code == pb.Code)
	fmt.Println(a.Accounts()[0].AuthToken == b.Accounts()[0].AuthToken)
	// Output:
	// true true
	// true
}

// WithControlToken guards the HTTP control API (/__mockplex/); send the
// token as X-Mockplex-Token (mock.TokenHeader) or Authorization: Bearer.
func ExampleWithControlToken() {
	srv := mock.NewServer(mock.WithControlToken("s3cret"))
	defer srv.Close()

	for _, token := range []string{"", "wrong", "s3cret"} {
		req, _ := http.NewRequest("POST", srv.URL+"/__mockplex/clock/advance?by=1m", nil)
		if token != "" {
			req.Header.Set(mock.TokenHeader, token)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	// Output:
	// 401
	// 401
	// 200
}

// WithPublicURL points the qr field (and the approval pages) at the mock
// instead of plex.tv.
func ExampleWithPublicURL() {
	srv := mock.NewServer(mock.WithPublicURL("http://localhost:8080"), mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", false)
	fmt.Println(p.QR == "http://localhost:8080/api/v2/pins/qr/"+p.Code)
	// Output: true
}

// SaveState and LoadState carry pins and accounts from one server to
// another, so a client's pin survives a restart.
func ExampleServer_SaveState() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	before := mock.NewServer(mock.WithSeed(1), mock.WithClock(clock))
	p, _ := before.CreatePin("my-app", "My App", true)
	_, _ = before.Approve(p.ID, "")
	var state bytes.Buffer
	if err := before.SaveState(&state); err != nil {
		panic(err)
	}
	before.Close()

	after := mock.NewServer(mock.WithClock(clock))
	defer after.Close()
	if err := after.LoadState(&state); err != nil {
		panic(err)
	}
	got, err := after.Poll(p.ID, "my-app")
	fmt.Println(err, got.Code == p.Code)
	fmt.Println(*got.AuthToken == after.Accounts()[0].AuthToken)
	// Output:
	// <nil> true
	// true
}

// Sweep drops pins that can no longer be read, and Pins lists what is
// stored. A server sweeps once a second by itself from its first request
// on; this one has served none, so only the explicit call sweeps.
func ExampleServer_Sweep() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	srv, err := mock.New(mock.WithClock(clock))
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	_, _ = srv.CreatePin("my-app", "", false) // 15 minutes
	_, _ = srv.CreatePin("my-app", "", true)  // 30 minutes
	_ = clock.Advance(20 * time.Minute)

	before := len(srv.Pins())
	fmt.Println(before, srv.Sweep(), len(srv.Pins()))
	// Output: 2 1 1
}

// WithExpiryGrace keeps an expired pin readable, with expiresIn 0, for a
// while after expiresAt.
func ExampleWithExpiryGrace() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithClock(clock), mock.WithExpiryGrace(time.Minute))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "", false)
	_ = clock.Advance(15*time.Minute + 30*time.Second)
	got, err := srv.Poll(p.ID, "my-app")
	fmt.Println(got.ExpiresIn, err)

	_ = clock.Advance(time.Minute)
	_, err = srv.Poll(p.ID, "my-app")
	fmt.Println(errors.Is(err, mock.ErrPinNotFound))
	// Output:
	// 0 <nil>
	// true
}

// Config's MaxPins caps live pins; the next creation fails with
// ErrTooManyPins (503 over HTTP) until one expires.
func ExampleWithConfig() {
	srv := mock.NewServer(mock.WithConfig(mock.Config{MaxPins: 1}))
	defer srv.Close()

	_, err := srv.CreatePin("my-app", "", true)
	fmt.Println(err)
	_, err = srv.CreatePin("my-app", "", true)
	fmt.Println(errors.Is(err, mock.ErrTooManyPins))
	// Output:
	// <nil>
	// true
}

// LoadState does not trust its input: pins that expired in the meantime
// are dropped.
func ExampleServer_LoadState() {
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC))
	before := mock.NewServer(mock.WithClock(clock))
	_, _ = before.CreatePin("my-app", "", false) // 15 minutes
	_, _ = before.CreatePin("my-app", "", true)  // 30 minutes
	var state bytes.Buffer
	_ = before.SaveState(&state)
	before.Close()

	_ = clock.Advance(20 * time.Minute)
	after := mock.NewServer(mock.WithClock(clock))
	defer after.Close()
	if err := after.LoadState(&state); err != nil {
		panic(err)
	}
	fmt.Println(len(after.Pins()))
	// Output: 1
}

// Start listens on a loopback port for a server built with New, for
// example after LoadState.
func ExampleServer_Start() {
	srv, err := mock.New()
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	fmt.Println(srv.URL == "")

	srv.Start()
	resp, err := srv.Client().Get(srv.URL + "/readyz")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// true
	// 200
}

// Config's Draining makes /readyz fail while the API still answers, as
// during a graceful shutdown.
func ExampleConfig_draining() {
	var stopping atomic.Bool
	srv := mock.NewServer(mock.WithConfig(mock.Config{Draining: stopping.Load}))
	defer srv.Close()

	stopping.Store(true)
	for _, path := range []string{"/readyz", "/healthz"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(path, resp.StatusCode)
	}
	// Output:
	// /readyz 503
	// /healthz 200
}

// WithControl(false) turns the HTTP control API off, as on a shared
// deployment; the Go methods still work.
func ExampleWithControl() {
	srv := mock.NewServer(mock.WithControl(false))
	defer srv.Close()

	resp, err := srv.Client().Get(srv.URL + "/__mockplex/pins")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, len(srv.Pins()))
	// Output: 404 0
}

// Config's JournalSize bounds the request journal; the oldest entries go
// first.
func ExampleConfig_journalSize() {
	srv := mock.NewServer(mock.WithConfig(mock.Config{JournalSize: 2}))
	defer srv.Close()

	for _, path := range []string{"/api/v2/pins/1", "/api/v2/pins/2", "/api/v2/pins/3"} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}
	for _, r := range srv.Requests(mock.RequestFilter{}) {
		fmt.Println(r.Path)
	}
	// Output:
	// /api/v2/pins/2
	// /api/v2/pins/3
}

// A Pin encodes as plex.tv's XML: attributes in wire order, booleans as 0
// and 1, and null fields left out.
func ExamplePin_MarshalXML() {
	p := mock.Pin{
		ID: 1, Code: "ABCD", Product: "My App", QR: "https://plex.tv/api/v2/pins/qr/ABCD",
		ClientIdentifier: "my-app", ExpiresIn: 900,
		CreatedAt: "2026-10-01T22:00:00Z", ExpiresAt: "2026-10-01T22:15:00Z",
	}
	out, err := xml.Marshal(p)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	// Output:
	// <pin id="1" code="ABCD" product="My App" trusted="0" qr="https://plex.tv/api/v2/pins/qr/ABCD" clientIdentifier="my-app" expiresIn="900" createdAt="2026-10-01T22:00:00Z" expiresAt="2026-10-01T22:15:00Z"></pin>
}

// NewClock follows the wall clock until a test freezes or advances it.
func ExampleNewClock() {
	clock := mock.NewClock()
	fmt.Println(clock.Frozen(), time.Since(clock.Now()) < time.Minute)
	// Output: false true
}

// WithAccounts sets how many fake accounts a server starts with.
func ExampleWithAccounts() {
	srv := mock.NewServer(mock.WithAccounts(5))
	defer srv.Close()
	fmt.Println(len(srv.Accounts()))
	// Output: 5
}

// Config's MaxBodyBytes caps request bodies; a larger one gets 413.
func ExampleConfig_maxBodyBytes() {
	srv := mock.NewServer(mock.WithConfig(mock.Config{MaxBodyBytes: 16}))
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/api/v2/pins", strings.NewReader(strings.Repeat("x", 100)))
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output: 413
}

// WithLogger takes a *slog.Logger for lifecycle events and one line per
// request; the default discards. (This handler keeps only level and
// message, so the output stays the same from run to run.)
func ExampleWithLogger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key != slog.LevelKey && a.Key != slog.MessageKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	srv := mock.NewServer(mock.WithLogger(logger), mock.WithSeed(1))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", true)
	_, _ = srv.Approve(p.ID, "")
	// Output: level=INFO msg="pin claimed"
}
