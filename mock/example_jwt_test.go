package mock_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// The Go controls of the JWT family. Each example signs a device in with
// deviceSignIn, the flow of the mock/device package's Example: a pin carrying the
// device's public key, approved by the default account, polled with a
// device JWT until its authToken is a Plex JWT.

// deviceSignIn signs clientID in as a JWT device with key and returns its Plex
// JWT.
func deviceSignIn(srv *mock.Server, clientID string, key *device.Key) string {
	var pin struct {
		ID        int64   `json:"id"`
		AuthToken *string `json:"authToken"`
	}
	status := deviceCall(srv, clientID, "POST", "/api/v2/pins", "", fmt.Sprintf(`{"jwk":%s,"strong":true}`, key.JWK()), &pin)
	if status != http.StatusCreated {
		panic(fmt.Sprintf("POST /api/v2/pins: %d", status))
	}
	if _, err := srv.Approve(pin.ID, ""); err != nil {
		panic(err)
	}
	poll, err := key.PollJWT(clientID)
	if err != nil {
		panic(err)
	}
	deviceCall(srv, clientID, "GET", fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", pin.ID, poll), "", "", &pin)
	if pin.AuthToken == nil {
		panic("the approved pin has no authToken")
	}
	return *pin.AuthToken
}

// deviceCall sends one JSON request as clientID, with token as X-Plex-Token
// when it is not empty, decodes the answer into v (when not nil), and
// returns the status.
func deviceCall(srv *mock.Server, clientID, method, path, token, body string, v any) int {
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("X-Plex-Client-Identifier", clientID)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("X-Plex-Token", token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			panic(err)
		}
	}
	return resp.StatusCode
}

// exampleDeviceKey makes a device key from a fixed seed.
func exampleDeviceKey(seed byte, kid string) *device.Key {
	key, err := device.New(rand.NewChaCha8([32]byte{seed}), device.WithKID(kid))
	if err != nil {
		panic(err)
	}
	return key
}

// jwtSigningKID returns the kid in a Plex JWT's header: the server key that
// signed it.
func jwtSigningKID(token string) string {
	header, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err != nil {
		panic(err)
	}
	var h struct{ Kid string }
	if err := json.Unmarshal(header, &h); err != nil {
		panic(err)
	}
	return h.Kid
}

// JWKS is the body of GET /api/v2/auth/keys: the keys a Plex JWT is
// checked against, here by device.VerifyPlexJWT as real clients check it.
// Like plex.tv's, it lists two Ed25519 keys, oldest first; the last signs.
func ExampleServer_JWKS() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	token := deviceSignIn(srv, "tv-app", exampleDeviceKey(1, "tv-key"))

	var keys struct {
		Keys []struct{ Kid, Kty, Crv, Alg string }
	}
	if err := json.Unmarshal(srv.JWKS(), &keys); err != nil {
		panic(err)
	}
	signer := keys.Keys[len(keys.Keys)-1]
	fmt.Println(len(keys.Keys), signer.Kty, signer.Crv, signer.Alg, signer.Kid == jwtSigningKID(token))

	claims, err := device.VerifyPlexJWT(token, srv.JWKS(), "tv-app", srv.Clock().Now())
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Issuer, claims.Audience, claims.Thumbprint)
	// Output:
	// 2 OKP Ed25519 EdDSA true
	// plex.tv [plex.tv tv-app] tv-key
}

// RotateKeys makes a new signing key current. Tokens signed before still
// verify: the old key stays listed until they have expired.
func ExampleServer_RotateKeys() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	before := deviceSignIn(srv, "tv-app", exampleDeviceKey(1, "tv-key"))

	if err := srv.RotateKeys(); err != nil {
		panic(err)
	}
	after := deviceSignIn(srv, "phone-app", exampleDeviceKey(2, "phone-key"))

	var keys struct{ Keys []struct{ Kid string } }
	if err := json.Unmarshal(srv.JWKS(), &keys); err != nil {
		panic(err)
	}
	fmt.Println("keys listed:", len(keys.Keys))
	fmt.Println("old signer listed first:", keys.Keys[0].Kid == jwtSigningKID(before))
	fmt.Println("new signer listed last:", keys.Keys[1].Kid == jwtSigningKID(after), jwtSigningKID(after) != jwtSigningKID(before))
	for client, token := range map[string]string{"tv-app": before, "phone-app": after} {
		if _, err := device.VerifyPlexJWT(token, srv.JWKS(), client, srv.Clock().Now()); err != nil {
			fmt.Println(client, err)
		}
	}
	fmt.Println("both tokens verify")
	// Output:
	// keys listed: 2
	// old signer listed first: true
	// new signer listed last: true true
	// both tokens verify
}

// RevokeDevice ends a device as removing it from plex.tv's Authorized
// Devices does: its Plex JWTs get 401 from then on.
func ExampleServer_RevokeDevice() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	token := deviceSignIn(srv, "tv-app", exampleDeviceKey(1, "tv-key"))
	user := func() int { return deviceCall(srv, "tv-app", "GET", "/api/v2/user", token, "", nil) }

	fmt.Println("before:", user())
	if err := srv.RevokeDevice("tv-app"); err != nil {
		panic(err)
	}
	fmt.Println("after:", user())

	err := srv.RevokeDevice("never-signed-in")
	fmt.Println(errors.Is(err, mock.ErrDeviceNotFound))
	// Output:
	// before: 200
	// after: 401
	// true
}

// Devices lists the JWT devices, sorted by client identifier: the key each
// registered, the account it signs in as, and the Plex JWTs issued to it.
func ExampleServer_Devices() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	deviceSignIn(srv, "tv-app", exampleDeviceKey(1, "tv-key"))
	deviceSignIn(srv, "phone-app", exampleDeviceKey(2, "phone-key"))
	if err := srv.RevokeDevice("phone-app"); err != nil {
		panic(err)
	}

	for _, d := range srv.Devices() {
		fmt.Println(d.ClientIdentifier, d.KID, d.Account == srv.Accounts()[0].Username, d.TokensIssued, len(d.Tokens), d.Revoked)
	}
	// Output:
	// phone-app phone-key true 1 1 true
	// tv-app tv-key true 1 1 false
}
