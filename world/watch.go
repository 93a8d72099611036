package world

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/mockplex/mockplex/internal/watchdir"
)

// reloadQuiet is how long the file's folder must stay quiet after an event
// before Watch rereads it, so an editor's truncate-then-write is read once.
const reloadQuiet = 50 * time.Millisecond

// Watch calls changed with the file's new content each time the world
// file at path changes, until ctx ends. It watches the file's folder, so
// an editor's save through a temporary file and a rename, and symlink
// swaps (Kubernetes ConfigMaps), are seen like a plain write. A file that
// cannot be read (or is over MaxFileSize) is passed to changed as its
// error; the caller keeps the world it has.
func Watch(ctx context.Context, path string, logger *slog.Logger, changed func(data []byte, err error)) error {
	var last [sha256.Size]byte
	if data, err := ReadFile(path); err == nil {
		last = sha256.Sum256(data)
	}
	err := watchdir.Run(ctx, filepath.Dir(path), reloadQuiet, logger, "world folder", func() {
		data, err := ReadFile(path)
		if err != nil {
			if _, statErr := os.Stat(path); os.IsNotExist(statErr) {
				return // removed, perhaps mid-rename: keep the world until it is back
			}
			changed(nil, err)
			return
		}
		if sum := sha256.Sum256(data); sum != last {
			last = sum
			changed(data, nil)
		}
	})
	if err != nil {
		return fmt.Errorf("world: %w", err)
	}
	return nil
}
