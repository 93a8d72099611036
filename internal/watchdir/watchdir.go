// Package watchdir follows a folder with fsnotify and calls back once the
// folder has been quiet for a moment after a change: the one debounce loop
// behind the hot reload of scenario folders and world files.
package watchdir

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Run watches dir until ctx ends, then returns nil. It calls settled once
// as soon as the watch is in place, so a change made before it began is
// not missed, and again after every burst of
// events (an editor's truncate-then-write, a save through a temporary file
// and a rename, a symlink swap) it waits until dir has been quiet for quiet,
// then calls settled once. A watch error is logged at warn and also leads to
// settled, since events may have been lost. Events are logged at debug,
// with what naming the folder ("scenario folder", "world folder"). Run
// returns an error only when the watch cannot start.
func Run(ctx context.Context, dir string, quiet time.Duration, logger *slog.Logger, what string, settled func()) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watch %s: %w (does the folder exist?)", dir, err)
	}
	settled()
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
			logger.LogAttrs(ctx, slog.LevelDebug, what+" event", slog.String("file", ev.Name), slog.String("op", ev.Op.String()))
			timer.Reset(quiet)
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			logger.LogAttrs(ctx, slog.LevelWarn, what+" watch error", slog.String("dir", dir), slog.Any("error", err))
			timer.Reset(quiet) // events may have been lost: reread everything
		case <-timer.C:
			settled()
		}
	}
}
