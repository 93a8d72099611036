package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/loadgen"
)

// workload is one kind of request the load runs send.
type workload struct {
	name   string
	method string
	path   string // for creates; polls use the pin paths
	suffix string // for polls
	accept string
}

var workloads = []workload{
	{name: "poll json", method: http.MethodGet, suffix: ".json", accept: "application/json"},
	{name: "poll xml", method: http.MethodGet, accept: "application/xml"},
	{name: "create json", method: http.MethodPost, path: "/api/v2/pins.json?strong=true", accept: "application/json"},
	{name: "create xml", method: http.MethodPost, path: "/api/v2/pins?strong=true", accept: "application/xml"},
}

func benchHeader(accept string) http.Header {
	return http.Header{
		"X-Plex-Client-Identifier": {benchClient},
		"X-Plex-Product":           {"Plex Web"},
		"Accept":                   {accept},
	}
}

// runLoad compares mockplex with the baseline: both servers run side by
// side, and each round runs every workload against one then the other,
// the order swapping every round. With -mock-binary, a third server (that
// binary's mock) takes its turn in the same rounds.
func runLoad(ctx context.Context, o options, rep *report) error {
	servers, err := startContenders(ctx, o, childSpec{}, o.mockProfile)
	if err != nil {
		return err
	}
	defer stopAll(servers)
	rep.section(fmt.Sprintf("Load: mockplex vs bare gorilla/mux baseline (%s, %d connections, %s x %d alternating rounds; journal on, per-client scenario evaluated and not firing; mockplex log level %s; mocks reset before every create run)",
		o.gen, o.conns, o.duration, o.rounds, o.logLevel))
	for _, w := range workloads {
		res, err := alternate(ctx, o, servers, w, nil)
		if err != nil {
			return err
		}
		rep.loadRow(w.name, median(res[0]), median(res[1]), pairedRatios(res[0], res[1]))
		rep.otherRows(servers, res)
	}
	return nil
}

// startContenders starts the baseline, this binary's mock (with 1000 pins)
// and, with -mock-binary, that binary's mock, all under spec's pinning.
// The first is the baseline, the second this mock.
func startContenders(ctx context.Context, o options, spec childSpec, profile string) ([]*child, error) {
	base, err := startChildSpec(ctx, o, spec, "baseline")
	if err != nil {
		return nil, err
	}
	base.name = "baseline"
	servers := []*child{base}
	extra := []string{"-serve-pins", "1000"}
	mockExtra := extra
	if profile != "" {
		mockExtra = append(slices.Clone(extra), "-serve-cpuprofile", profile)
	}
	mk, err := startChildSpec(ctx, o, spec, "mock", mockExtra...)
	if err != nil {
		stopAll(servers)
		return nil, err
	}
	mk.name = "mockplex"
	servers = append(servers, mk)
	if o.mockBinary != "" {
		other := spec
		other.exe = o.mockBinary
		old, err := startChildSpec(ctx, o, other, "mock", extra...)
		if err != nil {
			stopAll(servers)
			return nil, fmt.Errorf("-mock-binary %s: %w", o.mockBinary, err)
		}
		old.name = "mock-binary"
		servers = append(servers, old)
	}
	return servers, nil
}

func stopAll(cs []*child) {
	for _, c := range cs {
		c.stop()
	}
}

// alternate warms every server with w, then runs o.rounds rounds of w
// against each, rotating the order every round, and returns each server's
// results in round order. servers[0] is the baseline, which serves any
// pin id, so it polls the ids of servers[1]. Before every create run, the
// mocks are reset, so creates never pile up toward the pin cap.
func alternate(ctx context.Context, o options, servers []*child, w workload, beforeRound func(round int)) ([][]loadgen.Result, error) {
	tgts := make([]reqTarget, len(servers))
	for i, s := range servers {
		tgts[i] = reqTarget{paths: []string{w.path}}
		if w.path != "" {
			continue
		}
		file := s.info.IDsFile
		if i == 0 {
			file = servers[1].info.IDsFile
		}
		var err error
		if tgts[i], err = pinTarget(file, w.suffix); err != nil {
			return nil, err
		}
	}
	runOne := func(i int, d time.Duration) (loadgen.Result, error) {
		if w.method == http.MethodPost && i > 0 {
			if err := resetChild(ctx, servers[i]); err != nil {
				return loadgen.Result{}, err
			}
		}
		return drive(ctx, o, servers[i], w, tgts[i], d)
	}
	// Warm all up (connections, caches, the heap) before measuring.
	for i := range servers {
		if _, err := runOne(i, min(o.duration, time.Second)); err != nil {
			return nil, err
		}
	}
	res := make([][]loadgen.Result, len(servers))
	for r := range o.rounds {
		if beforeRound != nil {
			beforeRound(r)
		}
		for k := range servers {
			i := (k + r) % len(servers)
			got, err := runOne(i, o.duration)
			if err != nil {
				return nil, err
			}
			res[i] = append(res[i], got)
		}
	}
	return res, nil
}

// resetChild empties a mock child (POST /__bench/reset) and sets it up as
// at start.
func resetChild(ctx context.Context, c *child) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/__bench/reset", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reset %s: %w", c.name, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("reset %s: POST /__bench/reset: %s %s (a -mock-binary must be a loadbench built with this reset)", c.name, resp.Status, strings.TrimSpace(string(body)))
	}
	return nil
}

// reqTarget is what a run requests: fixed paths, or pins by id.
type reqTarget struct {
	paths []string
	ids   []int64
	tmpl  string
}

func pinTarget(idsFile, suffix string) (reqTarget, error) {
	ids, err := readIDs(idsFile)
	return reqTarget{ids: ids, tmpl: "/api/v2/pins/{id}" + suffix}, err
}

func drive(ctx context.Context, o options, s *child, w workload, t reqTarget, d time.Duration) (loadgen.Result, error) {
	res, err := loadgen.Run(ctx, o.gen, loadgen.Config{
		URL: s.URL, Method: w.method, Paths: t.paths, IDs: t.ids, Template: t.tmpl, Header: benchHeader(w.accept),
		Conns: o.conns, Threads: o.threads, Duration: d, CPUs: o.genCPUPinned,
	})
	if err != nil {
		return res, err
	}
	if res.Requests == 0 {
		return res, fmt.Errorf("%s against %s: no request completed", w.name, s.URL)
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("%s against %s: %d of %d requests failed (non-2xx or transport error)", w.name, s.URL, res.Errors, res.Requests)
	}
	return res, nil
}

// median takes the median of each figure across runs on its own.
func median(rs []loadgen.Result) figures {
	pick := func(f func(loadgen.Result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		if n := len(v); n%2 == 0 {
			return (v[n/2-1] + v[n/2]) / 2
		}
		return v[len(v)/2]
	}
	return figures{
		rps: pick(loadgen.Result.Throughput),
		p50: time.Duration(pick(func(r loadgen.Result) float64 { return float64(r.P50) })),
		p99: time.Duration(pick(func(r loadgen.Result) float64 { return float64(r.P99) })),
		max: time.Duration(pick(func(r loadgen.Result) float64 { return float64(r.Max) })),
	}
}

// ratios are mockplex's figures over the baseline's, from the runs of one
// round (adjacent in time, so they share the machine's background load).
type ratios struct {
	tp, p99 []float64 // sorted
}

func pairedRatios(base, mock []loadgen.Result) ratios {
	var r ratios
	for i := range min(len(base), len(mock)) {
		r.tp = append(r.tp, mock[i].Throughput()/base[i].Throughput())
		r.p99 = append(r.p99, float64(mock[i].P99)/float64(base[i].P99))
	}
	slices.Sort(r.tp)
	slices.Sort(r.p99)
	return r
}

// medianOf returns the median of sorted values.
func medianOf(v []float64) float64 {
	n := len(v)
	if n == 0 {
		return 0
	}
	if n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[n/2]
}
