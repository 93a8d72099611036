// Package logbuf batches a busy log. Lines written through Batched collect
// in a buffer that goes out in one write every interval, when it fills,
// before any line written directly, and on Close. mockplex sends its
// per-request access log through it: one write(2) per request costs a
// third of a 2-core machine's poll throughput, one per batch costs almost
// nothing. Lifecycle lines (listening, reloads, warnings) are written
// directly, so they appear at once and after every access line before them.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// DefaultLimit is the buffer size past which Batched writes go out at once.
const DefaultLimit = 64 << 10

// Writer writes to an underlying writer, directly or in batches. It is safe
// for concurrent use; each Write call's bytes stay together.
type Writer struct {
	mu     sync.Mutex
	out    io.Writer
	buf    []byte
	limit  int
	closed bool // batched writes go straight out once closed

	stop, done chan struct{}
	closing    sync.Once
}

// New returns a Writer over out that flushes its batch every interval; an
// interval of 0 or less flushes only when the buffer fills, on a direct
// write and on Close. Close it to stop its flusher and write what is left.
func New(out io.Writer, interval time.Duration) *Writer {
	w := &Writer{out: out, limit: DefaultLimit, stop: make(chan struct{}), done: make(chan struct{})}
	if interval <= 0 {
		close(w.done)
		return w
	}
	go w.flusher(interval)
	return w
}

func (w *Writer) flusher(interval time.Duration) {
	defer close(w.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-t.C:
			_ = w.Flush()
		}
	}
}

// Write writes p at once, after the pending batch, so lines stay in order.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.flushLocked(); err != nil {
		return 0, err
	}
	return w.out.Write(p)
}

// Batched returns a writer whose writes join the batch.
func (w *Writer) Batched() io.Writer { return batched{w} }

type batched struct{ w *Writer }

func (b batched) Write(p []byte) (int, error) {
	w := b.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || len(w.buf)+len(p) > w.limit {
		if err := w.flushLocked(); err != nil {
			return 0, err
		}
		if w.closed || len(p) > w.limit {
			return w.out.Write(p)
		}
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Flush writes the pending batch.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.flushLocked()
}

func (w *Writer) flushLocked() error {
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.out.Write(w.buf)
	// The batch is dropped even on error: a log that cannot be written
	// must not grow without bound, nor block the server.
	w.buf = w.buf[:0]
	if cap(w.buf) > 4*w.limit {
		w.buf = nil
	}
	return err
}

// Close stops the flusher and writes the pending batch. Writes after Close
// still work; batched ones are no longer batched.
func (w *Writer) Close() error {
	w.closing.Do(func() { close(w.stop) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	return w.flushLocked()
}
