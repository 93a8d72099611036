package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/loadgen"
)

// figures are the medians of a set of runs.
type figures struct {
	rps           float64
	p50, p99, max time.Duration
}

// target is one of issue 7's targets, as measured.
type target struct {
	name, got, want string
	ok              bool
}

// report prints results as they come and the targets at the end.
type report struct {
	out       io.Writer
	opts      options
	targets   []target
	scaleRef  *figures
	scaleRefN int
}

func (r *report) printf(format string, a ...any) { fmt.Fprintf(r.out, format, a...) }

func (r *report) header() {
	r.printf("loadbench %s\n", time.Now().UTC().Format(time.RFC3339))
	r.printf("machine: %d CPUs (%s), %s, GOMAXPROCS %d, generator %s\n",
		runtime.NumCPU(), cpuModel(), runtime.Version(), runtime.GOMAXPROCS(0), r.opts.gen)
	if load := loadAvg(); load != "" {
		r.printf("load average before the runs: %s (other work on the machine skews absolute figures; ratios of alternating runs less so)\n", load)
	}
}

func (r *report) section(title string) { r.printf("\n== %s\n", title) }

func (r *report) add(name, got, want string, ok bool) {
	r.targets = append(r.targets, target{name: name, got: got, want: want, ok: ok})
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// loadRow prints one workload. The targets are judged on the median of the
// per-round ratios (each round runs both servers back to back), which
// cancels slow drift in the machine's load better than a ratio of medians.
func (r *report) loadRow(name string, base, mock figures, rr ratios) {
	tp, p99 := medianOf(rr.tp), medianOf(rr.p99)
	r.printf("%-12s baseline %8.0f req/s p50 %s p99 %s | mockplex %8.0f req/s p50 %s p99 %s\n",
		name, base.rps, ms(base.p50), ms(base.p99), mock.rps, ms(mock.p50), ms(mock.p99))
	r.printf("%-12s per-round ratios: throughput x%.2f (%.2f-%.2f), p99 x%.2f (%.2f-%.2f); p50 x%.2f of medians\n",
		"", tp, rr.tp[0], rr.tp[len(rr.tp)-1], p99, rr.p99[0], rr.p99[len(rr.p99)-1], float64(mock.p50)/float64(base.p50))
	switch {
	case strings.HasPrefix(name, "poll"):
		r.add(name+" throughput vs baseline", fmt.Sprintf("%.2f", tp), ">= 0.80", tp >= 0.8)
		r.add(name+" p99 vs baseline", fmt.Sprintf("%.2f", p99), "<= 1.50", p99 <= 1.5)
	case strings.HasPrefix(name, "create"):
		r.add(name+" throughput vs baseline", fmt.Sprintf("%.2f", tp), ">= 0.70", tp >= 0.7)
	}
}

// otherRows prints the -mock-binary's figures of a comparison, if it ran:
// against the baseline, and this mock against it.
func (r *report) otherRows(servers []*child, res [][]loadgen.Result) {
	for i := 2; i < len(servers); i++ {
		f := median(res[i])
		r.printf("%-12s %s %8.0f req/s p50 %s p99 %s (%s)\n", "", servers[i].name, f.rps, ms(f.p50), ms(f.p99), r.opts.mockBinary)
		r.ratioLine(servers[i].name+" / baseline", pairedRatios(res[0], res[i]))
		r.ratioLine("mockplex / "+servers[i].name, pairedRatios(res[i], res[1]))
	}
}

// ratioLine prints the median and range of per-round ratios.
func (r *report) ratioLine(label string, rr ratios) {
	r.printf("%-12s %s: throughput x%.2f (%.2f-%.2f), p99 x%.2f (%.2f-%.2f)\n", "", label,
		medianOf(rr.tp), rr.tp[0], rr.tp[len(rr.tp)-1], medianOf(rr.p99), rr.p99[0], rr.p99[len(rr.p99)-1])
}

// pinnedRow prints the pinned comparison, judged on the core-shape
// issue's targets.
func (r *report) pinnedRow(servers []*child, res [][]loadgen.Result) {
	for i, s := range servers {
		f := median(res[i])
		r.printf("%-12s %8.0f req/s p50 %s p99 %s max %s\n", s.name, f.rps, ms(f.p50), ms(f.p99), ms(f.max))
	}
	rr := pairedRatios(res[0], res[1])
	r.ratioLine("mockplex / baseline", rr)
	for i := 2; i < len(servers); i++ {
		r.ratioLine(servers[i].name+" / baseline", pairedRatios(res[0], res[i]))
		r.ratioLine("mockplex / "+servers[i].name, pairedRatios(res[i], res[1]))
	}
	tp, p99 := medianOf(rr.tp), medianOf(rr.p99)
	r.add("pinned poll json throughput vs baseline", fmt.Sprintf("%.2f", tp), ">= 0.85", tp >= 0.85)
	r.add("pinned poll json p99 vs baseline", fmt.Sprintf("%.2f", p99), "<= 1.30", p99 <= 1.3)
}

// floodRows prints a memory phase's RSS samples and growth.
func (r *report) floodRows(label, unit string, res floodResult) {
	mb := func(kb int64) float64 { return float64(kb) / 1024 }
	first := res.samples[0].rssKB
	r.printf("%s:\n", label)
	for _, s := range res.samples {
		r.printf("  %9d %s: RSS %7.1f MB (%+.1f)\n", s.requests, unit, mb(s.rssKB), mb(s.rssKB-first))
	}
	last := res.samples[len(res.samples)-1]
	per := 0.0
	if last.requests > 0 {
		per = float64(last.rssKB-first) * 1024 / float64(last.requests)
	}
	r.printf("  growth %.1f MB over %d %s (%.0f B each) in %s; heap after a GC %.1f MB, %d live pins; answers: %s\n",
		mb(last.rssKB-first), last.requests, unit, per, res.took.Round(time.Millisecond), res.heap.HeapAllocMB, res.heap.LivePins, statusList(res.statuses))
	if res.timedOut {
		r.printf("  STOPPED after -mem-timeout: the figures cover the %d %s sent\n", last.requests, unit)
	}
}

func (r *report) scaleRow(info ready, f figures) {
	if r.scaleRef == nil {
		r.scaleRef, r.scaleRefN = &f, info.Pins
	}
	ratio := f.rps / r.scaleRef.rps
	r.printf("%8d pins: heap %5.0f B/pin (created in %.2fs) | %8.0f req/s p50 %s p99 %s | throughput x%.2f of %d pins\n",
		info.Pins, info.HeapPerPin, info.CreateSeconds, f.rps, ms(f.p50), ms(f.p99), ratio, r.scaleRefN)
	if info.Pins >= 1_000_000 {
		r.add(fmt.Sprintf("poll throughput at %d pins vs %d", info.Pins, r.scaleRefN), fmt.Sprintf("%.2f", ratio), ">= 0.90", ratio >= 0.9)
		r.add(fmt.Sprintf("heap per pin at %d pins", info.Pins), fmt.Sprintf("%.0f B", info.HeapPerPin), "<= 512 B", info.HeapPerPin <= 512)
	}
}

func (r *report) sweepRows(n int, res sweepResult, took time.Duration, outside, during latencyStats) {
	r.printf("sweep of %d pins: %s until only the survivors were left (%d removed by the benchmark's Sweep calls, the rest by the server's own sweeper), %d live after; heap %.0f MB before, %.0f MB after and a GC\n",
		n, ms(took), res.Swept, res.Live, res.HeapBeforeMB, res.HeapAfterMB)
	r.printf("polls outside the sweep: %7d, p50 %s p99 %s max %s\n", outside.n, ms(outside.p50), ms(outside.p99), ms(outside.max))
	r.printf("polls during the sweep:  %7d, p50 %s p99 %s max %s\n", during.n, ms(during.p50), ms(during.p99), ms(during.max))
	r.add(fmt.Sprintf("worst poll during the sweep of %d pins", n), ms(during.max), "< 100ms (no pause a user sees)", during.max < 100*time.Millisecond)
}

// startupLine prints one binary's start-up runs for one probe.
func (r *report) startupLine(label string, runs []startRun) {
	times := make([]time.Duration, len(runs))
	faults := make([]int64, len(runs))
	for i, run := range runs {
		times[i], faults[i] = run.took, run.minflt
	}
	slices.Sort(times)
	slices.Sort(faults)
	r.printf("  %-48s median %s, min %s, max %s; %d page faults\n", label,
		ms(times[len(times)/2]), ms(times[0]), ms(times[len(times)-1]), faults[len(faults)/2])
}

func (r *report) contractRow(times []time.Duration) {
	med := times[len(times)/2]
	r.printf("contract run: median %s, min %s, max %s\n", ms(med), ms(times[0]), ms(times[len(times)-1]))
	r.add("full contract run against the mock (median)", ms(med), "< 1s", med < time.Second)
}

func (r *report) summary() {
	if len(r.targets) == 0 {
		return
	}
	r.printf("\n== Targets (issue 7; pinned: the core-shape issue)\n")
	for _, t := range r.targets {
		mark := "MISS"
		if t.ok {
			mark = "ok  "
		}
		r.printf("%s %-52s %10s   target %s\n", mark, t.name, t.got, t.want)
	}
}

// cpuModel reads the first model name in /proc/cpuinfo.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
