package world_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/world"
)

func TestWatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "world.yaml")
	if err := os.WriteFile(path, []byte("servers: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	changes := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- world.Watch(ctx, path, slog.New(slog.DiscardHandler), func(data []byte, err error) {
			if err != nil {
				changes <- "error: " + err.Error()
				return
			}
			changes <- string(data)
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch = %v", err)
		}
	})
	// The watcher may start after the first write: write until it sees
	// one, through a temporary file and a rename as editors do.
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		want := "servers: []\nshares: [] # " + strconv.Itoa(i) + "\n"
		tmp := filepath.Join(dir, ".world.yaml.tmp")
		if err := os.WriteFile(tmp, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-changes:
			if !strings.HasPrefix(got, "servers: []\nshares: [] # ") {
				t.Fatalf("changed(%q), want the new content", got)
			}
			return
		case <-tick.C:
		case <-deadline:
			t.Fatal("no change reported within 10s")
		}
	}
}
