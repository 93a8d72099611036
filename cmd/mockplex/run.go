package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// errQuiet marks an error already reported to the user.
var errQuiet = errors.New("already reported")

const usage = `usage: mockplex <command> [flags]

commands:
  serve        run the fake plex.tv PIN API (default address 127.0.0.1:8080)
  contract     check a target against the PIN API contract
  healthcheck  exit 0 when the mockplex at --addr is ready
  device       act as a JWT device: make a test key, print its JWK, sign
               device JWTs, verify Plex JWTs (for curl walks of the JWT flow)
  ca           print the CA certificate kept in --tls-dir (made when absent),
               for clients to trust serve --tls-addr's HTTPS
  version      print the version

Run "mockplex <command> -h" for a command's flags. Every serve flag can also
be set with a MOCKPLEX_* environment variable; a flag wins.`

// run is the whole program, with its environment injected so tests can run
// it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return &exitError{code: 2, err: errQuiet}
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "contract":
		return runContract(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "ca":
		return runCA(args[1:], getenv, stdout, stderr)
	case "device":
		return runDevice(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "mockplex", version)
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return usageErrorf("unknown command %q", args[0])
}
