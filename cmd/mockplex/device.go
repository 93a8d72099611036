package main

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/mockplex/mockplex/mock/device"
)

const deviceUsage = `usage: mockplex device <command> [flags]

Act as a JWT device from a shell, for what curl cannot do (sign Ed25519
JWTs). Key files hold a private test key: never use one for a real device.

commands:
  new     print a new device key file:  mockplex device new [--seed N] [--kid K] > key.json
  jwk     print its public JWK:         mockplex device jwk --key key.json
  jwt     print a signed device JWT:    mockplex device jwt --key key.json --client ID [--nonce N] [--scope S] [--exp 5m|none] [--now TIME]
  verify  check a Plex JWT, print its claims as JSON (exit 1 when it fails):
                                        mockplex device verify --jwks keys.json --client ID [--now TIME] TOKEN

Run "mockplex device <command> -h" for a command's flags.`

// maxJWKSFile is the largest key set verify reads; plex.tv's has a few keys
// of about 150 bytes.
const maxJWKSFile = 1 << 20

// runDevice implements `mockplex device`.
func runDevice(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, deviceUsage)
		return &exitError{code: 2, err: errQuiet}
	}
	switch args[0] {
	case "new":
		return runDeviceNew(args[1:], stdout, stderr)
	case "jwk":
		return runDeviceJWK(args[1:], stdout, stderr)
	case "jwt":
		return runDeviceJWT(args[1:], stdout, stderr)
	case "verify":
		return runDeviceVerify(args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprintln(stdout, deviceUsage)
		return nil
	}
	fmt.Fprintln(stderr, deviceUsage)
	return usageErrorf("device: unknown command %q", args[0])
}

// deviceFlags is a flag set for `mockplex device NAME`.
func deviceFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("device "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: mockplex device %s %s\n\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseDeviceFlags parses args, refusing positional arguments beyond
// nargs: help exits 0, anything else 2.
func parseDeviceFlags(fs *flag.FlagSet, args []string, nargs int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return &exitError{code: 0, err: errQuiet}
		}
		return &exitError{code: 2, err: errQuiet}
	}
	if fs.NArg() > nargs {
		return usageErrorf("%s: unexpected argument %q", fs.Name(), fs.Arg(nargs))
	}
	return nil
}

// required returns a usage error naming the first empty flag.
func required(fs *flag.FlagSet, flags ...string) error {
	for _, name := range flags {
		if fs.Lookup(name).Value.String() == "" {
			return usageErrorf("%s: --%s is required", fs.Name(), name)
		}
	}
	return nil
}

func runDeviceNew(args []string, stdout, stderr io.Writer) error {
	fs := deviceFlags("new", "[--seed N] [--kid K] > key.json", stderr)
	seed := fs.Int64("seed", 0, "make the same key on every run from `N` (0: a random key)")
	kid := fs.String("kid", "", "the key's kid (default its RFC 7638 thumbprint)")
	if err := parseDeviceFlags(fs, args, 0); err != nil {
		return err
	}
	var r io.Reader // nil: crypto/rand
	if *seed != 0 {
		var s [32]byte
		binary.LittleEndian.PutUint64(s[:], uint64(*seed))
		r = rand.NewChaCha8(s)
	}
	var opts []device.Option
	if *kid != "" {
		opts = append(opts, device.WithKID(*kid))
	}
	key, err := device.New(r, opts...)
	if err != nil {
		return usageErrorf("device new: %v", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", key.MarshalPrivate())
	return err
}

func runDeviceJWK(args []string, stdout, stderr io.Writer) error {
	fs := deviceFlags("jwk", "--key key.json", stderr)
	keyFile := fs.String("key", "", "the device key `FILE` (from mockplex device new)")
	if err := parseDeviceFlags(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "key"); err != nil {
		return err
	}
	key, err := readKey(*keyFile)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", key.JWK())
	return err
}

// expiry is the --exp flag: a lifetime, or none for a JWT without iat and
// exp.
type expiry struct {
	d    time.Duration
	none bool
}

func (e *expiry) String() string {
	if e.none {
		return "none"
	}
	return e.d.String()
}

func (e *expiry) Set(s string) error {
	if s == "none" {
		*e = expiry{none: true}
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New(`want a Go duration such as 5m, or "none"`)
	}
	*e = expiry{d: d}
	return nil
}

// timeFlag is the --now flag: an RFC 3339 time, or empty for the clock.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return errors.New("want an RFC 3339 time such as 2026-11-28T12:00:00Z")
	}
	f.t = t
	return nil
}

func (f *timeFlag) or(now time.Time) time.Time {
	if f.t.IsZero() {
		return now
	}
	return f.t
}

const nowUsage = "sign (or check) as of `TIME`, RFC 3339 (default the current time); " +
	`a mock whose clock was moved tells its time at GET /__mockplex/clock (.now)`

func runDeviceJWT(args []string, stdout, stderr io.Writer) error {
	fs := deviceFlags("jwt", "--key key.json --client ID [--nonce N] [--scope S] [--exp 5m|none] [--now TIME]", stderr)
	keyFile := fs.String("key", "", "the device key `FILE` (from mockplex device new)")
	client := fs.String("client", "", "the device's X-Plex-Client-Identifier: the JWT's iss")
	nonce := fs.String("nonce", "", "the nonce from GET /api/v2/auth/nonce (needed on POST /api/v2/auth/token, not on pin polls)")
	scope := fs.String("scope", "", "comma-separated scope, e.g. username,email,friendly_name")
	exp := expiry{d: device.TokenJWTLifetime}
	fs.Var(&exp, "exp", `lifetime: iat is now and exp now+`+"`LIFETIME`"+` (negative: already expired); "none" leaves both out, as some clients do on pin polls`)
	var now timeFlag
	fs.Var(&now, "now", nowUsage)
	if err := parseDeviceFlags(fs, args, 0); err != nil {
		return err
	}
	if err := required(fs, "key", "client"); err != nil {
		return err
	}
	key, err := readKey(*keyFile)
	if err != nil {
		return err
	}
	c := device.Claims{Issuer: *client, Audience: []string{device.Audience}, Nonce: *nonce, Scope: *scope}
	if !exp.none {
		c.IssuedAt = now.or(time.Now())
		c.Expiry = c.IssuedAt.Add(exp.d)
	}
	tok, err := key.SignJWT(c)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

func runDeviceVerify(args []string, stdout, stderr io.Writer) error {
	fs := deviceFlags("verify", "--jwks keys.json --client ID [--now TIME] TOKEN", stderr)
	jwksFile := fs.String("jwks", "", "`FILE` holding the key set, the body of GET /api/v2/auth/keys")
	client := fs.String("client", "", "the X-Plex-Client-Identifier the token was issued to")
	var now timeFlag
	fs.Var(&now, "now", nowUsage)
	if err := parseDeviceFlags(fs, args, 1); err != nil {
		return err
	}
	if err := required(fs, "jwks", "client"); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageErrorf("%s: want the Plex JWT as the one argument", fs.Name())
	}
	jwks, err := readFile(*jwksFile, maxJWKSFile)
	if err != nil {
		return err
	}
	claims, err := device.VerifyPlexJWT(strings.TrimSpace(fs.Arg(0)), jwks, *client, now.or(time.Now()))
	if err != nil {
		return fmt.Errorf("the token does not verify: %w", err)
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// readKey reads a device key file.
func readKey(path string) (*device.Key, error) {
	data, err := readFile(path, device.MaxKeyFileSize)
	if err != nil {
		return nil, err
	}
	key, err := device.ParseKey(data)
	if err != nil {
		return nil, usageErrorf("--key %s: %v; make one with mockplex device new", path, err)
	}
	return key, nil
}

// readFile reads path, refusing more than max bytes; it reads at most
// max+1, so a FIFO or /dev/zero cannot make it read forever.
func readFile(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if len(data) > max {
		return nil, usageErrorf("%s: larger than %d bytes", path, max)
	}
	return data, nil
}
