package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/internal/loadbench/loadgen"
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
