package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The memory modes send many distinct or very long identities to a fresh
// mock child and sample its resident set (VmRSS) as they go. They show
// how much per-client state and stored field lengths cost, which caps on
// both bound. Traffic goes to 127.0.0.1 only, and every phase is bounded
// by a request count and by -mem-timeout.

// memConns is how many keep-alive connections the memory modes use.
const memConns = 16

// rssSample is the child's resident set after some requests.
type rssSample struct {
	requests int
	rssKB    int64
}

// floodResult is what one memory phase measured.
type floodResult struct {
	samples  []rssSample
	statuses map[int]int64 // answers by status; 0 counts transport errors
	took     time.Duration
	heap     heapResult // the child's heap after a GC, at the end
	timedOut bool
}

// runClients sends requests from o.clients distinct client identifiers
// that run under a scenario, in two phases on a fresh mock each: every
// request names happy-path in X-Mockplex-Scenario (a poll of a pin that
// does not exist: the scenario is evaluated and the client's trigger
// state kept, then 404), and every client is assigned happy-path with PUT
// /__mockplex/clients/{id}/scenario.
func runClients(ctx context.Context, o options, rep *report) error {
	rep.section(fmt.Sprintf("Clients: %d distinct X-Plex-Client-Identifiers under a scenario, RSS of the mock child every %d requests (%d connections, Go client)",
		o.clients, o.sampleEvery, memConns))
	phases := []struct {
		name string
		req  func(base string, i int) (*http.Request, error)
	}{
		{"X-Mockplex-Scenario: happy-path on a poll", func(base string, i int) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodGet, base+"/api/v2/pins/1.json", nil)
			if err == nil {
				req.Header = benchHeader("application/json")
				req.Header.Set("X-Plex-Client-Identifier", clientName(i))
				req.Header.Set("X-Mockplex-Scenario", "happy-path")
			}
			return req, err
		}},
		{"PUT /__mockplex/clients/{id}/scenario happy-path", func(base string, i int) (*http.Request, error) {
			req, err := http.NewRequest(http.MethodPut, base+"/__mockplex/clients/"+clientName(i)+"/scenario", strings.NewReader(`{"scenario":"happy-path"}`))
			if err == nil {
				req.Header.Set("Content-Type", "application/json")
			}
			return req, err
		}},
	}
	for _, spec := range mockSpecs(o) {
		for _, ph := range phases {
			c, err := startChildSpec(ctx, o, spec, "mock")
			if err != nil {
				return err
			}
			res, err := flood(ctx, o, c, o.clients, o.sampleEvery, ph.req)
			c.stop()
			if err != nil {
				return err
			}
			label := fmt.Sprintf("%s, %s", mockLabel(spec), ph.name)
			rep.floodRows(label, "requests", res)
			// Flat means no growth once warm: the first sample holds the
			// collector's headroom and the per-client state filling up to
			// its cap, which a million clients must not go past.
			warm := res.samples[0]
			if len(res.samples) > 2 {
				warm = res.samples[1]
			}
			growth := float64(res.samples[len(res.samples)-1].rssKB-warm.rssKB) / 1024
			rep.add(fmt.Sprintf("RSS growth after the first sample, %s", label), fmt.Sprintf("%.1f MB", growth), "flat (<= 8 MB)", growth <= 8 && !res.timedOut)
		}
	}
	return nil
}

// runFields creates pins with a very long client identifier (a header)
// and product (the form body), o.fieldPins of them, on a mock capped at
// o.fieldPins pins, sampling RSS every tenth.
func runFields(ctx context.Context, o options, rep *report) error {
	rep.section(fmt.Sprintf("Fields: %d creates with a %d-byte X-Plex-Client-Identifier (header) and X-Plex-Product (form body), pin cap %d, RSS of the mock child every %d creates",
		o.fieldPins, o.fieldBytes, o.fieldPins, max(o.fieldPins/10, 1)))
	product := "X-Plex-Product=" + strings.Repeat("p", o.fieldBytes)
	req := func(base string, i int) (*http.Request, error) {
		req, err := http.NewRequest(http.MethodPost, base+"/api/v2/pins?strong=true", strings.NewReader(product))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		id := clientName(i)
		req.Header.Set("X-Plex-Client-Identifier", id+strings.Repeat("c", max(o.fieldBytes-len(id), 0)))
		return req, nil
	}
	for _, spec := range mockSpecs(o) {
		c, err := startChildSpec(ctx, o, spec, "mock", "-serve-max-pins", strconv.Itoa(o.fieldPins))
		if err != nil {
			return err
		}
		res, err := flood(ctx, o, c, o.fieldPins, max(o.fieldPins/10, 1), req)
		c.stop()
		if err != nil {
			return err
		}
		rep.floodRows(mockLabel(spec), "creates", res)
		created := res.statuses[http.StatusCreated]
		if created > 0 {
			per := float64(res.samples[len(res.samples)-1].rssKB-res.samples[0].rssKB) * 1024 / float64(created)
			rep.printf("  RSS per created pin: %.0f B (%d created; fields of %d bytes each)\n", per, created, o.fieldBytes)
		}
	}
	return nil
}

// mockSpecs are the mocks the memory modes measure: this binary's, and
// the -mock-binary's when given.
func mockSpecs(o options) []childSpec {
	specs := []childSpec{{}}
	if o.mockBinary != "" {
		specs = append(specs, childSpec{exe: o.mockBinary})
	}
	return specs
}

func mockLabel(spec childSpec) string {
	if spec.exe == "" {
		return "mockplex"
	}
	return "mock-binary " + spec.exe
}

func clientName(i int) string { return fmt.Sprintf("loadbench-client-%07d", i) }

// flood sends n requests made by mk (i from 0 to n-1) to c over memConns
// connections, and reads c's RSS before the first and after every every
// requests (each batch finishes before the sample). It stops early, and
// says so, after o.memTimeout.
func flood(ctx context.Context, o options, c *child, n, every int, mk func(base string, i int) (*http.Request, error)) (floodResult, error) {
	ctx, cancel := context.WithTimeout(ctx, o.memTimeout)
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: memConns, MaxConnsPerHost: memConns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	res := floodResult{statuses: map[int]int64{}}
	pid := c.cmd.Process.Pid
	rss, err := readRSS(pid)
	if err != nil {
		return res, err
	}
	res.samples = append(res.samples, rssSample{0, rss})
	var mu sync.Mutex
	var firstErr error
	start := time.Now()
	for from := 0; from < n && ctx.Err() == nil; from += every {
		to := min(from+every, n)
		var next atomic.Int64
		next.Store(int64(from))
		var wg sync.WaitGroup
		for range memConns {
			wg.Go(func() {
				counts := map[int]int64{}
				defer func() {
					mu.Lock()
					for k, v := range counts {
						res.statuses[k] += v
					}
					mu.Unlock()
				}()
				for ctx.Err() == nil {
					i := int(next.Add(1) - 1)
					if i >= to {
						return
					}
					req, err := mk(c.URL, i)
					if err != nil {
						mu.Lock()
						firstErr = cmpOr(firstErr, err)
						mu.Unlock()
						return
					}
					resp, err := client.Do(req.WithContext(ctx))
					if err != nil {
						counts[0]++
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					counts[resp.StatusCode]++
				}
			})
		}
		wg.Wait()
		if firstErr != nil {
			return res, firstErr
		}
		if rss, err = readRSS(pid); err != nil {
			return res, err
		}
		res.samples = append(res.samples, rssSample{to, rss})
	}
	res.took = time.Since(start)
	res.timedOut = ctx.Err() != nil && res.samples[len(res.samples)-1].requests < n
	hctx, hcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer hcancel()
	if err := getJSON(hctx, c.URL+"/__bench/heap", &res.heap); err != nil {
		return res, err
	}
	return res, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// readRSS reads VmRSS (kB) from /proc/PID/status.
func readRSS(pid int) (int64, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read the child's RSS: %w", err)
	}
	return parseVmRSS(string(data))
}

func parseVmRSS(status string) (int64, error) {
	for line := range strings.Lines(status) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb, nil
				}
			}
			return 0, fmt.Errorf("VmRSS line %q: want a count of kB", strings.TrimSpace(line))
		}
	}
	return 0, errors.New("no VmRSS in the child's /proc status")
}

// statusList formats answer counts by status, transport errors as "error".
func statusList(m map[int]int64) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		name := strconv.Itoa(k)
		if k == 0 {
			name = "error"
		}
		parts = append(parts, fmt.Sprintf("%s x%d", name, m[k]))
	}
	return strings.Join(parts, ", ")
}
