// Command depsfloor is the start-up benchmark's second yardstick: the bare
// baseline (package baseline) linked with the libraries mockplex must use,
// so that their package initialisation runs before main as it does in
// mockplex. github.com/santhosh-tekuri/jsonschema/v5 compiles its
// meta-schemas in init, github.com/brianvoe/gofakeit/v6 builds its data
// tables, go.yaml.in/yaml/v3 its tables. The gap between this binary and the
// bare baseline is what those libraries cost; the gap between mockplex and
// this binary is mockplex's own.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"go.yaml.in/yaml/v3"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/baseline"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	// Use each library once, as mockplex does at start, so none is linked
	// out and the first calls' costs are in.
	_ = gofakeit.New(1).Name()
	_ = jsonschema.NewCompiler()
	var v any
	_ = yaml.Unmarshal([]byte("a: 1"), &v)
	if err := http.ListenAndServe(*addr, baseline.Handler()); err != nil {
		fmt.Fprintln(os.Stderr, "depsfloor:", err)
		os.Exit(1)
	}
}
