package contract

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Format names an output format of Write.
type Format string

// The output formats.
const (
	FormatText  Format = "text"
	FormatJSON  Format = "json"
	FormatJUnit Format = "junit"
)

// ParseFormat parses "text", "json" or "junit".
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatText, FormatJSON, FormatJUnit:
		return f, nil
	}
	return "", fmt.Errorf("unknown format %q: use text, json or junit", s)
}

// DocumentVersion is the version of the JSON output document.
const DocumentVersion = 1

// Document is the JSON output: every report, and the diffs between the
// first two when there are two. See the package documentation for the
// field-by-field description.
type Document struct {
	Version int      `json:"version"`
	Passed  bool     `json:"passed"`
	Reports []Report `json:"reports"`
	Diffs   []Diff   `json:"diffs,omitempty"`
}

// NewDocument builds the JSON document of reports and diffs. It passes when
// every report passed and the targets do not differ.
func NewDocument(reports []Report, diffs []Diff) Document {
	d := Document{Version: DocumentVersion, Passed: len(diffs) == 0, Reports: reports, Diffs: diffs}
	for _, r := range reports {
		if !r.Passed() {
			d.Passed = false
		}
	}
	return d
}

// Write renders reports (and the diffs between them, if any) in format f.
func Write(w io.Writer, f Format, reports []Report, diffs []Diff) error {
	switch f {
	case FormatText:
		return WriteText(w, reports, diffs)
	case FormatJSON:
		return WriteJSON(w, reports, diffs)
	case FormatJUnit:
		return WriteJUnit(w, reports, diffs)
	}
	return fmt.Errorf("unknown format %q: use text, json or junit", f)
}

// WriteJSON writes the Document of reports and diffs, indented.
func WriteJSON(w io.Writer, reports []Report, diffs []Diff) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewDocument(reports, diffs))
}

// WriteText writes a human summary: per target a header line, one FAIL
// line per violation, one ERROR line per errored check, one SKIP line per
// skipped check, one "observed" line per observation; then one DIFF line
// per difference between the first two targets.
func WriteText(w io.Writer, reports []Report, diffs []Diff) error {
	var b strings.Builder
	for _, r := range reports {
		c := r.Counts()
		ctl := "no control API"
		switch {
		case r.Control:
			ctl = "control API"
		case r.ControlRefused:
			ctl = "control API refused"
		}
		fmt.Fprintf(&b, "target %s (%s), profile %s, %s: %d checks, %d passed, %d failed, %d errors, %d skipped, %d requests\n",
			r.Target, r.URL, r.Profile, ctl, c.Total, c.Passed, c.Failed, c.Errors, c.Skipped, r.Requests)
		for _, ch := range r.Checks {
			switch ch.Status {
			case Fail:
				for _, v := range ch.Violations {
					fmt.Fprintf(&b, "FAIL %s\n", v)
				}
			case Error:
				fmt.Fprintf(&b, "ERROR %s: %s\n", ch.ID, ch.Reason)
			case Skip:
				fmt.Fprintf(&b, "SKIP %s: %s\n", ch.ID, ch.Reason)
			}
		}
		for _, o := range r.Observations {
			fmt.Fprintf(&b, "observed %s\n", o)
		}
	}
	if len(reports) >= 2 {
		fmt.Fprintf(&b, "compare %s vs %s: %d differences\n", reports[0].Target, reports[1].Target, len(diffs))
		for _, d := range diffs {
			fmt.Fprintf(&b, "DIFF %s\n", d)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JUnit XML, in the shape CI tools read (the Ant/Jenkins junit schema).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }

// WriteJUnit writes JUnit XML: one <testsuite> per target named
// "contract <target>", one <testcase> per check (classname "contract.<target>",
// name the check id) with <failure> listing the violations, <error> for a
// transport failure, <skipped> with the reason. Observations go to the
// suite's <system-out>. With two targets a "compare" suite holds one
// testcase per check that differs, failed (type "contract.drift") with its
// diffs as the failure's text: a drift fails a CI run as a violation does.
func WriteJUnit(w io.Writer, reports []Report, diffs []Diff) error {
	var all junitSuites
	all.Name = "mockplex contract"
	var total float64
	for _, r := range reports {
		s := junitSuite{
			Name: "contract " + r.Target,
			Time: seconds(r.Seconds),
			Properties: []junitProperty{
				{"url", r.URL}, {"profile", r.Profile}, {"control", fmt.Sprint(r.Control)},
				{"clientIdentifier", r.ClientIdentifier}, {"requests", fmt.Sprint(r.Requests)},
			},
		}
		for _, ch := range r.Checks {
			tc := junitCase{Classname: "contract." + r.Target, Name: ch.ID, Time: seconds(ch.Seconds)}
			switch ch.Status {
			case Fail:
				lines := make([]string, len(ch.Violations))
				for i, v := range ch.Violations {
					lines[i] = v.String()
				}
				msg := lines[0]
				if len(lines) > 1 {
					msg = fmt.Sprintf("%s (and %d more)", msg, len(lines)-1)
				}
				tc.Failure = &junitMessage{Message: msg, Type: "contract.violation", Body: strings.Join(lines, "\n")}
				s.Failures++
			case Error:
				tc.Error = &junitMessage{Message: ch.Reason, Type: "contract.error", Body: ch.Reason}
				s.Errors++
			case Skip:
				tc.Skipped = &junitMessage{Message: ch.Reason}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, tc)
		}
		var out strings.Builder
		for _, o := range r.Observations {
			fmt.Fprintf(&out, "observed %s\n", o)
		}
		s.SystemOut = out.String()
		all.Suites = append(all.Suites, s)
		total += r.Seconds
	}
	if len(reports) >= 2 {
		s := junitSuite{Name: fmt.Sprintf("compare %s vs %s", reports[0].Target, reports[1].Target), Time: seconds(0)}
		byCheck := map[string][]string{}
		var order []string
		for _, d := range diffs {
			if _, ok := byCheck[d.Check]; !ok {
				order = append(order, d.Check)
			}
			byCheck[d.Check] = append(byCheck[d.Check], d.String())
		}
		for _, id := range order {
			lines := byCheck[id]
			msg := lines[0]
			if len(lines) > 1 {
				msg = fmt.Sprintf("%s (and %d more)", msg, len(lines)-1)
			}
			s.Cases = append(s.Cases, junitCase{Classname: "contract.compare", Name: id, Time: seconds(0),
				Failure: &junitMessage{Message: msg, Type: "contract.drift", Body: strings.Join(lines, "\n")}})
			s.Tests++
			s.Failures++
		}
		all.Suites = append(all.Suites, s)
	}
	for _, s := range all.Suites {
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Skipped += s.Skipped
	}
	all.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
