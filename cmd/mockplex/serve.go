package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mockplex/mockplex/internal/gctune"
	"github.com/mockplex/mockplex/internal/logbuf"
	"github.com/mockplex/mockplex/internal/textlog"
	"github.com/mockplex/mockplex/mock"
)

// config is the binary's configuration: every field is a flag whose default
// comes from a MOCKPLEX_* environment variable.
type config struct {
	Addr            string
	Seed            int64
	LogFormat       string
	LogLevel        string
	Control         string
	ControlToken    string
	Scenario        string
	ScenarioDir     string
	World           string
	PublicURL       string
	LegacyAccept    bool
	StateFile       string
	MaxPins         int
	JournalSize     int
	MaxBodyBytes    int64
	MaxHeaderBytes  int
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	ShutdownTimeout time.Duration
	ExpiryGrace     time.Duration
	Accounts        int
	MaxAccounts     int
	MaxClients      int
	TLSAddr         string   // tls.go
	TLSHosts        []string // tls.go
	TLSDir          string   // tls.go
}

// defaultAddr is serve's and healthcheck's default listen address:
// loopback, so the control API is open without a token, to loopback Host
// names only (see controlAccess). Containers set MOCKPLEX_ADDR=:8080
// themselves.
const defaultAddr = "127.0.0.1:8080"

// Defaults of the limits flags; mock.Config's zero fields mean the same.
const (
	defaultMaxPins      = 2_000_000
	defaultJournalSize  = 1000
	defaultMaxBodyBytes = 64 << 10
	defaultMaxAccounts  = 10_000
	defaultMaxClients   = 10_000
)

// logFlushEvery is how late an access-log line may appear.
const logFlushEvery = 100 * time.Millisecond

// envFlags registers flags whose defaults come from the environment.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	errs   []error
}

func envName(flagName string) string {
	return "MOCKPLEX_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (e *envFlags) str(p *string, name, def, usage string) {
	if v := e.getenv(envName(name)); v != "" {
		def = v
	}
	e.fs.StringVar(p, name, def, usage+" ("+envName(name)+")")
}

func (e *envFlags) int(p *int, name string, def int, usage string) {
	if v := e.getenv(envName(name)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want an integer", envName(name), v))
		}
		def = n
	}
	e.fs.IntVar(p, name, def, usage+" ("+envName(name)+")")
}

func (e *envFlags) int64(p *int64, name string, def int64, usage string) {
	if v := e.getenv(envName(name)); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want an integer", envName(name), v))
		}
		def = n
	}
	e.fs.Int64Var(p, name, def, usage+" ("+envName(name)+")")
}

func (e *envFlags) bool(p *bool, name string, def bool, usage string) {
	if v := e.getenv(envName(name)); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: want true or false", envName(name), v))
		}
		def = b
	}
	e.fs.BoolVar(p, name, def, usage+" ("+envName(name)+")")
}

func (e *envFlags) duration(p *time.Duration, name string, def time.Duration, usage string) {
	if v := e.getenv(envName(name)); v != "" {
		d, err := parseDuration(v)
		if err != nil {
			e.errs = append(e.errs, fmt.Errorf("%s=%q: %v", envName(name), v, err))
		}
		def = d
	}
	*p = def
	// The backquotes make the help name the type "duration", as DurationVar's does.
	e.fs.Var((*durationFlag)(p), name, usage+" (a `duration` such as 10s; "+envName(name)+")")
}

// source names where the value of flag name came from, for errors: the
// flag when given on the command line, else its MOCKPLEX_* variable when
// set, else the flag.
func (e *envFlags) source(name string) string {
	set := false
	e.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if !set && e.getenv(envName(name)) != "" {
		return envName(name)
	}
	return "--" + name
}

// durationFlag is a time.Duration flag whose error for a bare number says
// which unit to add.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := parseDuration(s)
	if err != nil {
		return err
	}
	*d = durationFlag(v)
	return nil
}

// parseDuration is time.ParseDuration with errors that say what to write.
func parseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err == nil {
		return d, nil
	}
	if _, nerr := strconv.ParseFloat(s, 64); nerr == nil {
		return 0, fmt.Errorf("a duration needs a unit: use %ss (or ms, m, h)", s)
	}
	return 0, fmt.Errorf("want a Go duration such as 10s, 500ms or 2m, got %q", s)
}

// parseServe parses serve's flags over MOCKPLEX_* defaults.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("mockplex serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	e := &envFlags{fs: fs, getenv: getenv}
	e.str(&c.Addr, "addr", defaultAddr, "listen address; on one beyond loopback, such as :8080, --control auto guards the control API with a generated token")
	e.int64(&c.Seed, "seed", 0, "seed for every generated value; 0 picks a random seed")
	e.str(&c.LogFormat, "log-format", "text", "log format: text or json")
	e.str(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	e.str(&c.Control, "control", "auto", "control API and pages: on, off, or auto (on for a loopback address, else guarded by a generated token that is logged at start)")
	e.str(&c.ControlToken, "control-token", "", "token that guards the control API and pages")
	e.str(&c.Scenario, "scenario", "", "default scenario for every request")
	e.str(&c.ScenarioDir, "scenarios", "", "folder of scenario files, hot-reloaded")
	e.str(&c.World, "world", "", "world file (YAML or JSON): the accounts' servers and shares, hot-reloaded (docs/world.md)")
	e.str(&c.PublicURL, "public-url", "", "base URL the qr field and auth URLs point at (e.g. http://localhost:8080)")
	e.bool(&c.LegacyAccept, "legacy-accept", false, "pre-2026 Accept rule: the first listed type wins")
	e.str(&c.StateFile, "state-file", "", "save pins and accounts here on shutdown and restore them on start (its folder must be writable: checked at start)")
	e.int(&c.MaxPins, "max-pins", defaultMaxPins, "live pin limit; creating more answers 503 with Retry-After (0: no limit)")
	e.int(&c.JournalSize, "journal-size", defaultJournalSize, "requests kept in the journal (0: keep none)")
	e.int64(&c.MaxBodyBytes, "max-body-bytes", defaultMaxBodyBytes, "request body limit")
	e.int(&c.MaxHeaderBytes, "max-header-bytes", 64<<10, "request header limit")
	e.duration(&c.ReadTimeout, "read-timeout", 10*time.Second, "time to read a request, headers and body (0: no limit)")
	e.duration(&c.WriteTimeout, "write-timeout", 60*time.Second, "time to write a response, slow scenarios included (0: no limit)")
	e.duration(&c.IdleTimeout, "idle-timeout", 120*time.Second, "keep-alive idle timeout (0: the read timeout)")
	e.duration(&c.ShutdownTimeout, "shutdown-timeout", 10*time.Second, "time in-flight requests get on SIGTERM")
	e.duration(&c.ExpiryGrace, "expiry-grace", 0, "keep expired pins readable this long past expiresAt")
	e.int(&c.Accounts, "accounts", 3, "fake accounts to create")
	e.int(&c.MaxAccounts, "max-accounts", defaultMaxAccounts, "accounts kept that sign-ups made (new-account scenario); past it the oldest is forgotten (0: no limit)")
	e.int(&c.MaxClients, "max-clients", defaultMaxClients, "clients whose scenario state is kept, and JWT devices; past it a client with no assigned scenario, or a device without live Plex JWTs, is forgotten (0: no limit)")
	tlsFlags(e, &c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, &exitError{code: 0, err: errQuiet}
		}
		return c, &exitError{code: 2, err: errQuiet}
	}
	if len(e.errs) > 0 {
		return c, &exitError{code: 2, err: errors.Join(e.errs...)}
	}
	if fs.NArg() > 0 {
		return c, usageErrorf("serve takes no arguments, got %q", fs.Args())
	}
	switch c.Control {
	case "on", "off", "auto":
	default:
		return c, usageErrorf("%s must be on, off or auto, got %q", e.source("control"), c.Control)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, usageErrorf("%s %q: want an absolute http or https URL such as http://localhost:8080, the address browsers use", e.source("public-url"), c.PublicURL)
		}
	}
	return c, checkLimits(c)
}

// checkLimits refuses limits that would disable a protection by accident:
// a negative count or duration, or a body or header limit of zero.
func checkLimits(c config) error {
	var errs []error
	for _, n := range []struct {
		name string
		v    int64
		min  int64
	}{
		{"--max-pins", int64(c.MaxPins), 0}, {"--journal-size", int64(c.JournalSize), 0},
		{"--max-body-bytes", c.MaxBodyBytes, 1}, {"--max-header-bytes", int64(c.MaxHeaderBytes), 1},
		{"--accounts", int64(c.Accounts), 1},
		{"--max-accounts", int64(c.MaxAccounts), 0}, {"--max-clients", int64(c.MaxClients), 0},
	} {
		if n.v < n.min {
			errs = append(errs, fmt.Errorf("%s must be at least %d, got %d", n.name, n.min, n.v))
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"--read-timeout", c.ReadTimeout}, {"--write-timeout", c.WriteTimeout}, {"--idle-timeout", c.IdleTimeout},
		{"--shutdown-timeout", c.ShutdownTimeout}, {"--expiry-grace", c.ExpiryGrace},
	} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative, got %s", d.name, d.v))
		}
	}
	if len(errs) > 0 {
		return &exitError{code: 2, err: errors.Join(errs...)}
	}
	return nil
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageErrorf("--log-level must be debug, info, warn or error, got %q", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		// slog's text format, written faster for flat records (every
		// access line): see internal/textlog.
		return slog.New(textlog.New(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageErrorf("--log-format must be text or json, got %q", format)
}

// isLoopback reports whether a listen address only accepts local clients.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseServe(args, getenv, stderr)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == 0 {
			return nil
		}
		return err
	}
	// The collector runs less often than Go's default (unless GOGC or
	// GOMEMLIMIT say otherwise): see internal/gctune.
	gcPercent, gcLimit := gctune.Apply(getenv)
	// The access log (a line per request) is batched: a write per line
	// would cost a third of the poll throughput. Everything else is written
	// at once, after the access lines before it.
	logOut := logbuf.New(stderr, logFlushEvery)
	defer logOut.Close()
	logger, err := newLogger(c.LogFormat, c.LogLevel, logOut)
	if err != nil {
		return err
	}
	accessLog, _ := newLogger(c.LogFormat, c.LogLevel, logOut.Batched())
	if c.StateFile != "" {
		if err := checkStateFile(c.StateFile); err != nil {
			return &exitError{code: 1, err: err}
		}
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("listen on %s: %w; pick another with --addr or MOCKPLEX_ADDR", c.Addr, err)}
	}
	defer ln.Close()
	tlsSrv, err := newTLSSide(c, logger)
	if err != nil {
		return err
	}
	defer tlsSrv.closeListener()

	acc := controlAccess(c.Control, c.ControlToken, exposedAddr(c))
	if acc.generated {
		logger.Warn("control API and pages guarded by a generated token, since mockplex listens beyond loopback; pass --control on to open them or --control-token to choose one",
			"token", acc.token, "header", mock.TokenHeader)
	}
	var draining atomic.Bool
	ops := mockConfig(c, acc, accessLog, draining.Load)
	ops.CA, ops.WorldFile = tlsSrv.certificate(), c.World
	opts := []mock.Option{
		mock.WithSeed(c.Seed), mock.WithLogger(logger), mock.WithScenario(c.Scenario),
		mock.WithScenarios(c.ScenarioDir), mock.WithPublicURL(strings.TrimRight(c.PublicURL, "/")),
		mock.WithControl(acc.on), mock.WithControlToken(acc.token),
		mock.WithExpiryGrace(c.ExpiryGrace), mock.WithAccounts(c.Accounts),
		mock.WithConfig(ops),
	}
	srv, err := mock.New(opts...)
	if err != nil {
		return &exitError{code: 1, err: fmt.Errorf("cannot start: %w", err)}
	}
	defer srv.Close()
	if c.StateFile != "" {
		if err := loadState(srv, c.StateFile); err != nil {
			return &exitError{code: 1, err: err}
		}
	}

	hs := httpServer(c, srv.Handler(), logger)
	errc := make(chan error, 2) // HTTP and HTTPS
	go func() { errc <- hs.Serve(tlsSrv.httpListener(ln)) }()
	tlsSrv.serve(c, srv.Handler(), errc)
	logger.Info("mockplex listening", "addr", ln.Addr().String(), "version", version,
		"control", acc.on, "loopbackHosts", acc.loopbackHosts, "scenario", c.Scenario, "scenarios", c.ScenarioDir)
	if gcPercent > 0 || gcLimit > 0 {
		logger.Debug("garbage collector tuned", "gogc", gcPercent, "gomemlimit", gcLimit)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests", "timeout", c.ShutdownTimeout)
	draining.Store(true) // /readyz answers 503 from here on
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	var shutdownErr error
	tlsErr := tlsSrv.shutdown(sctx)
	if err := errors.Join(hs.Shutdown(sctx), tlsErr); err != nil {
		_ = hs.Close() // cut off what is still running
		shutdownErr = fmt.Errorf("shutdown: in-flight requests still running after --shutdown-timeout %s were cut off: %w", c.ShutdownTimeout, err)
	}
	// The state is saved even after a forced shutdown: the pins are all
	// there, only some answers were lost.
	if c.StateFile != "" {
		if err := saveState(srv, c.StateFile); err != nil {
			return errors.Join(shutdownErr, err)
		}
		logger.Info("state saved", "file", c.StateFile)
	}
	if shutdownErr != nil {
		return shutdownErr
	}
	logger.Info("stopped")
	return nil
}

// mockConfig maps the limits flags onto mock.Config, whose zero fields are
// defaults and negative ones "no limit": a flag's 0 ("no limit", or for
// --journal-size "keep none") becomes -1.
func mockConfig(c config, acc access, accessLog *slog.Logger, draining func() bool) mock.Config {
	noLimit := func(n int) int {
		if n == 0 {
			return -1
		}
		return n
	}
	return mock.Config{
		MaxPins: noLimit(c.MaxPins), JournalSize: noLimit(c.JournalSize), MaxBodyBytes: c.MaxBodyBytes,
		MaxAccounts: noLimit(c.MaxAccounts), MaxClients: noLimit(c.MaxClients),
		AccessLog: accessLog, LegacyAccept: c.LegacyAccept, LoopbackHosts: acc.loopbackHosts,
		Draining: draining, OptionName: flagName,
	}
}

// flagName names, in the server's errors, the flag or control that sets
// what the library calls option.
func flagName(option string) string {
	switch option {
	case "Config.MaxPins":
		return "--max-pins"
	case "Config.MaxClients":
		return "--max-clients"
	case "Reset":
		return "POST /__mockplex/reset"
	case "Config.WorldFile":
		return "--world (MOCKPLEX_WORLD)"
	}
	return option
}

// access is who may reach the control API and the pages.
type access struct {
	on            bool   // they are served at all
	token         string // guards them when not empty
	generated     bool   // token was made up at start (and must be logged)
	loopbackHosts bool   // unguarded on loopback: answer loopback Host names only
}

// controlAccess decides whether the control API and pages are on and what
// guards them. --control off turns them off; on opens them (guarded only by
// an explicit --control-token); auto, the default, opens them on a loopback
// address and otherwise guards them with a generated token, so a mockplex
// reachable from other machines is never open by accident.
//
// Open without a token on a loopback address (auto's default, or on), they
// answer only loopback Host names and --public-url's host: a web page the
// developer visits could otherwise reach them through DNS rebinding, a name
// of its own that resolves to 127.0.0.1. On other addresses the Host is not
// checked: there clients use whatever name reaches the machine (compose's
// service name, a CI service alias), and --control on there is a choice.
func controlAccess(mode, token, addr string) access {
	switch {
	case mode == "off":
		return access{token: token}
	case token != "":
		return access{on: true, token: token}
	case mode == "auto" && !isLoopback(addr):
		return access{on: true, token: randomToken(), generated: true}
	}
	return access{on: true, loopbackHosts: isLoopback(addr)}
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// checkStateFile makes sure the state can be saved at shutdown, so an
// unwritable --state-file stops serve at start instead of losing the pins
// at SIGTERM. saveState writes path+".tmp" beside path and renames it over
// path, so the folder must take a new file and path must not be a folder;
// a temporary file is created and removed there to find out.
func checkStateFile(path string) error {
	fix := "; make the folder exist and writable by this user, or pick another --state-file (MOCKPLEX_STATE_FILE)"
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("state file %s is a folder; pick a file path with --state-file (MOCKPLEX_STATE_FILE)", path)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check-*")
	if err != nil {
		return fmt.Errorf("state file %s cannot be saved: %w%s", path, err, fix)
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("state file %s cannot be saved: %w%s", path, err, fix)
	}
	return nil
}

func loadState(srv *mock.Server, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open state file: %w", err)
	}
	defer f.Close()
	if err := srv.LoadState(f); err != nil {
		return fmt.Errorf("restore state from %s: %w; delete the file to start fresh", path, err)
	}
	return nil
}

func saveState(srv *mock.Server, path string) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := srv.SaveState(f); err != nil {
		f.Close()
		return fmt.Errorf("save state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return os.Rename(tmp, path)
}

// httpServer is the listener side of serve: the header limit and the
// timeouts come from the flags.
func httpServer(c config, h http.Handler, logger *slog.Logger) *http.Server {
	// Headers always have a deadline, even with --read-timeout 0: a client
	// that trickles its headers must not hold a connection forever.
	readHeader := 5 * time.Second
	if c.ReadTimeout > 0 {
		readHeader = min(c.ReadTimeout, readHeader)
	}
	return &http.Server{
		Handler:           h,
		ReadTimeout:       c.ReadTimeout,
		ReadHeaderTimeout: readHeader,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    c.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
}
