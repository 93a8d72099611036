package world_test

import (
	"os"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/world"
)

// TestDocsExample parses the world file example of docs/world.md, so the
// documentation cannot drift from the format.
func TestDocsExample(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("../docs/world.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(md), "```yaml\n")
	if !ok {
		t.Fatal("docs/world.md has no yaml block")
	}
	src, _, _ := strings.Cut(rest, "```")
	accounts := []world.Account{{ID: 1, Username: "jane.doe", Title: "Jane Doe"}, {ID: 2, Username: "john.roe"}}
	w, err := world.Parse("docs/world.md", []byte(src), accounts, t0)
	if err != nil {
		t.Fatalf("the example does not parse: %v", err)
	}
	if len(w.Servers) != 1 || len(w.Shares) != 1 || len(w.Homes) != 1 || len(w.Homes[0].Members) != 2 {
		t.Errorf("example world = %d servers, %d shares, %d homes", len(w.Servers), len(w.Shares), len(w.Homes))
	}
}
