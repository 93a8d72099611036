package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/contract/replay"
	"github.com/mockplex/mockplex/mock"
)

// capturesServer replays the captured plex.tv responses; with status200 the
// JSON create answers 200 instead of 201 (a contract violation). The
// captures predate plex.tv's JWT sign-in, so its requests (/api/v2/auth/…,
// pins with a jwk, polls with a deviceJWT) go to an in-process mock without
// the control API.
func capturesServer(t *testing.T, status200 bool) string {
	t.Helper()
	replayed, err := replay.New(os.DirFS("../../contract/testdata/captures"))
	if err != nil {
		t.Fatal(err)
	}
	jwtSrv := mock.NewServer(mock.WithControl(false))
	t.Cleanup(jwtSrv.Close)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		jwk := r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
		if strings.HasPrefix(r.URL.Path, "/api/v2/auth/") || jwk || r.URL.Query().Has("deviceJWT") {
			jwtSrv.Handler().ServeHTTP(w, r)
			return
		}
		replayed.ServeHTTP(w, r)
	})
	var handler http.Handler = h
	if status200 {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/api/v2/pins.json" {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				for k, v := range rec.Header() {
					w.Header()[k] = v
				}
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return -1
}

func TestContractUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no target", nil, "no target"},
		{"three targets", []string{"--target", "http://a", "--target", "http://b", "--target", "http://c"}, "3 targets"},
		{"bad format", []string{"--target", "http://a", "--format", "yaml"}, "yaml"},
		{"bad profile", []string{"--target", "http://a", "--profile", "openapi"}, "openapi"},
		{"positional argument", []string{"--target", "http://a", "extra"}, "extra"},
		{"unknown flag", []string{"--nope"}, "nope"},
		{"bad timeout", []string{"--target", "http://a", "--timeout", "0s"}, "--timeout"},
		{"not a URL", []string{"--target", "plex.tv"}, "http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runContract(context.Background(), tt.args, env(), &stdout, &stderr)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("runContract(%q) = %v (exit %d), want exit 2 mentioning %q", tt.args, err, exitCode(err), tt.want)
			}
		})
	}
}

func TestContractHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := runContract(context.Background(), []string{"-h"}, env(), &stdout, &stderr); err != nil {
		t.Errorf("runContract(-h) = %v, want nil", err)
	}
	if !strings.Contains(stderr.String(), "--target URL") {
		t.Errorf("help does not show the synopsis:\n%s", stderr.String())
	}
}

func TestContractUnreachable(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	var stdout, stderr bytes.Buffer
	err := runContract(context.Background(), []string{"--target", srv.URL}, env(), &stdout, &stderr)
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("runContract(closed server) = %v (exit %d), want exit 2 saying unreachable", err, exitCode(err))
	}
}

func TestContractPass(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := runContract(context.Background(), []string{"--target", capturesServer(t, false), "--countdown-wait", "0"}, env(), &stdout, &stderr)
	if err != nil {
		t.Fatalf("runContract(captures) = %v, want nil; output:\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "27 passed, 0 failed, 0 errors, 23 skipped") {
		t.Errorf("text output lacks the summary:\n%s", stdout.String())
	}
}

func TestContractViolationJUnit(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "report.xml")
	var stdout, stderr bytes.Buffer
	err := runContract(context.Background(), []string{"--target", capturesServer(t, true), "--countdown-wait", "0", "--format", "junit", "--out", out}, env(), &stdout, &stderr)
	if exitCode(err) != 1 {
		t.Fatalf("runContract(broken) = %v (exit %d), want exit 1", err, exitCode(err))
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout has %d bytes with --out, want none", stdout.Len())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", out, err)
	}
	if doc.Failures != 1 {
		t.Errorf("failures = %d, want 1 (create.link.json)", doc.Failures)
	}
	var msg string
	for _, c := range doc.Suites[0].Cases {
		if c.Name == contract.CheckCreateLinkJSON && c.Failure != nil {
			msg = c.Failure.Message
		}
	}
	if !strings.Contains(msg, "status: expected 201 Created, got 200 OK") {
		t.Errorf("create.link.json failure message = %q, want the status violation", msg)
	}
}

func TestContractTwoTargetsJSON(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	err := runContract(context.Background(), []string{
		"--target", capturesServer(t, false), "--target", capturesServer(t, true),
		"--countdown-wait", "0", "--format", "json",
	}, env(), &stdout, &stderr)
	if exitCode(err) != 1 {
		t.Fatalf("runContract(two targets, one broken) = %v, want exit 1", err)
	}
	var doc contract.Document
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("decode JSON output: %v", err)
	}
	if len(doc.Reports) != 2 || doc.Passed {
		t.Fatalf("document has %d reports, passed=%v; want 2, false", len(doc.Reports), doc.Passed)
	}
	var found bool
	for _, d := range doc.Diffs {
		if d.Check == contract.CheckCreateLinkJSON && d.Kind == contract.DiffHTTPStatus && d.A == "201" && d.B == "200" {
			found = true
		}
	}
	if !found {
		t.Errorf("diffs lack create.link.json http-status 201 vs 200: %v", doc.Diffs)
	}
}

func TestContractAgainstMock(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{"--strict"},
		{"--profile", "wire", "--strict"},
		{"--profile", "sdk"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			srv := mock.NewServer()
			t.Cleanup(srv.Close)
			var stdout, stderr bytes.Buffer
			args := append([]string{"--target", srv.URL}, args...)
			if err := runContract(context.Background(), args, env(), &stdout, &stderr); err != nil {
				t.Errorf("runContract(%q) = %v, want nil; output:\n%s", args, err, stdout.String())
			}
		})
	}
}

// TestContractControlToken runs the suite against a mock whose control API
// is guarded. With the token (from MOCKPLEX_CONTROL_TOKEN, as serve takes
// it, or --control-token) every check runs; without it, or with a wrong
// one, the control checks cannot run and the command fails with exit 2 and
// says how to pass the token, instead of passing with 7 checks skipped.
func TestContractControlToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
	}{
		{"token from env", nil, []string{"MOCKPLEX_CONTROL_TOKEN", "s3cret"}, 0},
		{"token from flag", []string{"--control-token", "s3cret"}, nil, 0},
		{"flag beats env", []string{"--control-token", "s3cret"}, []string{"MOCKPLEX_CONTROL_TOKEN", "wrong"}, 0},
		{"no token", nil, nil, 2},
		{"wrong token", []string{"--control-token", "wrong"}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A mock of its own: runs that advance a shared mock's clock
			// would upset each other's countdown.
			srv := mock.NewServer(mock.WithControlToken("s3cret"))
			t.Cleanup(srv.Close)
			args := append([]string{"--target", srv.URL, "--strict", "--format", "json"}, tt.args...)
			var stdout, stderr bytes.Buffer
			err := runContract(context.Background(), args, env(tt.env...), &stdout, &stderr)
			if code := exitCode(err); code != tt.wantCode {
				t.Fatalf("runContract(%q) = %v (exit %d), want exit %d; output:\n%s", args, err, code, tt.wantCode, stdout.String())
			}
			var doc contract.Document
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || len(doc.Reports) != 1 {
				t.Fatalf("JSON report: %v (%d reports), want one report written in every case", err, len(doc.Reports))
			}
			rep := doc.Reports[0]
			if tt.wantCode == 0 {
				if c := rep.Counts(); c.Passed != c.Total {
					t.Errorf("counts %+v, want every check passed", c)
				}
				return
			}
			for _, w := range []string{"MOCKPLEX_CONTROL_TOKEN", "--control-token", "401"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			for _, info := range contract.Checks() {
				ch, _ := rep.Check(info.ID)
				want := contract.Pass
				if info.Control || info.Account {
					want = contract.Error
				}
				if ch.Status != want {
					t.Errorf("check %s = %s (%s), want %s", info.ID, ch.Status, ch.Reason, want)
				}
			}
		})
	}
}

// TestContractSkippedEveryFormat runs the suite against a target without
// the control API (the captured plex.tv) in every format: the control
// checks are reported as skipped, and the run passes.
func TestContractSkippedEveryFormat(t *testing.T) {
	t.Parallel()
	var control []string
	for _, info := range contract.Checks() {
		if info.Control || info.Account {
			control = append(control, info.ID)
		}
	}
	tests := []struct {
		format  string
		skipped func(t *testing.T, out []byte) []string // the ids reported as skipped
	}{
		{"text", func(t *testing.T, out []byte) []string {
			var ids []string
			for _, line := range strings.Split(string(out), "\n") {
				if id, ok := strings.CutPrefix(line, "SKIP "); ok {
					ids = append(ids, strings.SplitN(id, ":", 2)[0])
				}
			}
			return ids
		}},
		{"json", func(t *testing.T, out []byte) []string {
			var doc contract.Document
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("decode JSON output: %v", err)
			}
			var ids []string
			for _, ch := range doc.Reports[0].Checks {
				if ch.Status == contract.Skip {
					ids = append(ids, ch.ID)
				}
			}
			return ids
		}},
		{"junit", func(t *testing.T, out []byte) []string {
			var doc struct {
				Skipped int `xml:"skipped,attr"`
				Suites  []struct {
					Cases []struct {
						Name    string    `xml:"name,attr"`
						Skipped *struct{} `xml:"skipped"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("parse JUnit output: %v", err)
			}
			var ids []string
			for _, c := range doc.Suites[0].Cases {
				if c.Skipped != nil {
					ids = append(ids, c.Name)
				}
			}
			if doc.Skipped != len(ids) {
				t.Errorf("testsuites skipped=%d, want %d", doc.Skipped, len(ids))
			}
			return ids
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := runContract(context.Background(), []string{"--target", capturesServer(t, false), "--countdown-wait", "0", "--format", tt.format}, env(), &stdout, &stderr)
			if err != nil {
				t.Fatalf("runContract(captures, %s) = %v, want nil", tt.format, err)
			}
			if diff := cmp.Diff(control, tt.skipped(t, stdout.Bytes())); diff != "" {
				t.Errorf("skipped checks in %s (-want +got):\n%s", tt.format, diff)
			}
		})
	}
}

// TestContractUnreachableReport: a target that does not answer still gets
// a report, in every format and through --out, whose checks carry the
// error, and the exit code stays 2.
func TestContractUnreachableReport(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	tests := []struct {
		format string
		errors func(t *testing.T, out []byte) int // checks reported as errors
	}{
		{"text", func(t *testing.T, out []byte) int {
			return strings.Count(string(out), "\nERROR ")
		}},
		{"json", func(t *testing.T, out []byte) int {
			var doc contract.Document
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("decode JSON output: %v", err)
			}
			if doc.Passed {
				t.Errorf("document passed = true, want false")
			}
			return doc.Reports[0].Counts().Errors
		}},
		{"junit", func(t *testing.T, out []byte) int {
			var doc struct {
				Errors int `xml:"errors,attr"`
				Suites []struct {
					Cases []struct {
						Error *struct {
							Message string `xml:"message,attr"`
						} `xml:"error"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("parse JUnit output: %v\n%s", err, out)
			}
			var n int
			for _, c := range doc.Suites[0].Cases {
				if c.Error != nil && strings.Contains(c.Error.Message, "unreachable") {
					n++
				}
			}
			if doc.Errors != n {
				t.Errorf("testsuites errors=%d, want %d", doc.Errors, n)
			}
			return n
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "report")
			var stdout, stderr bytes.Buffer
			err := runContract(context.Background(), []string{"--target", srv.URL, "--format", tt.format, "--out", out}, env(), &stdout, &stderr)
			if exitCode(err) != 2 || !strings.Contains(err.Error(), "unreachable") {
				t.Errorf("runContract(closed server) = %v (exit %d), want exit 2 saying unreachable", err, exitCode(err))
			}
			b, rerr := os.ReadFile(out)
			if rerr != nil {
				t.Fatalf("--out %s: %v, want the report written", out, rerr)
			}
			if got, want := tt.errors(t, b), len(contract.Checks()); got != want {
				t.Errorf("%s report has %d checks in error, want %d:\n%s", tt.format, got, want, b)
			}
		})
	}
}

// TestContractCompareExit: a compare run of two mocks that differ (one
// answers axios's Accept with JSON, the pre-2026 rule) exits 1 in every
// format, the report saying how they differ; --report-only writes the same
// report and exits 0; two mocks that agree exit 0.
func TestContractCompareExit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format     string
		reportOnly bool
		differs    func(t *testing.T, out []byte) bool // the report shows the difference as a failure
	}{
		{"text", false, func(t *testing.T, out []byte) bool {
			return strings.Contains(string(out), "DIFF content-type.axios-accept")
		}},
		{"json", false, func(t *testing.T, out []byte) bool {
			var doc contract.Document
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("decode JSON output: %v", err)
			}
			return !doc.Passed && len(doc.Diffs) > 0
		}},
		{"junit", false, func(t *testing.T, out []byte) bool {
			var doc struct {
				Failures int `xml:"failures,attr"`
				Suites   []struct {
					Name  string `xml:"name,attr"`
					Cases []struct {
						Failure *struct {
							Type string `xml:"type,attr"`
						} `xml:"failure"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			if err := xml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("parse JUnit output: %v", err)
			}
			cmp := doc.Suites[len(doc.Suites)-1]
			return doc.Failures > 0 && strings.HasPrefix(cmp.Name, "compare ") && len(cmp.Cases) > 0 &&
				cmp.Cases[0].Failure != nil && cmp.Cases[0].Failure.Type == "contract.drift"
		}},
		{"text", true, func(t *testing.T, out []byte) bool {
			return strings.Contains(string(out), "DIFF content-type.axios-accept")
		}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s report-only=%v", tt.format, tt.reportOnly), func(t *testing.T) {
			t.Parallel()
			a := mock.NewServer()
			t.Cleanup(a.Close)
			b := mock.NewServer(mock.WithConfig(mock.Config{LegacyAccept: true}))
			t.Cleanup(b.Close)
			args := []string{"--target", a.URL, "--target", b.URL, "--format", tt.format}
			want := 1
			if tt.reportOnly {
				args = append(args, "--report-only")
				want = 0
			}
			var stdout, stderr bytes.Buffer
			err := runContract(context.Background(), args, env(), &stdout, &stderr)
			if code := exitCode(err); code != want {
				t.Fatalf("runContract(%q) = %v (exit %d), want exit %d; output:\n%s", args, err, code, want, stdout.String())
			}
			if !tt.differs(t, stdout.Bytes()) {
				t.Errorf("the %s report does not show the targets' difference as a failure:\n%s", tt.format, stdout.String())
			}
			if err != nil && !strings.Contains(err.Error(), "differ") {
				t.Errorf("error %q does not say the targets differ", err)
			}
			if tt.reportOnly && !strings.Contains(stderr.String(), "--report-only") {
				t.Errorf("stderr %q does not say why the exit status is 0", stderr.String())
			}
		})
	}
	t.Run("same", func(t *testing.T) {
		t.Parallel()
		a, b := mock.NewServer(), mock.NewServer()
		t.Cleanup(a.Close)
		t.Cleanup(b.Close)
		var stdout, stderr bytes.Buffer
		if err := runContract(context.Background(), []string{"--target", a.URL, "--target", b.URL}, env(), &stdout, &stderr); err != nil {
			t.Errorf("runContract(two default mocks) = %v, want nil; output:\n%s", err, stdout.String())
		}
	})
}

// TestContractFailOnSkip: against a mock with its control API off, the
// control checks are skipped; the run passes, and fails (exit 1) with
// --fail-on-skip, in every format. --strict keeps its own meaning.
func TestContractFailOnSkip(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithControl(false))
	t.Cleanup(srv.Close)
	tests := []struct {
		args []string
		want int
	}{
		{nil, 0},
		{[]string{"--strict"}, 0},
		{[]string{"--fail-on-skip"}, 1},
		{[]string{"--fail-on-skip", "--format", "json"}, 1},
		{[]string{"--fail-on-skip", "--format", "junit"}, 1},
		{[]string{"--fail-on-skip", "--report-only"}, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--target", srv.URL, "--countdown-wait", "0"}, tt.args...)
			var stdout, stderr bytes.Buffer
			err := runContract(context.Background(), args, env(), &stdout, &stderr)
			if code := exitCode(err); code != tt.want {
				t.Fatalf("runContract(%q) = %v (exit %d), want exit %d", args, err, code, tt.want)
			}
			if tt.want == 1 && !strings.Contains(err.Error(), "skipped (--fail-on-skip)") {
				t.Errorf("error %q does not say skipped checks failed the run", err)
			}
		})
	}
}

// TestContractRefusedSummary: the text summary of a guarded mock run
// without its token says the control API refused, not that there is none.
func TestContractRefusedSummary(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithControlToken("s3cret"))
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	err := runContract(context.Background(), []string{"--target", srv.URL}, env(), &stdout, &stderr)
	if exitCode(err) != 2 {
		t.Fatalf("runContract(guarded mock, no token) = %v, want exit 2", err)
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	if !strings.Contains(first, ", control API refused:") {
		t.Errorf("summary line %q, want it to say the control API refused", first)
	}
}
