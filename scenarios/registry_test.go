package scenarios

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func scenarioYAML(name, description string) string {
	return fmt.Sprintf("name: %s\ndescription: %s\ncontract: true\nrules:\n  - when: {op: poll}\n    then: {delay: 1ms}\n", name, description)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeAtomic saves like most editors do: a temporary file renamed over the target.
func writeAtomic(t *testing.T, dir, name, content string) string {
	t.Helper()
	tmp := writeFile(t, dir, "."+name+".tmp", content)
	p := filepath.Join(dir, name)
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewRegistryUserFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	custom := writeFile(t, dir, "custom.yaml", scenarioYAML("custom", "mine"))
	override := writeFile(t, dir, "happy-path.yml", scenarioYAML("happy-path", "my happy path"))
	writeFile(t, dir, ".hidden.yaml", "not: [valid")
	writeFile(t, dir, "notes.txt", "not a scenario")
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}

	r, err := NewRegistry(dir)
	if err != nil {
		t.Fatalf("NewRegistry = %v", err)
	}
	s, ok := r.Get("custom")
	if !ok || s.File != custom || s.Description != "mine" {
		t.Errorf("Get(custom) = %+v, %v; want the user file %s", s, ok, custom)
	}
	s, ok = r.Get("happy-path")
	if !ok || s.File != override {
		t.Errorf("Get(happy-path) = %+v, %v; want the user override %s", s, ok, override)
	}
	if _, ok := r.Get("nope"); ok {
		t.Error("Get(nope) = true, want false")
	}
	names := r.Names()
	if !slices.IsSorted(names) || !slices.Contains(names, "custom") || !slices.Contains(names, "delayed-token") {
		t.Errorf("Names() = %v, want sorted builtins plus custom", names)
	}
	names[0] = "mutated"
	if r.Names()[0] == "mutated" {
		t.Error("Names() shares its slice with the registry")
	}
}

func TestNewRegistryRefusesBadFolder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  *Error // nil: a non-*Error error
	}{
		{
			name:  "bad file",
			files: map[string]string{"a.yaml": scenarioYAML("a", "ok"), "b.yaml": "name: b\ndescription: x\ncontract: maybe\nrules: []\n"},
			want:  &Error{File: "b.yaml", Line: 3, Column: 11, Want: "true or false (whether a client still sees plex.tv-conformant behaviour)", Got: `string "maybe"`},
		},
		{
			name:  "name differs from file name",
			files: map[string]string{"slow2.yaml": scenarioYAML("slow", "copy")},
			want:  &Error{File: "slow2.yaml", Line: 1, Column: 7, Want: "name: slow2 (a scenario file is named after its scenario)", Got: "name: slow"},
		},
		{
			name:  "same name twice",
			files: map[string]string{"dup.yaml": scenarioYAML("dup", "one"), "dup.yml": scenarioYAML("dup", "two")},
			want:  &Error{File: "dup.yml", Line: 1, Column: 7, Want: "one file per scenario name", Got: `"dup" also in DIR/dup.yaml`},
		},
		{
			name: "missing folder",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.files == nil {
				dir = filepath.Join(dir, "absent")
			}
			for n, c := range tc.files {
				writeFile(t, dir, n, c)
			}
			r, err := NewRegistry(dir)
			if err == nil {
				t.Fatalf("NewRegistry = %v, nil; want an error", r.Names())
			}
			var got *Error
			if tc.want == nil {
				if errors.As(err, &got) {
					t.Errorf("NewRegistry error = %#v, want a plain error", got)
				}
				return
			}
			if !errors.As(err, &got) {
				t.Fatalf("NewRegistry error = %v, want *Error", err)
			}
			want := *tc.want
			want.File = filepath.Join(dir, want.File)
			want.Got = strings.ReplaceAll(want.Got, "DIR", dir)
			if diff := cmp.Diff(want, *got); diff != "" {
				t.Errorf("NewRegistry error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

type reload struct {
	file string
	err  error
}

// startWatch builds a registry over dir and runs Watch until the test ends.
// Reload reports arrive on the returned channel.
func startWatch(t *testing.T, dir string) (*Registry, <-chan reload) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan reload, 16)
	r, err := NewRegistry(dir, WithOnReload(func(file string, err error) {
		select {
		case ch <- reload{file, err}:
		case <-ctx.Done():
		}
	}))
	if err != nil {
		t.Fatalf("NewRegistry = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Watch(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Watch = %v, want nil after cancel", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Watch did not return after its context was cancelled")
		}
	})
	return r, ch
}

// waitReload waits for the next reload report, which must be about file.
func waitReload(t *testing.T, ch <-chan reload, file string) error {
	t.Helper()
	select {
	case got := <-ch:
		if got.file != file {
			t.Fatalf("reload of %s (err %v), want a reload of %s", got.file, got.err, file)
		}
		return got.err
	case <-time.After(10 * time.Second):
		t.Fatalf("no reload of %s within 10s", file)
	}
	return nil
}

func description(t *testing.T, r *Registry, name string) string {
	t.Helper()
	s, ok := r.Get(name)
	if !ok {
		t.Fatalf("Get(%q) = false, want it present", name)
	}
	return s.Description
}

func TestWatchHotReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	custom := writeFile(t, dir, "custom.yaml", scenarioYAML("custom", "v1"))
	r, reloads := startWatch(t, dir)

	// Readers keep hammering the registry while it reloads (for -race).
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				if s, ok := r.Get("custom"); ok {
					_ = s.Evaluate(Event{Op: OpPoll})
				}
				_ = r.Names()
			}
		}
	})
	defer readers.Wait()
	defer close(stop)

	if got := description(t, r, "custom"); got != "v1" {
		t.Fatalf("before edits: description = %q, want v1", got)
	}

	// A good edit, saved through a rename, applies.
	writeAtomic(t, dir, "custom.yaml", scenarioYAML("custom", "v2"))
	if err := waitReload(t, reloads, custom); err != nil {
		t.Fatalf("good edit reported %v", err)
	}
	if got := description(t, r, "custom"); got != "v2" {
		t.Errorf("after good edit: description = %q, want v2", got)
	}

	// A bad edit, written in place, is reported and the last good version stays.
	writeFile(t, dir, "custom.yaml", "name: custom\ndescription: [broken\n")
	err := waitReload(t, reloads, custom)
	var perr *Error
	if !errors.As(err, &perr) || perr.File != custom {
		t.Fatalf("bad edit reported %v, want an *Error for %s", err, custom)
	}
	if got := description(t, r, "custom"); got != "v2" {
		t.Errorf("after bad edit: description = %q, want the last good v2", got)
	}

	// Fixing it applies again.
	writeFile(t, dir, "custom.yaml", scenarioYAML("custom", "v3"))
	if err := waitReload(t, reloads, custom); err != nil {
		t.Fatalf("fix reported %v", err)
	}
	if got := description(t, r, "custom"); got != "v3" {
		t.Errorf("after fix: description = %q, want v3", got)
	}

	// A new file overrides a builtin; deleting it brings the builtin back.
	override := writeAtomic(t, dir, "happy-path.yaml", scenarioYAML("happy-path", "mine"))
	if err := waitReload(t, reloads, override); err != nil {
		t.Fatalf("override reported %v", err)
	}
	if s, _ := r.Get("happy-path"); s.File != override {
		t.Errorf("Get(happy-path).File = %q, want %q", s.File, override)
	}
	if err := os.Remove(override); err != nil {
		t.Fatal(err)
	}
	if err := waitReload(t, reloads, override); err != nil {
		t.Fatalf("removal reported %v", err)
	}
	if s, _ := r.Get("happy-path"); s.File != "builtin/happy-path.yaml" {
		t.Errorf("after removal Get(happy-path).File = %q, want the builtin", s.File)
	}

	// A new file whose name does not match is refused.
	other := writeAtomic(t, dir, "other.yaml", scenarioYAML("custom", "impostor"))
	if err := waitReload(t, reloads, other); !errors.As(err, &perr) || !strings.Contains(perr.Want, "name: other") {
		t.Fatalf("mismatched name reported %v, want an *Error wanting name: other", err)
	}
	if _, ok := r.Get("other"); ok {
		t.Error("Get(other) = true after a refused file")
	}
	if got := description(t, r, "custom"); got != "v3" {
		t.Errorf("after impostor: description = %q, want v3", got)
	}

	// Deleting a user scenario removes it.
	if err := os.Remove(custom); err != nil {
		t.Fatal(err)
	}
	if err := waitReload(t, reloads, custom); err != nil {
		t.Fatalf("removal reported %v", err)
	}
	if _, ok := r.Get("custom"); ok {
		t.Error("Get(custom) = true after its file was removed")
	}
	if slices.Contains(r.Names(), "custom") {
		t.Errorf("Names() = %v still lists custom", r.Names())
	}
}

func TestWatchWithoutFolder(t *testing.T) {
	t.Parallel()
	r := loadBuiltins(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Watch(ctx); err != nil {
		t.Errorf("Watch without a folder = %v, want nil", err)
	}
	if ctx.Err() != nil {
		t.Error("Watch without a folder blocked until its context ended; want an immediate return")
	}
}

func TestWatchFolderGone(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "scenarios")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := NewRegistry(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := r.Watch(context.Background()); err == nil {
		t.Error("Watch on a removed folder = nil, want an error")
	}
}

// TestOnReloadMayReadTheRegistry calls Get from the OnReload function
// before anything has looked a scenario up: the report arrives while the
// registry holds its lock, so the first snapshot must already be there.
func TestOnReloadMayReadTheRegistry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "custom.yaml", scenarioYAML("custom", "v1"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan bool, 16)
	var r *Registry
	r, err := NewRegistry(dir, WithOnReload(func(string, error) {
		_, ok := r.Get("happy-path")
		got <- ok
	}))
	if err != nil {
		t.Fatalf("NewRegistry = %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Watch(ctx) }()
	// A file that fails to parse changes nothing, and is reported.
	writeFile(t, dir, "broken.yaml", "name: [")
	select {
	case ok := <-got:
		if !ok {
			t.Error("Get(happy-path) from OnReload = false, want the builtin")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reload report within 10s: OnReload blocked on the registry?")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Watch = %v", err)
	}
}

// oversized returns a scenario file one byte over MaxFileSize: valid YAML
// padded with a comment, so only its size is wrong.
func oversized(name string) string {
	s := scenarioYAML(name, "huge") + "# "
	return s + strings.Repeat("x", MaxFileSize+1-len(s))
}

func TestNewRegistryRefusesOversizedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := writeFile(t, dir, "big.yaml", oversized("big"))
	_, err := NewRegistry(dir)
	var got *Error
	if !errors.As(err, &got) {
		t.Fatalf("NewRegistry = %v, want an *Error", err)
	}
	want := Error{File: big, Want: "a scenario file of at most 1 MiB (scenarios.MaxFileSize)", Got: fmt.Sprintf("%d bytes", MaxFileSize+1)}
	if diff := cmp.Diff(want, *got); diff != "" {
		t.Errorf("NewRegistry error mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRefusesOversizedData(t *testing.T) {
	t.Parallel()
	_, err := Parse("big.yaml", []byte(oversized("big")))
	var got *Error
	if !errors.As(err, &got) || got.Want != "a scenario file of at most 1 MiB (scenarios.MaxFileSize)" {
		t.Fatalf("Parse = %v, want an *Error about the size", err)
	}
}

// TestWatchOversizedFile replaces a good file with one over MaxFileSize: the
// registry reports it, keeps serving the last good version, and keeps none of
// the rejected file's bytes.
func TestWatchOversizedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	custom := writeFile(t, dir, "custom.yaml", scenarioYAML("custom", "v1"))
	r, reloads := startWatch(t, dir)

	writeAtomic(t, dir, "custom.yaml", oversized("custom"))
	err := waitReload(t, reloads, custom)
	var perr *Error
	if !errors.As(err, &perr) || perr.File != custom || perr.Want != "a scenario file of at most 1 MiB (scenarios.MaxFileSize)" {
		t.Errorf("oversized edit reported %v, want an *Error about the size of %s", err, custom)
	}
	if got := description(t, r, "custom"); got != "v1" {
		t.Errorf("after oversized edit: description = %q, want the last good v1", got)
	}
	r.mu.Lock()
	kept := retained(r.files["custom.yaml"])
	r.mu.Unlock()
	if kept > 0 {
		t.Errorf("registry keeps %d bytes of the rejected file, want none", kept)
	}

	// Fixing it applies again.
	writeFile(t, dir, "custom.yaml", scenarioYAML("custom", "v2"))
	if err := waitReload(t, reloads, custom); err != nil {
		t.Fatalf("fix reported %v", err)
	}
	if got := description(t, r, "custom"); got != "v2" {
		t.Errorf("after fix: description = %q, want v2", got)
	}
}

// retained counts the bytes of file content a fileState holds in slices.
func retained(st fileState) int {
	n := 0
	v := reflect.ValueOf(st)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Uint8 {
			n += f.Len()
		}
	}
	return n
}
