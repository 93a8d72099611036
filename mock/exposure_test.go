package mock_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/mock"
)

// exposureDo sends one request with the given headers and returns the
// response's status and header, and its body.
func exposureDo(t *testing.T, srv *mock.Server, method, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	x := roundTrip(t, srv, method, path, hdr, "")
	return &http.Response{StatusCode: x.Status, Header: x.RespHeader}, string(x.RespBody)
}

// TestControlToken checks the guard of a token-protected control API and
// dashboard: only the exact token, in any of the three places it may be
// sent, opens them.
func TestControlToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	srv := mock.NewServer(mock.WithSeed(5), mock.WithControlToken(token))
	t.Cleanup(srv.Close)
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"missing", nil, http.StatusUnauthorized},
		{"empty header", map[string]string{mock.TokenHeader: ""}, http.StatusUnauthorized},
		{"wrong", map[string]string{mock.TokenHeader: "0123456789abcdef0123456789abcdeX"}, http.StatusUnauthorized},
		{"prefix", map[string]string{mock.TokenHeader: token[:31]}, http.StatusUnauthorized},
		{"longer", map[string]string{mock.TokenHeader: token + "0"}, http.StatusUnauthorized},
		{"other case", map[string]string{mock.TokenHeader: strings.ToUpper(token)}, http.StatusUnauthorized},
		{"wrong bearer", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"basic scheme", map[string]string{"Authorization": "Basic " + token}, http.StatusUnauthorized},
		{"wrong cookie", map[string]string{"Cookie": "mockplex_token=nope"}, http.StatusUnauthorized},
		{"plex token is not a control token", map[string]string{"X-Plex-Token": token}, http.StatusUnauthorized},
		{"header", map[string]string{mock.TokenHeader: token}, http.StatusOK},
		{"bearer", map[string]string{"Authorization": "Bearer " + token}, http.StatusOK},
		{"bearer in lower case", map[string]string{"Authorization": "bearer " + token}, http.StatusOK},
		{"cookie", map[string]string{"Cookie": "mockplex_token=" + token}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/__mockplex/pins", "/__mockplex/accounts", "/"} {
				resp, body := exposureDo(t, srv, "GET", path, tt.hdr)
				if resp.StatusCode != tt.want {
					t.Errorf("GET %s with %v = %d, want %d: %.200s", path, tt.hdr, resp.StatusCode, tt.want, body)
				}
				if tt.want == http.StatusUnauthorized && strings.Contains(body, token) {
					t.Errorf("GET %s: the refusal leaks the token: %s", path, body)
				}
			}
			// A refused token changes nothing.
			pin, err := srv.CreatePin("guarded", "", true)
			if err != nil {
				t.Fatal(err)
			}
			resp, _ := exposureDo(t, srv, "POST", fmt.Sprintf("/__mockplex/pins/%d/approve", pin.ID), tt.hdr)
			info, err := srv.PinInfo(pin.ID)
			if err != nil {
				t.Fatal(err)
			}
			if approved := info.State == mock.Claimed; approved != (tt.want == http.StatusOK) {
				t.Errorf("approve with %v = %d, pin state %s", tt.hdr, resp.StatusCode, info.State)
			}
		})
	}
	// The guard covers the control API only: plex.tv's API stays open.
	resp, body := exposureDo(t, srv, "POST", "/api/v2/pins.json", map[string]string{"X-Plex-Client-Identifier": "open"})
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("create on a guarded server = %d, want 201: %s", resp.StatusCode, body)
	}
}

// TestControlOff checks that WithControl(false) hides the control API and
// the dashboard while plex.tv's API keeps working.
func TestControlOff(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(6), mock.WithControl(false))
	t.Cleanup(srv.Close)
	pin, err := srv.CreatePin("c", "", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ method, path string }{
		{"GET", "/__mockplex/pins"},
		{"POST", fmt.Sprintf("/__mockplex/pins/%d/approve", pin.ID)},
		{"POST", "/__mockplex/reset"},
		{"POST", "/__mockplex/clock/advance?by=1h"},
		{"GET", "/"},
	} {
		resp, body := exposureDo(t, srv, r.method, r.path, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s with the control API off = %d, want 404: %.200s", r.method, r.path, resp.StatusCode, body)
		}
	}
	if info, _ := srv.PinInfo(pin.ID); info.State != mock.Pending {
		t.Errorf("pin state %s after refused control calls, want pending", info.State)
	}
	resp, body := exposureDo(t, srv, "GET", fmt.Sprintf("/api/v2/pins/%d", pin.ID), map[string]string{"X-Plex-Client-Identifier": "c"})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("poll with the control API off = %d, want 200: %s", resp.StatusCode, body)
	}
}

// TestControlNoCORS sends cross-origin requests and preflights to the
// control API, answered or refused: none may carry CORS headers, while the
// same Origin on plex.tv's API does get them (so the check can fail).
func TestControlNoCORS(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"", "t0ken"} {
		t.Run(fmt.Sprintf("token=%q", token), func(t *testing.T) {
			t.Parallel()
			srv := mock.NewServer(mock.WithSeed(7), mock.WithControlToken(token))
			t.Cleanup(srv.Close)
			pin, err := srv.CreatePin("c", "", true)
			if err != nil {
				t.Fatal(err)
			}
			origin := map[string]string{"Origin": "https://evil.example", mock.TokenHeader: token}
			preflight := map[string]string{
				"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
				"Access-Control-Request-Headers": "x-mockplex-token, content-type",
			}
			requests := []struct {
				method, path string
				hdr          map[string]string
			}{
				{"GET", "/__mockplex/pins", origin},
				{"POST", fmt.Sprintf("/__mockplex/pins/%d/approve", pin.ID), origin},
				{"POST", "/__mockplex/reset", origin},
				{"GET", "/__mockplex/nope", origin},
				{"PATCH", "/__mockplex/pins", origin},
				{"GET", "/__mockplex/pins", map[string]string{"Origin": "https://evil.example", mock.TokenHeader: "wrong"}},
				{"OPTIONS", "/__mockplex/pins", preflight},
				{"OPTIONS", fmt.Sprintf("/__mockplex/pins/%d/approve", pin.ID), preflight},
				{"OPTIONS", "/__mockplex/reset", preflight},
			}
			for _, r := range requests {
				resp, body := exposureDo(t, srv, r.method, r.path, r.hdr)
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s = %d: %s", r.method, r.path, resp.StatusCode, body)
				}
				for k := range resp.Header {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Errorf("%s %s = %d carries %s: %q", r.method, r.path, resp.StatusCode, k, resp.Header.Get(k))
					}
				}
				if r.method == "OPTIONS" && resp.StatusCode < 300 {
					t.Errorf("preflight %s = %d, want a refusal", r.path, resp.StatusCode)
				}
			}
			resp, _ := exposureDo(t, srv, "OPTIONS", "/api/v2/pins", preflight)
			if resp.Header.Get("Access-Control-Allow-Origin") == "" {
				t.Errorf("preflight of plex.tv's create carries no Access-Control-Allow-Origin; the check above proves nothing")
			}
		})
	}
}
