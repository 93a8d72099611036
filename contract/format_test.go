package contract_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mockplex/mockplex/contract"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// twoReports runs the suite against the captures and against a broken
// copy (a renamed field, a wrong status and a missing CORS header).
func twoReports(t *testing.T) ([]contract.Report, []contract.Diff) {
	t.Helper()
	good := serve(t, newReplay(t))
	good.Name = "captures"
	broken := serve(t, rewrite(newReplay(t), func(r *http.Request, res *recorded) {
		if isCreate(r) && res.status == http.StatusCreated && strings.HasSuffix(r.URL.Path, ".json") {
			res.status = http.StatusOK
		}
		res.header.Del("Access-Control-Allow-Origin")
		editJSON(func(r *http.Request, doc map[string]any) {
			if v, ok := doc["trusted"]; ok {
				doc["isTrusted"] = v
				delete(doc, "trusted")
			}
		})(r, res)
	}))
	broken.Name = "broken"
	a, b := run(t, good), run(t, broken)
	return []contract.Report{a, b}, contract.Compare(a, b)
}

// stable replaces what changes between runs (ports, timings) so output
// can be compared with a golden file.
func stable(reports []contract.Report, out string) string {
	for i, r := range reports {
		out = strings.ReplaceAll(out, r.URL, "http://target"+strconv.Itoa(i+1))
	}
	return out
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./contract -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func TestTextGolden(t *testing.T) {
	t.Parallel()
	reports, diffs := twoReports(t)
	var b bytes.Buffer
	if err := contract.Write(&b, contract.FormatText, reports, diffs); err != nil {
		t.Fatal(err)
	}
	golden(t, "text.golden", stable(reports, b.String()))
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	reports, diffs := twoReports(t)
	var b bytes.Buffer
	if err := contract.Write(&b, contract.FormatJSON, reports, diffs); err != nil {
		t.Fatal(err)
	}
	var got contract.Document
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode the JSON output: %v", err)
	}
	want := contract.NewDocument(reports, diffs)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
	if got.Passed || got.Version != contract.DocumentVersion || len(got.Diffs) == 0 {
		t.Errorf("document passed=%v version=%d diffs=%d, want false, %d, some", got.Passed, got.Version, len(got.Diffs), contract.DocumentVersion)
	}
}

// The JUnit structure CI tools read.
type jSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    *int     `xml:"tests,attr"`
	Failures *int     `xml:"failures,attr"`
	Errors   *int     `xml:"errors,attr"`
	Skipped  *int     `xml:"skipped,attr"`
	Time     *string  `xml:"time,attr"`
	Suites   []jSuite `xml:"testsuite"`
}

type jSuite struct {
	Name     *string `xml:"name,attr"`
	Tests    *int    `xml:"tests,attr"`
	Failures *int    `xml:"failures,attr"`
	Errors   *int    `xml:"errors,attr"`
	Skipped  *int    `xml:"skipped,attr"`
	Time     *string `xml:"time,attr"`
	Cases    []jCase `xml:"testcase"`
}

type jCase struct {
	Classname *string `xml:"classname,attr"`
	Name      *string `xml:"name,attr"`
	Time      *string `xml:"time,attr"`
	Failure   []jMsg  `xml:"failure"`
	Error     []jMsg  `xml:"error"`
	Skipped   []jMsg  `xml:"skipped"`
}

type jMsg struct {
	Message *string `xml:"message,attr"`
	Type    *string `xml:"type,attr"`
	Body    string  `xml:",chardata"`
}

func TestJUnitStructure(t *testing.T) {
	t.Parallel()
	reports, diffs := twoReports(t)
	var b bytes.Buffer
	if err := contract.Write(&b, contract.FormatJUnit, reports, diffs); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "<?xml ") {
		t.Errorf("JUnit output does not start with an XML declaration: %.40q", b.String())
	}
	var doc jSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("parse JUnit: %v", err)
	}
	need := func(what string, p any) {
		t.Helper()
		switch v := p.(type) {
		case *int:
			if v == nil || *v < 0 {
				t.Errorf("%s: missing or negative", what)
			}
		case *string:
			if v == nil || *v == "" {
				t.Errorf("%s: missing", what)
			}
		}
	}
	seconds := func(what string, s *string) {
		t.Helper()
		if s == nil {
			return
		}
		if f, err := strconv.ParseFloat(*s, 64); err != nil || f < 0 {
			t.Errorf("%s time=%q, want non-negative seconds", what, *s)
		}
	}
	need("testsuites tests", doc.Tests)
	need("testsuites failures", doc.Failures)
	need("testsuites errors", doc.Errors)
	need("testsuites time", doc.Time)
	seconds("testsuites", doc.Time)
	if len(doc.Suites) != 3 {
		t.Fatalf("testsuites has %d testsuite, want 3 (two targets and the comparison)", len(doc.Suites))
	}
	var tests, failures, errs, skipped int
	for i, s := range doc.Suites {
		for _, a := range []struct {
			what string
			p    any
		}{{"name", s.Name}, {"tests", s.Tests}, {"failures", s.Failures}, {"errors", s.Errors}, {"skipped", s.Skipped}, {"time", s.Time}} {
			need("testsuite["+strconv.Itoa(i)+"] "+a.what, a.p)
		}
		seconds("testsuite", s.Time)
		var f, e, sk int
		for _, c := range s.Cases {
			need("testcase classname", c.Classname)
			need("testcase name", c.Name)
			need("testcase time", c.Time)
			seconds("testcase", c.Time)
			if len(c.Failure)+len(c.Error)+len(c.Skipped) > 1 {
				t.Errorf("testcase %s has %d outcome elements, want at most one", *c.Name, len(c.Failure)+len(c.Error)+len(c.Skipped))
			}
			for _, m := range c.Failure {
				need("failure message", m.Message)
				need("failure type", m.Type)
				if strings.TrimSpace(m.Body) == "" {
					t.Errorf("testcase %s: empty failure body", *c.Name)
				}
			}
			f += len(c.Failure)
			e += len(c.Error)
			sk += len(c.Skipped)
		}
		if s.Tests == nil || *s.Tests != len(s.Cases) || *s.Failures != f || *s.Errors != e || *s.Skipped != sk {
			t.Errorf("testsuite %v counts tests=%v failures=%v errors=%v skipped=%v, want %d %d %d %d",
				*s.Name, *s.Tests, *s.Failures, *s.Errors, *s.Skipped, len(s.Cases), f, e, sk)
		}
		tests += len(s.Cases)
		failures += f
		errs += e
		skipped += sk
	}
	if *doc.Tests != tests || *doc.Failures != failures || *doc.Errors != errs || *doc.Skipped != skipped {
		t.Errorf("testsuites counts %d/%d/%d/%d, want the sums %d/%d/%d/%d", *doc.Tests, *doc.Failures, *doc.Errors, *doc.Skipped, tests, failures, errs, skipped)
	}
	if want := reports[1].Counts().Failed; *doc.Suites[1].Failures != want || want == 0 {
		t.Errorf("broken target suite failures = %d, want %d (non-zero)", *doc.Suites[1].Failures, want)
	}
	if *doc.Suites[0].Failures != 0 {
		t.Errorf("captures suite failures = %d, want 0", *doc.Suites[0].Failures)
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"text", "json", "junit"} {
		if f, err := contract.ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	if _, err := contract.ParseFormat("xml"); err == nil {
		t.Errorf("ParseFormat(xml) succeeded, want an error")
	}
}
