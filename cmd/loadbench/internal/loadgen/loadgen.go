// Package loadgen drives an HTTP server on loopback with keep-alive load for
// a fixed time and reports throughput and latency percentiles. It runs wrk
// when wrk is installed and a Go generator of its own otherwise; both send
// the same requests over the same number of connections, so a run of one
// server can be compared with a run of another made by the same generator.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Generator names a load generator.
type Generator string

// The generators Run knows.
const (
	Auto Generator = "auto" // wrk when it is on PATH, else Go
	Wrk  Generator = "wrk"
	Go   Generator = "go"
)

// ParseGenerator reads a -gen flag value.
func ParseGenerator(s string) (Generator, error) {
	switch g := Generator(s); g {
	case Auto, Wrk, Go:
		return g, nil
	}
	return "", fmt.Errorf("generator %q: want auto, wrk or go", s)
}

// Resolve turns Auto into Wrk or Go, and fails for Wrk when wrk is not
// installed (apt-get install wrk).
func (g Generator) Resolve() (Generator, error) {
	_, err := exec.LookPath("wrk")
	switch g {
	case Auto:
		if err == nil {
			return Wrk, nil
		}
		return Go, nil
	case Wrk:
		if err != nil {
			return "", errors.New("wrk is not on PATH: install it (apt-get install -y wrk) or use -gen go")
		}
	}
	return g, nil
}

// Config is one run: which requests to send, over how many connections,
// for how long.
type Config struct {
	URL    string   // base URL, e.g. http://127.0.0.1:41234
	Method string   // GET when empty
	Paths  []string // each request picks one at random
	// With IDs, each request instead asks for Template with "{id}"
	// replaced by one of IDs picked at random. The ids are kept as numbers,
	// not a million strings, so the generator's own GC stays out of the
	// figures however many there are.
	Template string
	IDs      []int64
	Header   http.Header   // sent with every request
	Conns    int           // keep-alive connections (default 32)
	Threads  int           // wrk threads (default 2)
	Duration time.Duration // run length (default 5 s)
	// Samples keeps each request's start offset and latency in the Result
	// (Go generator only), to look at a window of the run.
	Samples bool
	// CPUs, when set, pins the generator to these CPUs (a taskset list,
	// e.g. "1"): wrk runs under taskset -c, and the Go generator pins this
	// whole process for the run and restores its mask after.
	CPUs string
}

func (c Config) withDefaults() (Config, error) {
	if c.Method == "" {
		c.Method = http.MethodGet
	}
	if c.Conns <= 0 {
		c.Conns = 32
	}
	if c.Threads <= 0 {
		c.Threads = 2
	}
	c.Threads = min(c.Threads, c.Conns)
	if c.Duration <= 0 {
		c.Duration = 5 * time.Second
	}
	switch {
	case len(c.IDs) > 0 && len(c.Paths) > 0:
		return c, errors.New("loadgen: give Paths or IDs, not both")
	case len(c.IDs) > 0 && strings.Count(c.Template, "{id}") != 1:
		return c, fmt.Errorf("loadgen: template %q must hold {id} once", c.Template)
	case len(c.IDs) == 0 && len(c.Paths) == 0:
		return c, errors.New("loadgen: no paths to request")
	}
	u, err := url.Parse(c.URL)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return c, fmt.Errorf("loadgen: base URL %q: want http://host:port", c.URL)
	}
	return c, nil
}

// Sample is one request of a Go-generated run.
type Sample struct {
	At      time.Duration // start, from the start of the run
	Latency time.Duration
	OK      bool // a 2xx answer
}

// Result is what one run measured.
type Result struct {
	Generator Generator
	Requests  int64 // completed requests, errors included
	Errors    int64 // non-2xx answers and transport errors
	Elapsed   time.Duration
	P50, P99  time.Duration
	Max       time.Duration
	Samples   []Sample // with Config.Samples, in no particular order
}

// Throughput is completed requests per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Run drives cfg.URL with gen (Auto resolved first) until cfg.Duration
// passes or ctx ends.
func Run(ctx context.Context, gen Generator, cfg Config) (Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Result{}, err
	}
	gen, err = gen.Resolve()
	if err != nil {
		return Result{}, err
	}
	if gen == Wrk {
		if cfg.Samples {
			return Result{}, errors.New("loadgen: samples need the Go generator")
		}
		return runWrk(ctx, cfg)
	}
	if cfg.CPUs != "" {
		restore, err := PinProcess(cfg.CPUs)
		if err != nil {
			return Result{}, err
		}
		defer restore()
	}
	return runGo(ctx, cfg)
}

// Taskset returns the path of taskset (util-linux), or an error that says
// how to install it.
func Taskset() (string, error) {
	path, err := exec.LookPath("taskset")
	if err != nil {
		return "", errors.New("taskset is not on PATH: pinned runs need it (apt-get install -y util-linux)")
	}
	return path, nil
}

// PinProcess pins every thread of this process to cpus (a taskset list)
// with taskset -a -p; threads started later inherit the mask. restore puts
// back the mask the process had.
func PinProcess(cpus string) (restore func(), err error) {
	ts, err := Taskset()
	if err != nil {
		return nil, err
	}
	pid := strconv.Itoa(os.Getpid())
	was, err := allowedCPUs()
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command(ts, "-a", "-p", "-c", cpus, pid).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("loadgen: taskset -a -p -c %s %s: %w: %s", cpus, pid, err, strings.TrimSpace(string(out)))
	}
	return func() { _ = exec.Command(ts, "-a", "-p", "-c", was, pid).Run() }, nil
}

// allowedCPUs reads this process's CPU list from /proc/self/status.
func allowedCPUs() (string, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "", fmt.Errorf("loadgen: read own CPU mask: %w", err)
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", errors.New("loadgen: no Cpus_allowed_list in /proc/self/status")
}

// percentile returns the p-th percentile (0 < p <= 100) of sorted, by the
// nearest-rank method.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted)) + 0.999999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func summarize(lat []time.Duration) (p50, p99, maxLat time.Duration) {
	slices.Sort(lat)
	if len(lat) == 0 {
		return 0, 0, 0
	}
	return percentile(lat, 50), percentile(lat, 99), lat[len(lat)-1]
}
