package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeStateFileUnwritable checks that serve refuses to start when the
// state could not be saved at shutdown, instead of finding out at SIGTERM
// and losing the pins.
func TestServeStateFileUnwritable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path func(t *testing.T) string
		root bool // whether the case also holds for root, who may write anywhere
	}{
		{"missing folder", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "no-such-folder", "state.json")
		}, true},
		{"folder is a file", func(t *testing.T) string {
			f := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(f, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(f, "state.json")
		}, true},
		{"state file is a folder", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "state.json")
			if err := os.Mkdir(d, 0o755); err != nil {
				t.Fatal(err)
			}
			return d
		}, true},
		{"read-only folder", func(t *testing.T) string {
			d := filepath.Join(t.TempDir(), "ro")
			if err := os.Mkdir(d, 0o555); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(d, "state.json")
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !tt.root && os.Geteuid() == 0 {
				t.Skip("root may write into a read-only folder")
			}
			path := tt.path(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			logs := newLogWatch()
			ended := make(chan error, 1)
			go func() {
				ended <- run(ctx, []string{"serve", "--log-format", "json", "--addr", "127.0.0.1:0", "--state-file", path}, env(), io.Discard, logs)
			}()
			var err error
			select {
			case err = <-ended:
			case <-logs.addr:
				cancel()
				<-ended
				t.Fatalf("serve --state-file %s started; want it refused at start:\n%s", path, logs)
			case <-time.After(20 * time.Second):
				t.Fatalf("serve --state-file %s neither started nor failed within 20s:\n%s", path, logs)
			}
			msg := fmt.Sprint(err)
			if code := mainExitCode(err); code != 1 || !strings.Contains(msg, path) || !strings.Contains(msg, "--state-file") {
				t.Errorf("serve --state-file %s = %v (exit %d); want exit 1 naming the file and --state-file", path, err, code)
			}
		})
	}
}

// TestServeStateFileNew checks that a writable folder without a state file
// yet is accepted, and that the start-up check leaves nothing behind.
func TestServeStateFileNew(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	_, logs, stop := serveInProcess(t, env("MOCKPLEX_STATE_FILE", path), "--addr", "127.0.0.1:0")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("folder of the state file holds %v after start, want nothing yet", entries)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve: %v\n%s", err, logs)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("state file after shutdown: %v", err)
	}
}
