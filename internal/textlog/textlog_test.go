package textlog_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"os"
	"testing"
	"time"

	"github.com/mockplex/mockplex/internal/textlog"
)

// both logs r through a textlog.Handler and a slog.TextHandler with opts
// and returns the two outputs.
func both(t *testing.T, opts *slog.HandlerOptions, do func(*slog.Logger)) (got, want string) {
	t.Helper()
	var g, w bytes.Buffer
	do(slog.New(textlog.New(&g, opts)))
	do(slog.New(slog.NewTextHandler(&w, opts)))
	return g.String(), w.String()
}

var when = time.Date(2026, 12, 7, 2, 30, 0, 123456789, time.UTC)

// record logs one record at when, as mockplex's access log builds them.
func record(l *slog.Logger, level slog.Level, msg string, attrs ...slog.Attr) {
	r := slog.NewRecord(when, level, msg, 0)
	r.AddAttrs(attrs...)
	_ = l.Handler().Handle(context.Background(), r)
}

func TestMatchesTextHandler(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name  string
		opts  *slog.HandlerOptions
		do    func(*slog.Logger)
		wantN int // lines
	}{
		{"access line", nil, func(l *slog.Logger) {
			record(l, slog.LevelInfo, "request", slog.String("method", "GET"), slog.String("path", "/api/v2/pins/12.json"),
				slog.Int("status", 200), slog.Duration("took", 12345*time.Nanosecond), slog.String("client", "loadbench"),
				slog.String("scenario", "loadbench"))
		}, 1},
		{"quoting", nil, func(l *slog.Logger) {
			record(l, slog.LevelWarn, "two words", slog.String("", ""), slog.String("a=b", `say "hi"`),
				slog.String("tab", "a\tb"), slog.String("back", `a\b`), slog.String("del", "a\x7fb"),
				slog.String("utf8", "Zürich"), slog.String("nbsp", "a\u00a0b"), slog.String("bad", "a\xffb"),
				slog.String("ctl", "a\u200bb"), slog.String("esc", "\x1b[31m"))
		}, 1},
		{"kinds", nil, func(l *slog.Logger) {
			record(l, slog.LevelError+2, "kinds", slog.Int64("neg", math.MinInt64), slog.Uint64("u", math.MaxUint64),
				slog.Float64("f", 0.1), slog.Float64("inf", math.Inf(-1)), slog.Float64("nan", math.NaN()), slog.Bool("b", true),
				slog.Duration("d", -90*time.Minute), slog.Time("t", time.Date(2026, 1, 2, 3, 4, 5, 0, paris)), slog.Time("zero", time.Time{}))
		}, 1},
		{"level and message", &slog.HandlerOptions{Level: slog.LevelDebug}, func(l *slog.Logger) {
			record(l, slog.LevelDebug-3, "")
			record(l, slog.LevelInfo, "a=b")
		}, 2},
		{"zero time", nil, func(l *slog.Logger) {
			r := slog.NewRecord(time.Time{}, slog.LevelInfo, "no time", 0)
			r.AddAttrs(slog.Int("n", 1))
			_ = l.Handler().Handle(context.Background(), r)
		}, 1},
		{"slow kinds", nil, func(l *slog.Logger) {
			record(l, slog.LevelInfo, "any", slog.Any("err", errors.New("boom")), slog.Any("nil", nil),
				slog.Group("g", slog.Int("a", 1)), slog.Attr{}, slog.Any("bytes", []byte("hi")))
		}, 1},
		{"with attrs and group", nil, func(l *slog.Logger) {
			record(l.With("svc", "mockplex").WithGroup("req"), slog.LevelInfo, "hello", slog.Int("id", 7))
		}, 1},
		{"replace attr", &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}, func(l *slog.Logger) { record(l, slog.LevelInfo, "request", slog.Int("status", 201)) }, 1},
		{"below level", &slog.HandlerOptions{Level: slog.LevelWarn}, func(l *slog.Logger) {
			for _, lv := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
				if l.Handler().Enabled(context.Background(), lv) {
					record(l, lv, "kept")
				}
			}
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, want := both(t, tt.opts, tt.do)
			if got != want {
				t.Errorf("textlog wrote\n%q\nslog.TextHandler wrote\n%q", got, want)
			}
			if n := bytes.Count([]byte(got), []byte("\n")); n != tt.wantN {
				t.Errorf("wrote %d lines, want %d: %q", n, tt.wantN, got)
			}
		})
	}
}

func FuzzMatchesTextHandler(f *testing.F) {
	f.Add("request", "path", "/api/v2/pins/1.json", int64(200), int64(1234), int64(1795867200), 0)
	f.Add("", "", "", int64(-1), int64(-1), int64(-62135596800), -4)
	f.Add("a b", "k=v", "\"\\\x00é\u2028", int64(math.MaxInt64), int64(math.MinInt64), int64(253402300799), 8)
	f.Fuzz(func(t *testing.T, msg, key, val string, n, d, unix int64, level int) {
		at := time.Unix(unix, n).In(time.FixedZone("Z", int(d%86400)))
		if at.Year() < 0 || at.Year() > 9999 {
			return // outside RFC 3339; slog's own formatting of it is no contract
		}
		do := func(l *slog.Logger) {
			r := slog.NewRecord(at, slog.Level(level), msg, 0)
			r.AddAttrs(slog.String(key, val), slog.Int64(key, n), slog.Duration(val, time.Duration(d)), slog.Time(key, at))
			_ = l.Handler().Handle(context.Background(), r)
		}
		if got, want := both(t, &slog.HandlerOptions{Level: slog.Level(math.MinInt)}, do); got != want {
			t.Errorf("textlog wrote\n%q\nslog.TextHandler wrote\n%q", got, want)
		}
	})
}

func BenchmarkAccessLine(b *testing.B) {
	for _, h := range []struct {
		name string
		h    slog.Handler
	}{
		{"textlog", textlog.New(discard{}, nil)},
		{"slog", slog.NewTextHandler(discard{}, nil)},
	} {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := slog.NewRecord(when, slog.LevelInfo, "request", 0)
				r.AddAttrs(slog.String("method", "GET"), slog.String("path", "/api/v2/pins/1234567.json"),
					slog.Int("status", 200), slog.Duration("took", 12345*time.Nanosecond), slog.String("client", "loadbench"))
				_ = h.h.Handle(context.Background(), r)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// The access log's line, as slog.NewTextHandler writes it.
func ExampleNew() {
	l := slog.New(textlog.New(os.Stdout, nil))
	r := slog.NewRecord(when, slog.LevelInfo, "request", 0)
	r.AddAttrs(slog.String("path", "/api/v2/pins/12"), slog.Int("status", 200), slog.Duration("took", 1500*time.Microsecond))
	_ = l.Handler().Handle(context.Background(), r)
	// Output:
	// time=2026-12-07T02:30:00.123Z level=INFO msg=request path=/api/v2/pins/12 status=200 took=1.5ms
}

// TestQuotingEveryByte puts every byte value at every position of a
// 16-byte plain value: the line is slog's whichever path checks the byte.
func TestQuotingEveryByte(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		for pos := range 16 {
			v := []byte("abcdefghijklmnop")
			v[pos] = byte(c)
			got, want := both(t, nil, func(l *slog.Logger) { record(l, slog.LevelInfo, string(v), slog.String(string(v), string(v))) })
			if got != want {
				t.Fatalf("textlog wrote\n%q\nslog.TextHandler wrote\n%q", got, want)
			}
		}
	}
}

// TestTimeOfRecordsInOneSecond: records of the same second reuse its
// formatting, and still match slog's to the millisecond, zone included.
func TestTimeOfRecordsInOneSecond(t *testing.T) {
	t.Parallel()
	cet := time.FixedZone("CET", 3600)
	base := time.Date(2026, 12, 7, 2, 30, 59, 0, time.UTC)
	times := []time.Time{
		base, base.Add(time.Millisecond), base.Add(999*time.Millisecond + 999), base.Add(7 * time.Millisecond),
		base.Add(time.Second), base.Add(time.Second).In(cet), base.Add(1500 * time.Millisecond).In(cet),
		base.Add(-time.Hour * 24 * 365 * 57), base.AddDate(-2030, 0, 0), base.AddDate(8000, 0, 0),
	}
	got, want := both(t, nil, func(l *slog.Logger) {
		for _, at := range times {
			r := slog.NewRecord(at, slog.LevelInfo, "tick", 0)
			_ = l.Handler().Handle(context.Background(), r)
		}
	})
	if got != want {
		t.Errorf("textlog wrote\n%s\nslog.TextHandler wrote\n%s", got, want)
	}
}

// TestHandleAttrs: a line given as parts is the line of the same record,
// on the fast path, on slog's path for an attribute it leaves to slog, and
// with options that send everything to slog.
func TestHandleAttrs(t *testing.T) {
	t.Parallel()
	access := []slog.Attr{
		slog.String("method", "GET"), slog.String("path", "/api/v2/pins/12"), slog.Int("status", 200),
		slog.Duration("took", 1500*time.Microsecond), slog.String("client", "a b"), slog.String("scenario", "slow-approval"),
	}
	for _, tc := range []struct {
		name  string
		opts  *slog.HandlerOptions
		attrs []slog.Attr
	}{
		{"access line, six attributes", nil, access},
		{"no attributes", nil, nil},
		{"a group goes to slog", nil, append(append([]slog.Attr{}, access[:2]...), slog.Group("g", slog.Int("n", 1)))},
		{"AddSource sends all to slog", &slog.HandlerOptions{AddSource: true}, access},
	} {
		var viaParts, viaRecord bytes.Buffer
		h := textlog.New(&viaParts, tc.opts)
		if err := h.HandleAttrs(context.Background(), when, slog.LevelInfo, "request", tc.attrs...); err != nil {
			t.Fatalf("%s: HandleAttrs: %v", tc.name, err)
		}
		record(slog.New(slog.NewTextHandler(&viaRecord, tc.opts)), slog.LevelInfo, "request", tc.attrs...)
		if viaParts.String() != viaRecord.String() {
			t.Errorf("%s: HandleAttrs wrote\n%q\nslog.TextHandler wrote\n%q", tc.name, viaParts.String(), viaRecord.String())
		}
	}
}
