package mock_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/mock"
)

// updating reports whether the test run should rewrite testdata/golden
// from the mock's output:
//
//	go test ./mock -run Golden -update
//
// The flag is registered once per test binary, even if another test file of
// the package (internal or external) registers -update too.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var _ = func() bool {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/golden files from the mock's output")
	}
	return true
}()

// frozenAt is the instant every frozen test server starts at: the second of
// WIRE.md's example E.
var frozenAt = time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC)

// newFrozenServer starts a server with seed 1 and a clock frozen at
// frozenAt, so every generated value and every date is reproducible. It is
// closed when the test ends.
func newFrozenServer(t *testing.T, opts ...mock.Option) *mock.Server {
	t.Helper()
	all := append([]mock.Option{mock.WithSeed(1), mock.WithClock(mock.NewFrozenClock(frozenAt))}, opts...)
	srv := mock.NewServer(all...)
	t.Cleanup(srv.Close)
	return srv
}

// exchange is one HTTP request to a test server and what came back.
type exchange struct {
	Method string
	Path   string
	Header map[string]string
	Body   string

	Status     int
	RespHeader http.Header
	RespBody   []byte
}

// roundTrip sends method path with headers and body to srv and reads the
// whole response.
func roundTrip(t *testing.T, srv *mock.Server, method, path string, header map[string]string, body string) exchange {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return exchange{
		Method: method, Path: path, Header: header, Body: body,
		Status: resp.StatusCode, RespHeader: resp.Header, RespBody: b,
	}
}

// TestServerLifecycle drives a pin through the Go API alone (library mode):
// no HTTP is needed to create, approve, deny, expire or sweep.
func TestServerLifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		strong bool
		// act changes the pin after creation; it returns the error the
		// action itself reports.
		act       func(s *mock.Server, id int64) error
		advance   time.Duration
		wantState mock.State
		wantToken bool
		wantPoll  error
	}{
		{name: "pending link", wantState: mock.Pending, wantPoll: nil},
		{name: "pending strong", strong: true, wantState: mock.Pending},
		{
			name:      "approved default account",
			act:       func(s *mock.Server, id int64) error { _, err := s.Approve(id, ""); return err },
			wantState: mock.Claimed, wantToken: true,
		},
		{
			name:      "approved then read until expiresAt",
			act:       func(s *mock.Server, id int64) error { _, err := s.Approve(id, ""); return err },
			advance:   mock.LinkLifetime - time.Second,
			wantState: mock.Claimed, wantToken: true,
		},
		{
			name:      "denied keeps token null",
			act:       func(s *mock.Server, id int64) error { _, err := s.Deny(id); return err },
			wantState: mock.Denied,
		},
		{
			name:      "expired by Expire",
			act:       func(s *mock.Server, id int64) error { _, err := s.Expire(id); return err },
			wantState: mock.Expired, wantPoll: mock.ErrPinNotFound,
		},
		{
			name:      "link pin expires at 900s",
			advance:   mock.LinkLifetime,
			wantState: mock.Expired, wantPoll: mock.ErrPinNotFound,
		},
		{
			name:      "strong pin alive at 1799s",
			strong:    true,
			advance:   mock.StrongLifetime - time.Second,
			wantState: mock.Pending,
		},
		{
			name:      "strong pin expires at 1800s",
			strong:    true,
			advance:   mock.StrongLifetime,
			wantState: mock.Expired, wantPoll: mock.ErrPinNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFrozenServer(t)
			p, err := srv.CreatePin("lib-client", "Lib App", tt.strong)
			if err != nil {
				t.Fatalf("CreatePin: %v", err)
			}
			if tt.act != nil {
				if err := tt.act(srv, p.ID); err != nil {
					t.Fatalf("act: %v", err)
				}
			}
			srv.Clock().Advance(tt.advance)
			info, err := srv.PinInfo(p.ID)
			if err != nil {
				t.Fatalf("PinInfo(%d): %v", p.ID, err)
			}
			if info.State != tt.wantState {
				t.Errorf("PinInfo(%d).State = %q, want %q", p.ID, info.State, tt.wantState)
			}
			got, err := srv.Poll(p.ID, "lib-client")
			if !errors.Is(err, tt.wantPoll) {
				t.Fatalf("Poll(%d) error = %v, want %v", p.ID, err, tt.wantPoll)
			}
			if err != nil {
				return
			}
			if gotTok := got.AuthToken != nil; gotTok != tt.wantToken {
				t.Errorf("Poll(%d).AuthToken set = %v, want %v", p.ID, gotTok, tt.wantToken)
			}
			if tt.wantToken && *got.AuthToken != srv.Accounts()[0].AuthToken {
				t.Errorf("Poll(%d).AuthToken = %q, want the default account's %q", p.ID, *got.AuthToken, srv.Accounts()[0].AuthToken)
			}
			if want := int64(info.Pin.ExpiresIn); got.ExpiresIn != want {
				t.Errorf("Poll(%d).ExpiresIn = %d, want %d", p.ID, got.ExpiresIn, want)
			}
		})
	}
}

// TestServerPollBinding checks that a pin answers only its own client, and
// that a claimed pin cannot be denied or claimed twice.
func TestServerPollBinding(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	p, err := srv.CreatePin("owner", "", false)
	if err != nil {
		t.Fatalf("CreatePin: %v", err)
	}
	if p.Product == "" {
		t.Errorf("CreatePin with no product: product is empty, want a fake app name")
	}
	if _, err := srv.Poll(p.ID, "someone-else"); !errors.Is(err, mock.ErrPinNotFound) {
		t.Errorf("Poll by another client: error = %v, want ErrPinNotFound", err)
	}
	if _, err := srv.Poll(p.ID+1, "owner"); !errors.Is(err, mock.ErrPinNotFound) {
		t.Errorf("Poll of an unknown id: error = %v, want ErrPinNotFound", err)
	}
	if _, err := srv.CreatePin("", "x", false); !errors.Is(err, mock.ErrMissingClientID) {
		t.Errorf("CreatePin without client: error = %v, want ErrMissingClientID", err)
	}
	if _, err := srv.Approve(p.ID, "nobody-by-that-name"); !errors.Is(err, mock.ErrAccountNotFound) {
		t.Errorf("Approve with an unknown account: error = %v, want ErrAccountNotFound", err)
	}
	second := srv.Accounts()[1]
	info, err := srv.Approve(p.ID, second.Username)
	if err != nil {
		t.Fatalf("Approve(%d, %q): %v", p.ID, second.Username, err)
	}
	if info.Account != second.Username || info.AuthToken == nil || *info.AuthToken != second.AuthToken {
		t.Errorf("Approve(%d, %q) = account %q token %v, want %q and %q", p.ID, second.Username, info.Account, info.AuthToken, second.Username, second.AuthToken)
	}
	if _, err := srv.Approve(p.ID, ""); !errors.Is(err, mock.ErrPinClaimed) {
		t.Errorf("second Approve: error = %v, want ErrPinClaimed", err)
	}
	if _, err := srv.Deny(p.ID); !errors.Is(err, mock.ErrPinClaimed) {
		t.Errorf("Deny of a claimed pin: error = %v, want ErrPinClaimed", err)
	}
	acc, ok := srv.AccountByToken(second.AuthToken)
	if !ok || acc.Username != second.Username {
		t.Errorf("AccountByToken(%q) = %q, %v, want %q", second.AuthToken, acc.Username, ok, second.Username)
	}
}

// TestServerSweep checks that expired pins are purged, so memory does not
// grow forever, and that Reset forgets everything.
func TestServerSweep(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	for i := range 3 {
		if _, err := srv.CreatePin("sweeper", "", i == 0); err != nil {
			t.Fatalf("CreatePin: %v", err)
		}
	}
	if got := srv.LivePins(); got != 3 {
		t.Fatalf("LivePins() = %d, want 3", got)
	}
	if got := srv.Sweep(); got != 0 {
		t.Errorf("Sweep() before expiry = %d, want 0", got)
	}
	srv.Clock().Advance(mock.LinkLifetime)
	if got := srv.Sweep(); got != 2 {
		t.Errorf("Sweep() after 15m = %d, want the 2 link pins", got)
	}
	srv.Clock().Advance(mock.StrongLifetime - mock.LinkLifetime)
	if got := srv.Sweep(); got != 1 {
		t.Errorf("Sweep() after 30m = %d, want the strong pin", got)
	}
	if got := srv.LivePins(); got != 0 {
		t.Errorf("LivePins() after sweeps = %d, want 0", got)
	}
	if _, err := srv.CreatePin("sweeper", "", false); err != nil {
		t.Fatalf("CreatePin: %v", err)
	}
	srv.Reset()
	if got, want := srv.Pins(), []mock.PinInfo{}; !cmp.Equal(len(got), len(want)) {
		t.Errorf("Pins() after Reset = %v, want none", got)
	}
}

// TestServerSeedReproducible checks that WithSeed reproduces every
// generated value, and that another seed does not.
func TestServerSeedReproducible(t *testing.T) {
	t.Parallel()
	gen := func(seed int64) ([]mock.Pin, []mock.Account) {
		srv := mock.NewServer(mock.WithSeed(seed), mock.WithClock(mock.NewFrozenClock(frozenAt)))
		defer srv.Close()
		var pins []mock.Pin
		for i := range 4 {
			p, err := srv.CreatePin("seeded", "", i%2 == 0)
			if err != nil {
				t.Fatalf("CreatePin: %v", err)
			}
			pins = append(pins, p)
		}
		return pins, srv.Accounts()
	}
	p1, a1 := gen(42)
	p2, a2 := gen(42)
	if diff := cmp.Diff(p1, p2); diff != "" {
		t.Errorf("pins differ for the same seed (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(a1, a2); diff != "" {
		t.Errorf("accounts differ for the same seed (-first +second):\n%s", diff)
	}
	p3, _ := gen(43)
	if cmp.Equal(p1, p3) {
		t.Errorf("seeds 42 and 43 generated the same pins: %v", p1)
	}
}

// TestLocationsRealistic checks the fake GeoIP data against real-world
// facts kept here independently of the generator: a city lies in its
// subdivision, a country has its continent, EU membership, time zones and
// postal code format, and coordinates read "lat, long".
func TestLocationsRealistic(t *testing.T) {
	t.Parallel()
	type facts struct {
		name, continent string
		eu              bool
		zones           []string
		postal          *regexp.Regexp
	}
	countries := map[string]facts{
		"US": {"United States", "NA", false, []string{"America/New_York", "America/Chicago", "America/Los_Angeles"}, regexp.MustCompile(`^[0-9]{5}$`)},
		"CA": {"Canada", "NA", false, []string{"America/Toronto"}, regexp.MustCompile(`^[A-Z][0-9][A-Z]$`)},
		"NL": {"The Netherlands", "EU", true, []string{"Europe/Amsterdam"}, regexp.MustCompile(`^[1-9][0-9]{3}$`)},
		"GB": {"United Kingdom", "EU", false, []string{"Europe/London"}, regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$`)},
		"DE": {"Germany", "EU", true, []string{"Europe/Berlin"}, regexp.MustCompile(`^[0-9]{5}$`)},
		"SK": {"Slovakia", "EU", true, []string{"Europe/Bratislava"}, regexp.MustCompile(`^[0-9]{3} [0-9]{2}$`)},
		"AU": {"Australia", "OC", false, []string{"Australia/Sydney", "Australia/Melbourne"}, regexp.MustCompile(`^[0-9]{4}$`)},
		"BR": {"Brazil", "SA", false, []string{"America/Sao_Paulo"}, regexp.MustCompile(`^[0-9]{5}-[0-9]{3}$`)},
		"JP": {"Japan", "AS", false, []string{"Asia/Tokyo"}, regexp.MustCompile(`^[0-9]{3}-[0-9]{4}$`)},
	}
	cityIn := map[string]string{
		"Brooklyn": "New York", "Newark": "New Jersey", "Jersey City": "New Jersey", "Philadelphia": "Pennsylvania",
		"San Francisco": "California", "Oakland": "California", "Portland": "Oregon", "Seattle": "Washington",
		"Austin": "Texas", "Dallas": "Texas", "Chicago": "Illinois", "Minneapolis": "Minnesota",
		"Toronto": "Ontario", "Ottawa": "Ontario", "Montreal": "Quebec",
		"Breda": "North Brabant", "Eindhoven": "North Brabant", "Amsterdam": "North Holland", "Utrecht": "Utrecht",
		"London": "England", "Edinburgh": "Scotland", "Cardiff": "Wales",
		"Berlin": "Berlin", "Munich": "Bavaria", "Frankfurt am Main": "Hesse",
		"Bratislava": "Bratislava Region", "Kosice": "Kosice Region",
		"Sydney": "New South Wales", "Melbourne": "Victoria",
		"Sao Paulo": "Sao Paulo", "Rio de Janeiro": "Rio de Janeiro",
		"Tokyo": "Tokyo", "Osaka": "Osaka",
	}
	coords := regexp.MustCompile(`^-?[0-9]{1,3}\.[0-9]{4}, -?[0-9]{1,3}\.[0-9]{4}$`)
	srv := newFrozenServer(t)
	seen := map[mock.Location]bool{}
	for range 400 {
		p, err := srv.CreatePin("geo", "Geo", false)
		if err != nil {
			t.Fatalf("CreatePin: %v", err)
		}
		l := *p.Location
		if seen[l] {
			continue
		}
		seen[l] = true
		f, ok := countries[l.Code]
		if !ok {
			t.Errorf("location %+v: country code %q not in the test's table", l, l.Code)
			continue
		}
		if l.Country != f.name || l.ContinentCode != f.continent || l.EuropeanUnionMember != f.eu {
			t.Errorf("location %+v: want country %q, continent %q, EU %v", l, f.name, f.continent, f.eu)
		}
		if !slices.Contains(f.zones, l.TimeZone) {
			t.Errorf("location %+v: time zone %q, want one of %q", l, l.TimeZone, f.zones)
		}
		if !f.postal.MatchString(l.PostalCode) {
			t.Errorf("location %+v: postal code %q does not match %s", l, l.PostalCode, f.postal)
		}
		if sub, ok := cityIn[l.City]; !ok || sub != l.Subdivisions {
			t.Errorf("location %+v: city %q lies in %q, not %q", l, l.City, sub, l.Subdivisions)
		}
		if !coords.MatchString(l.Coordinates) {
			t.Errorf("location %+v: coordinates %q, want \"lat, long\" with 4 decimals", l, l.Coordinates)
		}
		if l.InPrivacyRestrictedRegion && !l.InPrivacyRestrictedCountry {
			t.Errorf("location %+v: a privacy-restricted region in a country that is not", l)
		}
	}
	if len(seen) < 50 {
		t.Errorf("400 pins drew only %d distinct locations, want variety", len(seen))
	}
}

// TestControlAPIFlow drives a pin's whole life through the control API
// alone, as a test of a binary would: list, approve, advance the clock,
// read the journal by pin, clear it, reset.
func TestControlAPIFlow(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	api := map[string]string{"Accept": "application/json", "X-Plex-Client-Identifier": "ctl-flow"}
	decode := func(ex exchange, v any) {
		t.Helper()
		if err := json.Unmarshal(ex.RespBody, v); err != nil {
			t.Fatalf("%s %s: %v\n%s", ex.Method, ex.Path, err, ex.RespBody)
		}
	}
	want := func(ex exchange, status int) {
		t.Helper()
		if ex.Status != status {
			t.Fatalf("%s %s = %d, want %d: %s", ex.Method, ex.Path, ex.Status, status, ex.RespBody)
		}
	}

	ex := roundTrip(t, srv, "POST", "/api/v2/pins", api, "")
	want(ex, 201)
	var created mock.Pin
	decode(ex, &created)
	poll := fmt.Sprintf("/api/v2/pins/%d", created.ID)

	var listed []mock.PinInfo
	ex = roundTrip(t, srv, "GET", "/__mockplex/pins", nil, "")
	want(ex, 200)
	decode(ex, &listed)
	if len(listed) != 1 || listed[0].ID != created.ID || listed[0].State != mock.Pending || listed[0].Kind != mock.Link {
		t.Fatalf("GET /__mockplex/pins = %+v, want the one pending link pin %d", listed, created.ID)
	}

	accounts := srv.Accounts()
	ex = roundTrip(t, srv, "POST", fmt.Sprintf("/__mockplex/pins/%d/approve", created.ID), map[string]string{"Content-Type": "application/json"},
		fmt.Sprintf(`{"account":%q}`, accounts[2].Email))
	want(ex, 200)
	var approved mock.PinInfo
	decode(ex, &approved)
	if approved.Account != accounts[2].Username || approved.State != mock.Claimed {
		t.Errorf("approve by email = account %q state %q, want %q claimed", approved.Account, approved.State, accounts[2].Username)
	}

	ex = roundTrip(t, srv, "GET", poll, api, "")
	want(ex, 200)
	var polled mock.Pin
	decode(ex, &polled)
	if polled.AuthToken == nil || *polled.AuthToken != accounts[2].AuthToken {
		t.Errorf("poll after approve: authToken %v, want %q", polled.AuthToken, accounts[2].AuthToken)
	}

	var clock struct {
		Now    time.Time `json:"now"`
		Frozen bool      `json:"frozen"`
	}
	ex = roundTrip(t, srv, "POST", "/__mockplex/clock/advance?by=15m", nil, "")
	want(ex, 200)
	decode(ex, &clock)
	if !clock.Now.Equal(frozenAt.Add(15*time.Minute)) || !clock.Frozen {
		t.Errorf("clock after advance = %+v, want %v and frozen", clock, frozenAt.Add(15*time.Minute))
	}
	ex = roundTrip(t, srv, "GET", poll, api, "")
	want(ex, 404)

	var journal []mock.Request
	ex = roundTrip(t, srv, "GET", fmt.Sprintf("/__mockplex/requests?pin=%d", created.ID), nil, "")
	want(ex, 200)
	decode(ex, &journal)
	var got []string
	for _, r := range journal {
		got = append(got, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
	}
	wantJournal := []string{"POST /api/v2/pins 201", "GET " + poll + " 200", "GET " + poll + " 404"}
	if diff := cmp.Diff(wantJournal, got); diff != "" {
		t.Errorf("journal for pin %d (-want +got):\n%s", created.ID, diff)
	}

	want(roundTrip(t, srv, "DELETE", "/__mockplex/requests", nil, ""), 204)
	if n := len(srv.Requests(mock.RequestFilter{})); n != 0 {
		t.Errorf("journal after DELETE has %d entries, want 0", n)
	}
	want(roundTrip(t, srv, "POST", "/api/v2/pins", api, ""), 201)
	want(roundTrip(t, srv, "POST", "/__mockplex/reset", nil, ""), 204)
	if n := len(srv.Pins()); n != 0 {
		t.Errorf("pins after reset: %d, want 0", n)
	}
	if n := len(srv.Accounts()); n != len(accounts) {
		t.Errorf("accounts after reset: %d, want %d (reset keeps accounts)", n, len(accounts))
	}
}

// TestExpiryGrace checks WithExpiryGrace: a pin stays readable with
// expiresIn 0 for the grace, then answers 404, to a poll and to the QR
// route alike.
func TestExpiryGrace(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t, mock.WithExpiryGrace(30*time.Second))
	p, err := srv.CreatePin("grace", "", false)
	if err != nil {
		t.Fatal(err)
	}
	qr := func() int {
		t.Helper()
		resp, err := srv.Client().Get(srv.URL + "/api/v2/pins/qr/" + p.Code)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	srv.Clock().Advance(mock.LinkLifetime + 29*time.Second)
	got, err := srv.Poll(p.ID, "grace")
	if err != nil || got.ExpiresIn != 0 {
		t.Errorf("Poll 29 s into the grace = expiresIn %d, %v; want 0, nil", got.ExpiresIn, err)
	}
	if status := qr(); status != http.StatusOK {
		t.Errorf("GET qr 29 s into the grace = %d, want 200", status)
	}
	srv.Clock().Advance(time.Second)
	if _, err := srv.Poll(p.ID, "grace"); !errors.Is(err, mock.ErrPinNotFound) {
		t.Errorf("Poll at the end of the grace: %v, want ErrPinNotFound", err)
	}
	if status := qr(); status != http.StatusNotFound {
		t.Errorf("GET qr at the end of the grace = %d, want 404", status)
	}
}

// TestPinIDsAndCodes checks the generated values over many pins (wire
// WIRE.md §6.5): ids random in [1e9, 2^31-1) and unique, codes of each kind
// in their alphabet and unique among live pins, and seed 0 picking a random
// seed.
func TestPinIDsAndCodes(t *testing.T) {
	t.Parallel()
	srv := newFrozenServer(t)
	ids, codes := map[int64]bool{}, map[string]bool{}
	increasing := 0
	var last int64
	for i := range 1000 {
		strong := i%2 == 0
		p, err := srv.CreatePin("ids", "", strong)
		if err != nil {
			t.Fatal(err)
		}
		if p.ID < 1_000_000_000 || p.ID >= 1<<31-1 {
			t.Errorf("id %d outside [1e9, 2^31-1)", p.ID)
		}
		re := linkCodeRE
		if strong {
			re = strongCodeRE
		}
		if !re.MatchString(p.Code) {
			t.Errorf("strong=%v code %q does not match %s", strong, p.Code, re)
		}
		if ids[p.ID] || codes[p.Code] {
			t.Errorf("pin %d: id or code %q repeated among live pins", p.ID, p.Code)
		}
		ids[p.ID], codes[p.Code] = true, true
		if p.ID > last {
			increasing++
		}
		last = p.ID
	}
	if increasing > 900 {
		t.Errorf("%d of 1000 ids increased; plex.tv's ids are not monotonic", increasing)
	}

	a, b := mock.NewServer(mock.WithSeed(0)), mock.NewServer(mock.WithSeed(0))
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	if a.Accounts()[0].AuthToken == b.Accounts()[0].AuthToken {
		t.Errorf("two servers with seed 0 made the same account token %q; seed 0 should be random", a.Accounts()[0].AuthToken)
	}
}
