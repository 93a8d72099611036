package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/loadgen"
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
	mockBinary   string // a loadbench binary whose mock runs beside this one's
	serverCPU    string // pinned mode: the servers' CPU
	genCPU       string // pinned mode: the generator's CPU
	pinnedConns  int
	genCPUPinned string // set by the pinned mode for its runs: drive pins the generator here
	clients      int    // clients mode: distinct client identifiers
	sampleEvery  int    // clients mode: requests between RSS samples
	fieldPins    int    // fields mode: the pin cap, and the creates sent
	fieldBytes   int    // fields mode: length of each long field
	memTimeout   time.Duration

	// child mode
	serve         string
	servePins     int
	serveSurvive  int
	serveLifetime time.Duration
	serveProfile  string
	serveMaxPins  int
}

// allModes are what -mode all runs; extraModes run only when named (each
// takes minutes or measures something other than issue 7's targets).
var (
	allModes   = []string{"load", "scale", "sweep", "startup", "contract"}
	extraModes = []string{"pinned", "clients", "fields"}
)

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "all", "what to measure: all ("+strings.Join(allModes, ", ")+"), or a comma list of those and "+strings.Join(extraModes, ", "))
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
	fs.StringVar(&o.mockBinary, "mock-binary", "", "another loadbench binary (e.g. one built from an older tree): its mock runs beside this one's in the load, pinned, clients and fields modes, in the same alternating rounds")
	cpus := fs.String("cpus", "0,1", "pinned mode: SERVER,GENERATOR CPUs; the server children run under taskset -c SERVER, the generator on GENERATOR")
	fs.IntVar(&o.pinnedConns, "pinned-conns", 50, "pinned mode: keep-alive connections")
	fs.IntVar(&o.clients, "clients", 1_000_000, "clients mode: distinct X-Plex-Client-Identifiers sent")
	fs.IntVar(&o.sampleEvery, "sample-every", 100_000, "clients mode: requests between RSS samples")
	fs.IntVar(&o.fieldPins, "max-pins", 5000, "fields mode: the mock's pin cap, and how many long-field creates are sent")
	fs.IntVar(&o.fieldBytes, "field-bytes", 60_000, "fields mode: length of the long X-Plex-Client-Identifier (header) and X-Plex-Product (form body); under the 64 KiB header and body limits")
	fs.DurationVar(&o.memTimeout, "mem-timeout", 10*time.Minute, "clients and fields modes: give up on a phase after this long (the samples so far are reported)")
	fs.StringVar(&o.serve, "serve", "", "internal: run as the child server, mock or baseline")
	fs.IntVar(&o.servePins, "serve-pins", 0, "internal: live pins the child creates")
	fs.IntVar(&o.serveSurvive, "serve-survivors", 0, "internal: pins created 20 minutes later, which survive /__bench/sweep")
	fs.StringVar(&o.serveProfile, "serve-cpuprofile", "", "internal: write the child's CPU profile here")
	fs.IntVar(&o.serveMaxPins, "serve-max-pins", 0, "internal: the child's pin cap (0: room for its pins)")
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
		case contains(allModes, m), contains(extraModes, m):
			o.modes[m] = true
		default:
			return o, usagef("-mode %q: want all or some of %s", m, strings.Join(append(slices.Clone(allModes), extraModes...), ","))
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
	if o.serverCPU, o.genCPU, err = parseCPUs(*cpus); err != nil {
		return o, usageError{err}
	}
	if o.pinnedConns < 1 || o.clients < 1 || o.sampleEvery < 1 || o.fieldPins < 1 || o.fieldBytes < 1 || o.memTimeout <= 0 {
		return o, usagef("-pinned-conns, -clients, -sample-every, -max-pins, -field-bytes and -mem-timeout must be positive")
	}
	return o, nil
}

// parseCPUs reads -cpus: two different CPU numbers, the servers' and the
// generator's.
func parseCPUs(s string) (server, gen string, err error) {
	a, b, ok := strings.Cut(s, ",")
	x, errA := strconv.Atoi(strings.TrimSpace(a))
	y, errB := strconv.Atoi(strings.TrimSpace(b))
	if !ok || errA != nil || errB != nil || x < 0 || y < 0 {
		return "", "", fmt.Errorf("-cpus %q: want SERVER,GENERATOR CPU numbers, e.g. 0,1", s)
	}
	if x == y {
		return "", "", fmt.Errorf("-cpus %q: the servers and the generator need different CPUs", s)
	}
	return strconv.Itoa(x), strconv.Itoa(y), nil
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
		{"load", runLoad}, {"pinned", runPinned}, {"scale", runScale}, {"sweep", runSweep},
		{"clients", runClients}, {"fields", runFields}, {"startup", runStartup}, {"contract", runContract},
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
