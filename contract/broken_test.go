package contract_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/contract"
)

// recorded is a response of the good fake, open to mutation.
type recorded struct {
	status int
	header http.Header
	body   []byte
}

// rewrite wraps next, letting edit change every response before it is sent.
func rewrite(next http.Handler, edit func(r *http.Request, res *recorded)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := &recorded{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
		edit(r, res)
		for k, v := range res.header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.status)
		_, _ = w.Write(res.body)
	})
}

// editJSON applies f to JSON response bodies.
func editJSON(f func(r *http.Request, doc map[string]any)) func(*http.Request, *recorded) {
	return func(r *http.Request, res *recorded) {
		if !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(res.body))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			return
		}
		f(r, doc)
		res.body, _ = json.Marshal(doc)
	}
}

func isCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v2/pins")
}

func TestBrokenServers(t *testing.T) {
	t.Parallel()
	type want struct {
		check, where, pointer string
		expected, got         string // substrings of the violation's Expected and Got
	}
	tests := []struct {
		name   string
		broken func(good http.Handler) http.Handler
		want   want
	}{
		{
			name: "renamed field",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if v, ok := doc["clientIdentifier"]; ok {
						doc["clientId"] = v
						delete(doc, "clientIdentifier")
					}
				}))
			},
			want: want{contract.CheckCreateStrongJSON, "body", "/clientIdentifier", "required", "missing"},
		},
		{
			name: "wrong type",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if v, ok := doc["id"]; ok {
						doc["id"] = (v.(json.Number)).String()
					}
				}))
			},
			want: want{contract.CheckCreateStrongJSON, "body", "/id", "type integer", `"1899765704"`},
		},
		{
			name: "missing key",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if loc, ok := doc["location"].(map[string]any); ok {
						delete(loc, "postal_code")
					}
				}))
			},
			want: want{contract.CheckCreateLinkJSON, "body", "/location/postal_code", "required", "missing"},
		},
		{
			name: "200 instead of 201 on create",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, func(r *http.Request, res *recorded) {
					if isCreate(r) && res.status == http.StatusCreated {
						res.status = http.StatusOK
					}
				})
			},
			want: want{contract.CheckCreateStrongJSON, "status", "", "201 Created", "200 OK"},
		},
		{
			name: "JSON served without being asked",
			broken: func(good http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get("Accept") == "" {
						r.Header.Set("Accept", "application/json")
					}
					good.ServeHTTP(w, r)
				})
			},
			want: want{contract.CheckContentDefaultXML, "header Content-Type", "", "application/xml", "application/json"},
		},
		{
			name: "axios Accept gets JSON (first listed type wins)",
			broken: func(good http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasPrefix(r.Header.Get("Accept"), "application/json,") {
						r.Header.Set("Accept", "application/json")
					}
					good.ServeHTTP(w, r)
				})
			},
			want: want{contract.CheckContentAxiosAccept, "header Content-Type", "", "application/xml", "application/json"},
		},
		{
			name: "410 on expiry or unknown pin",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, func(r *http.Request, res *recorded) {
					if res.status == http.StatusNotFound {
						res.status = http.StatusGone
					}
				})
			},
			want: want{contract.CheckPollUnknownID, "status", "", "404 Not Found", "410 Gone"},
		},
		{
			name: "wrong error code",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if errs, ok := doc["errors"].([]any); ok {
						for _, e := range errs {
							if m, ok := e.(map[string]any); ok && m["code"] == json.Number("1020") {
								m["code"] = json.Number("1021")
							}
						}
					}
				}))
			},
			want: want{contract.CheckPollWrongClient, "body", "/errors/0/code", "integer 1020", "integer 1021"},
		},
		{
			name: "error status field disagrees with HTTP status",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if errs, ok := doc["errors"].([]any); ok {
						errs[0].(map[string]any)["status"] = json.Number("500")
					}
				}))
			},
			want: want{contract.CheckErrorsEnvelope, "body", "/errors/0/status", "integer 4", "integer 500"},
		},
		{
			name: "missing CORS header",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, func(r *http.Request, res *recorded) {
					res.header.Del("Access-Control-Allow-Origin")
				})
			},
			want: want{contract.CheckCORSPreflight, "header Access-Control-Allow-Origin", "", `"*"`, "(absent)"},
		},
		{
			name: "CORS preflight without X-Plex headers allowed",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, func(r *http.Request, res *recorded) {
					if r.Method == http.MethodOptions {
						res.header.Set("Access-Control-Allow-Headers", "accept")
					}
				})
			},
			want: want{contract.CheckCORSPreflight, "header Access-Control-Allow-Headers", "", "x-plex-client-identifier", `"accept"`},
		},
		{
			name: "qr on another host",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if qr, ok := doc["qr"].(string); ok {
						doc["qr"] = strings.Replace(qr, "https://plex.tv/", "https://example.com/", 1)
					}
				}))
			},
			want: want{contract.CheckPinQR, "body", "/qr", `"https://plex.tv/api/v2/pins/qr/`, "example.com"},
		},
		{
			name: "client identifier not echoed",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if _, ok := doc["clientIdentifier"]; ok {
						doc["clientIdentifier"] = "someone-else"
					}
				}))
			},
			want: want{contract.CheckPinClientIdentifier, "body", "/clientIdentifier", `"mockplex-contract-test"`, `"someone-else"`},
		},
		{
			name: "link pin with a lower-case code",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if c, ok := doc["code"].(string); ok && len(c) == 4 {
						doc["code"] = strings.ToLower(c)
						doc["qr"] = "https://plex.tv/api/v2/pins/qr/" + strings.ToLower(c)
					}
				}))
			},
			want: want{contract.CheckPinCode, "body", "/code", "^[A-Z0-9]{4}$", `"kylx"`},
		},
		{
			name: "strong pin living 15 minutes",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if doc["expiresAt"] == "2026-10-01T23:09:52Z" {
						doc["expiresAt"] = "2026-10-01T22:54:52Z"
					}
				}))
			},
			want: want{contract.CheckLifetimeStrong, "body", "/expiresAt", "createdAt + 1800 s", "createdAt + 900 s"},
		},
		{
			name: "missing client identifier accepted",
			broken: func(good http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get("X-Plex-Client-Identifier") == "" && r.Method == http.MethodGet {
						r.Header.Set("X-Plex-Client-Identifier", "mockplex-contract-test")
					}
					good.ServeHTTP(w, r)
				})
			},
			want: want{contract.CheckPollMissingClient, "status", "", "400 Bad Request", "200 OK"},
		},
		{
			name: "authToken set before the claim",
			broken: func(good http.Handler) http.Handler {
				return rewrite(good, editJSON(func(r *http.Request, doc map[string]any) {
					if _, ok := doc["authToken"]; ok && r.Method == http.MethodGet {
						doc["authToken"] = "abcdefghijklmnopqrst"
					}
				}))
			},
			want: want{contract.CheckPollPending, "body", "/authToken", "null", `"abcdefghijklmnopqrst"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rep := run(t, serve(t, tt.broken(newReplay(t))))
			if rep.Passed() {
				t.Fatalf("Run against a server with %q passed, want a failure of %s", tt.name, tt.want.check)
			}
			ch, ok := rep.Check(tt.want.check)
			if !ok || ch.Status != contract.Fail {
				t.Fatalf("check %s: status %q, want fail; violations: %v", tt.want.check, ch.Status, rep.Violations())
			}
			var found bool
			for _, v := range ch.Violations {
				if v.Check == tt.want.check && v.Where == tt.want.where && v.Pointer == tt.want.pointer &&
					strings.Contains(v.Expected, tt.want.expected) && strings.Contains(v.Got, tt.want.got) {
					found = true
					// The one-line message names check, request and pointer.
					s := v.String()
					for _, part := range []string{tt.want.check + ": ", v.Request.Method + " " + v.Request.URL, tt.want.where} {
						if !strings.Contains(s, part) {
							t.Errorf("Violation.String() = %q, missing %q", s, part)
						}
					}
					if tt.want.pointer != "" && !strings.Contains(s, tt.want.pointer) {
						t.Errorf("Violation.String() = %q, missing pointer %q", s, tt.want.pointer)
					}
				}
			}
			if !found {
				t.Errorf("no violation %+v among:\n%s", tt.want, lines(ch.Violations))
			}
		})
	}
}

func lines(vs []contract.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("  " + v.String() + "\n")
	}
	return b.String()
}
