package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/mockplex/mockplex/contract"
)

// targetList collects repeated --target flags.
type targetList []string

func (t *targetList) String() string { return strings.Join(*t, ",") }
func (t *targetList) Set(s string) error {
	*t = append(*t, s)
	return nil
}

// runContract implements `mockplex contract`: it runs the contract suite
// against one or two targets and writes the report. It returns nil when
// every check passes, an exit-code-1 error on a contract violation, and an
// exit-code-2 error on usage or network errors and on a control API that
// refused the suite's token (the report is written first, but for usage
// errors).
func runContract(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("contract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var targets targetList
	fs.Var(&targets, "target", "base `URL` of a target, e.g. https://plex.tv or http://localhost:8080 (repeat once to compare two targets)")
	profile := fs.String("profile", contract.ProfileWire, "schema profile: wire (what plex.tv sends) or sdk (the SDK field table)")
	format := fs.String("format", string(contract.FormatText), "output format: text, json or junit")
	out := fs.String("out", "", "write the report to `FILE` instead of stdout")
	timeout := fs.Duration("timeout", 10*time.Second, "timeout of each request")
	strict := fs.Bool("strict", false, "reject keys the schema does not list (for the mock's own output)")
	qrBase := fs.String("qr-base", contract.DefaultQRBase, "expected prefix of a pin's qr field")
	controlToken := fs.String("control-token", getenv("MOCKPLEX_CONTROL_TOKEN"), "X-Mockplex-Token for the mock's control API, as serve's (MOCKPLEX_CONTROL_TOKEN)")
	token := fs.String("token", getenv("MOCKPLEX_TOKEN"), "a plex.tv test account's token for the jwt.* checks that need an account (MOCKPLEX_TOKEN); used only to link a pin of the suite's own device, never written to the report")
	disposable := fs.Bool("disposable-account", false, "let the suite change the --token account: switch Plex Home profiles and claim a server that stays in its resources (only for a test account you can throw away; against a mock these checks always run)")
	failOnSkip := fs.Bool("fail-on-skip", false, "count skipped checks as failures (exit 1), e.g. for a mock whose control API is off")
	reportOnly := fs.Bool("report-only", false, "write the report and exit 0 even when checks fail, are skipped with --fail-on-skip, or two targets differ (usage, network and refused-control-API errors still exit 2)")
	countdown := fs.Duration("countdown-wait", time.Duration(1100)*time.Millisecond, "wait between the two countdown polls of a target without a mock clock (0 checks only the Date header)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: mockplex contract --target URL [--target URL2] [--profile wire|sdk] [--format text|json|junit] [--out FILE]\n"+
			"                         [--strict] [--fail-on-skip] [--report-only] [--timeout D] [--countdown-wait D]\n"+
			"                         [--qr-base URL] [--control-token T] [--token T] [--disposable-account]\n\n"+
			"Runs the plex.tv PIN API contract suite against the target(s). Exit status: 0 every check\n"+
			"passed (and two targets do not differ); 1 a contract violation, a difference between two\n"+
			"targets, or with --fail-on-skip a skipped check; 2 a usage or network error, or a mock\n"+
			"whose control API refused the suite (pass its token with --control-token or\n"+
			"MOCKPLEX_CONTROL_TOKEN). --report-only turns exit 1 into 0. The report is written in\n"+
			"every case but a usage error.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErrorf("contract: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("contract: unexpected argument %q; pass targets with --target URL", fs.Arg(0))
	}
	switch len(targets) {
	case 1, 2:
	case 0:
		return usageErrorf("contract: no target; pass --target URL (e.g. --target http://localhost:8080)")
	default:
		return usageErrorf("contract: %d targets; pass one --target, or two to compare them", len(targets))
	}
	if *profile != contract.ProfileWire && *profile != contract.ProfileSDK {
		return usageErrorf("contract: unknown --profile %q; use wire or sdk", *profile)
	}
	f, err := contract.ParseFormat(*format)
	if err != nil {
		return usageErrorf("contract: --format: %v", err)
	}
	if *timeout <= 0 {
		return usageErrorf("contract: --timeout must be positive, got %s", *timeout)
	}
	opts := []contract.Option{
		contract.WithProfile(*profile),
		contract.WithRequestTimeout(*timeout),
		contract.WithStrict(*strict),
		contract.WithQRBase(*qrBase),
		contract.WithControlToken(*controlToken),
		contract.WithCountdownWait(*countdown),
		contract.WithAccountToken(*token),
		contract.WithDisposableAccount(*disposable),
	}
	client := &http.Client{}
	var reports []contract.Report
	// An unreachable target or a refused control API still gives a
	// complete report, its checks in Error, which is written like any other
	// so that CI's JUnit reader sees the failure; the exit code is 2.
	var runErrs []error
	for _, u := range targets {
		rep, err := contract.Run(ctx, contract.Target{Name: u, URL: u, Client: client}, opts...)
		switch {
		case err == nil:
		case errors.Is(err, contract.ErrControlRefused):
			runErrs = append(runErrs, fmt.Errorf("%w; pass the mock's control token with --control-token or MOCKPLEX_CONTROL_TOKEN (serve logs the token it generated at start)", err))
		case errors.Is(err, contract.ErrUnreachable):
			runErrs = append(runErrs, err)
		default:
			return usageErrorf("%v", err)
		}
		reports = append(reports, rep)
	}
	var diffs []contract.Diff
	if len(reports) == 2 && len(runErrs) == 0 {
		diffs = contract.Compare(reports[0], reports[1])
	}
	var buf bytes.Buffer
	if err := contract.Write(&buf, f, reports, diffs); err != nil {
		return usageErrorf("contract: render the report: %v", err)
	}
	if *out == "" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return usageErrorf("contract: write the report: %v", err)
		}
	} else if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return usageErrorf("contract: write the report: %v", err)
	}
	var failed, errored, skipped int
	for _, r := range reports {
		c := r.Counts()
		failed += c.Failed
		errored += c.Errors
		skipped += c.Skipped
	}
	switch {
	case len(runErrs) > 0:
		return &exitError{code: 2, err: errors.Join(runErrs...)}
	case errored > 0:
		return usageErrorf("contract: %d checks could not reach the target (network errors); see the report", errored)
	}
	var why []string
	if failed > 0 {
		why = append(why, fmt.Sprintf("%d checks failed", failed))
	}
	if len(diffs) > 0 {
		why = append(why, fmt.Sprintf("the targets differ in %d ways", len(diffs)))
	}
	if skipped > 0 && *failOnSkip {
		why = append(why, fmt.Sprintf("%d checks were skipped (--fail-on-skip)", skipped))
	}
	if len(why) == 0 {
		return nil
	}
	msg := "contract: " + strings.Join(why, "; ") + "; see the report"
	if *reportOnly {
		fmt.Fprintf(stderr, "%s (exit 0: --report-only)\n", msg)
		return nil
	}
	return &exitError{code: 1, err: errors.New(msg + " (--report-only to exit 0)")}
}
