package mock_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

// BenchmarkResourcesVsPoll serves GET /api/v2/resources (JSON, the default
// world, owner's token) and a pinned poll (JSON) in turns on one server, and
// reports the throughput of resources as a ratio to the poll's measured in
// the same run ("resources/poll"; BENCHMARKS.md's target is at least 0.8),
// so a busy machine slows both alike.
func BenchmarkResourcesVsPoll(b *testing.B) {
	srv := newBenchServer(b)
	h := srv.Handler()
	poll := "/api/v2/pins/" + strconv.FormatInt(claimedPin(b, srv), 10)
	token := srv.Accounts()[0].AuthToken
	pollReq := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, poll, nil)
		req.Header.Set("X-Plex-Client-Identifier", benchClient)
		req.Header.Set("Accept", "application/json")
		return req
	}
	resReq := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, "/api/v2/resources?includeHttps=1", nil)
		req.Header.Set("X-Plex-Client-Identifier", benchClient)
		req.Header.Set("X-Plex-Token", token)
		req.Header.Set("Accept", "application/json")
		return req
	}
	serveOnce(b, h, resReq(), http.StatusOK) // build the world before timing
	var pollTime, resTime time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		serveOnce(b, h, pollReq(), http.StatusOK)
		t1 := time.Now()
		serveOnce(b, h, resReq(), http.StatusOK)
		pollTime += t1.Sub(t0)
		resTime += time.Since(t1)
	}
	if resTime > 0 {
		b.ReportMetric(float64(pollTime)/float64(resTime), "resources/poll")
	}
}

// BenchmarkResources is GET /api/v2/resources alone, for its allocations.
func BenchmarkResources(b *testing.B) {
	for _, f := range benchFormats {
		b.Run(f.name, func(b *testing.B) {
			srv := newBenchServer(b)
			h := srv.Handler()
			token := srv.Accounts()[0].AuthToken
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/api/v2/resources"+f.suffix, nil)
				req.Header.Set("X-Plex-Client-Identifier", benchClient)
				req.Header.Set("X-Plex-Token", token)
				req.Header.Set("Accept", f.accept)
				serveOnce(b, h, req, http.StatusOK)
			}
		})
	}
}
