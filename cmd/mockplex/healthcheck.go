package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// runHealthcheck exits 0 when the mockplex at --addr answers /readyz with
// 200; it is the container's HEALTHCHECK, so it needs no curl in the image.
func runHealthcheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mockplex healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := getenv("MOCKPLEX_ADDR")
	if def == "" {
		def = defaultAddr
	}
	addr := fs.String("addr", def, "address mockplex listens on (MOCKPLEX_ADDR)")
	timeout := fs.Duration("timeout", 2*time.Second, "how long to wait for an answer")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: mockplex healthcheck [--addr HOST:PORT] [--timeout D]\n\n"+
			"Exits 0 when the mockplex at --addr answers GET /readyz with 200 (the image's HEALTHCHECK).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2, err: errQuiet}
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageErrorf("--addr %q: %v", *addr, err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	url := "http://" + net.JoinHostPort(host, port) + "/readyz"
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usageErrorf("build request: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("not healthy: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("not healthy: GET %s answered %s", url, resp.Status)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
