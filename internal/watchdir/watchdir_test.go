package watchdir_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mockplex/mockplex/internal/watchdir"
)

// TestRun: settled runs once when the watch starts, and once more after a
// burst of writes has gone quiet; cancelling ctx ends Run with nil.
func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	calls := make(chan struct{}, 16)
	done := make(chan error, 1)
	go func() {
		done <- watchdir.Run(ctx, dir, 20*time.Millisecond, slog.New(slog.DiscardHandler), "test folder", func() { calls <- struct{}{} })
	}()
	wait := func(what string) {
		t.Helper()
		select {
		case <-calls:
		case <-time.After(10 * time.Second):
			t.Fatalf("settled not called %s", what)
		}
	}
	wait("when the watch started")
	for i := range 3 { // one burst
		if err := os.WriteFile(filepath.Join(dir, "f.yaml"), []byte{byte('a' + i)}, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wait("after the writes")
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

// TestRunMissingFolder: a folder that does not exist is an error that says so.
func TestRunMissingFolder(t *testing.T) {
	t.Parallel()
	err := watchdir.Run(context.Background(), filepath.Join(t.TempDir(), "nope"), time.Millisecond, slog.New(slog.DiscardHandler), "test folder", func() {})
	if err == nil {
		t.Fatal("Run(missing folder) = nil, want an error")
	}
}
