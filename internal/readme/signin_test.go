package readme_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(1)) // listens on 127.0.0.1:0, like httptest
	t.Cleanup(srv.Close)

	// Your app creates a pin and polls it; here plain HTTP stands in for it.
	code, pin := pinRequest(t, srv, "POST", "/api/v2/pins?strong=true")
	if code != http.StatusCreated || pin.AuthToken != nil {
		t.Fatalf("create = %d, authToken %v; want 201, null", code, pin.AuthToken)
	}

	// The default account approves: no HTTP, no browser.
	if _, err := srv.Approve(pin.ID, ""); err != nil {
		t.Fatal(err)
	}
	code, pin = pinRequest(t, srv, "GET", fmt.Sprintf("/api/v2/pins/%d", pin.ID))
	if want := srv.Accounts()[0].AuthToken; code != http.StatusOK || pin.AuthToken == nil || *pin.AuthToken != want {
		t.Errorf("poll after approval = %d, authToken %v; want 200, %q", code, pin.AuthToken, want)
	}

	srv.Clock().Advance(30 * time.Minute) // expiry without sleeping
	if code, _ = pinRequest(t, srv, "GET", fmt.Sprintf("/api/v2/pins/%d", pin.ID)); code != http.StatusNotFound {
		t.Errorf("poll 30 minutes later = %d, want 404", code)
	}
}

type pinBody struct {
	ID        int64   `json:"id"`
	AuthToken *string `json:"authToken"`
}

// pinRequest sends what a plex.tv client sends and decodes a JSON pin.
func pinRequest(t *testing.T, srv *mock.Server, method, path string) (int, pinBody) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Plex-Client-Identifier", "my-app")
	req.Header.Set("X-Plex-Product", "My App")
	req.Header.Set("Accept", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p pinBody
	if resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, p
}
