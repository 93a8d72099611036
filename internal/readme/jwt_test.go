package readme_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

func TestJWTSignIn(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(1))
	t.Cleanup(srv.Close)
	key, err := device.New(nil) // a fresh Ed25519 test key; its kid is its thumbprint
	if err != nil {
		t.Fatal(err)
	}

	// Your app creates a pin with its public key and polls it with a device JWT.
	var pin struct {
		ID        int64   `json:"id"`
		AuthToken *string `json:"authToken"`
	}
	jsonRequest(t, srv, "POST", "/api/v2/pins", fmt.Sprintf(`{"jwk":%s,"strong":true}`, key.JWK()), &pin)
	if _, err := srv.Approve(pin.ID, ""); err != nil { // the default account approves
		t.Fatal(err)
	}
	poll, err := key.PollJWT("my-jwt-app")
	if err != nil {
		t.Fatal(err)
	}
	jsonRequest(t, srv, "GET", fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", pin.ID, poll), "", &pin)
	if pin.AuthToken == nil {
		t.Fatal("poll after approval: authToken null, want a Plex JWT")
	}

	// Verify it as real clients do, against GET /api/v2/auth/keys.
	claims, err := device.VerifyPlexJWT(*pin.AuthToken, srv.JWKS(), "my-jwt-app", srv.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	if want := srv.Accounts()[0].ID; claims.User.ID != want || claims.Thumbprint != key.KID() {
		t.Errorf("claims = user %d, thumbprint %q; want %d, %q", claims.User.ID, claims.Thumbprint, want, key.KID())
	}

	// Refresh: a nonce, then a device JWT carrying it, signed at the mock's time.
	var nonce struct{ Nonce string }
	jsonRequest(t, srv, "GET", "/api/v2/auth/nonce", "", &nonce)
	jwt, err := key.TokenJWT("my-jwt-app", nonce.Nonce, "username", srv.Clock().Now())
	if err != nil {
		t.Fatal(err)
	}
	var token struct {
		AuthToken string `json:"auth_token"`
	}
	jsonRequest(t, srv, "POST", "/api/v2/auth/token", fmt.Sprintf(`{"jwt":%q}`, jwt), &token)
	if _, err := device.VerifyPlexJWT(token.AuthToken, srv.JWKS(), "my-jwt-app", srv.Clock().Now()); err != nil {
		t.Errorf("refreshed token: %v", err)
	}
}

// jsonRequest sends what a JWT client sends and decodes the JSON answer.
func jsonRequest(t *testing.T, srv *mock.Server, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Plex-Client-Identifier", "my-jwt-app")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s = %s: %s", method, path, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}
