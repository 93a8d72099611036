package logbuf_test

import (
	"log/slog"
	"os"
	"time"

	"github.com/mockplex/mockplex/internal/logbuf"
)

// Two loggers share one output: the access log is batched, lifecycle lines
// are written at once, after any access lines before them.
func Example() {
	w := logbuf.New(os.Stdout, 100*time.Millisecond)
	defer w.Close()
	plain := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{} // keep the example's output stable
		}
		return a
	}}
	access := slog.New(slog.NewTextHandler(w.Batched(), plain))
	logger := slog.New(slog.NewTextHandler(w, plain))

	access.Info("request", "path", "/api/v2/pins", "status", 201)
	logger.Info("shutting down")
	// Output:
	// level=INFO msg=request path=/api/v2/pins status=201
	// level=INFO msg="shutting down"
}
