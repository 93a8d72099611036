package contract

import (
	"fmt"
	"strconv"
)

// The kinds of difference Compare reports.
const (
	DiffStatus      = "status"       // the checks ended with different statuses
	DiffHTTPStatus  = "http-status"  // a response's HTTP status differs
	DiffContentType = "content-type" // a response's media type differs
	DiffFormat      = "format"       // json vs xml vs none
	DiffField       = "field"        // a JSON pointer present in one body only
	DiffType        = "type"         // a JSON pointer with different JSON types
	DiffExchanges   = "exchanges"    // the checks received different numbers of responses
)

// Diff is one way two reports differ for one check. A and B hold the value
// seen in each report ("(absent)" when missing). Exchange is meaningful for
// the per-response kinds only (not DiffStatus or DiffExchanges).
type Diff struct {
	Check string `json:"check"`
	// Exchange is the index of the response within the check.
	Exchange int    `json:"exchange"`
	Kind     string `json:"kind"`
	Pointer  string `json:"pointer,omitempty"`
	A        string `json:"a"`
	B        string `json:"b"`
}

// String renders the diff on one line, naming the targets a and b.
func (d Diff) String() string {
	if d.Kind == DiffStatus || d.Kind == DiffExchanges {
		return fmt.Sprintf("%s: %s: %s vs %s", d.Check, d.Kind, d.A, d.B)
	}
	loc := d.Kind
	if d.Kind == DiffField || d.Kind == DiffType {
		p := d.Pointer
		if p == "" {
			p = "(document)"
		}
		loc += " " + p
	}
	return fmt.Sprintf("%s[%d]: %s: %s vs %s", d.Check, d.Exchange, loc, d.A, d.B)
}

// Compare reports how two reports differ, check by check and response by
// response: check statuses, HTTP statuses, content types, body formats,
// body fields present in one and not the other, and JSON types. Values
// (ids, codes, dates) are not compared. Compare(a, a) is empty.
func Compare(a, b Report) []Diff {
	var out []Diff
	bChecks := map[string]CheckResult{}
	for _, c := range b.Checks {
		bChecks[c.ID] = c
	}
	for _, ca := range a.Checks {
		cb, ok := bChecks[ca.ID]
		if !ok {
			out = append(out, Diff{Check: ca.ID, Kind: DiffStatus, A: string(ca.Status), B: "(absent)"})
			continue
		}
		delete(bChecks, ca.ID)
		if ca.Status != cb.Status {
			out = append(out, Diff{Check: ca.ID, Kind: DiffStatus, A: string(ca.Status), B: string(cb.Status)})
		}
		if ca.Status == Skip || cb.Status == Skip {
			continue
		}
		if len(ca.Exchanges) != len(cb.Exchanges) {
			out = append(out, Diff{Check: ca.ID, Kind: DiffExchanges, A: strconv.Itoa(len(ca.Exchanges)), B: strconv.Itoa(len(cb.Exchanges))})
		}
		for i := 0; i < min(len(ca.Exchanges), len(cb.Exchanges)); i++ {
			out = append(out, compareExchange(ca.ID, i, ca.Exchanges[i], cb.Exchanges[i])...)
		}
	}
	for _, c := range b.Checks {
		if _, ok := bChecks[c.ID]; ok {
			out = append(out, Diff{Check: c.ID, Kind: DiffStatus, A: "(absent)", B: string(c.Status)})
		}
	}
	return out
}

func compareExchange(check string, i int, a, b Exchange) []Diff {
	var out []Diff
	add := func(kind, ptr, x, y string) {
		out = append(out, Diff{Check: check, Exchange: i, Kind: kind, Pointer: ptr, A: x, B: y})
	}
	if a.Status != b.Status {
		add(DiffHTTPStatus, "", strconv.Itoa(a.Status), strconv.Itoa(b.Status))
	}
	if a.ContentType != b.ContentType {
		add(DiffContentType, "", orAbsent(a.ContentType), orAbsent(b.ContentType))
	}
	if a.Format != b.Format {
		add(DiffFormat, "", orAbsent(a.Format), orAbsent(b.Format))
	}
	for _, p := range sortedKeys(a.Fields) {
		tb, ok := b.Fields[p]
		switch {
		case !ok:
			add(DiffField, p, a.Fields[p], "(absent)")
		case tb != a.Fields[p]:
			add(DiffType, p, a.Fields[p], tb)
		}
	}
	for _, p := range sortedKeys(b.Fields) {
		if _, ok := a.Fields[p]; !ok {
			add(DiffField, p, "(absent)", b.Fields[p])
		}
	}
	return out
}

func orAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return s
}
