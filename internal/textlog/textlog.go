// Package textlog is a slog.Handler that writes log/slog's text format
// byte for byte as slog.TextHandler does, in about half the time for flat
// records: attributes of the kinds string, int, uint, float, bool, duration
// and time, with no groups. That is every line of mockplex's access log,
// which serve writes once per request. Anything else (other kinds, groups,
// WithAttrs, WithGroup, and the options ReplaceAttr and AddSource) is
// handed to a slog.TextHandler on the same writer, so the output is the
// same whichever path a record takes.
package textlog

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// Handler writes slog's text format. Make one with New.
type Handler struct {
	w     io.Writer
	mu    *sync.Mutex // held for each write, the slow path's included
	level slog.Leveler
	fast  bool         // no ReplaceAttr, no AddSource
	slow  slog.Handler // slog.TextHandler writing through the same lock
	bufs  *sync.Pool   // of *[]byte
	// second is the last record time's formatted second, which the next
	// records of the same second reuse (a busy log writes thousands).
	second *atomic.Pointer[formattedSecond]
}

// formattedSecond is a time formatted by appendRFC3339Millis with its
// milliseconds at 000, for one second in one location.
type formattedSecond struct {
	unix int64
	loc  *time.Location
	text []byte // never changed once stored
}

// New returns a handler that writes to w as slog.NewTextHandler(w, opts)
// would. A nil opts is the zero options.
func New(w io.Writer, opts *slog.HandlerOptions) *Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	mu := new(sync.Mutex)
	return &Handler{
		w: w, mu: mu, level: opts.Level,
		fast:   opts.ReplaceAttr == nil && !opts.AddSource,
		slow:   slog.NewTextHandler(lockedWriter{mu, w}, opts),
		bufs:   &sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }},
		second: new(atomic.Pointer[formattedSecond]),
	}
}

// lockedWriter serializes the slow path's writes with the fast path's.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Enabled reports whether level is at least the options' Level (Info when
// unset), as slog.TextHandler does.
func (h *Handler) Enabled(_ context.Context, level slog.Level) bool {
	min := slog.LevelInfo
	if h.level != nil {
		min = h.level.Level()
	}
	return level >= min
}

// WithAttrs returns slog.TextHandler's, writing to the same writer.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.slow.WithAttrs(attrs) }

// WithGroup returns slog.TextHandler's, writing to the same writer.
func (h *Handler) WithGroup(name string) slog.Handler { return h.slow.WithGroup(name) }

// Handle writes r as one line.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if !h.fast {
		return h.slow.Handle(ctx, r)
	}
	bp := h.bufs.Get().(*[]byte)
	b := h.appendHead((*bp)[:0], r.Time, r.Level, r.Message)
	ok := true
	r.Attrs(func(a slog.Attr) bool {
		b, ok = appendAttr(b, a)
		return ok
	})
	var err error
	if ok {
		err = h.write(append(b, '\n'))
	} else {
		err = h.slow.Handle(ctx, r)
	}
	h.putBuf(bp, b)
	return err
}

// HandleAttrs writes the line Handle writes for a record of t, level, msg
// and attrs, without building the record: a line made from parts (the
// access log's, once per request) skips a slog.Record, which is copied on
// its way to Handle and allocates past five attributes. It is not part of
// slog.Handler; callers find it with a type assertion.
func (h *Handler) HandleAttrs(ctx context.Context, t time.Time, level slog.Level, msg string, attrs ...slog.Attr) error {
	slow := func() error {
		r := slog.NewRecord(t, level, msg, 0)
		r.AddAttrs(attrs...)
		return h.slow.Handle(ctx, r)
	}
	if !h.fast {
		return slow()
	}
	bp := h.bufs.Get().(*[]byte)
	b := h.appendHead((*bp)[:0], t, level, msg)
	ok := true
	for _, a := range attrs {
		if b, ok = appendAttr(b, a); !ok {
			break
		}
	}
	var err error
	if ok {
		err = h.write(append(b, '\n'))
	} else {
		err = slow()
	}
	h.putBuf(bp, b)
	return err
}

// write writes one whole line under the handler's lock.
func (h *Handler) write(line []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := h.w.Write(line)
	return err
}

// putBuf returns a line buffer to the pool, unless a huge line grew it.
func (h *Handler) putBuf(bp *[]byte, b []byte) {
	if cap(b) <= 64<<10 {
		*bp = b
		h.bufs.Put(bp)
	}
}

// appendHead appends a line's time, level and message.
func (h *Handler) appendHead(b []byte, t time.Time, level slog.Level, msg string) []byte {
	sep := ""
	if !t.IsZero() {
		b = append(b, "time="...)
		b = h.appendTime(b, t.Round(0))
		sep = " "
	}
	b = append(b, sep...)
	b = append(b, "level="...)
	b = appendString(b, level.String())
	b = append(b, " msg="...)
	return appendString(b, msg)
}

// appendAttr appends a, or reports false when it needs slog's own
// formatting: other kinds, groups, LogValuers and empty attributes.
func appendAttr(b []byte, a slog.Attr) ([]byte, bool) {
	v := a.Value
	switch v.Kind() {
	case slog.KindString:
		b = appendKey(b, a.Key)
		b = appendString(b, v.String())
	case slog.KindInt64:
		b = appendKey(b, a.Key)
		b = strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		b = appendKey(b, a.Key)
		b = strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		b = appendKey(b, a.Key)
		b = strconv.AppendFloat(b, v.Float64(), 'g', -1, 64)
	case slog.KindBool:
		b = appendKey(b, a.Key)
		b = strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		b = appendKey(b, a.Key)
		b = append(b, v.Duration().String()...)
	case slog.KindTime:
		b = appendKey(b, a.Key)
		b = appendRFC3339Millis(b, v.Time())
	default:
		return b, false
	}
	return b, true
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ' ')
	b = appendString(b, key)
	return append(b, '=')
}

// appendString appends s, quoted when slog would quote it.
func appendString(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// needsQuoting is slog's rule: empty strings, and strings with a space,
// '=', '"', a control character, invalid UTF-8, or a Unicode space or
// non-printing rune. A backslash alone does not need quotes (nor does DEL,
// which slog lets through).
func needsQuoting(s string) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
			continue
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if b <= ' ' || b == '=' || b == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// plain8 reports whether the eight bytes of s need no quotes: all ASCII
// above the space, none '=' or '"'. It looks at them as one word (SWAR).
func plain8(s string) bool {
	const low, high = 0x0101010101010101, 0x8080808080808080
	_ = s[7]
	v := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	has := func(c byte) uint64 { x := v ^ low*uint64(c); return (x - low) & ^x & high }
	return v&high|(v-low*0x21)&^v&high|has('=')|has('"') == 0
}

// appendTime appends t as appendRFC3339Millis does, from the last
// record's second when t falls in it: only the milliseconds differ.
func (h *Handler) appendTime(b []byte, t time.Time) []byte {
	unix, loc := t.Unix(), t.Location()
	f := h.second.Load()
	if f == nil || f.unix != unix || f.loc != loc {
		f = &formattedSecond{unix: unix, loc: loc, text: appendRFC3339Millis(nil, t.Truncate(time.Second))}
		h.second.Store(f)
	}
	const millis = len("2006-01-02T15:04:05.")
	if len(f.text) < millis+3 || f.text[millis-1] != '.' {
		return appendRFC3339Millis(b, t) // a year of more than four digits
	}
	n := len(b)
	b = append(b, f.text...)
	ms := t.Nanosecond() / int(time.Millisecond)
	b[n+millis], b[n+millis+1], b[n+millis+2] = byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10)
	return b
}

// appendRFC3339Millis is slog's time format: RFC 3339 with exactly three
// digits of milliseconds, in t's location.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	// As slog does: format as RFC3339Nano, which trims trailing zeros, after
	// adding a tenth of a millisecond so four digits remain, then drop the
	// fourth.
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}
