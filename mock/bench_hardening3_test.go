package mock_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/mock/device"
)

// Memory floods of issue 18's items 1 and 2, as the red team ran them,
// with figures for BENCHMARKS.md: the live heap each request leaves
// behind (after a GC) and the process's RSS after the flood. Run with a
// fixed count, e.g. -benchtime 10000x. The file uses only the public API,
// so the same benchmarks run on the code before the fix.

// bh3Heap is the live heap after a full GC.
func bh3Heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// bh3RSS is the process's resident set in MB (Linux), or 0.
func bh3RSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

func bh3Serve(b *testing.B, h http.Handler, method, target, client, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("X-Plex-Client-Identifier", client)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// BenchmarkHardening3KIDFlood creates JWK pins whose kid is 3.9 KB (item
// 1), and, for scale, JWK pins with a 64-hex kid and classic pins.
func BenchmarkHardening3KIDFlood(b *testing.B) {
	key, err := device.New(rand.New(rand.NewSource(1)))
	if err != nil {
		b.Fatal(err)
	}
	var jwk map[string]any
	if err := json.Unmarshal(key.JWK(), &jwk); err != nil {
		b.Fatal(err)
	}
	for _, kind := range []struct {
		name string
		kid  string // "" a classic pin
	}{{"kid=3.9KB", strings.Repeat("k", 3900)}, {"kid=64hex", strings.Repeat("ab", 32)}, {"classic", ""}} {
		b.Run(kind.name, func(b *testing.B) {
			srv, err := mock.New(mock.WithSeed(1), mock.WithConfig(mock.Config{MaxPins: -1}))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(srv.Close)
			h := srv.Handler()
			body := `{"strong":true}`
			if kind.kid != "" {
				jwk["kid"] = kind.kid
				raw, _ := json.Marshal(map[string]any{"jwk": jwk, "strong": true})
				body = string(raw)
			}
			before := bh3Heap()
			created := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if rec := bh3Serve(b, h, http.MethodPost, "/api/v2/pins", "flood-"+strconv.Itoa(i), body); rec.Code == http.StatusCreated {
					created++
				}
			}
			b.StopTimer()
			grew := float64(bh3Heap()) - float64(before)
			b.ReportMetric(grew/float64(b.N), "heapB/req")
			b.ReportMetric(float64(created), "pins")
			b.ReportMetric(bh3RSS(), "RSS-MB")
			runtime.KeepAlive(srv)
		})
	}
}

// BenchmarkHardening3PollJWTFlood polls one pending JWK pin with distinct
// 7.7 KB poll JWTs (item 2), signed in the loop.
func BenchmarkHardening3PollJWTFlood(b *testing.B) {
	key, err := device.New(rand.New(rand.NewSource(2)))
	if err != nil {
		b.Fatal(err)
	}
	srv, err := mock.New(mock.WithSeed(1))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Close)
	h := srv.Handler()
	const client = "poll-flood"
	raw, _ := json.Marshal(map[string]any{"jwk": key.JWK(), "strong": true})
	rec := bh3Serve(b, h, http.MethodPost, "/api/v2/pins", client, string(raw))
	var p mock.Pin
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		b.Fatalf("create = %d %s", rec.Code, rec.Body)
	}
	path := "/api/v2/pins/" + strconv.FormatInt(p.ID, 10) + "?deviceJWT="
	pad := strings.Repeat("p", 5700)
	before := bh3Heap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tok, err := key.SignJWT(device.Claims{Issuer: client, Audience: []string{device.Audience, fmt.Sprintf("pad-%d-%s", i, pad)}})
		if err != nil {
			b.Fatal(err)
		}
		if rec := bh3Serve(b, h, http.MethodGet, path+url.QueryEscape(tok), client, ""); rec.Code != http.StatusOK {
			b.Fatalf("poll = %d %s", rec.Code, bytes.TrimSpace(rec.Body.Bytes()))
		}
	}
	b.StopTimer()
	grew := float64(bh3Heap()) - float64(before)
	b.ReportMetric(grew/float64(b.N), "heapB/req")
	b.ReportMetric(bh3RSS(), "RSS-MB")
	runtime.KeepAlive(srv)
}
