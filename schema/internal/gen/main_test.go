package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mockplex/mockplex/internal/schemagen"
	"github.com/mockplex/mockplex/schema"
)

func TestRunWritesGeneratedFiles(t *testing.T) {
	t.Parallel()
	src := filepath.Join("..", "..")
	dir := t.TempDir()
	for _, name := range []string{"fieldtables/GetPinResponseBody.md", "fieldtables/Location.md", "overlay.yaml"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, schemagen.GeneratedDir), 0o755); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := run([]string{"-dir", dir}, &out); err != nil {
		t.Fatalf("run() = %v", err)
	}
	if got := strings.Count(out.String(), "wrote "); got != len(schema.Profiles()) {
		t.Errorf("run() wrote %d files, want %d:\n%s", got, len(schema.Profiles()), out.String())
	}
	for _, p := range schema.Profiles() {
		got, err := os.ReadFile(filepath.Join(dir, schemagen.GeneratedDir, schemagen.GeneratedFile(p)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := schema.Document(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("run() output for %s differs from the committed document", p)
		}
	}

	// A second run finds nothing to do.
	out.Reset()
	if err := run([]string{"-dir", dir}, &out); err != nil {
		t.Fatalf("second run() = %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("second run() output = %q, want none", out.String())
	}

	// A broken overlay is reported, not written.
	if err := os.WriteFile(filepath.Join(dir, "overlay.yaml"), []byte("root: Nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"-dir", dir}, &out); err == nil || !strings.Contains(err.Error(), "Nope") {
		t.Errorf("run() with a bad overlay = %v, want an error naming the root", err)
	}
}
