package mock

import (
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// Clock is the mock's controllable time source. It follows the wall clock,
// shifted by any Advance, until it is frozen; a frozen clock moves only when
// advanced. Expiry, expiresIn and scenario timers all read it, so a test can
// skip a 30-minute lifetime with Advance(30*time.Minute) instead of sleeping.
//
// A Clock is safe for concurrent use. The zero value is not usable; call
// NewClock.
type Clock struct {
	wall  func() time.Time
	state atomic.Pointer[clockState]
}

// clockState is one setting of a Clock. It is never changed once stored: a
// Clock swaps in a whole new one, so a reader never sees the frozen flag of
// one setting with the time of another.
type clockState struct {
	// at is the time a frozen clock shows; for a running clock, the time it
	// showed at the wall clock reading since.
	at     time.Time
	since  time.Time
	frozen bool
}

// now is the time c shows in state st.
func (c *Clock) now(st *clockState) time.Time {
	if st.frozen {
		return st.at
	}
	return st.at.Add(c.wall().Sub(st.since))
}

// NewClock returns a clock that follows the wall clock.
func NewClock() *Clock {
	c := &Clock{wall: time.Now}
	now := c.wall()
	c.state.Store(&clockState{at: now, since: now})
	return c
}

// NewFrozenClock returns a clock frozen at t. It moves only when advanced or
// resumed. A t outside the range ErrClockRange gives is moved to the nearer
// end of it.
func NewFrozenClock(t time.Time) *Clock {
	c := &Clock{wall: time.Now}
	c.state.Store(&clockState{at: clampClock(t), frozen: true})
	return c
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time { return c.now(c.state.Load()).UTC() }

// Advance moves the clock forward by d (backwards for a negative d). It
// returns an error wrapping ErrClockRange, and leaves the clock as it was,
// when the time it would show is outside the range ErrClockRange gives.
func (c *Clock) Advance(d time.Duration) error {
	for {
		st := c.state.Load()
		now := c.now(st)
		to := now.Add(d)
		if !inClockRange(to) {
			return fmt.Errorf("advance by %v from %v: %w", d, now.UTC().Format(time.RFC3339Nano), ErrClockRange)
		}
		next := &clockState{at: to, frozen: st.frozen}
		if !st.frozen {
			// Re-anchor the running clock at the reading now was taken
			// from; at+d since st.since is the same as to since now.
			next.at, next.since = st.at.Add(d), st.since
		}
		if c.state.CompareAndSwap(st, next) {
			return nil
		}
	}
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	for {
		st := c.state.Load()
		if st.frozen {
			return
		}
		if c.state.CompareAndSwap(st, &clockState{at: c.now(st), frozen: true}) {
			return
		}
	}
}

// Resume lets a frozen clock run again from the time it shows, so no time
// jumps when it resumes.
func (c *Clock) Resume() {
	for {
		st := c.state.Load()
		if !st.frozen {
			return
		}
		if c.state.CompareAndSwap(st, &clockState{at: st.at, since: c.wall()}) {
			return
		}
	}
}

// Frozen reports whether the clock is frozen.
func (c *Clock) Frozen() bool { return c.state.Load().frozen }

// Offset reports how far the clock is ahead of the wall clock.
func (c *Clock) Offset() time.Duration { return c.Now().Sub(c.wall()) }

// inClockRange reports whether t is a time Clock can show: one whose Unix
// nanoseconds fit an int64.
func inClockRange(t time.Time) bool {
	return !t.Before(time.Unix(0, math.MinInt64)) && !t.After(time.Unix(0, math.MaxInt64))
}

// clampClock moves t into the range Clock can show.
func clampClock(t time.Time) time.Time {
	if lo := time.Unix(0, math.MinInt64); t.Before(lo) {
		return lo
	}
	if hi := time.Unix(0, math.MaxInt64); t.After(hi) {
		return hi
	}
	return t
}
