package mock

import (
	"fmt"
	"sync"
	"testing"
)

// fillStore inserts n pins; pin i expires at i%period (unix seconds), so
// a sweep at t removes the pins with i%period <= t.
func fillStore(t *testing.T, s *store, n, period int) {
	t.Helper()
	for i := range n {
		p := &pin{id: int64(i + 1), code: fmt.Sprintf("code%07d", i), expiresAt: int64(i % period)}
		if !s.reserve(p.kind()) || !s.insert(p) {
			t.Fatalf("insert(%d) failed", i)
		}
	}
}

func TestStoreSweep(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		n, period int
		now       int64
	}{
		{"nothing expired", 1000, 10, -1},
		{"some expired", 1000, 10, 4},
		{"all expired", 1000, 10, 9},
		// More expired pins per shard than one batch, and enough for the
		// maps to be rebuilt smaller.
		{"many batches", 64 * 3 * sweepBatch, 100, 90},
		{"everything, many batches", 64 * 3 * sweepBatch, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(0)
			fillStore(t, s, tc.n, tc.period)
			want := 0
			for i := range tc.n {
				if int64(i%tc.period) <= tc.now {
					want++
				}
			}
			if got := s.sweep(tc.now); got != want {
				t.Errorf("sweep(%d) = %d, want %d", tc.now, got, want)
			}
			if got := s.len(); got != tc.n-want {
				t.Errorf("len() after sweep = %d, want %d", got, tc.n-want)
			}
			for i := range tc.n {
				id := int64(i + 1)
				code := fmt.Sprintf("code%07d", i)
				_, inStore := s.get(id)
				gotID, inCodes := s.byCode(code)
				live := int64(i%tc.period) > tc.now
				if inStore != live || inCodes != live || live && gotID != id {
					t.Fatalf("pin %d (expires %d, swept at %d): get = %v, byCode = %d, %v; want present = %v",
						id, i%tc.period, tc.now, inStore, gotID, inCodes, live)
				}
			}
			if got := len(s.codes); got != tc.n-want {
				t.Errorf("codes index holds %d codes, want %d", got, tc.n-want)
			}
		})
	}
}

func TestShrink(t *testing.T) {
	t.Parallel()
	big := make(map[int]int)
	for i := range shrinkMin {
		big[i] = i
	}
	for _, tc := range []struct {
		name       string
		m          map[int]int
		peak       int
		wantPeak   int
		wantSameOK bool
	}{
		{"small peak stays", map[int]int{1: 1}, shrinkMin - 1, shrinkMin - 1, true},
		{"above a quarter stays", big, 2 * shrinkMin, 2 * shrinkMin, true},
		{"under a quarter is rebuilt", map[int]int{1: 1, 2: 2}, shrinkMin, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := len(tc.m)
			got, peak := shrink(tc.m, tc.peak)
			if peak != tc.wantPeak || len(got) != before {
				t.Errorf("shrink(%d entries, peak %d) = %d entries, peak %d; want %d entries, peak %d",
					before, tc.peak, len(got), peak, before, tc.wantPeak)
			}
			for k, v := range tc.m {
				if got[k] != v {
					t.Errorf("shrink lost %d: %d", k, v)
				}
			}
			got[-1] = -1 // the same map or a copy: only a copy leaves tc.m alone
			_, same := tc.m[-1]
			if same != tc.wantSameOK {
				t.Errorf("shrink returned the same map = %v, want %v", same, tc.wantSameOK)
			}
		})
	}
}

// TestStoreSweepConcurrent sweeps while other goroutines read, update and
// insert; run it with -race.
func TestStoreSweepConcurrent(t *testing.T) {
	t.Parallel()
	s := newStore(0)
	fillStore(t, s, 20_000, 2)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5000 {
				id := int64(i*4 + g + 1)
				s.get(id)
				_ = s.update(id, func(p *pin) error { p.polls++; return nil })
				s.byCode(fmt.Sprintf("code%07d", id-1))
			}
		}()
	}
	removed := s.sweep(0)
	wg.Wait()
	if removed != 10_000 || s.len() != 10_000 {
		t.Errorf("sweep(0) = %d with %d left, want 10000 and 10000", removed, s.len())
	}
}
