package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/mockplex/mockplex/internal/loadbench/loadgen"
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
// the order swapping every round.
func runLoad(ctx context.Context, o options, rep *report) error {
	base, err := startChild(ctx, o, "baseline")
	if err != nil {
		return err
	}
	defer base.stop()
	extra := []string{"-serve-pins", "1000"}
	if o.mockProfile != "" {
		extra = append(extra, "-serve-cpuprofile", o.mockProfile)
	}
	mk, err := startChild(ctx, o, "mock", extra...)
	if err != nil {
		return err
	}
	defer mk.stop()
	rep.section(fmt.Sprintf("Load: mockplex vs bare gorilla/mux baseline (%s, %d connections, %s x %d alternating rounds; journal on, per-client scenario evaluated and not firing; mockplex log level %s)",
		o.gen, o.conns, o.duration, o.rounds, o.logLevel))
	servers := []*child{base, mk}
	for _, w := range workloads {
		tgt := reqTarget{paths: []string{w.path}}
		if w.path == "" {
			if tgt, err = pinTarget(mk.info.IDsFile, w.suffix); err != nil {
				return err
			}
		}
		// Warm both up (connections, caches, the heap) before measuring.
		for _, s := range servers {
			if _, err := drive(ctx, o, s, w, tgt, min(o.duration, time.Second)); err != nil {
				return err
			}
		}
		res := make([][]loadgen.Result, 2)
		for r := range o.rounds {
			order := []int{0, 1}
			if r%2 == 1 {
				order = []int{1, 0}
			}
			for _, i := range order {
				got, err := drive(ctx, o, servers[i], w, tgt, o.duration)
				if err != nil {
					return err
				}
				res[i] = append(res[i], got)
			}
		}
		rep.loadRow(w.name, median(res[0]), median(res[1]), pairedRatios(res[0], res[1]))
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
		Conns: o.conns, Threads: o.threads, Duration: d,
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
