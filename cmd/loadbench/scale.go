package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/loadgen"
)

// runScale measures JSON poll throughput and latency, and heap per live
// pin, at each of o.pins live pins. One mock per size runs side by side
// with the others, and each round polls every size once (random pins out
// of all of them), so drift in the machine hits every size alike.
func runScale(ctx context.Context, o options, rep *report) error {
	rep.section(fmt.Sprintf("Scale: JSON polls of random live pins (%s, %d connections, %s x %d rounds); pins made with CreatePin",
		o.gen, o.conns, o.duration, o.rounds))
	w := workloads[0]
	kids := make([]*child, len(o.pins))
	tgts := make([]reqTarget, len(o.pins))
	for i, n := range o.pins {
		c, err := startChild(ctx, o, "mock", "-serve-pins", strconv.Itoa(n))
		if err != nil {
			return err
		}
		defer c.stop()
		kids[i] = c
		if tgts[i], err = pinTarget(c.info.IDsFile, w.suffix); err != nil {
			return err
		}
		if _, err := drive(ctx, o, c, w, tgts[i], min(o.duration, time.Second)); err != nil {
			return err
		}
	}
	res := make([][]loadgen.Result, len(kids))
	for r := range o.rounds {
		for k := range kids {
			i := (k + r) % len(kids)
			got, err := drive(ctx, o, kids[i], w, tgts[i], o.duration)
			if err != nil {
				return err
			}
			res[i] = append(res[i], got)
		}
	}
	for i, c := range kids {
		rep.scaleRow(c.info, median(res[i]))
	}
	return nil
}

// runSweep expires a million pins and sweeps them while polls of 1000 live
// ones run, and reports how long the sweep took and what the polls saw
// during it.
func runSweep(ctx context.Context, o options, rep *report) error {
	n := slices.Max(o.pins)
	const survivors = 1000
	c, err := startChild(ctx, o, "mock", "-serve-pins", strconv.Itoa(n), "-serve-survivors", strconv.Itoa(survivors))
	if err != nil {
		return err
	}
	defer c.stop()
	tgt, err := pinTarget(c.info.SurvivorsFile, ".json")
	if err != nil {
		return err
	}
	rep.section(fmt.Sprintf("Sweep: %d expired pins swept while %d connections poll %d live ones (Go generator)", n, o.conns, survivors))
	total := max(3*time.Second, o.duration)
	lead := total / 3
	type window struct {
		from, to time.Duration
		res      sweepResult
		err      error
	}
	wc := make(chan window, 1)
	start := time.Now()
	go func() {
		var w window
		t := time.NewTimer(lead)
		defer t.Stop()
		select {
		case <-ctx.Done():
			w.err = ctx.Err()
			wc <- w
			return
		case <-t.C:
		}
		w.from = time.Since(start)
		resp, err := http.Get(c.URL + "/__bench/sweep")
		w.to = time.Since(start)
		if err != nil {
			w.err = err
		} else {
			w.err = json.NewDecoder(resp.Body).Decode(&w.res)
			resp.Body.Close()
		}
		wc <- w
	}()
	res, err := loadgen.Run(ctx, loadgen.Go, loadgen.Config{
		URL: c.URL, IDs: tgt.ids, Template: tgt.tmpl, Header: benchHeader("application/json"),
		Conns: o.conns, Duration: total, Samples: true,
	})
	win := <-wc
	if err != nil {
		return err
	}
	if win.err != nil {
		return fmt.Errorf("sweep request: %w", win.err)
	}
	if res.Errors > 0 {
		return fmt.Errorf("%d of %d polls of live pins failed during the sweep run", res.Errors, res.Requests)
	}
	var during, outside []time.Duration
	for _, s := range res.Samples {
		// A request counts as during the sweep if it overlapped it.
		if s.At <= win.to && s.At+s.Latency >= win.from {
			during = append(during, s.Latency)
		} else {
			outside = append(outside, s.Latency)
		}
	}
	rep.sweepRows(n, win.res, time.Duration(win.res.Seconds*float64(time.Second)), stats(outside), stats(during))
	if win.res.Live != survivors {
		return fmt.Errorf("after the sweep %d pins are live, want the %d survivors", win.res.Live, survivors)
	}
	return nil
}

// latencyStats summarizes a set of latencies.
type latencyStats struct {
	n             int
	p50, p99, max time.Duration
}

func stats(lat []time.Duration) latencyStats {
	slices.Sort(lat)
	s := latencyStats{n: len(lat)}
	if len(lat) == 0 {
		return s
	}
	at := func(p float64) time.Duration {
		i := int(p/100*float64(len(lat))+0.999999) - 1
		return lat[min(max(i, 0), len(lat)-1)]
	}
	s.p50, s.p99, s.max = at(50), at(99), lat[len(lat)-1]
	return s
}
