package main

import (
	"context"
	"fmt"
	"runtime"
)

// runPinned measures poll JSON against the baseline with the servers on
// one CPU and the generator on another (taskset), over o.pinnedConns
// keep-alive connections, so neither steals the other's core. The servers
// run one at a time between them (each child is pinned to the same CPU,
// and only the one under load is busy); mockplex runs as serve ships, at
// o.logLevel with the journal on. The rounds alternate as in the load
// mode, and the targets are the core-shape issue's.
func runPinned(ctx context.Context, o options, rep *report) error {
	if runtime.NumCPU() < 2 {
		return fmt.Errorf("pinned mode needs 2 CPUs, this machine has %d", runtime.NumCPU())
	}
	spec := childSpec{cpu: o.serverCPU}
	servers, err := startContenders(ctx, o, spec, "")
	if err != nil {
		return err
	}
	defer stopAll(servers)
	o.conns, o.threads, o.genCPUPinned = o.pinnedConns, 1, o.genCPU
	rep.section(fmt.Sprintf("Pinned: poll JSON, servers on CPU %s (taskset), %s generator on CPU %s, %d connections, %s x %d alternating rounds; mockplex log level %s, journal on",
		o.serverCPU, o.gen, o.genCPU, o.conns, o.duration, o.rounds, o.logLevel))
	// The target holds on a quiet machine only: the load average before
	// the run and before every round says whether this one was.
	rep.printf("load average before the run: %s\n", loadAvg())
	res, err := alternate(ctx, o, servers, workloads[0], func(round int) {
		rep.printf("round %d/%d: load average %s\n", round+1, o.rounds, loadAvg())
	})
	if err != nil {
		return err
	}
	rep.pinnedRow(servers, res)
	// Pinning gives each side a core, not the machine: other work on it
	// still lands on both cores, and shows here.
	rep.printf("load average after the rounds: %s\n", loadAvg())
	return nil
}
