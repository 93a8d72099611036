package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/mock"
)

// startTarget is one binary the start-up benchmark execs.
type startTarget struct {
	label string
	pkg   string   // built when path is empty
	args  []string // before --addr
	path  string
}

// startProbe is the request whose first success ends a start-up run.
type startProbe struct {
	name, method, path string
	want               int
}

// startRun is one measured start.
type startRun struct {
	took   time.Duration
	minflt int64 // minor page faults of the child, from its rusage
}

// runStartup times exec of each binary to its first successful answer,
// o.startupRuns times per binary and probe, rotating the order. The
// binaries are built as the image builds mockplex (static, trimmed,
// stripped). Besides mockplex and the bare baseline, a third binary links
// the baseline with the libraries mockplex must use, so the report can
// tell their package initialisation from mockplex's own start-up.
func runStartup(ctx context.Context, o options, rep *report) error {
	dir, err := os.MkdirTemp("", "loadbench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	targets := []*startTarget{
		{label: "mockplex serve", pkg: "github.com/mockplex/mockplex/cmd/mockplex", args: []string{"serve", "--control", "on"}, path: o.binary},
		{label: "bare Go + mockplex's libraries (cmd/depsfloor)", pkg: "github.com/mockplex/mockplex/cmd/loadbench/internal/cmd/depsfloor"},
		{label: "bare Go net/http + gorilla/mux (cmd/baseline)", pkg: "github.com/mockplex/mockplex/cmd/loadbench/internal/cmd/baseline"},
	}
	for _, t := range targets {
		if t.path != "" {
			continue
		}
		t.path = filepath.Join(dir, filepath.Base(t.pkg))
		if err := goBuild(ctx, t.path, t.pkg); err != nil {
			return err
		}
	}
	probes := []startProbe{
		{"GET /readyz 200", http.MethodGet, "/readyz", http.StatusOK},
		{"POST /api/v2/pins 201", http.MethodPost, "/api/v2/pins", http.StatusCreated},
	}
	rep.section(fmt.Sprintf("Start-up: exec to the first successful answer, %d runs per binary and probe, rotating; built with CGO_ENABLED=0 -trimpath -ldflags \"-s -w\"", o.startupRuns))
	runs := make([][][]startRun, len(probes)) // [probe][target][run]
	for p := range probes {
		runs[p] = make([][]startRun, len(targets))
	}
	for i := range o.startupRuns {
		for p, pr := range probes {
			for k := range targets {
				t := (i + k) % len(targets)
				r, err := startOnce(ctx, targets[t], pr)
				if err != nil {
					return err
				}
				runs[p][t] = append(runs[p][t], r)
			}
		}
	}
	for p, pr := range probes {
		rep.printf("%s:\n", pr.name)
		for t, tg := range targets {
			rep.startupLine(tg.label, runs[p][t])
		}
	}
	mock, libs, bare := medianRun(runs[0][0]), medianRun(runs[0][1]), medianRun(runs[0][2])
	rep.printf("mockplex / bare: %.2f; mockplex / bare with mockplex's libraries: %.2f; the libraries' share: %s of %s over bare\n",
		float64(mock.took)/float64(bare.took), float64(mock.took)/float64(libs.took), ms(libs.took-bare.took), ms(mock.took-bare.took))
	// The 20 ms target is retired (the core-shape issue): a bare binary
	// linked with the required libraries is the floor, and mockplex is held
	// to 1.15 of it, on both probes.
	for p, pr := range probes {
		m, l := medianRun(runs[p][0]), medianRun(runs[p][1])
		ratio := float64(m.took) / float64(l.took)
		rep.add("start-up, "+pr.name+", vs the libraries' floor (median)", fmt.Sprintf("%.2f (%s)", ratio, ms(m.took)), "<= 1.15", ratio <= 1.15)
	}
	return nil
}

// medianRun returns the run with the median time.
func medianRun(runs []startRun) startRun {
	s := slices.Clone(runs)
	slices.SortFunc(s, func(a, b startRun) int { return cmp.Compare(a.took, b.took) })
	return s[len(s)/2]
}

// goBuild builds pkg as the image builds mockplex.
func goBuild(ctx context.Context, out, pkg string) error {
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, pkg)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s (run loadbench inside the module, or pass -binary): %w\n%s", pkg, err, msg)
	}
	return nil
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// startOnce execs the target with --addr on a free port, sends the probe
// until it gets the status it wants, then kills the process.
func startOnce(ctx context.Context, t *startTarget, pr startProbe) (run startRun, err error) {
	port, err := freePort()
	if err != nil {
		return startRun{}, err
	}
	url := "http://127.0.0.1:" + port + pr.path
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	cmd := exec.Command(t.path, append(slices.Clone(t.args), "--addr", "127.0.0.1:"+port)...)
	cmd.Env = cleanEnv()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return startRun{}, err
	}
	defer func() { // run is the named result, so the faults reach the caller
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			run.minflt = ru.Minflt
		}
	}()
	deadline := start.Add(10 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, pr.method, url, nil)
		req.Header.Set("X-Plex-Client-Identifier", "loadbench-startup")
		req.Header.Set("X-Plex-Product", "loadbench")
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == pr.want {
				run.took = time.Since(start)
				return run, nil
			}
			err = fmt.Errorf("%s %s: %s", pr.method, pr.path, resp.Status)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return run, errors.Join(fmt.Errorf("%s: no %d from %s within 10 s", t.path, pr.want, pr.path), err, ctx.Err())
		}
		time.Sleep(200 * time.Microsecond) // back off a little: on 2 cores, the child needs the CPU
	}
}

// cleanEnv is the environment without MOCKPLEX_* variables, so the
// binary runs with its defaults.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MOCKPLEX_") {
			env = append(env, kv)
		}
	}
	return env
}

// runContract times full contract runs (strict schema, control API
// checks included) against an in-process mock over loopback.
func runContract(ctx context.Context, o options, rep *report) error {
	rep.section(fmt.Sprintf("Contract: full contract.Run against mock.NewServer, %d runs", o.contractRuns))
	var times []time.Duration
	for range o.contractRuns {
		srv := mock.NewServer()
		start := time.Now()
		r, err := contract.Run(ctx, contract.Target{Name: "mock", URL: srv.URL, Client: srv.Client()}, contract.WithStrict(true))
		took := time.Since(start)
		srv.Close()
		if err != nil {
			return err
		}
		if !r.Passed() {
			return fmt.Errorf("the contract run against the mock failed: %v", r.Violations())
		}
		times = append(times, took)
	}
	slices.Sort(times)
	rep.contractRow(times)
	return nil
}
