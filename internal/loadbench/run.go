package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/mockplex/mockplex/internal/loadbench/loadgen"
)

// usageError is a bad command line (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// options are loadbench's flags.
type options struct {
	modes        map[string]bool
	gen          loadgen.Generator
	duration     time.Duration
	rounds       int
	conns        int
	threads      int
	pins         []int
	startupRuns  int
	contractRuns int
	logLevel     string
	binary       string
	mockProfile  string

	// child mode
	serve         string
	servePins     int
	serveSurvive  int
	serveLifetime time.Duration
	serveProfile  string
}

var allModes = []string{"load", "scale", "sweep", "startup", "contract"}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "all", "what to measure: all, or a comma list of "+strings.Join(allModes, ", "))
	gen := fs.String("gen", "auto", "load generator: auto (wrk if installed, else go), wrk or go")
	quick := fs.Bool("quick", false, "a short smoke run for CI (1 s runs, one round, up to 100k pins, few start-ups)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "length of each load run")
	fs.IntVar(&o.rounds, "rounds", 3, "alternating rounds per server and workload; medians are reported")
	fs.IntVar(&o.conns, "conns", 32, "keep-alive connections")
	fs.IntVar(&o.threads, "threads", runtime.NumCPU(), "wrk threads")
	pins := fs.String("pins", "1000,100000,1000000", "live pin counts for the scale benchmark")
	fs.IntVar(&o.startupRuns, "startup-runs", 20, "exec-to-first-response runs of the built binary")
	fs.IntVar(&o.contractRuns, "contract-runs", 5, "full contract runs against the in-process mock")
	fs.StringVar(&o.logLevel, "log-level", "info", "mockplex's log level in the load runs: info, serve's default, logs a line per request (batched, as serve does)")
	fs.StringVar(&o.mockProfile, "cpuprofile", "", "write a CPU profile of the mockplex server of the load runs to this file")
	fs.StringVar(&o.binary, "binary", "", "mockplex binary for the start-up benchmark (default: go build ./cmd/mockplex)")
	fs.StringVar(&o.serve, "serve", "", "internal: run as the child server, mock or baseline")
	fs.IntVar(&o.servePins, "serve-pins", 0, "internal: live pins the child creates")
	fs.IntVar(&o.serveSurvive, "serve-survivors", 0, "internal: pins created 20 minutes later, which survive /__bench/sweep")
	fs.StringVar(&o.serveProfile, "serve-cpuprofile", "", "internal: write the child's CPU profile here")
	fs.DurationVar(&o.serveLifetime, "serve-lifetime", 30*time.Minute, "internal: the child exits after this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, nil
		}
		return o, usageError{err}
	}
	if fs.NArg() > 0 {
		return o, usagef("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.gen, err = loadgen.ParseGenerator(*gen); err != nil {
		return o, usageError{err}
	}
	o.modes = map[string]bool{}
	for m := range strings.SplitSeq(*mode, ",") {
		m = strings.TrimSpace(m)
		switch {
		case m == "all":
			for _, a := range allModes {
				o.modes[a] = true
			}
		case contains(allModes, m):
			o.modes[m] = true
		default:
			return o, usagef("-mode %q: want all or some of %s", m, strings.Join(allModes, ","))
		}
	}
	for f := range strings.SplitSeq(*pins, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return o, usagef("-pins: %q is not a positive count", f)
		}
		o.pins = append(o.pins, n)
	}
	if *quick {
		o.duration, o.rounds, o.startupRuns, o.contractRuns = time.Second, 1, 5, 1
		o.pins = []int{1000, 100_000}
	}
	if o.rounds < 1 || o.conns < 1 || o.duration <= 0 {
		return o, usagef("-rounds, -conns and -duration must be positive")
	}
	return o, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil || len(o.modes) == 0 && o.serve == "" {
		return err
	}
	if o.serve != "" {
		return serveChild(ctx, o, stdout, stderr)
	}
	gen, err := o.gen.Resolve()
	if err != nil {
		return usageError{err}
	}
	o.gen = gen
	rep := &report{out: stdout, opts: o}
	rep.header()
	steps := []struct {
		mode string
		fn   func(context.Context, options, *report) error
	}{
		{"load", runLoad}, {"scale", runScale}, {"sweep", runSweep}, {"startup", runStartup}, {"contract", runContract},
	}
	var errs []error
	for _, st := range steps {
		if !o.modes[st.mode] {
			continue
		}
		if err := st.fn(ctx, o, rep); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", st.mode, err))
			fmt.Fprintf(stdout, "\n%s: FAILED: %v\n", st.mode, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	rep.summary()
	return errors.Join(errs...)
}
