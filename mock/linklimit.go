package mock

import (
	"sync"
	"time"
)

// linkLimiter slows down a token that keeps sending wrong link codes:
// plex.tv's 4-character codes can be tried out (hardening: 10,800 codes a
// second swept the whole space in minutes). After linkMisses wrong codes
// within linkWindow, the token gets 429 until the window has passed.
type linkLimiter struct {
	mu sync.Mutex
	m  map[string]*linkMisses
}

type linkMisses struct {
	n     int
	since time.Time
}

const (
	linkMissLimit = 10
	linkWindow    = time.Minute
	linkTokensMax = 10_000
)

func newLinkLimiter() *linkLimiter { return &linkLimiter{m: make(map[string]*linkMisses)} }

func (l *linkLimiter) allow(token string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.m[token]
	if !ok || now.Sub(e.since) >= linkWindow {
		return true
	}
	return e.n < linkMissLimit
}

func (l *linkLimiter) miss(token string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.m[token]
	if !ok || now.Sub(e.since) >= linkWindow {
		if !ok && len(l.m) >= linkTokensMax {
			return // tokens are accounts' and bounded; this is a backstop
		}
		l.m[token] = &linkMisses{n: 1, since: now}
		return
	}
	e.n++
}

func (l *linkLimiter) sweep(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, e := range l.m {
		if now.Sub(e.since) >= linkWindow {
			delete(l.m, k)
		}
	}
}

func (l *linkLimiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m = make(map[string]*linkMisses)
}
