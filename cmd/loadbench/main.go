// Command loadbench is mockplex's load benchmark. It starts mockplex and a
// bare gorilla/mux baseline side by side on loopback (each in a child
// process of its own), drives them in alternating runs with the same load
// generator (wrk when installed, else a Go generator), and prints ratios
// against the targets of BENCHMARKS.md. It also measures poll throughput
// and heap per pin at 1k to 1M live pins, the sweep of a million expired
// pins, start-up time of the built binary, and a full contract run.
//
//	go run ./cmd/loadbench              # everything, about 4 minutes
//	go run ./cmd/loadbench -quick       # a smoke run, under a minute
//	go run ./cmd/loadbench -mode load -gen go -duration 10s -rounds 5
//	go run ./cmd/loadbench -mode pinned -mock-binary OLD_LOADBENCH
//	go run ./cmd/loadbench -mode clients,fields   # RSS under many or long identities
//
// Every run is bounded; child servers exit when loadbench does.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ue usageError
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}
