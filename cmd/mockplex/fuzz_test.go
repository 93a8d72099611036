package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzParseServe feeds serve's flag parser fuzzed arguments and one fuzzed
// MOCKPLEX_* variable: it never panics, fails only with an exit code 2
// usage error, and what it accepts is a configuration serve can run with.
func FuzzParseServe(f *testing.F) {
	f.Add("--addr 127.0.0.1:0 --control auto", "MOCKPLEX_MAX_PINS", "10")
	f.Add("--control-token t --max-body-bytes 1", "MOCKPLEX_READ_TIMEOUT", "-1s")
	f.Add("--seed=-3 --legacy-accept", "MOCKPLEX_LEGACY_ACCEPT", "maybe")
	f.Add("--max-header-bytes 0", "MOCKPLEX_CONTROL", "yes")
	f.Add("serve extra", "MOCKPLEX_ADDR", ":8080")
	f.Add("-h", "", "")
	f.Add("--control on --max-clients -1", "MOCKPLEX_MAX_ACCOUNTS", "0")
	f.Fuzz(func(t *testing.T, args, envName, envValue string) {
		getenv := func(k string) string {
			if k == envName {
				return envValue
			}
			return ""
		}
		c, err := parseServe(strings.Fields(args), getenv, io.Discard)
		if err != nil {
			var ee *exitError
			if !errors.As(err, &ee) || (ee.code != 2 && ee.code != 0) {
				t.Fatalf("parseServe(%q) = %v, want a usage error (exit 2) or help (exit 0)", args, err)
			}
			return
		}
		if c.Control != "on" && c.Control != "off" && c.Control != "auto" {
			t.Fatalf("accepted --control %q", c.Control)
		}
		if c.MaxBodyBytes < 1 || c.MaxHeaderBytes < 1 || c.MaxPins < 0 || c.JournalSize < 0 || c.Accounts < 1 ||
			c.MaxAccounts < 0 || c.MaxClients < 0 ||
			c.ReadTimeout < 0 || c.WriteTimeout < 0 || c.IdleTimeout < 0 || c.ShutdownTimeout < 0 || c.ExpiryGrace < 0 {
			t.Fatalf("accepted limits that switch a protection off: %+v", c)
		}
		acc := controlAccess(c.Control, c.ControlToken, c.Addr)
		if c.Control == "auto" && !isLoopback(c.Addr) && acc.token == "" {
			t.Fatalf("auto on %q left the control API open", c.Addr)
		}
		if acc.generated && (!acc.on || c.ControlToken != "" || isLoopback(c.Addr)) {
			t.Fatalf("generated a token for %+v", c)
		}
		if acc.on && acc.token == "" && isLoopback(c.Addr) && !acc.loopbackHosts {
			t.Fatalf("open control API on loopback %q answers any Host (DNS rebinding)", c.Addr)
		}
	})
}
