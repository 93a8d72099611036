package contract_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/contract"
)

// recTB records what contract.Test reports.
type recTB struct {
	testing.TB
	errors, logs []string
	fatal        string
}

func (r *recTB) Helper() {}
func (r *recTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recTB) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recTB) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

// TestAdapterPasses runs the suite as subtests of this test.
func TestAdapterPasses(t *testing.T) {
	t.Parallel()
	rep := contract.Test(t, serve(t, newReplay(t)), quick()...)
	if !rep.Passed() {
		t.Errorf("contract.Test against the captures: report failed")
	}
}

func TestAdapterReportsViolations(t *testing.T) {
	t.Parallel()
	broken := serve(t, rewrite(newReplay(t), func(r *http.Request, res *recorded) {
		if isCreate(r) {
			res.status = http.StatusOK
		}
	}))
	rec := &recTB{TB: t}
	rep := contract.Test(rec, broken, quick()...)
	if len(rep.Violations()) == 0 {
		t.Fatalf("no violations against a create answering 200")
	}
	if len(rec.errors) != len(rep.Violations()) {
		t.Errorf("Errorf called %d times, want once per violation (%d)", len(rec.errors), len(rep.Violations()))
	}
	for _, e := range rec.errors {
		if !(strings.HasPrefix(e, "create.") || strings.HasPrefix(e, "jwt.pin.create")) || !strings.Contains(e, "status: expected 201 Created, got 200 OK") {
			t.Errorf("Errorf(%q), want a create check's status violation", e)
		}
	}
	var skips int
	for _, l := range rec.logs {
		if strings.HasPrefix(l, "skip ") {
			skips++
		}
	}
	if want := rep.Counts().Skipped; skips != want || want == 0 {
		t.Errorf("skip logs = %d, want %d", skips, want)
	}
}

func TestAdapterUnreachable(t *testing.T) {
	t.Parallel()
	rec := &recTB{TB: t}
	contract.Test(rec, contract.Target{URL: "http://127.0.0.1:1"}, quick()...)
	if !strings.Contains(rec.fatal, "unreachable") {
		t.Errorf("Fatalf(%q), want it to say the target is unreachable", rec.fatal)
	}
}
