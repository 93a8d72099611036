package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/cmd/loadbench/internal/loadgen"
)

func TestParseFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		args      []string
		wantModes []string
		wantPins  []int
		wantErr   string
	}{
		{"defaults", nil, allModes, []int{1000, 100_000, 1_000_000}, ""},
		{"some modes", []string{"-mode", "load, sweep"}, []string{"load", "sweep"}, []int{1000, 100_000, 1_000_000}, ""},
		{"quick", []string{"-quick", "-mode", "scale"}, []string{"scale"}, []int{1000, 100_000}, ""},
		{"pins", []string{"-pins", "10,20"}, allModes, []int{10, 20}, ""},
		{"extra modes", []string{"-mode", "pinned,clients,fields"}, []string{"clients", "fields", "pinned"}, []int{1000, 100_000, 1_000_000}, ""},
		{"all and pinned", []string{"-mode", "all,pinned"}, append(slices.Clone(allModes), "pinned"), []int{1000, 100_000, 1_000_000}, ""},
		{"unknown mode", []string{"-mode", "fast"}, nil, nil, `-mode "fast"`},
		{"bad pins", []string{"-pins", "10,x"}, nil, nil, `"x" is not a positive count`},
		{"zero rounds", []string{"-rounds", "0"}, nil, nil, "must be positive"},
		{"bad generator", []string{"-gen", "ab"}, nil, nil, "want auto, wrk or go"},
		{"arguments", []string{"extra"}, nil, nil, "unexpected arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseFlags(%q) error = %v, want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tc.args, err)
			}
			var modes []string
			for m := range o.modes {
				modes = append(modes, m)
			}
			slices.Sort(modes)
			want := slices.Sorted(slices.Values(tc.wantModes))
			if diff := cmp.Diff(want, modes); diff != "" {
				t.Errorf("parseFlags(%q) modes (-want +got):\n%s", tc.args, diff)
			}
			if diff := cmp.Diff(tc.wantPins, o.pins); diff != "" {
				t.Errorf("parseFlags(%q) pins (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

func TestParseFlagsPinnedAndMemory(t *testing.T) {
	t.Parallel()
	type got struct {
		ServerCPU, GenCPU, MockBinary string
		PinnedConns, Clients, Every   int
		FieldPins, FieldBytes         int
		MemTimeout                    time.Duration
	}
	defaults := got{ServerCPU: "0", GenCPU: "1", PinnedConns: 50, Clients: 1_000_000, Every: 100_000,
		FieldPins: 5000, FieldBytes: 60_000, MemTimeout: 10 * time.Minute}
	with := func(f func(*got)) got { g := defaults; f(&g); return g }
	for _, tc := range []struct {
		name    string
		args    []string
		want    got
		wantErr string
	}{
		{"defaults", []string{"-mode", "pinned"}, defaults, ""},
		{"cpus swapped", []string{"-cpus", "1,0"}, with(func(g *got) { g.ServerCPU, g.GenCPU = "1", "0" }), ""},
		{"cpus with spaces", []string{"-cpus", " 2, 3"}, with(func(g *got) { g.ServerCPU, g.GenCPU = "2", "3" }), ""},
		{"mock binary", []string{"-mock-binary", "/tmp/loadbench-old"}, with(func(g *got) { g.MockBinary = "/tmp/loadbench-old" }), ""},
		{"memory flags", []string{"-clients", "1000", "-sample-every", "100", "-max-pins", "50", "-field-bytes", "10", "-mem-timeout", "1m", "-pinned-conns", "8"},
			with(func(g *got) {
				g.Clients, g.Every, g.FieldPins, g.FieldBytes, g.MemTimeout, g.PinnedConns = 1000, 100, 50, 10, time.Minute, 8
			}), ""},
		{"one cpu", []string{"-cpus", "0"}, got{}, "want SERVER,GENERATOR"},
		{"same cpu", []string{"-cpus", "1,1"}, got{}, "different CPUs"},
		{"negative cpu", []string{"-cpus", "-1,0"}, got{}, "want SERVER,GENERATOR"},
		{"cpu not a number", []string{"-cpus", "a,b"}, got{}, "want SERVER,GENERATOR"},
		{"zero clients", []string{"-clients", "0"}, got{}, "must be positive"},
		{"zero max pins", []string{"-max-pins", "0"}, got{}, "must be positive"},
		{"zero pinned conns", []string{"-pinned-conns", "0"}, got{}, "must be positive"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseFlags(%q) error = %v, want one containing %q", tc.args, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFlags(%q): %v", tc.args, err)
			}
			g := got{ServerCPU: o.serverCPU, GenCPU: o.genCPU, MockBinary: o.mockBinary, PinnedConns: o.pinnedConns,
				Clients: o.clients, Every: o.sampleEvery, FieldPins: o.fieldPins, FieldBytes: o.fieldBytes, MemTimeout: o.memTimeout}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("parseFlags(%q) mismatch (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

func TestParseVmRSS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, status string
		want         int64
		wantErr      string
	}{
		{"proc status", "Name:\tloadbench\nVmPeak:\t  999 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 1 kB\n", 12345, ""},
		{"no VmRSS", "Name:\tx\n", 0, "no VmRSS"},
		{"bad unit", "VmRSS:\t12 MB\n", 0, "want a count of kB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseVmRSS(tc.status)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseVmRSS(%q) error = %v, want one containing %q", tc.status, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("parseVmRSS(%q) = %d, %v; want %d, nil", tc.status, got, err, tc.want)
			}
		})
	}
}

func TestStatusList(t *testing.T) {
	t.Parallel()
	if got, want := statusList(map[int]int64{404: 3, 0: 1, 200: 2}), "error x1, 200 x2, 404 x3"; got != want {
		t.Errorf("statusList = %q, want %q", got, want)
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	runs := []loadgen.Result{
		{Requests: 100, Elapsed: time.Second, P50: 3 * ms, P99: 9 * ms, Max: 20 * ms},
		{Requests: 300, Elapsed: time.Second, P50: 1 * ms, P99: 7 * ms, Max: 10 * ms},
		{Requests: 200, Elapsed: time.Second, P50: 2 * ms, P99: 8 * ms, Max: 30 * ms},
	}
	got := median(runs)
	want := figures{rps: 200, p50: 2 * ms, p99: 8 * ms, max: 20 * ms}
	if got != want {
		t.Errorf("median = %+v, want %+v", got, want)
	}
	if got := median(runs[:2]); got.rps != 200 || got.p50 != 2*ms {
		t.Errorf("median of two = %+v, want the means: 200 req/s, p50 2ms", got)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	lat := make([]time.Duration, 200)
	for i := range lat {
		lat[len(lat)-1-i] = time.Duration(i + 1)
	}
	got := stats(lat)
	if want := (latencyStats{n: 200, p50: 100, p99: 198, max: 200}); got != want {
		t.Errorf("stats(200..1) = %+v, want %+v", got, want)
	}
	if got := stats(nil); got != (latencyStats{}) {
		t.Errorf("stats(nil) = %+v, want zero", got)
	}
}

func TestPairedRatios(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	base := []loadgen.Result{
		{Requests: 100, Elapsed: time.Second, P99: 10 * ms},
		{Requests: 200, Elapsed: time.Second, P99: 10 * ms},
		{Requests: 400, Elapsed: time.Second, P99: 10 * ms},
	}
	mock := []loadgen.Result{
		{Requests: 90, Elapsed: time.Second, P99: 20 * ms},
		{Requests: 100, Elapsed: time.Second, P99: 10 * ms},
		{Requests: 320, Elapsed: time.Second, P99: 15 * ms},
	}
	got := pairedRatios(base, mock)
	want := ratios{tp: []float64{0.5, 0.8, 0.9}, p99: []float64{1, 1.5, 2}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(ratios{})); diff != "" {
		t.Errorf("pairedRatios mismatch (-want +got):\n%s", diff)
	}
	if m := medianOf(got.tp); m != 0.8 {
		t.Errorf("medianOf(%v) = %v, want 0.8", got.tp, m)
	}
	if m := medianOf([]float64{1, 3}); m != 2 {
		t.Errorf("medianOf([1 3]) = %v, want 2", m)
	}
}

func TestDropAccessLog(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	d := &dropAccessLog{out: &out}
	for _, chunk := range []string{
		"time=1 level=INFO msg=request method=GET path=/a status=200\ntime=2 level=WA",
		"RN msg=\"scenario file rejected\" file=x.yaml\ntime=3 level=INFO msg=request ",
		"method=POST path=/b status=201\n",
	} {
		if n, err := d.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(chunk))
		}
	}
	if got, want := out.String(), "time=2 level=WARN msg=\"scenario file rejected\" file=x.yaml\n"; got != want {
		t.Errorf("passed on %q, want %q", got, want)
	}
}
