package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/loadgen"
)

// child is a server process started by the parent.
type child struct {
	name  string // for the report: baseline, mockplex, or the -mock-binary's
	cmd   *exec.Cmd
	stdin io.WriteCloser
	info  ready
	URL   string
}

// childSpec says which binary a child runs and where.
type childSpec struct {
	exe string // a loadbench binary; empty: this one
	cpu string // a taskset CPU list to pin the child to; empty: unpinned
}

// startChild re-executes loadbench as a server (kind mock or baseline) and
// waits for its ready line. Extra flags go to the child.
func startChild(ctx context.Context, o options, kind string, extra ...string) (*child, error) {
	return startChildSpec(ctx, o, childSpec{}, kind, extra...)
}

// startChildSpec starts a child from spec's binary, pinned to spec's CPUs
// when given. taskset execs the binary, so the child's pid is the server's.
func startChildSpec(ctx context.Context, o options, spec childSpec, kind string, extra ...string) (*child, error) {
	exe := spec.exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	args := append([]string{"-serve", kind, "-log-level", o.logLevel}, extra...)
	if spec.cpu != "" {
		ts, err := loadgen.Taskset()
		if err != nil {
			return nil, err
		}
		args = append([]string{"-c", spec.cpu, exe}, args...)
		exe = ts
	}
	cmd := exec.Command(exe, args...)
	// The child's logs arrive through a pipe, as a container's do; the
	// access lines are dropped and the rest passed on.
	cmd.Stderr = &dropAccessLog{out: os.Stderr}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s server: %w", kind, err)
	}
	c := &child{name: kind, cmd: cmd, stdin: stdin}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	// A million pins take a few seconds to create.
	timer := time.NewTimer(5 * time.Minute)
	defer timer.Stop()
	select {
	case line, ok := <-lines:
		if !ok {
			c.stop()
			return nil, fmt.Errorf("%s server exited before it was ready", kind)
		}
		if err := json.Unmarshal([]byte(line), &c.info); err != nil {
			c.stop()
			return nil, fmt.Errorf("%s server's ready line %q: %w", kind, line, err)
		}
	case <-ctx.Done():
		c.stop()
		return nil, ctx.Err()
	case <-timer.C:
		c.stop()
		return nil, fmt.Errorf("%s server not ready after 5 minutes", kind)
	}
	c.URL = "http://" + c.info.Addr
	return c, nil
}

// stop closes the child's stdin, which makes it shut down, and waits; it
// kills a child that does not exit within 10 s.
func (c *child) stop() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

// readIDs reads a child's ids file.
func readIDs(file string) ([]int64, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		id, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not a pin id", file, line)
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no pin ids", file)
	}
	return ids, nil
}

// dropAccessLog passes on a child's log lines except its access log (text
// lines with msg=request), which at info would flood the terminal.
type dropAccessLog struct {
	out     io.Writer
	partial []byte
}

func (d *dropAccessLog) Write(p []byte) (int, error) {
	n := len(p)
	d.partial = append(d.partial, p...)
	for {
		i := bytes.IndexByte(d.partial, '\n')
		if i < 0 {
			break
		}
		line := d.partial[:i+1]
		if !bytes.Contains(line, []byte(" msg=request ")) {
			if _, err := d.out.Write(line); err != nil {
				return n, err
			}
		}
		d.partial = d.partial[i+1:]
	}
	d.partial = append([]byte(nil), d.partial...) // do not pin the consumed prefix
	return n, nil
}
