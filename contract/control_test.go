package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mockplex/mockplex/contract"
)

// controlled adds a small mockplex control API to the captures: approve,
// a clock to advance, the user endpoint and linking. It is the suite's own
// known-good fake for the control checks, independent of package mock.
type controlled struct {
	next    http.Handler
	mu      sync.Mutex
	claimed map[string]bool
	offset  int64 // seconds the clock was advanced
}

const fakeToken = "abcdefghijklmnopqrst"

var (
	expiresInAttr = regexp.MustCompile(`expiresIn="(\d+)"`)
	pinPath       = regexp.MustCompile(`^/api/v2/pins/(\d+)(\.json)?$`)
)

// fakeEpoch is the controlled fake's clock before any advance.
var fakeEpoch = time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC)

func newControlled(next http.Handler) *controlled {
	return &controlled{next: next, claimed: map[string]bool{}}
}

func wantsJSON(r *http.Request) bool {
	return strings.HasSuffix(r.URL.Path, ".json") || r.Header.Get("Accept") == "application/json"
}

func (c *controlled) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case r.URL.Path == "/__mockplex/pins" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "[]")
		return
	case strings.HasPrefix(r.URL.Path, "/__mockplex/pins/") && strings.HasSuffix(r.URL.Path, "/approve"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/__mockplex/pins/"), "/approve")
		c.claimed[id] = true
		// The JWT fake claims its own pins.
		c.next.ServeHTTP(httptest.NewRecorder(), r)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "{}")
		return
	case r.URL.Path == "/__mockplex/clock" && r.Method == http.MethodGet:
		// The replayed pins do not age: the fake's clock moves only when
		// advanced.
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"now":%q,"frozen":true}`, fakeEpoch.Add(time.Duration(c.offset)*time.Second).Format(time.RFC3339Nano))
		return
	case r.URL.Path == "/__mockplex/clock/advance":
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.offset += int64(d / time.Second)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "{}")
		return
	case r.URL.Path == "/api/v2/user" && r.Header.Get("X-Plex-Token") == fakeToken:
		if wantsJSON(r) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			fmt.Fprint(w, `{"id":1,"username":"contract"}`)
			return
		}
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<user id="1" username="contract"/>`)
		return
	case r.URL.Path == "/api/v2/pins/link" && r.Method == http.MethodPut:
		_ = r.ParseForm()
		if r.Header.Get("X-Plex-Token") != fakeToken || r.PostForm.Get("code") != "KYLX" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		c.claimed["1174342418"] = true
		w.WriteHeader(http.StatusNoContent)
		return
	}
	m := pinPath.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Method != http.MethodGet {
		c.next.ServeHTTP(w, r)
		return
	}
	claimed, offset := c.claimed[m[1]], c.offset
	rewrite(c.next, func(r *http.Request, res *recorded) {
		if res.status != http.StatusOK {
			return
		}
		editJSON(func(r *http.Request, doc map[string]any) {
			n, _ := strconv.ParseInt(fmt.Sprint(doc["expiresIn"]), 10, 64)
			doc["expiresIn"] = n - offset
			if claimed && doc["authToken"] == nil {
				doc["authToken"] = fakeToken
				doc["newRegistration"] = false
			}
		})(r, res)
		if strings.HasPrefix(res.header.Get("Content-Type"), "application/xml") {
			body := expiresInAttr.ReplaceAllStringFunc(string(res.body), func(s string) string {
				n, _ := strconv.ParseInt(expiresInAttr.FindStringSubmatch(s)[1], 10, 64)
				return fmt.Sprintf(`expiresIn="%d"`, n-offset)
			})
			if claimed {
				body = strings.Replace(body, "><location", ` authToken="`+fakeToken+`" newRegistration="0"><location`, 1)
			}
			res.body = []byte(body)
		}
	}).ServeHTTP(w, r)
}

func TestControlled(t *testing.T) {
	t.Parallel()
	rep := run(t, serve(t, newControlled(newReplay(t))))
	if !rep.Control {
		t.Fatalf("Report.Control = false, want the fake control API detected")
	}
	for _, ch := range rep.Checks {
		if ch.Status != contract.Pass {
			t.Errorf("check %s = %s (%s), want pass:\n%s", ch.ID, ch.Status, ch.Reason, lines(ch.Violations))
		}
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), fakeToken) {
		t.Errorf("the report contains the account token; X-Plex-Token must be redacted")
	}
	if ch, _ := rep.Check(contract.CheckUserJSON); len(ch.Exchanges) != 1 || ch.Exchanges[0].Request.Header["X-Plex-Token"] != "<redacted>" {
		t.Errorf("user.json exchange = %+v, want the token header recorded as <redacted>", ch.Exchanges)
	}
	// The world's checks, and up to 8 requests more that leave the mock
	// as found (expire the suite's pins).
	if rep.Requests > 78 {
		t.Errorf("Report.Requests = %d, want at most 78", rep.Requests)
	}
}

// TestControlledBroken: one mutation each of the control-API paths.
func TestControlledBroken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		broken                func(http.Handler) http.Handler
		opts                  []contract.Option
		check, where, pointer string
		got                   string
	}{
		{
			name: "newRegistration stays null after the claim",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, editJSON(func(r *http.Request, doc map[string]any) {
					if _, ok := doc["newRegistration"]; ok {
						doc["newRegistration"] = nil
					}
				}))
			},
			check: contract.CheckClaimShape, where: "body", pointer: "/newRegistration", got: "null",
		},
		{
			name: "newRegistration stays null after the claim, sdk profile",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, editJSON(func(r *http.Request, doc map[string]any) {
					if _, ok := doc["newRegistration"]; ok {
						doc["newRegistration"] = nil
					}
				}))
			},
			opts:  []contract.Option{contract.WithProfile(contract.ProfileSDK)},
			check: contract.CheckClaimShape, where: "body", pointer: "/newRegistration", got: "null",
		},
		{
			name: "newRegistration a string after the claim",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, editJSON(func(r *http.Request, doc map[string]any) {
					if v, ok := doc["newRegistration"]; ok && v != nil {
						doc["newRegistration"] = "false"
					}
				}))
			},
			check: contract.CheckClaimShape, where: "body", pointer: "/newRegistration", got: `"false"`,
		},
		{
			name: "empty authToken after the claim",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, editJSON(func(r *http.Request, doc map[string]any) {
					if doc["authToken"] == fakeToken {
						doc["authToken"] = ""
					}
				}))
			},
			check: contract.CheckClaimShape, where: "body", pointer: "/authToken", got: `""`,
		},
		{
			name: "bad token accepted",
			broken: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/api/v2/user" {
						r.Header.Set("X-Plex-Token", fakeToken)
					}
					h.ServeHTTP(w, r)
				})
			},
			check: contract.CheckUserBadToken, where: "status", got: "200 OK",
		},
		{
			name: "user XML with another root",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, res *recorded) {
					if r.URL.Path == "/api/v2/user" && strings.HasPrefix(res.header.Get("Content-Type"), "application/xml") {
						res.body = []byte(`<account id="1"/>`)
					}
				})
			},
			check: contract.CheckUserXML, where: "body", got: `root "account"`,
		},
		{
			name: "link answers 200",
			broken: func(h http.Handler) http.Handler {
				return rewrite(h, func(r *http.Request, res *recorded) {
					if r.URL.Path == "/api/v2/pins/link" && res.status == http.StatusNoContent {
						res.status = http.StatusOK
					}
				})
			},
			check: contract.CheckLinkPut, where: "status", got: "200 OK",
		},
		{
			name: "expiresIn ignores the mock clock",
			broken: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path == "/__mockplex/clock/advance" {
						w.WriteHeader(http.StatusOK)
						return
					}
					h.ServeHTTP(w, r)
				})
			},
			check: contract.CheckExpiresInCountdown, where: "body", pointer: "/expiresIn", got: "1800",
		},
		{
			name: "expiresIn drops more than the mock clock moved",
			broken: func(h http.Handler) http.Handler {
				var mu sync.Mutex
				advanced := 0
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					defer mu.Unlock()
					switch r.URL.Path {
					case "/__mockplex/clock/advance": // the pins age 30 s, the clock says 5
						advanced++
						r = r.Clone(r.Context())
						r.URL.RawQuery = "by=30s"
					case "/__mockplex/clock":
						fmt.Fprintf(w, `{"now":%q}`, fakeEpoch.Add(time.Duration(advanced)*5*time.Second).Format(time.RFC3339Nano))
						return
					}
					h.ServeHTTP(w, r)
				})
			},
			check: contract.CheckExpiresInCountdown, where: "body", pointer: "/expiresIn", got: "1770",
		},
		{
			name: "approve fails",
			broken: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/approve") {
						w.WriteHeader(http.StatusNotFound)
						return
					}
					h.ServeHTTP(w, r)
				})
			},
			check: contract.CheckClaimApprove, where: "status", got: "404 Not Found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := run(t, serve(t, tt.broken(newControlled(newReplay(t)))), tt.opts...)
			ch, _ := rep.Check(tt.check)
			var found bool
			for _, v := range ch.Violations {
				if v.Where == tt.where && v.Pointer == tt.pointer && strings.Contains(v.Got, tt.got) {
					found = true
				}
			}
			if !found {
				t.Errorf("check %s = %s, want a violation at %s %s with got %q; violations:\n%s", tt.check, ch.Status, tt.where, tt.pointer, tt.got, lines(rep.Violations()))
			}
		})
	}
}
