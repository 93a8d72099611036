package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/baseline"
	"github.com/mockplex/mockplex/internal/gctune"
	"github.com/mockplex/mockplex/internal/logbuf"
	"github.com/mockplex/mockplex/internal/textlog"
	"github.com/mockplex/mockplex/mock"
)

// benchClient is the X-Plex-Client-Identifier of every benchmark request.
// The mock gives it a scenario of its own (benchScenario).
const benchClient = "loadbench"

// benchScenario is evaluated on every request of benchClient and never
// fires, so the load runs pay for scenario selection, the per-client
// trigger state and rule matching, and still get plain answers.
const benchScenario = `name: loadbench
description: Evaluated on every request of the load benchmark's client; never fires.
contract: true
rules:
  - name: never fires
    when:
      op: poll
      polls: {gte: 1000000000}
    then:
      approve: {}
`

// ready is the line a child prints on stdout once it serves.
type ready struct {
	Addr          string  `json:"addr"`
	Pins          int     `json:"pins"`
	HeapPerPin    float64 `json:"heapPerPin"`    // bytes, after GC
	CreateSeconds float64 `json:"createSeconds"` // time to create the pins through CreatePin
	IDsFile       string  `json:"idsFile,omitempty"`
	SurvivorsFile string  `json:"survivorsFile,omitempty"`
}

// sweepResult is the answer of the child's GET /__bench/sweep.
type sweepResult struct {
	Swept   int     `json:"swept"`
	Seconds float64 `json:"seconds"`
	Live    int     `json:"live"`
	// Heap in use before the sweep, and after it and a GC.
	HeapBeforeMB float64 `json:"heapBeforeMB"`
	HeapAfterMB  float64 `json:"heapAfterMB"`
}

// heapResult is the answer of the child's GET /__bench/heap.
type heapResult struct {
	HeapAllocMB float64 `json:"heapAllocMB"` // after a GC
	LivePins    int     `json:"livePins"`
}

// serveChild runs one server for the parent: it serves until its stdin
// closes (the parent exited or is done with it), ctx ends, or its lifetime
// passes.
func serveChild(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.serve == "mock" {
		gctune.Apply(os.Getenv) // as mockplex serve runs
	}
	ctx, cancel := context.WithTimeout(ctx, o.serveLifetime)
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	if o.serveProfile != "" {
		f, err := os.Create(o.serveProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	info := ready{Addr: ln.Addr().String()}
	var h http.Handler
	switch o.serve {
	case "baseline":
		h = baseline.Handler()
	case "mock":
		var closeFn func()
		h, closeFn, err = childMock(o, &info, stderr)
		if err != nil {
			return err
		}
		defer closeFn()
	default:
		return usagef("-serve %q: want mock or baseline", o.serve)
	}
	hs := &http.Server{
		Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	line, _ := json.Marshal(info)
	fmt.Fprintf(stdout, "%s\n", line)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	return hs.Shutdown(sctx)
}

// childMock builds the mock as `mockplex serve` does, with the journal on
// and benchScenario assigned to benchClient, and creates o.servePins pins
// (then o.serveSurvive more, 20 minutes later on the mock's clock).
func childMock(o options, info *ready, stderr io.Writer) (http.Handler, func(), error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, nil, usagef("-log-level %q: %v", o.logLevel, err)
	}
	dir, err := os.MkdirTemp("", "loadbench-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if err := os.WriteFile(filepath.Join(dir, "loadbench.yaml"), []byte(benchScenario), 0o600); err != nil {
		cleanup()
		return nil, nil, err
	}
	maxPins := max(2_000_000, 2*(o.servePins+o.serveSurvive)) // at least mockplex serve's default
	if o.serveMaxPins > 0 {
		maxPins = o.serveMaxPins
	}
	// The logs go out as serve writes them: the access log batched, both
	// in slog's text format through internal/textlog.
	logOut := logbuf.New(stderr, 100*time.Millisecond)
	opts := &slog.HandlerOptions{Level: lv}
	srv, err := mock.New(
		mock.WithSeed(1), mock.WithLogger(slog.New(textlog.New(logOut, opts))),
		mock.WithScenarios(dir),
		mock.WithConfig(mock.Config{MaxPins: maxPins, AccessLog: slog.New(textlog.New(logOut.Batched(), opts))}),
	)
	if err != nil {
		logOut.Close()
		cleanup()
		return nil, nil, err
	}
	closeFn := func() { srv.Close(); logOut.Close(); cleanup() }
	if err := srv.SetClientScenario(benchClient, "loadbench"); err != nil {
		closeFn()
		return nil, nil, err
	}
	info.Pins = o.servePins
	if o.servePins > 0 {
		info.IDsFile = filepath.Join(dir, "ids.txt")
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		if err := createPins(srv, o.servePins, info.IDsFile); err != nil {
			closeFn()
			return nil, nil, err
		}
		info.CreateSeconds = time.Since(start).Seconds()
		runtime.GC()
		runtime.ReadMemStats(&after)
		info.HeapPerPin = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(o.servePins)
	}
	if o.serveSurvive > 0 {
		if err := srv.Clock().Advance(20 * time.Minute); err != nil {
			closeFn()
			return nil, nil, err
		}
		info.SurvivorsFile = filepath.Join(dir, "survivors.txt")
		if err := createPins(srv, o.serveSurvive, info.SurvivorsFile); err != nil {
			closeFn()
			return nil, nil, err
		}
	}
	mux := http.NewServeMux()
	// Reset between phases of a run, so creates never pile up toward the
	// pin cap: forget everything, then set up as at start (the client's
	// scenario, and o.servePins fresh pins written over the ids file).
	mux.HandleFunc("POST /__bench/reset", func(w http.ResponseWriter, r *http.Request) {
		srv.Reset()
		err := srv.SetClientScenario(benchClient, "loadbench")
		if err == nil && o.servePins > 0 {
			err = createPins(srv, o.servePins, info.IDsFile)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	// The Go heap after a collection, next to the RSS the parent reads.
	mux.HandleFunc("GET /__bench/heap", func(w http.ResponseWriter, r *http.Request) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(heapResult{HeapAllocMB: float64(ms.HeapAlloc) / (1 << 20), LivePins: livePins(srv)})
	})
	mux.HandleFunc("GET /__bench/sweep", func(w http.ResponseWriter, r *http.Request) {
		// The first pins expire 30 minutes after creation; the survivors
		// 20 minutes later still have 19 minutes to go.
		if err := srv.Clock().Advance(11 * time.Minute); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n := srv.Sweep()
		// The server's own once-a-second sweeper may be sweeping too and
		// hold some of the count; wait for it (bounded).
		for livePins(srv) > o.serveSurvive && time.Since(start) < 30*time.Second {
			n += srv.Sweep()
			time.Sleep(time.Millisecond)
		}
		took := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		res := sweepResult{
			Swept: n, Seconds: took.Seconds(), Live: livePins(srv),
			HeapBeforeMB: float64(before.HeapAlloc) / (1 << 20), HeapAfterMB: float64(after.HeapAlloc) / (1 << 20),
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res)
	})
	// Everything but /__bench/ goes straight to the mock's handler, as
	// mockplex serve hands it to http.Server: a ServeMux in front would add
	// its own matching (a fifth of the mock's time per poll, and five
	// allocations) to every request measured.
	mh := srv.Handler()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__bench/") {
			mux.ServeHTTP(w, r)
			return
		}
		mh.ServeHTTP(w, r)
	})
	return h, closeFn, nil
}

// createPins creates n strong pins for benchClient through the Go API and
// writes their ids to file, one a line, without keeping them in memory (so
// the heap measured is the mock's).
func createPins(srv *mock.Server, n int, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	var buf []byte
	for range n {
		p, err := srv.CreatePin(benchClient, "Plex Web", true)
		if err != nil {
			f.Close()
			return fmt.Errorf("create pin: %w", err)
		}
		buf = strconv.AppendInt(buf[:0], p.ID, 10)
		buf = append(buf, '\n')
		_, _ = w.Write(buf)
	}
	return errors.Join(w.Flush(), f.Close())
}

// livePins reads how many pins srv stores (expired but unswept ones
// included) from its /readyz answer, served in process.
func livePins(srv *mock.Server) int {
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var body struct {
		LivePins int `json:"live_pins"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return body.LivePins
}
