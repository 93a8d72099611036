package mock

import (
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fixedWall returns c with its wall clock standing still at wall, so a
// running clock's readings are exact: a running c shows wall from now on.
func fixedWall(c *Clock, wall time.Time) *Clock {
	c.wall = func() time.Time { return wall }
	return c
}

func TestClockAdvance(t *testing.T) {
	t.Parallel()
	wall := time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC)
	epoch := time.Unix(0, 0).UTC()
	lo, hi := time.Unix(0, math.MinInt64).UTC(), time.Unix(0, math.MaxInt64).UTC()
	const maxHours = 2_562_047 * time.Hour // about time.Duration's whole range
	running := func() *Clock { return fixedWall(NewClock(), wall) }
	frozenAt := func(at time.Time) func() *Clock {
		return func() *Clock { return fixedWall(NewFrozenClock(at), wall) }
	}
	type step struct {
		by      time.Duration
		wantErr bool
	}
	tests := []struct {
		name       string
		clock      func() *Clock
		steps      []step
		wantNow    time.Time
		wantFrozen bool
	}{
		{"running forward", running, []step{{time.Hour, false}}, wall.Add(time.Hour), false},
		{"running back", running, []step{{-time.Hour, false}}, wall.Add(-time.Hour), false},
		{"running max hours once is past 2262", running, []step{{maxHours, true}}, wall, false},
		{"running max hours twice does not wrap", running, []step{{maxHours, true}, {maxHours, true}}, wall, false},
		{"running back max hours once", running, []step{{-maxHours, false}}, wall.Add(-maxHours), false},
		{"running back max hours twice is before 1677", running, []step{{-maxHours, false}, {-maxHours, true}}, wall.Add(-maxHours), false},
		{"frozen forward", frozenAt(wall), []step{{time.Minute, false}}, wall.Add(time.Minute), true},
		{"frozen at the epoch stays frozen", frozenAt(epoch), nil, epoch, true},
		{"frozen advanced to the epoch stays frozen", frozenAt(epoch.Add(time.Second)), []step{{-time.Second, false}}, epoch, true},
		{"frozen through the epoch", frozenAt(epoch.Add(time.Second)), []step{{-time.Second, false}, {-time.Second, false}, {3 * time.Second, false}}, epoch.Add(2 * time.Second), true},
		{"frozen to the last nanosecond", frozenAt(epoch), []step{{math.MaxInt64, false}}, hi, true},
		{"frozen past the last nanosecond", frozenAt(hi), []step{{1, true}}, hi, true},
		{"frozen to the first nanosecond", frozenAt(epoch), []step{{math.MinInt64, false}}, lo, true},
		{"frozen before the first nanosecond", frozenAt(lo), []step{{-1, true}}, lo, true},
		{"frozen max hours twice does not wrap", frozenAt(wall), []step{{maxHours, true}, {maxHours, true}}, wall, true},
		{"frozen out of range is clamped", frozenAt(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)), nil, hi, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.clock()
			for _, s := range tt.steps {
				err := c.Advance(s.by)
				if s.wantErr != errors.Is(err, ErrClockRange) {
					t.Errorf("Advance(%v) = %v, want ErrClockRange: %v", s.by, err, s.wantErr)
				}
				if err != nil && !errors.Is(err, ErrClockRange) {
					t.Errorf("Advance(%v) = %v, not an ErrClockRange", s.by, err)
				}
			}
			if got := c.Now(); !got.Equal(tt.wantNow) {
				t.Errorf("Now() = %v, want %v", got, tt.wantNow)
			}
			if got := c.Frozen(); got != tt.wantFrozen {
				t.Errorf("Frozen() = %v, want %v", got, tt.wantFrozen)
			}
		})
	}
}

// TestClockFreezeResume checks that freezing and resuming never jump the
// clock, at the epoch and at the ends of its range.
func TestClockFreezeResume(t *testing.T) {
	t.Parallel()
	wall := time.Date(2026, 10, 1, 22, 39, 52, 0, time.UTC)
	for _, at := range []time.Time{time.Unix(0, 0), time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64), wall} {
		t.Run(at.UTC().Format(time.RFC3339Nano), func(t *testing.T) {
			t.Parallel()
			c := fixedWall(NewFrozenClock(at), wall)
			c.Resume()
			if c.Frozen() {
				t.Error("Frozen() after Resume = true, want false")
			}
			if got := c.Now(); !got.Equal(at) {
				t.Errorf("Now() after Resume = %v, want %v", got, at)
			}
			if want := at.Sub(wall); c.Offset() != want {
				t.Errorf("Offset() = %v, want %v", c.Offset(), want)
			}
			c.Freeze()
			if !c.Frozen() {
				t.Error("Frozen() after Freeze = false, want true")
			}
			if got := c.Now(); !got.Equal(at) {
				t.Errorf("Now() after Freeze = %v, want %v", got, at)
			}
		})
	}
	t.Run("running at the epoch freezes", func(t *testing.T) {
		t.Parallel()
		c := fixedWall(NewClock(), time.Unix(0, 0))
		c.Freeze()
		if !c.Frozen() {
			t.Error("Frozen() after Freeze at the epoch = false, want true")
		}
	})
}

// TestClockRace advances, freezes, resumes and reads one clock from many
// goroutines. The wall clock stands still, so whatever the interleaving
// every reading lies on the path the advances take, never goes back, and
// the clock ends exactly the sum of the advances ahead. Run it with -race.
func TestClockRace(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	c := fixedWall(NewClock(), start)
	const writers, advances = 8, 500
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for i := range advances {
				if err := c.Advance(time.Second); err != nil {
					t.Errorf("Advance: %v", err)
					return
				}
				if i%7 == 0 {
					c.Freeze()
				}
				if i%11 == 0 {
					c.Resume()
				}
			}
		})
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			last := start
			for {
				now := c.Now()
				if now.Before(last) || now.After(start.Add(writers*advances*time.Second)) || now.Sub(start)%time.Second != 0 {
					t.Errorf("Now() = %v after %v: not on the path of the advances", now, last)
					return
				}
				last = now
				select {
				case <-done:
					return
				default:
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	if got, want := c.Now(), start.Add(writers*advances*time.Second); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v", got, want)
	}
}

// TestControlClockAdvanceRange checks that the control API refuses an
// advance the clock cannot show and leaves the clock alone.
func TestControlClockAdvanceRange(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	s, err := New(WithSeed(1), WithClock(NewFrozenClock(at)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	for _, tc := range []struct {
		by   string
		want int
	}{
		{"2562047h", http.StatusBadRequest},
		{"-2562047h", http.StatusOK},
		{"-2562047h", http.StatusBadRequest},
	} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/__mockplex/clock/advance?by="+tc.by, nil))
		if rec.Code != tc.want {
			t.Errorf("POST clock/advance?by=%s = %d %s, want %d", tc.by, rec.Code, rec.Body, tc.want)
		}
	}
	if got, want := s.Clock().Now(), at.Add(-2562047*time.Hour); !got.Equal(want) {
		t.Errorf("Now() = %v, want %v", got, want)
	}
}
