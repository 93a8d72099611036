package mock_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// A 30-minute expiry checked in no time: advance the server's clock.
func ExampleClock_Advance() {
	srv := mock.NewServer(mock.WithClock(mock.NewFrozenClock(time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC))))
	defer srv.Close()

	p, _ := srv.CreatePin("my-app", "My App", false)
	fmt.Println(p.CreatedAt, p.ExpiresIn)

	srv.Clock().Advance(15 * time.Minute)
	_, err := srv.Poll(p.ID, "my-app")
	fmt.Println(err)
	// Output:
	// 2026-10-01T22:39:52Z 900
	// pin not found or expired
}

var _ = io.Discard
