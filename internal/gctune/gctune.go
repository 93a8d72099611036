// Package gctune sets the garbage collector the way mockplex serve runs:
// a test double's live heap is small and its allocation rate high, so the
// default GOGC=100 collects far more often than the memory it saves is
// worth, and the collections are what its slowest answers wait for
// (BENCHMARKS.md, Pinned). GOGC and GOMEMLIMIT, when set, win.
package gctune

import (
	"runtime/debug"
)

// Defaults used when the environment does not set GOGC or GOMEMLIMIT:
// collect when the heap has grown by 700% of the live heap, and work
// harder as the heap nears 2 GiB, which holds the default 2,000,000 pins.
// 700 rather than 400: on one core under 50 polling connections, 700 gave
// a p99 7-16% lower and 2-3% more polls a second than 400, for a heap goal
// of about 25 MB instead of 16 (100 and 200 were worse than 400;
// BENCHMARKS.md, "Pinned, the collector's share").
const (
	Percent     = 700
	MemoryLimit = 2 << 30
)

// Apply sets the defaults that getenv leaves unset, and reports what it
// set (for the start-up log).
func Apply(getenv func(string) string) (percent int, limit int64) {
	percent, limit = -1, -1
	if getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
		percent = Percent
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(MemoryLimit)
		limit = MemoryLimit
	}
	return percent, limit
}
