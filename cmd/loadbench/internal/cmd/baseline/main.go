// Command baseline serves the load benchmark's bare gorilla/mux baseline
// (package baseline) on --addr. loadbench execs it to measure the start-up
// floor of a Go HTTP binary on the machine, next to mockplex's.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/baseline"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	if err := http.ListenAndServe(*addr, baseline.Handler()); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}
