package scenarios_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mockplex/mockplex/scenarios"
)

func ExampleParse() {
	src := `
name: third-time-lucky
description: The pin is approved on its third poll.
contract: true
rules:
  - when: {op: poll, polls: {gte: 3}, claimed: false}
    then:
      approve: {account: alice}
`
	s, err := scenarios.Parse("third-time-lucky.yaml", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	created := time.Date(2026, 10, 1, 22, 0, 0, 0, time.UTC)
	for polls := 1; polls <= 3; polls++ {
		d := s.Evaluate(scenarios.Event{Op: scenarios.OpPoll, HasPin: true, PinCreated: created, Now: created.Add(5 * time.Second), Polls: polls})
		fmt.Printf("poll %d: approve=%v\n", polls, d.Approve != nil)
	}
	// Output:
	// poll 1: approve=false
	// poll 2: approve=false
	// poll 3: approve=true
}

func ExampleScript_Evaluate() {
	reg, err := scenarios.NewRegistry("")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := reg.Get("rate-limited")
	d := s.Evaluate(scenarios.Event{Op: scenarios.OpPoll, ClientPolls: 2, SinceLastPoll: 200 * time.Millisecond})
	fmt.Println(d.Scenario, d.Respond.Status, d.Respond.Code, d.Respond.RetryAfter)
	// Output: rate-limited 429 1029 1s
}

func ExampleError() {
	_, err := scenarios.Parse("slow.yaml", []byte(`name: slow
description: too slow
contract: true
rules:
  - then:
      delay: 3 parsecs
`))
	var perr *scenarios.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Line, perr.Column)
	}
	fmt.Println(err)
	// Output:
	// 6 14
	// slow.yaml:6:14: want a duration such as 200ms, 30s or 1m30s, got string "3 parsecs"
}

func ExampleRegistry_Names() {
	reg, err := scenarios.NewRegistry("") // builtins only; pass a folder to add or override
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(reg.Names())
	// Output: [claim-expired consume-on-first-read default delayed-token denied deprecated-410 expire-on-claim expiry flaky happy-path home-pin-enforced https-required jwk-taken jwt-short-lived jwt-strict-pin large-ids new-account no-connections no-cors nonce-rate-limited rate-limited relay-only rotating-keys sections-missing server-errors server-offline slow untrusted users-401]
}
