package device_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
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

// The whole flow, with mockplex's JOSE layer standing in for the HTTP
// server: register the key, sign a pin poll, get a Plex JWT, verify it.
func Example() {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	key, err := device.New(rand.NewChaCha8([32]byte{1}), device.WithKID("my-device"))
	if err != nil {
		panic(err)
	}

	// POST /api/v2/pins {"jwk": key.JWK()}: the server keeps the key.
	registered, err := plexjwt.ParseJWK(key.JWK())
	if err != nil {
		panic(err)
	}
	// GET /api/v2/pins/{id}?deviceJWT=…: the server checks the poll JWT.
	poll, err := key.PollJWT("my-client-id")
	if err != nil {
		panic(err)
	}
	d, err := plexjwt.ParseDeviceJWT(poll)
	if err != nil {
		panic(err)
	}
	fmt.Println("poll:", d.Verify(registered, now))
	// Once the pin is claimed, authToken is a Plex JWT.
	keys, err := plexjwt.NewKeySet(rand.NewChaCha8([32]byte{2}), now)
	if err != nil {
		panic(err)
	}
	authToken, err := keys.Sign(plexjwt.NewClaims(d.Issuer, d.KID, plexjwt.User{ID: 42, UUID: "abc123"}, now))
	if err != nil {
		panic(err)
	}
	// GET /api/v2/auth/keys, then verify as real clients do.
	claims, err := device.VerifyPlexJWT(authToken, keys.JWKS(), "my-client-id", now)
	if err != nil {
		panic(err)
	}
	fmt.Println("plex jwt for user", claims.User.ID, "thumbprint", claims.Thumbprint)
	// Output:
	// poll: <nil>
	// plex jwt for user 42 thumbprint my-device
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
// pin's authToken) against GET /api/v2/auth/keys. Here a plexjwt.KeySet,
// mockplex's own, stands in for the server.
func ExampleVerifyPlexJWT() {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	keys, err := plexjwt.NewKeySet(rand.NewChaCha8([32]byte{2}), now)
	if err != nil {
		panic(err)
	}
	user := plexjwt.UserForScope(plexjwt.Account{ID: 42, UUID: "abc123", Username: "alice"}, "username")
	authToken, err := keys.Sign(plexjwt.NewClaims("my-client-id", "my-device", user, now))
	if err != nil {
		panic(err)
	}
	jwks := keys.JWKS() // the body of GET /api/v2/auth/keys

	claims, err := device.VerifyPlexJWT(authToken, jwks, "my-client-id", now.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(claims.User.ID, *claims.User.Username, claims.Thumbprint, claims.Audience)

	_, err = device.VerifyPlexJWT(authToken, jwks, "my-client-id", now.Add(8*24*time.Hour))
	fmt.Println(errors.Is(err, device.ErrExpired))
	// Output:
	// 42 alice my-device [plex.tv my-client-id]
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
