package mock_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/mock"
)

// TestStateRoundTrip saves a server with pins in every state, a claimed
// token, an account created by a claim and a client scenario, loads the
// file into a fresh server (another seed, as after a restart) and checks
// that everything a developer's session relies on came back.
func TestStateRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	first, err := mock.New(mock.WithSeed(61), mock.WithClock(mock.NewFrozenClock(at)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(first.Close)
	pending, _ := first.CreatePin("app", "My App", true)
	claimed, _ := first.CreatePin("app", "My App", true)
	denied, _ := first.CreatePin("tv", "TV", false)
	expired, _ := first.CreatePin("tv", "TV", false)
	accounts := first.Accounts()
	if _, err := first.Approve(claimed.ID, accounts[1].Username); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Deny(denied.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Expire(expired.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Poll(pending.ID, "app"); err != nil {
		t.Fatal(err)
	}
	if err := first.SetClientScenario("tv", "slow"); err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := first.SaveState(&file); err != nil {
		t.Fatalf("SaveState: %v", err)
	}
	if strings.Contains(file.String(), "password") {
		t.Errorf("state file mentions a password:\n%s", file.String())
	}

	second, err := mock.New(mock.WithSeed(62), mock.WithClock(mock.NewFrozenClock(at.Add(time.Minute))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	if err := second.LoadState(bytes.NewReader(file.Bytes())); err != nil {
		t.Fatalf("LoadState: %v", err)
	}

	if diff := cmp.Diff(first.Accounts(), second.Accounts()); diff != "" {
		t.Errorf("accounts after restore (-saved +restored):\n%s", diff)
	}
	var want []mock.PinInfo
	for _, p := range first.Pins() {
		if p.ID != expired.ID {
			p.ExpiresIn -= 60 // a minute passed
			want = append(want, p)
		}
	}
	if diff := cmp.Diff(want, second.Pins()); diff != "" {
		t.Errorf("pins after restore (-saved +restored):\n%s", diff)
	}
	if _, err := second.PinInfo(expired.ID); err == nil {
		t.Errorf("expired pin %d was restored", expired.ID)
	}
	if diff := cmp.Diff(map[string]string{"tv": "slow"}, second.ClientScenarios()); diff != "" {
		t.Errorf("client scenarios after restore (-saved +restored):\n%s", diff)
	}

	// The restored token works over HTTP, and the restored pin still
	// belongs to its client only.
	second.Start()
	got, err := second.Poll(claimed.ID, "app")
	if err != nil || got.AuthToken == nil || *got.AuthToken != accounts[1].AuthToken {
		t.Fatalf("poll of the restored claimed pin = %+v, %v; want the token of %s", got, err, accounts[1].Username)
	}
	req, _ := http.NewRequest("GET", second.URL+"/api/v2/user.json", nil)
	req.Header.Set("X-Plex-Token", *got.AuthToken)
	req.Header.Set("X-Plex-Client-Identifier", "app")
	resp, err := second.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /api/v2/user with the restored token = %d, want 200", resp.StatusCode)
	}
	if _, err := second.Poll(claimed.ID, "someone-else"); err == nil {
		t.Errorf("restored pin answered another client")
	}
	// The default account is still the default: approving without a name
	// works after a restart.
	if info, err := second.Approve(pending.ID, ""); err != nil || info.Account != accounts[0].Username {
		t.Errorf("Approve(restored pending, \"\") = %+v, %v; want account %s", info, err, accounts[0].Username)
	}
}

// TestLoadStateErrors checks that a bad state file is refused with an error
// that says what is wrong, and that the server is left usable.
func TestLoadStateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "not valid JSON"},
		{"truncated", `{"version":1,"accounts":[{"username":"a"`, "not valid JSON"},
		{"not JSON", "pins: []\n", "not valid JSON"},
		{"wrong type", `{"version":"1"}`, "not valid JSON"},
		{"future version", `{"version":99,"pins":[]}`, "state version 99, want 1"},
		{"no version", `{"pins":[]}`, "state version 0, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, err := mock.New(mock.WithSeed(63))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(srv.Close)
			before := srv.Accounts()
			err = srv.LoadState(strings.NewReader(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadState(%q) = %v, want an error containing %q", tt.data, err, tt.want)
			}
			if diff := cmp.Diff(before, srv.Accounts()); diff != "" {
				t.Errorf("accounts changed by a refused state (-before +after):\n%s", diff)
			}
			if _, err := srv.CreatePin("c", "", true); err != nil {
				t.Errorf("CreatePin after a refused state: %v", err)
			}
		})
	}
}
