package device_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// printJWT prints a compact JWT's header and claims as they go on the wire.
func printJWT(tok string) {
	parts := strings.Split(tok, ".")
	for _, p := range parts[:2] {
		b, _ := base64.RawURLEncoding.DecodeString(p)
		fmt.Println(string(b))
	}
}

// A device signs in to a mock plex.tv with its own key, as a JWT client
// such as Plex's newer apps does: it creates a pin carrying its public key,
// the user approves the pin (here with a Go call instead of a browser), and
// the device's signed poll gets a Plex JWT, which verifies against the
// server's published keys.
func Example() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	const clientID = "my-device-client"
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	// send makes one request as the device and decodes the JSON answer.
	send := func(method, path, body string, v any) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		req.Header.Set("X-Plex-Client-Identifier", clientID)
		req.Header.Set("Accept", "application/json")
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			panic(err)
		}
	}

	// POST /api/v2/pins with the device's public key: the pin registers it.
	var pin struct {
		ID        int64   `json:"id"`
		Code      string  `json:"code"`
		AuthToken *string `json:"authToken"`
	}
	send("POST", "/api/v2/pins", fmt.Sprintf(`{"jwk":%s,"strong":true}`, key.JWK()), &pin)

	// The user approves the code, signed in as the default account.
	if _, err := srv.Approve(pin.ID, ""); err != nil {
		panic(err)
	}

	// The device polls with a JWT signed by its key, and gets a Plex JWT.
	poll, err := key.PollJWT(clientID)
	if err != nil {
		panic(err)
	}
	send("GET", fmt.Sprintf("/api/v2/pins/%d?deviceJWT=%s", pin.ID, poll), "", &pin)

	// GET /api/v2/auth/keys, then verify the token as real clients do.
	var jwks json.RawMessage
	send("GET", "/api/v2/auth/keys", "", &jwks)
	claims, err := device.VerifyPlexJWT(*pin.AuthToken, jwks, clientID, srv.Clock().Now())
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.Issuer, claims.Audience, claims.Thumbprint)
	fmt.Println(claims.User.ID == srv.Accounts()[0].ID)
	// Output:
	// plex.tv [plex.tv my-device-client] my-device
	// true
}

// A fixed seed gives the same key, and the same tokens, on every run; pass
// nil for a random key.
func ExampleNew() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}))
	if err != nil {
		panic(err)
	}
	fmt.Println(key.KID())
	fmt.Println(key.KID() == key.Thumbprint())
	// Output:
	// 8KsS_9_0uAePsYQ3k8QlDJPvypK5aIXexVoTIAUrQbI
	// true
}

// Register the key under a kid of your own, as most real clients do.
func ExampleWithKID() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("7c415b56-8f48-488a-98ab-847ef4460442"))
	if err != nil {
		panic(err)
	}
	fmt.Println(key.KID())
	// Output:
	// 7c415b56-8f48-488a-98ab-847ef4460442
}

// JWK is ready to go in the body of POST /api/v2/pins or POST /api/v2/auth/jwk.
func ExampleKey_JWK() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	body := fmt.Sprintf(`{"jwk":%s,"strong":true}`, key.JWK())
	fmt.Println(body)
	// Output:
	// {"jwk":{"use":"sig","kty":"OKP","kid":"my-device","crv":"Ed25519","alg":"EdDSA","x":"La3rpjyOoDqKCUz79x_1Ir22j-RYXlk4pC7MGLMiS3Q"},"strong":true}
}

// PollJWT is the deviceJWT query parameter of a pin poll.
func ExampleKey_PollJWT() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	tok, err := key.PollJWT("my-client-id")
	if err != nil {
		panic(err)
	}
	printJWT(tok)
	// Output:
	// {"alg":"EdDSA","kid":"my-device","typ":"JWT"}
	// {"aud":"plex.tv","iss":"my-client-id"}
}

// TokenJWT is the jwt of POST /api/v2/auth/token, with a nonce from
// GET /api/v2/auth/nonce.
func ExampleKey_TokenJWT() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tok, err := key.TokenJWT("my-client-id", "7c415b56-8f48-488a-98ab-847ef4460442", "username,email", now)
	if err != nil {
		panic(err)
	}
	printJWT(tok)
	// Output:
	// {"alg":"EdDSA","kid":"my-device","typ":"JWT"}
	// {"aud":"plex.tv","exp":1795867500,"iat":1795867200,"iss":"my-client-id","nonce":"7c415b56-8f48-488a-98ab-847ef4460442","scope":"username,email"}
}

// SignJWT builds any device JWT, including the odd ones a server must
// handle: here a jwx-style one-element aud array and an expired token.
func ExampleKey_SignJWT() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	issued := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tok, err := key.SignJWT(device.Claims{
		Issuer:        "my-client-id",
		Audience:      []string{"plex.tv"},
		ArrayAudience: true,
		IssuedAt:      issued,
		Expiry:        issued.Add(-time.Minute),
	})
	if err != nil {
		panic(err)
	}
	printJWT(tok)
	// Output:
	// {"alg":"EdDSA","kid":"my-device","typ":"JWT"}
	// {"aud":["plex.tv"],"exp":1795867140,"iat":1795867200,"iss":"my-client-id"}
}

// VerifyPlexJWT checks the auth_token of POST /api/v2/auth/token (or a JWT
// pin's authToken) against GET /api/v2/auth/keys, whose body
// mock.Server.JWKS returns. Here the device registers its key with
// POST /api/v2/auth/jwk, as a signed-in client does, takes a nonce and
// exchanges a device JWT for a Plex JWT.
func ExampleVerifyPlexJWT() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	const clientID = "my-device-client"
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	send := func(method, path, token, body string, v any) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		req.Header.Set("X-Plex-Client-Identifier", clientID)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/json")
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
	}
	send("POST", "/api/v2/auth/jwk", srv.Accounts()[0].AuthToken, fmt.Sprintf(`{"jwk":%s}`, key.JWK()), nil)
	var nonce struct{ Nonce string }
	send("GET", "/api/v2/auth/nonce", "", "", &nonce)
	signed, err := key.TokenJWT(clientID, nonce.Nonce, "username", srv.Clock().Now())
	if err != nil {
		panic(err)
	}
	var token struct {
		AuthToken string `json:"auth_token"`
	}
	send("POST", "/api/v2/auth/token", "", fmt.Sprintf(`{"jwt":%q}`, signed), &token)

	now := srv.Clock().Now()
	claims, err := device.VerifyPlexJWT(token.AuthToken, srv.JWKS(), clientID, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(*claims.User.Username == srv.Accounts()[0].Username, claims.Nonce == nonce.Nonce)

	_, err = device.VerifyPlexJWT(token.AuthToken, srv.JWKS(), clientID, now.Add(8*24*time.Hour))
	fmt.Println(errors.Is(err, device.ErrExpired))
	_, err = device.VerifyPlexJWT(token.AuthToken, srv.JWKS(), "another-client", now)
	fmt.Println(errors.Is(err, device.ErrAudience))
	// Output:
	// true true
	// true
	// true
}

// A key file keeps a test device's key between runs, or hands it to
// another program (`mockplex device` reads and writes the same files).
// It holds the private key: keep it with the tests, never a real device's.
func ExampleParseKey() {
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}
	file := key.MarshalPrivate() // e.g. os.WriteFile("key.json", file, 0o600)
	fmt.Println(string(file))

	again, err := device.ParseKey(file)
	if err != nil {
		panic(err)
	}
	fmt.Println(again.KID(), again.Public().Equal(key.Public()))

	_, err = device.ParseKey(key.JWK()) // a public JWK is not a key file
	fmt.Println(err)
	// Output:
	// {"kty":"OKP","crv":"Ed25519","d":"auZ4P0-96RtuuItzpI7SR9vliC4leWg0MsG_xSVFSt0","x":"La3rpjyOoDqKCUz79x_1Ir22j-RYXlk4pC7MGLMiS3Q","kid":"my-device","alg":"EdDSA","use":"sig"}
	// my-device true
	// device: not a device key file: d must be the base64url (unpadded) 32-byte Ed25519 seed
}
