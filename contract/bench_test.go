package contract_test

import (
	"context"
	"testing"

	"github.com/mockplex/mockplex/contract"
)

// BenchmarkRun is a full contract run against the in-process captures
// server (the target: "a full contract run against the mock in under 1 s").
func BenchmarkRun(b *testing.B) {
	target := serve(b, newReplay(b))
	ctx := context.Background()
	opts := quick()
	for b.Loop() {
		rep, err := contract.Run(ctx, target, opts...)
		if err != nil {
			b.Fatal(err)
		}
		if !rep.Passed() {
			b.Fatalf("run failed: %v", rep.Violations())
		}
	}
}
