package logbuf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// sink records each write separately.
type sink struct {
	mu     sync.Mutex
	writes []string
	err    error
}

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	s.writes = append(s.writes, string(p))
	return len(p), nil
}

func (s *sink) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.writes...)
}

func TestWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit int
		do    func(w *Writer)
		want  []string // the writes out saw, in order
	}{
		{
			name: "batched lines wait for a flush",
			do: func(w *Writer) {
				fmt.Fprint(w.Batched(), "a\n")
				fmt.Fprint(w.Batched(), "b\n")
			},
			want: nil,
		},
		{
			name: "flush writes the batch once",
			do: func(w *Writer) {
				fmt.Fprint(w.Batched(), "a\n")
				fmt.Fprint(w.Batched(), "b\n")
				_ = w.Flush()
				_ = w.Flush()
			},
			want: []string{"a\nb\n"},
		},
		{
			name: "a direct write goes after the batch",
			do: func(w *Writer) {
				fmt.Fprint(w.Batched(), "access 1\n")
				fmt.Fprint(w, "listening\n")
				fmt.Fprint(w.Batched(), "access 2\n")
			},
			want: []string{"access 1\n", "listening\n"},
		},
		{
			name:  "a full buffer goes out before the line that overflows it",
			limit: 8,
			do: func(w *Writer) {
				fmt.Fprint(w.Batched(), "1234\n")
				fmt.Fprint(w.Batched(), "567\n") // 9 bytes would not fit
				fmt.Fprint(w.Batched(), "89\n")
			},
			want: []string{"1234\n"},
		},
		{
			name:  "a line longer than the buffer goes out whole, in order",
			limit: 4,
			do: func(w *Writer) {
				fmt.Fprint(w.Batched(), "ab\n")
				fmt.Fprint(w.Batched(), "0123456789\n")
			},
			want: []string{"ab\n", "0123456789\n"},
		},
		{
			name: "close flushes, and later batched writes go straight out",
			do: func(w *Writer) {
				fmt.Fprint(w.Batched(), "a\n")
				_ = w.Close()
				fmt.Fprint(w.Batched(), "b\n")
			},
			want: []string{"a\n", "b\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s sink
			w := New(&s, 0)
			if tt.limit > 0 {
				w.limit = tt.limit
			}
			tt.do(w)
			if got := s.got(); !equal(got, tt.want) {
				t.Errorf("writes = %q, want %q", got, tt.want)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFlusher checks that the background flusher writes a batch out
// without any other write.
func TestFlusher(t *testing.T) {
	t.Parallel()
	var s sink
	w := New(&s, time.Millisecond)
	defer w.Close()
	fmt.Fprint(w.Batched(), "line\n")
	deadline := time.Now().Add(10 * time.Second)
	for len(s.got()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the batch was not written within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	if got := s.got(); !equal(got, []string{"line\n"}) {
		t.Errorf("writes = %q, want the one line", got)
	}
}

// TestWriteError checks that a failing output reports its error and drops
// the batch, so memory does not grow while the log is broken.
func TestWriteError(t *testing.T) {
	t.Parallel()
	broken := errors.New("stderr closed")
	s := &sink{err: broken}
	w := New(s, 0)
	fmt.Fprint(w.Batched(), "lost\n")
	if err := w.Flush(); !errors.Is(err, broken) {
		t.Fatalf("Flush = %v, want %v", err, broken)
	}
	s.mu.Lock()
	s.err = nil
	s.mu.Unlock()
	fmt.Fprint(w, "after\n")
	if got := s.got(); !equal(got, []string{"after\n"}) {
		t.Errorf("writes = %q, want only the line after the failure", got)
	}
}

// TestConcurrentLinesStayWhole writes from many goroutines, batched and
// direct, and checks that every line arrives once and whole.
func TestConcurrentLinesStayWhole(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	var mu sync.Mutex
	w := New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	}), time.Millisecond)
	w.limit = 256
	var wg sync.WaitGroup
	const writers, lines = 8, 200
	for g := range writers {
		wg.Go(func() {
			for i := range lines {
				var dst io.Writer = w.Batched()
				if i%50 == 0 {
					dst = w
				}
				fmt.Fprintf(dst, "writer=%d line=%d end\n", g, i)
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "writer=") || !strings.HasSuffix(l, " end") {
			t.Fatalf("torn line %q", l)
		}
		if seen[l] {
			t.Fatalf("line %q written twice", l)
		}
		seen[l] = true
	}
	if len(seen) != writers*lines {
		t.Errorf("%d lines arrived, want %d", len(seen), writers*lines)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// pipe is an output like a container's stderr: a pipe drained by another
// process (here a goroutine), where every write is a system call.
func pipe(b *testing.B) io.Writer {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	b.Cleanup(func() { w.Close(); r.Close() })
	return w
}

var accessLine = []byte("time=2026-11-23T16:00:00Z level=INFO msg=request method=GET path=/api/v2/pins/1234567890 status=200 took=41µs client=bench\n")

// BenchmarkAccessLog is the cost of one access-log line written to a pipe,
// batched as serve does, and directly, one write per line.
func BenchmarkAccessLog(b *testing.B) {
	b.Run("batched", func(b *testing.B) {
		w := New(pipe(b), 100*time.Millisecond)
		defer w.Close()
		bw := w.Batched()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = bw.Write(accessLine)
			}
		})
	})
	b.Run("direct", func(b *testing.B) {
		w := New(pipe(b), 0)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_, _ = w.Write(accessLine)
			}
		})
	})
}
