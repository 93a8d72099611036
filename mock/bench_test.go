package mock_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/scenarios"
	"github.com/mockplex/mockplex/schema"
)

// The benchmarks of the hot paths. They report allocations; figures and the
// targets they are held to live in BENCHMARKS.md, never in assertions here.
//
//	go test -run '^$' -bench . -benchmem ./mock/

const benchClient = "bench-client"

// benchFormats are the two encodings, as a client asks for them: JSON by
// the .json suffix, XML by default.
var benchFormats = []struct {
	name   string
	suffix string
	accept string
}{
	{"json", ".json", "application/json"},
	{"xml", "", "application/xml"},
}

// newBenchServer returns an unstarted server with the journal on and a
// per-client scenario that is evaluated on every request but never fires
// for the requests the benchmarks send (delayed-token acts on polls of
// unclaimed pins only; benchmark pins are polled after being claimed, or are
// created).
func newBenchServer(b *testing.B, opts ...mock.Option) *mock.Server {
	b.Helper()
	srv, err := mock.New(append([]mock.Option{mock.WithSeed(1)}, opts...)...)
	if err != nil {
		b.Fatalf("mock.New: %v", err)
	}
	b.Cleanup(srv.Close)
	if err := srv.SetClientScenario(benchClient, "delayed-token"); err != nil {
		b.Fatalf("SetClientScenario: %v", err)
	}
	return srv
}

// claimedPin creates a pin for benchClient and approves it, so polls of it
// run the scenario without a rule firing.
func claimedPin(b *testing.B, srv *mock.Server) int64 {
	b.Helper()
	p, err := srv.CreatePin(benchClient, "Bench", true)
	if err != nil {
		b.Fatalf("CreatePin: %v", err)
	}
	if _, err := srv.Approve(p.ID, ""); err != nil {
		b.Fatalf("Approve: %v", err)
	}
	return p.ID
}

// serveOnce sends req through h and fails the benchmark on a status other
// than want.
func serveOnce(b *testing.B, h http.Handler, req *http.Request, want int) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s = %d, want %d: %s", req.Method, req.URL.Path, rec.Code, want, rec.Body)
	}
}

func BenchmarkPollHandler(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			srv := newBenchServer(b)
			path := "/api/v2/pins/" + strconv.FormatInt(claimedPin(b, srv), 10) + f.suffix
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("X-Plex-Client-Identifier", benchClient)
				req.Header.Set("Accept", f.accept)
				serveOnce(b, h, req, http.StatusOK)
			}
		})
	}
}

func BenchmarkCreateHandler(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			srv := newBenchServer(b)
			path := "/api/v2/pins" + f.suffix + "?strong=true"
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, path, nil)
				req.Header.Set("X-Plex-Client-Identifier", benchClient)
				req.Header.Set("X-Plex-Product", "Bench")
				req.Header.Set("Accept", f.accept)
				serveOnce(b, h, req, http.StatusCreated)
			}
		})
	}
}

// loopback sends one request over the started server's keep-alive client
// and drains the body.
func loopback(b *testing.B, c *http.Client, method, url, accept string, want int) {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Plex-Client-Identifier", benchClient)
	req.Header.Set("X-Plex-Product", "Bench")
	req.Header.Set("Accept", accept)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("%s %s = %d, want %d", method, url, resp.StatusCode, want)
	}
}

func BenchmarkPollLoopback(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			srv := newBenchServer(b)
			srv.Start()
			url := srv.URL + "/api/v2/pins/" + strconv.FormatInt(claimedPin(b, srv), 10) + f.suffix
			c := srv.Client()
			b.ReportAllocs()
			for b.Loop() {
				loopback(b, c, http.MethodGet, url, f.accept, http.StatusOK)
			}
		})
	}
}

func BenchmarkCreateLoopback(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			srv := newBenchServer(b)
			srv.Start()
			url := srv.URL + "/api/v2/pins" + f.suffix + "?strong=true"
			c := srv.Client()
			b.ReportAllocs()
			for b.Loop() {
				loopback(b, c, http.MethodPost, url, f.accept, http.StatusCreated)
			}
		})
	}
}

// BenchmarkPollParallel polls many pins from GOMAXPROCS goroutines, to show
// lock contention in the store, journal and client state.
func BenchmarkPollParallel(b *testing.B) {
	srv := newBenchServer(b)
	paths := make([]string, 1024)
	for i := range paths {
		paths[i] = "/api/v2/pins/" + strconv.FormatInt(claimedPin(b, srv), 10) + ".json"
	}
	h := srv.Handler()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, paths[i%len(paths)], nil)
			req.Header.Set("X-Plex-Client-Identifier", benchClient)
			serveOnce(b, h, req, http.StatusOK)
			i++
		}
	})
}

func BenchmarkControlApprove(b *testing.B) {
	srv := newBenchServer(b)
	h := srv.Handler()
	// A pin can be approved once, so each iteration gets a fresh one; they
	// are made before the timer starts. b.N is not known before b.Loop, so
	// pins are made in batches with the timer stopped.
	var paths []string
	b.ReportAllocs()
	for b.Loop() {
		if len(paths) == 0 {
			b.StopTimer()
			for range 4096 {
				p, err := srv.CreatePin("approve-client", "Bench", true)
				if err != nil {
					b.Fatalf("CreatePin: %v", err)
				}
				paths = append(paths, "/__mockplex/pins/"+strconv.FormatInt(p.ID, 10)+"/approve")
			}
			b.StartTimer()
		}
		req := httptest.NewRequest(http.MethodPost, paths[len(paths)-1], nil)
		paths = paths[:len(paths)-1]
		serveOnce(b, h, req, http.StatusOK)
	}
}

func BenchmarkScenarioEvaluate(b *testing.B) {
	reg, err := scenarios.NewRegistry("")
	if err != nil {
		b.Fatalf("NewRegistry: %v", err)
	}
	script, ok := reg.Get("delayed-token")
	if !ok {
		b.Fatal(`Get("delayed-token") = false, want the builtin`)
	}
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	hdr := http.Header{"X-Plex-Client-Identifier": {benchClient}}
	for _, tc := range []struct {
		name    string
		polls   int
		approve bool
	}{
		{"no-rule-fires", 2, false},
		{"approves", 5, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ev := scenarios.Event{
				Op: scenarios.OpPoll, Method: http.MethodGet, Path: "/api/v2/pins/1234567890", Header: hdr,
				Now: now, HasPin: true, PinCreated: now.Add(-10 * time.Second), Polls: tc.polls,
				ClientRequests: tc.polls + 1, SinceLastPoll: time.Second, ClientPolls: tc.polls,
			}
			if got := script.Evaluate(ev).Approve != nil; got != tc.approve {
				b.Fatalf("Evaluate(polls %d).Approve set = %v, want %v", tc.polls, got, tc.approve)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = script.Evaluate(ev)
			}
		})
	}
}

// BenchmarkSchemaValidate decodes and validates one of the mock's responses
// against the strict wire profile, as the contract suite does per response.
func BenchmarkSchemaValidate(b *testing.B) {
	sch, err := schema.Compile(schema.Wire, schema.WithStrict(true))
	if err != nil {
		b.Fatalf("schema.Compile: %v", err)
	}
	srv := newBenchServer(b)
	id := strconv.FormatInt(claimedPin(b, srv), 10)
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/api/v2/pins/"+id+f.suffix, nil)
			req.Header.Set("X-Plex-Client-Identifier", benchClient)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			body := rec.Body.Bytes()
			decode := func() (any, error) { return schema.DecodeJSON(body) }
			if f.name == "xml" {
				decode = func() (any, error) { return sch.PinFromXML(body) }
			}
			if doc, err := decode(); err != nil {
				b.Fatalf("decode %s: %v", body, err)
			} else if err := sch.ValidatePin(doc); err != nil {
				b.Fatalf("ValidatePin(%s) = %v, want nil", body, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				doc, err := decode()
				if err != nil {
					b.Fatal(err)
				}
				if err := sch.ValidatePin(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNegotiate is the Accept rule every API request runs.

// BenchmarkSweep expires and sweeps 100k pins; the load benchmark's scale
// mode does the same at a million with polls running (see BENCHMARKS.md).
func BenchmarkSweep(b *testing.B) {
	const n = 100_000
	clock := mock.NewFrozenClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	srv := newBenchServer(b, mock.WithClock(clock))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for range n {
			if _, err := srv.CreatePin("sweep-client", "Bench", true); err != nil {
				b.Fatalf("CreatePin: %v", err)
			}
		}
		clock.Advance(mock.StrongLifetime)
		b.StartTimer()
		// The server's own once-a-second sweeper may be sweeping too and
		// still hold part of the count, so sweep until none are left.
		deadline := time.Now().Add(10 * time.Second)
		for srv.Sweep(); srv.LivePins() > 0; srv.Sweep() {
			if time.Now().After(deadline) {
				b.Fatalf("LivePins() after sweeping for 10s = %d, want 0", srv.LivePins())
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/pin")
}

// BenchmarkNewServer is the cost of a server per test: start and close, as
// a parallel Go suite that gives every test its own server pays it.
// BenchmarkHTTPTestNewServer is the yardstick, in the same run.
func BenchmarkNewServer(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		srv := mock.NewServer()
		srv.Close()
	}
}

func BenchmarkHTTPTestNewServer(b *testing.B) {
	b.ReportAllocs()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for b.Loop() {
		srv := httptest.NewServer(h)
		srv.Close()
	}
}
