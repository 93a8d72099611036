package mock_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/goleak"

	"github.com/mockplex/mockplex/mock"
)

// A server starts no goroutine until it serves, and Close stops what it
// started: used only through Handler, it leaks nothing. Not parallel:
// goleak looks at every goroutine of the process.
func TestLifecycleLeaksNoGoroutine(t *testing.T) {
	base := goleak.IgnoreCurrent()
	defer goleak.VerifyNone(t, base)
	for _, tc := range []struct {
		name  string
		serve bool
		close bool
	}{
		{"never served, never closed", false, false},
		{"never served, closed", false, true},
		{"served through Handler, closed", true, true},
	} {
		srv, err := mock.New(mock.WithSeed(1))
		if err != nil {
			t.Fatal(err)
		}
		if tc.serve {
			req := httptest.NewRequest(http.MethodPost, "/api/v2/pins", nil)
			req.Header.Set("X-Plex-Client-Identifier", "lifecycle")
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				t.Fatalf("%s: create = %d", tc.name, rec.Code)
			}
		}
		if tc.close {
			srv.Close()
			srv.Close() // twice is fine
		}
		if err := goleak.Find(base); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	srv := mock.NewServer()
	srv.Close()
}
