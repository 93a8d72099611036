package contract_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/mock"
)

// TestWorldBrokenServers breaks the in-process mock's post-sign-in answers
// in the ways real clients trip on (plex-account-api.md §3) and checks that
// the suite names each violation.
func TestWorldBrokenServers(t *testing.T) {
	t.Parallel()
	serverChild := regexp.MustCompile(`<Server [^>]*></Server>`)
	tests := []struct {
		name                  string
		edit                  func(r *http.Request, res *recorded)
		check, where, pointer string
		expected, got         string
	}{
		{
			name: "JSON on a v1 path",
			edit: func(r *http.Request, res *recorded) {
				if r.URL.Path == "/api/resources" && r.Header.Get("Accept") == "application/json" {
					res.header.Set("Content-Type", "application/json; charset=utf-8")
				}
			},
			check: contract.CheckWorldResourcesV1, where: "header Content-Type", expected: "application/xml", got: "application/json",
		},
		{
			name: "a share without Server children in /api/users",
			edit: func(r *http.Request, res *recorded) {
				if strings.HasPrefix(r.URL.Path, "/api/users") {
					res.body = serverChild.ReplaceAll(res.body, nil)
					res.header.Del("Content-Length")
				}
			},
			check: contract.CheckWorldSharedServers, where: "body", pointer: "/MediaContainer/SharedServer[0]@userID",
			expected: "a Server child of machineIdentifier", got: "without one",
		},
		{
			name: "the owner's token on a shared server",
			edit: func(r *http.Request, res *recorded) {
				if r.URL.Path != "/api/v2/resources" || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
					return
				}
				var list []map[string]any
				if json.Unmarshal(res.body, &list) != nil {
					return
				}
				for _, v := range list {
					if v["owned"] == false {
						v["accessToken"] = r.Header.Get("X-Plex-Token")
					}
				}
				res.body, _ = json.Marshal(list)
				res.header.Del("Content-Length")
			},
			check: contract.CheckWorldTokens, where: "body", pointer: "/1/accessToken",
			expected: "the share's own token", got: "the token the request presented",
		},
		{
			name: "a 404 for the users list",
			edit: func(r *http.Request, res *recorded) {
				if r.URL.Path == "/api/users" {
					res.status = http.StatusNotFound
				}
			},
			check: contract.CheckWorldUsers, where: "status", expected: "200 OK", got: "404 Not Found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := mock.NewServer(mock.WithSeed(3))
			t.Cleanup(srv.Close)
			target := serve(t, rewrite(srv.Handler(), tt.edit))
			rep := run(t, target)
			ch, _ := rep.Check(tt.check)
			if ch.Status != contract.Fail {
				t.Fatalf("check %s = %s (%s), want fail", tt.check, ch.Status, ch.Reason)
			}
			for _, v := range ch.Violations {
				if v.Where == tt.where && (tt.pointer == "" || v.Pointer == tt.pointer) &&
					strings.Contains(v.Expected, tt.expected) && strings.Contains(v.Got, tt.got) {
					return
				}
			}
			t.Errorf("check %s: no violation at %s %s expecting %q, got %q; violations:\n%s", tt.check, tt.where, tt.pointer, tt.expected, tt.got, lines(ch.Violations))
		})
	}
	// The same mock, unbroken, passes every world check.
	srv := mock.NewServer(mock.WithSeed(3))
	t.Cleanup(srv.Close)
	rep := run(t, serve(t, srv.Handler()), contract.WithStrict(true))
	for _, c := range contract.Checks() {
		if !strings.HasPrefix(c.ID, "world.") {
			continue
		}
		if ch, _ := rep.Check(c.ID); ch.Status != contract.Pass {
			t.Errorf("unbroken mock: %s = %s (%s)\n%s", c.ID, ch.Status, ch.Reason, lines(ch.Violations))
		}
	}
}

// TestHomeDisposable runs the Home and claim checks against a target
// without the control API: skipped unless the account is named
// disposable, and then passing against the known-good fake.
func TestHomeDisposable(t *testing.T) {
	t.Parallel()
	for _, disposable := range []bool{false, true} {
		fake := worldFake{next: newJWTFake(newCaptures(t)), claimed: new(atomic.Value)}
		rep := run(t, serve(t, fake), contract.WithAccountToken(accountToken), contract.WithDisposableAccount(disposable))
		if ch, _ := rep.Check(contract.CheckHomeUsers); ch.Status != contract.Pass {
			t.Errorf("disposable=%v: home.users = %s (%s)\n%s", disposable, ch.Status, ch.Reason, lines(ch.Violations))
		}
		for _, id := range []string{contract.CheckHomeSwitch, contract.CheckClaimExchange} {
			ch, _ := rep.Check(id)
			want := contract.Skip
			if disposable {
				want = contract.Pass
			}
			if ch.Status != want {
				t.Errorf("disposable=%v: %s = %s (%s), want %s\n%s", disposable, id, ch.Status, ch.Reason, want, lines(ch.Violations))
			}
		}
	}
}

// TestWorldReadOnly checks that the world checks, with an account token
// against a target without the control API (as against plex.tv), send no
// request that could change the account.
func TestWorldReadOnly(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		writes []string
	)
	fake := worldFake{next: newJWTFake(newCaptures(t)), claimed: new(atomic.Value)}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions &&
			!strings.HasPrefix(r.URL.Path, "/api/v2/pins") && !strings.HasPrefix(r.URL.Path, "/api/v2/auth/") {
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
		}
		fake.ServeHTTP(w, r)
	})
	rep := run(t, serve(t, h), contract.WithAccountToken(accountToken))
	for _, c := range contract.Checks() {
		if strings.HasPrefix(c.ID, "world.") {
			if ch, _ := rep.Check(c.ID); ch.Status != contract.Pass {
				t.Errorf("%s = %s (%s)\n%s", c.ID, ch.Status, ch.Reason, lines(ch.Violations))
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(writes) > 0 {
		t.Errorf("the suite changed things on an account: %v", writes)
	}
}
