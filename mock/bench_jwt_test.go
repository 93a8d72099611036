package mock_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// The JWT family's benchmarks: figures in BENCHMARKS.md. A pending poll
// with a deviceJWT is held to at most twice a classic pending poll (the
// same JWT is verified once, then found in the cache).

func benchKey(b *testing.B) *device.Key {
	b.Helper()
	k, err := device.New(rand.New(rand.NewSource(1)))
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkPendingPoll compares a pending classic poll with a pending JWK
// pin polled with the same deviceJWT every time, as python-plexapi does.
func BenchmarkPendingPoll(b *testing.B) {
	for _, jwk := range []bool{false, true} {
		name := "classic"
		if jwk {
			name = "deviceJWT"
		}
		b.Run(name, func(b *testing.B) {
			srv, err := mock.New(mock.WithSeed(1))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(srv.Close)
			h := srv.Handler()
			key := benchKey(b)
			body := `{"strong":true}`
			if jwk {
				raw, _ := json.Marshal(map[string]any{"jwk": key.JWK(), "strong": true})
				body = string(raw)
			}
			req := httptest.NewRequest(http.MethodPost, "/api/v2/pins", bytes.NewReader([]byte(body)))
			req.Header.Set("X-Plex-Client-Identifier", benchClient)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var p mock.Pin
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != 201 {
				b.Fatalf("create = %d %s", rec.Code, rec.Body)
			}
			path := "/api/v2/pins/" + strconv.FormatInt(p.ID, 10)
			if jwk {
				poll, err := key.PollJWT(benchClient)
				if err != nil {
					b.Fatal(err)
				}
				path += "?deviceJWT=" + poll
			}
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("X-Plex-Client-Identifier", benchClient)
				req.Header.Set("Accept", "application/json")
				serveOnce(b, h, req, http.StatusOK)
			}
		})
	}
}

// jwtBenchServer is a server with a device registered for benchClient.
func jwtBenchServer(b *testing.B) (*mock.Server, *device.Key) {
	b.Helper()
	srv, err := mock.New(mock.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	key := benchKey(b)
	raw, _ := json.Marshal(map[string]any{"jwk": key.JWK()})
	req := httptest.NewRequest(http.MethodPost, "/api/v2/auth/jwk", bytes.NewReader(raw))
	req.Header.Set("X-Plex-Client-Identifier", benchClient)
	req.Header.Set("X-Plex-Token", srv.Accounts()[0].AuthToken)
	req.Header.Set("Content-Type", "application/json")
	serveOnce(b, srv.Handler(), req, http.StatusCreated)
	return srv, key
}

// exchangeOnce runs nonce and token through h and returns the Plex JWT.
func exchangeOnce(b *testing.B, srv *mock.Server, key *device.Key) string {
	h := srv.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v2/auth/nonce", nil)
	req.Header.Set("X-Plex-Client-Identifier", benchClient)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var n struct{ Nonce string }
	if err := json.Unmarshal(rec.Body.Bytes(), &n); err != nil {
		b.Fatalf("nonce = %d %s", rec.Code, rec.Body)
	}
	jwt, err := key.TokenJWT(benchClient, n.Nonce, "username", srv.Clock().Now())
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]string{"jwt": jwt})
	req = httptest.NewRequest(http.MethodPost, "/api/v2/auth/token", bytes.NewReader(raw))
	req.Header.Set("X-Plex-Client-Identifier", benchClient)
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var tok struct {
		AuthToken string `json:"auth_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || rec.Code != 200 {
		b.Fatalf("token = %d %s", rec.Code, rec.Body)
	}
	return tok.AuthToken
}

// BenchmarkTokenExchange is a refresh: GET /api/v2/auth/nonce, then POST
// /api/v2/auth/token with a freshly signed device JWT (signing included:
// a client does it too).
func BenchmarkTokenExchange(b *testing.B) {
	srv, key := jwtBenchServer(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		exchangeOnce(b, srv, key)
		if i++; i%50 == 0 {
			_ = srv.Clock().Advance(time.Minute) // a new nonce rate window
		}
	}
}

// BenchmarkUserJWT is GET /api/v2/user with a Plex JWT, against the same
// with a legacy token.
func BenchmarkUserJWT(b *testing.B) {
	srv, key := jwtBenchServer(b)
	jwt := exchangeOnce(b, srv, key)
	for _, tc := range []struct{ name, token, client string }{
		{"legacy", srv.Accounts()[1].AuthToken, "another-client"},
		{"jwt", jwt, benchClient},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/api/v2/user", nil)
				req.Header.Set("X-Plex-Client-Identifier", tc.client)
				req.Header.Set("X-Plex-Token", tc.token)
				req.Header.Set("Accept", "application/json")
				serveOnce(b, h, req, http.StatusOK)
			}
		})
	}
}
