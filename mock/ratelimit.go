package mock

import (
	"sync"
	"time"
)

// fixedWindow counts events per key in fixed windows: a key's window opens
// at its first event and lasts window; within it, limit events are
// allowed. The table holds at most max keys and never forgets a live
// window to make room: a new key at the cap is refused instead, so a flood
// of new keys cannot reset anyone else's count. It limits wrong link codes
// per token, nonces per client and wrong Home PINs per user.
type fixedWindow struct {
	limit  int
	window time.Duration
	max    int

	mu sync.Mutex
	m  map[string]*windowCount
}

type windowCount struct {
	n     int
	since time.Time
}

func newFixedWindow(limit int, window time.Duration, max int) *fixedWindow {
	return &fixedWindow{limit: limit, window: window, max: max}
}

// allow reports whether key is under its limit at now, counting nothing.
func (f *fixedWindow) allow(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.m[key]
	if !ok || now.Sub(w.since) >= f.window {
		return true
	}
	return w.n < f.limit
}

// hit counts an event of key at now and reports whether it is within the
// limit. A key with no live window when the table is full is not counted
// and is refused.
func (f *fixedWindow) hit(key string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.m[key]
	if !ok || now.Sub(w.since) >= f.window {
		if !ok && len(f.m) >= f.max {
			return false
		}
		put(&f.m, key, &windowCount{n: 1, since: now})
		return f.limit >= 1
	}
	w.n++
	return w.n <= f.limit
}

// sweep forgets windows that have passed.
func (f *fixedWindow) sweep(now time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, w := range f.m {
		if now.Sub(w.since) >= f.window {
			delete(f.m, k)
		}
	}
}

func (f *fixedWindow) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m = nil
}

// Wrong link codes: plex.tv's 4-character codes can be tried out
// (hardening: 10,800 codes a second swept the whole space in minutes).
// After linkMissLimit wrong codes within linkWindow, a token gets 429
// until the window has passed. Tokens are accounts' and bounded;
// linkTokensMax is a backstop.
const (
	linkMissLimit = 10
	linkWindow    = time.Minute
	linkTokensMax = 10_000
)

// newLinkLimiter is the limiter of wrong link codes per token.
func newLinkLimiter() *fixedWindow { return newFixedWindow(linkMissLimit, linkWindow, linkTokensMax) }
