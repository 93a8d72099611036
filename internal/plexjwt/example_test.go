package plexjwt_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// A device registers its key with a kid of its own, or none.
func ExampleParseJWK() {
	key, err := plexjwt.ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"my-device","alg":"EdDSA"}`))
	fmt.Println(key.KID, key.Thumbprint, err)

	key, err = plexjwt.ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	fmt.Println(key.KID, err)

	_, err = plexjwt.ParseJWK([]byte(`{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	fmt.Println(errors.Is(err, plexjwt.ErrInvalidJWK), err)
	// Output:
	// my-device kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k <nil>
	// kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k <nil>
	// true invalid jwk: crv is "X25519", want "Ed25519"
}

// The mock checks a device JWT against the device's registered key.
func ExampleParseDeviceJWT() {
	// The device's side, as mock/device does it.
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: priv.Public(), KeyID: "my-device"})
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "my-device"))
	if err != nil {
		panic(err)
	}
	tok, err := jwt.Signed(signer).Claims(map[string]any{
		"aud": "plex.tv", "iss": "my-client-id", "nonce": "7c415b56-8f48-488a-98ab-847ef4460442",
		"scope": "username", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}).Serialize()
	if err != nil {
		panic(err)
	}

	// The mock's side.
	registered, err := plexjwt.ParseJWK(jwk)
	if err != nil {
		panic(err)
	}

	d, err := plexjwt.ParseDeviceJWT(tok)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.KID, d.Issuer, d.Nonce, d.Scope)
	fmt.Println(d.Verify(registered, now.Add(time.Minute)))
	fmt.Println(errors.Is(d.Verify(registered, now.Add(time.Hour)), plexjwt.ErrExpired))
	// Output:
	// my-device my-client-id 7c415b56-8f48-488a-98ab-847ef4460442 username
	// <nil>
	// true
}

// The key set signs Plex JWTs, serves them as a JWKS and verifies them back;
// after a rotation old tokens still verify.
func ExampleKeySet() {
	keys, err := plexjwt.NewKeySet(rand.NewChaCha8([32]byte{2}), now)
	if err != nil {
		panic(err)
	}
	user := plexjwt.UserForScope(plexjwt.Account{ID: 42, UUID: "abc123", Username: "alice"}, "username")
	tok, err := keys.Sign(plexjwt.NewClaims("my-client-id", "my-device", user, now))
	if err != nil {
		panic(err)
	}
	if err := keys.Rotate(now.Add(time.Hour)); err != nil {
		panic(err)
	}
	claims, err := keys.Verify(tok, now.Add(2*time.Hour))
	fmt.Println(claims.User.ID, claims.Thumbprint, err)
	for _, k := range keys.Keys() {
		fmt.Printf("%s current=%v retired=%s signedUntil=%s\n", k.KID, k.Current, stamp(k.RetiredAt), stamp(k.SignedUntil))
	}
	_, err = keys.Verify(tok, now.Add(plexjwt.TokenLifetime))
	fmt.Println(errors.Is(err, plexjwt.ErrExpired))
	// Output:
	// 42 my-device <nil>
	// dWhSRZPcRBbVqh66v-LQwX7i-iPXSEMuKLsEs1erAUs current=false retired=2026-11-28T13:00:00Z signedUntil=2026-12-05T12:00:00Z
	// 0om1GKmB6zZWtJkmqjf9f-vvToKNKDo_2qjckTluCAI current=true retired=- signedUntil=-
	// true
}

func ExampleKeySet_JWKS() {
	keys, err := plexjwt.NewKeySet(rand.NewChaCha8([32]byte{2}), now)
	if err != nil {
		panic(err)
	}
	var set struct{ Keys []map[string]string }
	if err := json.Unmarshal(keys.JWKS(), &set); err != nil {
		panic(err)
	}
	for _, k := range set.Keys {
		fmt.Println(k["kty"], k["crv"], k["alg"], k["use"], k["kid"])
	}
	// Output:
	// OKP Ed25519 EdDSA sig m-txCjKvQiuTC5xuJgw_JZYO8ktmY6UOx6hWyvz3T0I
	// OKP Ed25519 EdDSA sig dWhSRZPcRBbVqh66v-LQwX7i-iPXSEMuKLsEs1erAUs
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// Only the fields the device JWT's scope names go in the user claim.
func ExampleUserForScope() {
	acct := plexjwt.Account{ID: 42, UUID: "abc123", Username: "alice", Email: "alice@example.com", Restricted: true}
	for _, scope := range []string{"", "username,email", "restricted,admin"} {
		b, _ := json.Marshal(plexjwt.UserForScope(acct, scope))
		fmt.Println(string(b))
	}
	// Output:
	// {"id":42,"uuid":"abc123"}
	// {"id":42,"uuid":"abc123","username":"alice","email":"alice@example.com"}
	// {"id":42,"uuid":"abc123","restricted":true}
}
