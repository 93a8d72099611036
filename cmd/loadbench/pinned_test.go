package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/baseline"
)

// The pinned mode's request, served in process: the mock child's handler
// (built by childMock, access log on and batched, journal on, the bench
// scenario evaluated) against the baseline's, so the difference per
// request, in CPU and in allocations, is the mock's own work. Profile the
// mock's share with
//
//	go test -run '^$' -bench PinnedPoll -benchmem -cpuprofile cpu.out ./cmd/loadbench/
//	go tool pprof -top -focus 'mockplex/mock\.' cpu.out
//
// Handler runs call ServeHTTP directly on a reused request and a writer
// that discards; Loopback runs send the same request over a keep-alive
// loopback connection, as wrk does, to include net/http's side. The
// baseline+headers server is the baseline answering with the two headers
// plex.tv's answers carry and the baseline's lack (Cache-Control, Vary):
// what net/http charges for them is part of any faithful poll.
func BenchmarkPinnedPoll(b *testing.B) {
	for _, kind := range []string{"baseline", "mock"} {
		b.Run("Handler/"+kind, func(b *testing.B) {
			h, path := pinnedHandler(b, kind)
			req := pinnedRequest(b, "http://127.0.0.1"+path)
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				clear(w.h)
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("GET %s = %d, want 200", path, w.status)
				}
			}
		})
	}
	for _, kind := range []string{"baseline", "baseline+headers", "mock"} {
		b.Run("Loopback/"+kind, func(b *testing.B) {
			h, path := pinnedHandler(b, kind)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
			go func() { _ = hs.Serve(ln) }()
			b.Cleanup(func() { _ = hs.Shutdown(context.Background()) })
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { conn.Close() })
			// A raw HTTP/1.1 request, written and read by hand so the
			// client's side costs little next to the server's.
			raw := []byte("GET " + path + " HTTP/1.1\r\nHost: " + ln.Addr().String() +
				"\r\nX-Plex-Client-Identifier: " + benchClient + "\r\nX-Plex-Product: Plex Web\r\nAccept: application/json\r\n\r\n")
			br := bufio.NewReader(conn)
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := conn.Write(raw); err != nil {
					b.Fatal(err)
				}
				if err := readResponse(br); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU reports the process's CPU time (user and system, every
// thread: the server's goroutines, the GC's) per iteration as cpu-ns/op.
// Unlike ns/op it hardly moves when other processes share the machine:
// time spent waiting for a CPU is not counted. Call the function it
// returns when the loop ends.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pinnedHandler builds the pinned mode's server of kind and the path of a
// poll it answers 200.
func pinnedHandler(b *testing.B, kind string) (http.Handler, string) {
	b.Helper()
	switch kind {
	case "baseline":
		return baseline.Handler(), "/api/v2/pins/1234567890.json"
	case "baseline+headers":
		h := baseline.Handler()
		cacheControl, vary := []string{"max-age=0, private, must-revalidate"}, []string{"Origin"}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hd := w.Header()
			hd["Cache-Control"], hd["Vary"] = cacheControl, vary
			h.ServeHTTP(w, r)
		}), "/api/v2/pins/1234567890.json"
	}
	o := options{logLevel: "info", servePins: 1}
	var info ready
	h, closeFn, err := childMock(o, &info, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(closeFn)
	ids, err := os.ReadFile(info.IDsFile)
	if err != nil {
		b.Fatal(err)
	}
	return h, "/api/v2/pins/" + strings.TrimSpace(string(ids)) + ".json"
}

func pinnedRequest(b *testing.B, url string) *http.Request {
	b.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header = benchHeader("application/json")
	req.RemoteAddr = "127.0.0.1:40000"
	return req
}

// readResponse reads one response with a Content-Length body.
func readResponse(br *bufio.Reader) error {
	n := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := strings.CutPrefix(string(line), "Content-Length: "); ok {
			if n, err = strconv.Atoi(strings.TrimSpace(v)); err != nil {
				return err
			}
		}
	}
	if n < 0 {
		return io.ErrUnexpectedEOF
	}
	_, err := br.Discard(n)
	return err
}

// discardWriter is a ResponseWriter that keeps the status and drops the
// body.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(p), nil
}
