package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/contract/replay"
	"github.com/mockplex/mockplex/mock"
)

// capturesServer replays the captured plex.tv responses; with status200 the
// JSON create answers 200 instead of 201 (a contract violation).
func capturesServer(t *testing.T, status200 bool) string {
	t.Helper()
	h, err := replay.New(os.DirFS("../../contract/testdata/captures"))
	if err != nil {
		t.Fatal(err)
	}
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
	if !strings.Contains(stdout.String(), "22 passed, 0 failed, 0 errors, 7 skipped") {
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
	srv := mock.NewServer()
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	if err := runContract(context.Background(), []string{"--target", srv.URL, "--strict"}, env(), &stdout, &stderr); err != nil {
		t.Errorf("runContract(mock) = %v, want nil; output:\n%s", err, stdout.String())
	}
}

// TestContractControlTokenFromEnv runs the suite against a mock whose
// control API is guarded, with the token taken from MOCKPLEX_CONTROL_TOKEN
// as serve takes it, so one environment serves both commands.
func TestContractControlTokenFromEnv(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithControlToken("s3cret"))
	t.Cleanup(srv.Close)
	var stdout, stderr bytes.Buffer
	if err := runContract(context.Background(), []string{"--target", srv.URL, "--strict"}, env("MOCKPLEX_CONTROL_TOKEN", "s3cret"), &stdout, &stderr); err != nil {
		t.Errorf("runContract(guarded mock, token from env) = %v, want nil; output:\n%s", err, stdout.String())
	}
	stdout.Reset()
	err := runContract(context.Background(), []string{"--target", srv.URL, "--strict"}, env(), &stdout, &stderr)
	if err == nil {
		t.Errorf("runContract(guarded mock, no token) = nil, want a failure; output:\n%s", stdout.String())
	}
}
