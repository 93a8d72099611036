package main

import (
	"context"
	"errors"
	"fmt"
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

// runStartup times exec of the built binary to its first 200 from
// /readyz, o.startupRuns times, and reports the median.
func runStartup(ctx context.Context, o options, rep *report) error {
	dir, err := os.MkdirTemp("", "loadbench-bin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.binary
	if bin == "" {
		bin = filepath.Join(dir, "mockplex")
		if err := goBuild(ctx, bin, "github.com/mockplex/mockplex/cmd/mockplex"); err != nil {
			return err
		}
	}
	bare := filepath.Join(dir, "baseline")
	if err := goBuild(ctx, bare, "github.com/mockplex/mockplex/internal/loadbench/cmd/baseline"); err != nil {
		return err
	}
	rep.section(fmt.Sprintf("Start-up: exec to the first 200 from /readyz, %d runs each, alternating", o.startupRuns))
	var times, floor []time.Duration
	for range o.startupRuns {
		d, err := startOnce(ctx, bin, "serve", "--log-level", "warn", "--control", "on")
		if err != nil {
			return err
		}
		times = append(times, d)
		if d, err = startOnce(ctx, bare); err != nil {
			return err
		}
		floor = append(floor, d)
	}
	slices.Sort(times)
	slices.Sort(floor)
	rep.startupRow(times, floor)
	return nil
}

func goBuild(ctx context.Context, out, pkg string) error {
	build := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
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

// startOnce execs bin with args and --addr on a free port, polls /readyz
// until it answers 200, then stops the process with SIGTERM.
func startOnce(ctx context.Context, bin string, args ...string) (time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	url := "http://127.0.0.1:" + port + "/readyz"
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	cmd := exec.Command(bin, append(args, "--addr", "127.0.0.1:"+port)...)
	cmd.Env = cleanEnv()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	deadline := start.Add(10 * time.Second)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return 0, errors.Join(fmt.Errorf("%s: no 200 from /readyz within 10 s", bin), err, ctx.Err())
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
