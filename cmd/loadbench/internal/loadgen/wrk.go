package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkScript is the Lua script every wrk run uses: it sets the method and
// headers, picks a path per request from a file when there are several,
// and prints one machine-readable result line when the run is done.
const wrkScript = `
local paths = {}
init = function(args)
  wrk.method = args[2]
  local prefix, suffix = args[3], args[4]
  for i = 5, #args - 1, 2 do wrk.headers[args[i]] = args[i + 1] end
  if prefix ~= "" or suffix ~= "" then
    -- ids as numbers, one array: cheap for LuaJIT's collector
    local ids = {}
    for line in io.lines(args[1]) do ids[#ids + 1] = tonumber(line) end
    if #ids == 0 then error("loadgen: empty ids file") end
    request = function()
      return wrk.format(nil, prefix .. string.format("%d", ids[math.random(#ids)]) .. suffix)
    end
    return
  end
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  if #paths == 0 then error("loadgen: empty paths file") end
  if #paths == 1 then
    wrk.path = paths[1]
    local req = wrk.format()
    request = function() return req end
  else
    request = function() return wrk.format(nil, paths[math.random(#paths)]) end
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("LOADGEN_RESULT %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
`

func runWrk(ctx context.Context, cfg Config) (Result, error) {
	dir, err := os.MkdirTemp("", "loadgen-wrk-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "run.lua")
	paths := filepath.Join(dir, "paths.txt")
	if err := os.WriteFile(script, []byte(wrkScript), 0o600); err != nil {
		return Result{}, err
	}
	lines, prefix, suffix := cfg.Paths, "", ""
	if len(cfg.IDs) > 0 {
		lines = make([]string, len(cfg.IDs))
		for i, id := range cfg.IDs {
			lines[i] = strconv.FormatInt(id, 10)
		}
		prefix, suffix, _ = strings.Cut(cfg.Template, "{id}")
	}
	if err := os.WriteFile(paths, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return Result{}, err
	}
	secs := max(int((cfg.Duration+time.Second-1)/time.Second), 1)
	args := []string{
		"-t", strconv.Itoa(cfg.Threads), "-c", strconv.Itoa(cfg.Conns), "-d", strconv.Itoa(secs) + "s",
		"--timeout", "10s", "-s", script, cfg.URL, "--", paths, cfg.Method, prefix, suffix,
	}
	for k, vs := range cfg.Header {
		for _, v := range vs {
			args = append(args, k, v)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	name := "wrk"
	if cfg.CPUs != "" {
		ts, err := Taskset()
		if err != nil {
			return Result{}, err
		}
		name, args = ts, append([]string{"-c", cfg.CPUs, "wrk"}, args...)
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return Result{}, fmt.Errorf("loadgen: wrk %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	res, err := parseWrk(stdout.Bytes())
	if err != nil {
		return Result{}, fmt.Errorf("%w; wrk said:\n%s%s", err, stdout.String(), stderr.String())
	}
	return res, nil
}

// parseWrk reads the LOADGEN_RESULT line the script's done() prints:
// requests, duration (µs), socket errors, non-2xx/3xx answers, p50, p99 and
// max latency (µs).
func parseWrk(out []byte) (Result, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "LOADGEN_RESULT ")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 7 {
			return Result{}, fmt.Errorf("loadgen: wrk result line has %d fields, want 7: %q", len(f), rest)
		}
		var n [7]int64
		for i, s := range f {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 {
				return Result{}, fmt.Errorf("loadgen: wrk result field %d is %q, want a non-negative integer", i+1, s)
			}
			n[i] = v
		}
		us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
		return Result{
			Generator: Wrk, Requests: n[0], Elapsed: us(n[1]), Errors: n[2] + n[3],
			P50: us(n[4]), P99: us(n[5]), Max: us(n[6]),
		}, nil
	}
	return Result{}, fmt.Errorf("loadgen: no LOADGEN_RESULT line in wrk's output")
}
