package contract_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mockplex/mockplex/contract"
)

func TestCompareSame(t *testing.T) {
	t.Parallel()
	a := run(t, serve(t, newReplay(t)))
	b := run(t, serve(t, newReplay(t)))
	if d := contract.Compare(a, a); len(d) != 0 {
		t.Errorf("Compare(a, a) = %v, want none", d)
	}
	if d := contract.Compare(a, b); len(d) != 0 {
		t.Errorf("Compare of two runs against the same captures = %v, want none", d)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	a := run(t, serve(t, newReplay(t)))
	// b: the pending poll's id is a string, the strong create answers XML
	// although JSON was asked for, and a location key is renamed.
	b := run(t, serve(t, rewrite(newReplay(t), func(r *http.Request, res *recorded) {
		editJSON(func(r *http.Request, doc map[string]any) {
			if r.Method == http.MethodGet {
				if id, ok := doc["id"]; ok {
					doc["id"] = id.(interface{ String() string }).String()
				}
			}
			if loc, ok := doc["location"].(map[string]any); ok {
				loc["zip"] = loc["postal_code"]
				delete(loc, "postal_code")
			}
		})(r, res)
	})))
	got := contract.Compare(a, b)
	want := []contract.Diff{
		{Check: contract.CheckCreateStrongJSON, Kind: contract.DiffStatus, A: "pass", B: "fail"},
		{Check: contract.CheckCreateStrongJSON, Kind: contract.DiffField, Pointer: "/location/postal_code", A: "string", B: "(absent)"},
		{Check: contract.CheckCreateStrongJSON, Kind: contract.DiffField, Pointer: "/location/zip", A: "(absent)", B: "string"},
		{Check: contract.CheckPollPending, Kind: contract.DiffStatus, A: "pass", B: "fail"},
		{Check: contract.CheckPollPending, Kind: contract.DiffType, Pointer: "/id", A: "integer", B: "string"},
		{Check: contract.CheckPollPending, Kind: contract.DiffField, Pointer: "/location/postal_code", A: "string", B: "(absent)"},
		{Check: contract.CheckPollPending, Kind: contract.DiffField, Pointer: "/location/zip", A: "(absent)", B: "string"},
	}
	// Only look at the checks named in want.
	var filtered []contract.Diff
	for _, d := range got {
		if d.Check == contract.CheckCreateStrongJSON || d.Check == contract.CheckPollPending {
			filtered = append(filtered, d)
		}
	}
	if diff := cmp.Diff(want, filtered); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
}

func TestCompareStatusAndContentType(t *testing.T) {
	t.Parallel()
	a := contract.Report{Checks: []contract.CheckResult{{ID: "x", Status: contract.Pass, Exchanges: []contract.Exchange{
		{Status: 201, ContentType: "application/json", Format: "json", Fields: map[string]string{"": "object"}},
	}}, {ID: "only-a", Status: contract.Pass}}}
	b := contract.Report{Checks: []contract.CheckResult{{ID: "x", Status: contract.Pass, Exchanges: []contract.Exchange{
		{Status: 200, ContentType: "application/xml", Format: "xml", Fields: map[string]string{"": "object"}},
		{Status: 200},
	}}, {ID: "only-b", Status: contract.Skip}}}
	want := []contract.Diff{
		{Check: "x", Kind: contract.DiffExchanges, A: "1", B: "2"},
		{Check: "x", Kind: contract.DiffHTTPStatus, A: "201", B: "200"},
		{Check: "x", Kind: contract.DiffContentType, A: "application/json", B: "application/xml"},
		{Check: "x", Kind: contract.DiffFormat, A: "json", B: "xml"},
		{Check: "only-a", Kind: contract.DiffStatus, A: "pass", B: "(absent)"},
		{Check: "only-b", Kind: contract.DiffStatus, A: "(absent)", B: "skip"},
	}
	if diff := cmp.Diff(want, contract.Compare(a, b)); diff != "" {
		t.Errorf("Compare (-want +got):\n%s", diff)
	}
}
