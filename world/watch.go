package world

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
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
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("world: watch %s: %w", path, err)
	}
	defer w.Close()
	dir := filepath.Dir(path)
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("world: watch %s: %w (does the folder exist?)", dir, err)
	}
	var last [sha256.Size]byte
	if data, err := ReadFile(path); err == nil {
		last = sha256.Sum256(data)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			logger.LogAttrs(ctx, slog.LevelDebug, "world folder event", slog.String("file", ev.Name), slog.String("op", ev.Op.String()))
			timer.Reset(reloadQuiet)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			logger.LogAttrs(ctx, slog.LevelWarn, "world folder watch error", slog.String("dir", dir), slog.Any("error", err))
			timer.Reset(reloadQuiet)
		case <-timer.C:
			data, err := ReadFile(path)
			if err != nil {
				if _, statErr := os.Stat(path); os.IsNotExist(statErr) {
					continue // removed, perhaps mid-rename: keep the world until it is back
				}
				changed(nil, err)
				continue
			}
			if sum := sha256.Sum256(data); sum != last {
				last = sum
				changed(data, nil)
			}
		}
	}
}
