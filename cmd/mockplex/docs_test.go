package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConfigurationTable holds docs/configuration.md's table to serve's
// flags: one row per flag, in the flag's name, with its MOCKPLEX_*
// variable, and no row for a flag that does not exist.
func TestConfigurationTable(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	if err := run(context.Background(), []string{"serve", "-h"}, env(), &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("serve -h: %v", err)
	}
	var flags []string
	for _, m := range regexp.MustCompile(`(?m)^  -([a-z-]+)`).FindAllStringSubmatch(stderr.String(), -1) {
		flags = append(flags, m[1])
	}
	if len(flags) == 0 {
		t.Fatalf("serve -h lists no flags:\n%s", stderr.String())
	}
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, m := range regexp.MustCompile("(?m)^\\| `--([a-z-]+)` \\| `([A-Z_]+)` \\|").FindAllStringSubmatch(string(doc), -1) {
		rows = append(rows, m[1])
		want := envName(m[1])
		if m[1] == "tls-host" { // repeatable: one variable, a comma list, named in the plural
			want = "MOCKPLEX_TLS_HOSTS"
		}
		if m[2] != want {
			t.Errorf("docs/configuration.md: --%s's variable is %s, want %s", m[1], m[2], want)
		}
	}
	slices.Sort(flags)
	slices.Sort(rows)
	if diff := cmp.Diff(flags, rows); diff != "" {
		t.Errorf("docs/configuration.md's table and serve's flags differ (-flags +table); add or remove rows:\n%s", diff)
	}
}
