package mock

import (
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
	wall   func() time.Time
	offset atomic.Int64 // nanoseconds added to the wall clock
	frozen atomic.Int64 // unix nanoseconds of a frozen clock; 0 when running
}

// NewClock returns a clock that follows the wall clock.
func NewClock() *Clock { return &Clock{wall: time.Now} }

// NewFrozenClock returns a clock frozen at t. It moves only when advanced or
// resumed.
func NewFrozenClock(t time.Time) *Clock {
	c := NewClock()
	c.frozen.Store(t.UnixNano())
	return c
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	if f := c.frozen.Load(); f != 0 {
		return time.Unix(0, f).UTC()
	}
	return c.wall().Add(time.Duration(c.offset.Load())).UTC()
}

// Advance moves the clock forward by d (backwards for a negative d).
func (c *Clock) Advance(d time.Duration) {
	for {
		f := c.frozen.Load()
		if f == 0 {
			c.offset.Add(int64(d))
			return
		}
		if c.frozen.CompareAndSwap(f, f+int64(d)) {
			return
		}
	}
}

// Freeze stops the clock at its current time.
func (c *Clock) Freeze() {
	now := c.Now().UnixNano()
	c.frozen.CompareAndSwap(0, now)
}

// Resume lets a frozen clock run again from the time it shows, so no time
// jumps when it resumes.
func (c *Clock) Resume() {
	f := c.frozen.Load()
	if f == 0 {
		return
	}
	c.offset.Store(f - c.wall().UnixNano())
	c.frozen.Store(0)
}

// Frozen reports whether the clock is frozen.
func (c *Clock) Frozen() bool { return c.frozen.Load() != 0 }

// Offset reports how far the clock is ahead of the wall clock.
func (c *Clock) Offset() time.Duration { return c.Now().Sub(c.wall()) }
