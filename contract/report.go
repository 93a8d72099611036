package contract

import (
	"fmt"
	"sort"
	"strings"
)

// Status is the outcome of one check.
type Status string

// The outcomes a check can have.
const (
	// Pass: every assertion of the check held.
	Pass Status = "pass"
	// Fail: at least one assertion did not hold; see the violations.
	Fail Status = "fail"
	// Skip: the target could not answer the check (for example the control
	// API is absent, or an earlier request the check depends on failed).
	Skip Status = "skip"
	// Error: a request of the check failed at the transport level (timeout,
	// refused connection, request budget exhausted).
	Error Status = "error"
)

// Request identifies one HTTP request the suite sent: method, full URL and
// the headers that matter to the contract. X-Plex-Token values are redacted.
type Request struct {
	Method string            `json:"method"`
	URL    string            `json:"url"`
	Header map[string]string `json:"header,omitempty"`
}

// String renders the request as "METHOD URL [Header: value, ...]".
func (r Request) String() string {
	if len(r.Header) == 0 {
		return r.Method + " " + r.URL
	}
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + r.Header[k]
	}
	return r.Method + " " + r.URL + " [" + strings.Join(parts, ", ") + "]"
}

// Where a violation was found, besides the body.
const (
	WhereStatus = "status"
	WhereBody   = "body"
	// A Plex JWT's parts, with Pointer into the decoded header or claims.
	WhereJWTHeader    = "jwt header"
	WhereJWTClaims    = "jwt claims"
	WhereJWTSignature = "jwt signature"
	// Headers are reported as "header Name", e.g. "header Content-Type".
	wherePrefixHeader = "header "
)

// Violation is one failed assertion: which check, which request, where in
// the response (status, a header, or the body at a JSON pointer), what the
// contract expects and what came back.
type Violation struct {
	Check   string  `json:"check"`
	Request Request `json:"request"`
	// Where is "status", "header <Name>", "body", or for a Plex JWT the
	// suite was handed, "jwt header", "jwt claims" or "jwt signature".
	Where string `json:"where"`
	// Pointer is the RFC 6901 JSON pointer into the body (XML bodies are
	// converted to the JSON shape first) or into a Plex JWT's decoded
	// header or claims; empty for the whole document, a status or a header.
	Pointer  string `json:"pointer,omitempty"`
	Expected string `json:"expected"`
	Got      string `json:"got"`
}

// String renders the violation on one line:
//
//	check: METHOD URL: where pointer: expected X, got Y
func (v Violation) String() string {
	loc := v.Where
	if v.Where == WhereBody {
		p := v.Pointer
		if p == "" {
			p = "(document)"
		}
		loc = "body " + p
	} else if v.Pointer != "" {
		loc += " " + v.Pointer
	}
	return fmt.Sprintf("%s: %s %s: %s: expected %s, got %s", v.Check, v.Request.Method, v.Request.URL, loc, v.Expected, v.Got)
}

// Observation records something WIRE.md lists as unknown (§7) or
// worth watching: the XML shape, the CORS headers sent, a Retry-After seen,
// whether an error body carries "status". Observations never fail a run.
type Observation struct {
	Check string `json:"check"`
	Key   string `json:"key"`
	Value string `json:"value"`
	// Request is the request whose response was observed, when there is one.
	Request *Request `json:"request,omitempty"`
}

// String renders the observation on one line.
func (o Observation) String() string {
	return fmt.Sprintf("%s: %s = %s", o.Check, o.Key, o.Value)
}

// Exchange summarises one response a check received, in the form Compare
// uses: status, media type, body format and the JSON type at every JSON
// pointer of the body (XML bodies converted to the JSON shape).
type Exchange struct {
	Request     Request `json:"request"`
	Status      int     `json:"status"`
	ContentType string  `json:"contentType,omitempty"`
	// Format is "json", "xml" or "" (no body, or neither).
	Format string `json:"format,omitempty"`
	// Fields maps each JSON pointer of the body to its JSON type: object,
	// array, string, integer, number, boolean or null.
	Fields map[string]string `json:"fields,omitempty"`
}

// CheckResult is the outcome of one check.
type CheckResult struct {
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Reason says why a check was skipped or errored.
	Reason     string      `json:"reason,omitempty"`
	Violations []Violation `json:"violations,omitempty"`
	Exchanges  []Exchange  `json:"exchanges,omitempty"`
	// Seconds is the time spent in the check's own requests.
	Seconds float64 `json:"seconds"`
}

// Report is the outcome of one Run against one target.
type Report struct {
	Target  string `json:"target"`
	URL     string `json:"url"`
	Profile string `json:"profile"`
	// Control is true when the target answered the mockplex control API
	// (GET /__mockplex/pins with 200 and JSON).
	Control bool `json:"control"`
	// ControlRefused is true when the target has the mockplex control API
	// but refused the suite (401 or 403 to GET /__mockplex/pins: a guarded
	// mock without the right token); Run then returns ErrControlRefused.
	ControlRefused bool `json:"controlRefused,omitempty"`
	// ClientIdentifier is the X-Plex-Client-Identifier the suite used.
	ClientIdentifier string `json:"clientIdentifier"`
	// Requests counts every HTTP request sent, retries included.
	Requests     int           `json:"requests"`
	Seconds      float64       `json:"seconds"`
	Checks       []CheckResult `json:"checks"`
	Observations []Observation `json:"observations,omitempty"`
}

// Counts tallies check outcomes.
type Counts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
}

// Counts tallies the report's checks by status.
func (r Report) Counts() Counts {
	var c Counts
	for _, ch := range r.Checks {
		c.Total++
		switch ch.Status {
		case Pass:
			c.Passed++
		case Fail:
			c.Failed++
		case Error:
			c.Errors++
		case Skip:
			c.Skipped++
		}
	}
	return c
}

// Passed reports whether no check failed or errored.
func (r Report) Passed() bool {
	c := r.Counts()
	return c.Failed == 0 && c.Errors == 0
}

// Violations returns every violation of every check, in check order.
func (r Report) Violations() []Violation {
	var vs []Violation
	for _, ch := range r.Checks {
		vs = append(vs, ch.Violations...)
	}
	return vs
}

// Check returns the result of the check with the given id.
func (r Report) Check(id string) (CheckResult, bool) {
	for _, ch := range r.Checks {
		if ch.ID == id {
			return ch, true
		}
	}
	return CheckResult{}, false
}
