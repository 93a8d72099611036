// Command mockplex runs a fake plex.tv PIN API for tests, and checks any
// target (the fake, or plex.tv itself) against the PIN API's contract.
//
//	mockplex serve [flags]       run the fake (see mockplex serve -h)
//	mockplex contract [flags]    run the contract suite against a target
//	mockplex healthcheck         exit 0 when a local mockplex is ready
//	mockplex device <command>    act as a JWT device (test keys, device JWTs)
//	mockplex ca --tls-dir DIR    print the CA that serve --tls-addr uses
//	mockplex version             print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		code := 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		if !errors.Is(err, errQuiet) {
			fmt.Fprintln(os.Stderr, "mockplex:", err)
		}
		os.Exit(code)
	}
}
