package mock

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// recorder captures the status of a response and carries the journal entry
// handlers annotate (scenario, pin, format).
type recorder struct {
	http.ResponseWriter
	status int
	entry  Request
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for faults).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack supports the reset and empty faults.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("response writer %T cannot hijack", r.ResponseWriter)
	}
	r.status = -1 // no HTTP status was sent
	return h.Hijack()
}

// recorderPool recycles recorders: every request needs one, and its journal
// entry makes it a few hundred bytes. A recorder is reused only after its
// request's handler has returned.
var recorderPool = sync.Pool{New: func() any { return new(recorder) }}

// observe wraps the router: it limits bodies, recovers from panics with
// plex.tv's 500 envelope, journals API requests and logs one line each.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// A bodiless request (every GET) needs no limit.
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.maxBody)
		}
		rec := recorderPool.Get().(*recorder)
		*rec = recorder{ResponseWriter: w}
		rec.entry = Request{Time: s.clock.Now(), Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v) // rec is not reused: net/http may still hold it
				}
				s.log.LogAttrs(r.Context(), slog.LevelError, "panic serving request",
					slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("panic", v))
				if rec.status == 0 {
					writeError(rec, Negotiate(r.URL.Path, r.Header.Values("Accept"), s.cfg.legacyAccept), errInternal)
				}
			}
			s.finish(rec, r, time.Since(start))
			*rec = recorder{} // drop the references before pooling
			recorderPool.Put(rec)
		}()
		next.ServeHTTP(rec, r)
	})
}

func (s *Server) finish(rec *recorder, r *http.Request, took time.Duration) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	e := &rec.entry
	e.Status, e.Duration = status, took
	path := r.URL.Path
	internal := strings.HasPrefix(path, controlPrefix) || path == "/healthz" || path == "/readyz" || isPagePath(path)
	if !internal {
		s.journal.add(*e)
	}
	level := slog.LevelInfo
	if internal {
		level = slog.LevelDebug
	}
	h := s.accessLog.Handler()
	if !h.Enabled(r.Context(), level) {
		return
	}
	// Five attributes fit a slog.Record without allocating; the scenario
	// only comes when there is one.
	attrs := [...]slog.Attr{
		slog.String("method", r.Method), slog.String("path", path), slog.Int("status", status),
		slog.Duration("took", took), slog.String("client", e.ClientIdentifier),
		slog.String("scenario", e.Scenario),
	}
	n := len(attrs)
	if e.Scenario == "" {
		n--
	}
	// The record is built here rather than by Logger.LogAttrs, which looks
	// up its caller on every call (runtime.Callers); the access log's source
	// line would say nothing.
	line := slog.NewRecord(time.Now(), level, "request", 0)
	line.AddAttrs(attrs[:n]...)
	_ = h.Handle(r.Context(), line)
}
