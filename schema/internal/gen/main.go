// Command gen rebuilds schema/generated/ from the field tables and the wire
// overlay. It runs from `go generate ./schema/...`:
//
//	go run ./internal/gen -dir .
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mockplex/mockplex/internal/schemagen"
	"github.com/mockplex/mockplex/schema"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	dir := fs.String("dir", ".", "the schema package directory (holds fieldtables/, overlay.yaml and generated/)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	src := os.DirFS(*dir)
	for _, p := range schema.Profiles() {
		out, err := schemagen.Generate(src, p)
		if err != nil {
			return err
		}
		name := filepath.Join(*dir, schemagen.GeneratedDir, schemagen.GeneratedFile(p))
		if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, out) {
			continue
		}
		if err := os.WriteFile(name, out, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "wrote", name)
	}
	return nil
}
