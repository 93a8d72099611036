package mock_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mockplex/mockplex/mock"
)

// BenchmarkNewTLSServer starts and closes a TLS server, as a parallel Go
// suite pays per test; the target is at most 3x
// BenchmarkHTTPTestNewTLSServer in the same run. The process's CA is made
// before the timer starts, as a suite pays it once.
func BenchmarkNewTLSServer(b *testing.B) {
	mock.NewTLSServer().Close()
	b.ReportAllocs()
	for b.Loop() {
		srv := mock.NewTLSServer()
		srv.Close()
	}
}

func BenchmarkHTTPTestNewTLSServer(b *testing.B) {
	b.ReportAllocs()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for b.Loop() {
		srv := httptest.NewTLSServer(h)
		srv.Close()
	}
}

// BenchmarkNewTLSServerFirstRequest adds a first request through Client
// (one handshake), what a test that starts a server does next.
func BenchmarkNewTLSServerFirstRequest(b *testing.B) {
	mock.NewTLSServer().Close()
	b.ReportAllocs()
	for b.Loop() {
		srv := mock.NewTLSServer()
		resp, err := srv.Client().Get("https://plex.tv/healthz")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
	}
}

func BenchmarkHTTPTestNewTLSServerFirstRequest(b *testing.B) {
	b.ReportAllocs()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for b.Loop() {
		srv := httptest.NewTLSServer(h)
		resp, err := srv.Client().Get(srv.URL + "/healthz")
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
	}
}
