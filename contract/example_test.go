package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/mockplex/mockplex/contract"
	"github.com/mockplex/mockplex/contract/replay"
)

// Run the suite against a server replaying plex.tv's captured responses.
// Checks that need the mockplex control API or an account token are
// skipped. The captures predate plex.tv's JWT sign-in, so the account-free
// jwt.* checks fail against them.
func Example() {
	h, err := replay.New(os.DirFS("testdata/captures"))
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	rep, err := contract.Run(context.Background(),
		contract.Target{Name: "captures", URL: srv.URL, Client: srv.Client()},
		contract.WithCountdownWait(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := rep.Counts()
	fmt.Printf("passed=%v checks=%d pass=%d fail=%d skip=%d\n", rep.Passed(), c.Total, c.Passed, c.Failed, c.Skipped)
	for _, ch := range rep.Checks {
		if ch.Status == contract.Fail {
			fmt.Println("FAIL", ch.ID)
		}
	}
	// Output:
	// passed=false checks=50 pass=23 fail=4 skip=23
	// FAIL jwt.nonce
	// FAIL jwt.nonce.missing-client
	// FAIL jwt.keys
	// FAIL jwt.pin.create
}

// Compare two targets: here the captures and a copy whose create answers
// 200 instead of 201.
func ExampleCompare() {
	h, _ := replay.New(os.DirFS("testdata/captures"))
	good := httptest.NewServer(h)
	defer good.Close()
	h2, _ := replay.New(os.DirFS("testdata/captures"))
	bad := httptest.NewServer(rewrite(h2, func(r *http.Request, res *recorded) {
		if isCreate(r) && r.URL.Path == "/api/v2/pins.json" {
			res.status = 200
		}
	}))
	defer bad.Close()

	ctx := context.Background()
	a, _ := contract.Run(ctx, contract.Target{URL: good.URL}, contract.WithCountdownWait(0))
	b, _ := contract.Run(ctx, contract.Target{URL: bad.URL}, contract.WithCountdownWait(0))
	for _, d := range contract.Compare(a, b) {
		fmt.Println(d)
	}
	// Output:
	// create.link.json: status: pass vs fail
	// create.link.json[0]: http-status: 201 vs 200
}

// Render a report in the text format; one FAIL line per violation.
func ExampleWrite() {
	rep := contract.Report{
		Target: "plex.tv", URL: "https://plex.tv", Profile: "wire", Requests: 14,
		Checks: []contract.CheckResult{
			{ID: contract.CheckCreateStrongJSON, Status: contract.Pass},
			{ID: contract.CheckPollUnknownID, Status: contract.Fail, Violations: []contract.Violation{{
				Check:   contract.CheckPollUnknownID,
				Request: contract.Request{Method: "GET", URL: "https://plex.tv/api/v2/pins/1"},
				Where:   contract.WhereStatus, Expected: "404 Not Found", Got: "410 Gone",
			}}},
			{ID: contract.CheckClaimApprove, Status: contract.Skip, Reason: "target has no mockplex control API"},
		},
		Observations: []contract.Observation{{Check: contract.CheckErrorsEnvelope, Key: "errors.status-field", Value: "absent in the 404 JSON body"}},
	}
	_ = contract.Write(os.Stdout, contract.FormatText, []contract.Report{rep}, nil)
	// Output:
	// target plex.tv (https://plex.tv), profile wire, no control API: 3 checks, 1 passed, 1 failed, 0 errors, 1 skipped, 14 requests
	// FAIL poll.unknown-id: GET https://plex.tv/api/v2/pins/1: status: expected 404 Not Found, got 410 Gone
	// SKIP claim.approve: target has no mockplex control API
	// observed errors.envelope: errors.status-field = absent in the 404 JSON body
}

func ExampleChecks() {
	for _, c := range contract.Checks()[:3] {
		fmt.Println(c.ID)
	}
	// Output:
	// create.strong.json
	// create.strong.xml
	// create.link.json
}
