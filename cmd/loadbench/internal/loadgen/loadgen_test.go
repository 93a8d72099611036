package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseWrk(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	for _, tc := range []struct {
		name    string
		out     string
		want    Result
		wantErr string
	}{
		{
			name: "result among wrk's own lines",
			out:  "Running 1s test @ http://127.0.0.1:1\n  2 threads and 8 connections\nLOADGEN_RESULT 20000 1000000 1 2 750 6000 12000\nRequests/sec: 20000\n",
			want: Result{Generator: Wrk, Requests: 20000, Elapsed: time.Second, Errors: 3, P50: 750 * time.Microsecond, P99: 6 * ms, Max: 12 * ms},
		},
		{name: "no result line", out: "Running 1s test\n", wantErr: "no LOADGEN_RESULT"},
		{name: "too few fields", out: "LOADGEN_RESULT 1 2 3\n", wantErr: "3 fields"},
		{name: "negative", out: "LOADGEN_RESULT 1 2 3 4 5 6 -7\n", wantErr: "field 7"},
		{name: "not a number", out: "LOADGEN_RESULT 1 2 x 4 5 6 7\n", wantErr: "field 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseWrk([]byte(tc.out))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseWrk(%q) error = %v, want one containing %q", tc.out, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseWrk(%q): %v", tc.out, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("parseWrk(%q) mismatch (-want +got):\n%s", tc.out, diff)
			}
		})
	}
}

// FuzzParseWrk checks that parsing never panics and that a well-formed
// line round-trips.
func FuzzParseWrk(f *testing.F) {
	f.Add("LOADGEN_RESULT 1 2 3 4 5 6 7", int64(1), int64(2))
	f.Add("garbage", int64(0), int64(0))
	f.Fuzz(func(t *testing.T, out string, a, b int64) {
		_, _ = parseWrk([]byte(out))
		if a < 0 || b < 0 || a > 1<<40 || b > 1<<40 {
			return
		}
		line := fmt.Sprintf("noise\nLOADGEN_RESULT %d %d 0 0 %d %d %d\n", a, b, a, b, b)
		got, err := parseWrk([]byte(line))
		if err != nil {
			t.Fatalf("parseWrk(%q): %v", line, err)
		}
		if got.Requests != a || got.Elapsed != time.Duration(b)*time.Microsecond || got.P99 != time.Duration(b)*time.Microsecond {
			t.Errorf("parseWrk(%q) = %+v, want requests %d and %d µs", line, got, a, b)
		}
	})
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	lat := make([]time.Duration, 100)
	for i := range lat {
		lat[i] = time.Duration(i + 1)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{50, 50}, {99, 99}, {100, 100}, {0.5, 1}, {1, 1}} {
		if got := percentile(lat, tc.p); got != tc.want {
			t.Errorf("percentile(1..100, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil, 50) = %v, want 0", got)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no paths", Config{URL: "http://127.0.0.1:1"}, "no paths"},
		{"both", Config{URL: "http://127.0.0.1:1", Paths: []string{"/"}, IDs: []int64{1}, Template: "/{id}"}, "not both"},
		{"template without id", Config{URL: "http://127.0.0.1:1", IDs: []int64{1}, Template: "/x"}, "{id}"},
		{"bad URL", Config{URL: "127.0.0.1:1", Paths: []string{"/"}}, "base URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Run(context.Background(), Go, tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run(%+v) error = %v, want one containing %q", tc.cfg, err, tc.want)
			}
		})
	}
}

// recorder is a test server that counts requests and the paths and
// headers it saw.
type recorder struct {
	n     atomic.Int64
	mu    sync.Mutex
	paths map[string]int
	hdr   string
}

func newRecorder(t *testing.T) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{paths: map[string]int{}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.n.Add(1)
		rec.mu.Lock()
		rec.paths[r.Method+" "+r.URL.Path]++
		rec.hdr = r.Header.Get("X-Test")
		rec.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/bad") {
			w.WriteHeader(http.StatusInternalServerError)
		}
		_, _ = w.Write([]byte("body"))
	}))
	t.Cleanup(ts.Close)
	return rec, ts
}

func gens(t *testing.T) []Generator {
	if _, err := exec.LookPath("wrk"); err != nil {
		t.Log("wrk is not installed; testing the Go generator only")
		return []Generator{Go}
	}
	return []Generator{Go, Wrk}
}

func TestRun(t *testing.T) {
	t.Parallel()
	for _, gen := range gens(t) {
		t.Run(string(gen), func(t *testing.T) {
			t.Parallel()
			for _, tc := range []struct {
				name      string
				cfg       Config
				wantPaths map[string]bool
				allErrors bool
			}{
				{"fixed paths", Config{Method: "POST", Paths: []string{"/a", "/b"}}, map[string]bool{"POST /a": true, "POST /b": true}, false},
				{"ids", Config{IDs: []int64{7, 8, 9}, Template: "/pins/{id}.json"}, map[string]bool{"GET /pins/7.json": true, "GET /pins/8.json": true, "GET /pins/9.json": true}, false},
				{"errors counted", Config{Paths: []string{"/bad"}}, map[string]bool{"GET /bad": true}, true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					rec, ts := newRecorder(t)
					cfg := tc.cfg
					cfg.URL, cfg.Conns, cfg.Threads = ts.URL, 2, 1
					cfg.Header = http.Header{"X-Test": {"yes"}}
					cfg.Duration = 300 * time.Millisecond
					if gen == Wrk {
						cfg.Duration = time.Second
					}
					res, err := Run(context.Background(), gen, cfg)
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					if res.Requests == 0 || res.Requests > rec.n.Load() {
						t.Errorf("Run reported %d requests, server saw %d; want 0 < reported <= seen", res.Requests, rec.n.Load())
					}
					if tc.allErrors && res.Errors != res.Requests || !tc.allErrors && res.Errors != 0 {
						t.Errorf("Run reported %d errors of %d requests, want all errors = %v", res.Errors, res.Requests, tc.allErrors)
					}
					if res.P50 <= 0 || res.P50 > res.P99 || res.P99 > res.Max {
						t.Errorf("latencies p50 %v p99 %v max %v, want 0 < p50 <= p99 <= max", res.P50, res.P99, res.Max)
					}
					rec.mu.Lock()
					defer rec.mu.Unlock()
					for p := range rec.paths {
						if !tc.wantPaths[p] {
							t.Errorf("server saw %q, want only %v", p, tc.wantPaths)
						}
					}
					if len(rec.paths) != len(tc.wantPaths) {
						t.Errorf("server saw %v, want every one of %v", rec.paths, tc.wantPaths)
					}
					if rec.hdr != "yes" {
						t.Errorf("X-Test header = %q, want yes", rec.hdr)
					}
				})
			}
		})
	}
}

func TestRunSamples(t *testing.T) {
	t.Parallel()
	_, ts := newRecorder(t)
	res, err := Run(context.Background(), Go, Config{URL: ts.URL, Paths: []string{"/"}, Conns: 2, Duration: 200 * time.Millisecond, Samples: true})
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(res.Samples)) != res.Requests {
		t.Fatalf("%d samples for %d requests, want one each", len(res.Samples), res.Requests)
	}
	for _, s := range res.Samples {
		if !s.OK || s.At < 0 || s.At > res.Elapsed || s.Latency <= 0 {
			t.Fatalf("sample %+v, want ok, within the run's %v, positive latency", s, res.Elapsed)
		}
	}
}

func TestParseGenerator(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"auto", "wrk", "go"} {
		if g, err := ParseGenerator(s); err != nil || string(g) != s {
			t.Errorf("ParseGenerator(%q) = %q, %v", s, g, err)
		}
	}
	if _, err := ParseGenerator("ab"); err == nil {
		t.Error(`ParseGenerator("ab") = nil error, want one`)
	}
	if g, err := Auto.Resolve(); err != nil || g == Auto {
		t.Errorf("Auto.Resolve() = %q, %v; want wrk or go", g, err)
	}
}
