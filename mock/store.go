package mock

import (
	"container/heap"
	"sort"
	"strings"
	"sync"
	"time"
)

const storeShards = 64

// store holds live pins, sharded by id so concurrent clients rarely contend,
// with an index from code to id for the link and auth pages. Pins are kept
// by value in the shard maps rather than as a million small objects of
// their own, which keeps the garbage collector's marking of a large store
// cheap.
type store struct {
	shards  [storeShards]shard
	codesMu sync.RWMutex
	codes   map[string]int64 // code as issued -> id
	peak    int              // most codes the map has held since it was made
	max     int              // live pins of either kind
	mu      sync.Mutex       // guards the counts against the limits
	count   int
	links   int // live link pins, also counted in count
}

// maxLinkPins caps live link pins whatever Config.MaxPins says: there are
// 36^4 = 1,679,616 four-character codes, and random codes are found in a
// few tries only while at most about 60% of them are taken.
const maxLinkPins = 1_000_000

type shard struct {
	mu   sync.RWMutex
	pins map[int64]pin
	peak int // most pins the map has held since it was made
	// scratch holds the pin update hands its fn, under mu: a pin on
	// update's stack would be moved to the heap on every call, since fn
	// could keep it. It is made on the shard's first update, so an idle
	// server does not carry one per shard.
	scratch *pin
}

func newStore(max int) *store {
	s := &store{max: max, codes: make(map[string]int64)}
	for i := range s.shards {
		s.shards[i].pins = make(map[int64]pin)
	}
	return s
}

func (s *store) shard(id int64) *shard {
	return &s.shards[uint64(id)%storeShards]
}

// limit is the most live pins of kind.
func (s *store) limit(k Kind) int {
	if k == Link && (s.max <= 0 || s.max > maxLinkPins) {
		return maxLinkPins
	}
	return s.max
}

// reserve counts one more live pin of kind k, or fails when its limit is
// reached.
func (s *store) reserve(k Kind) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.max > 0 && s.count >= s.max || k == Link && s.links >= s.limit(Link) {
		return false
	}
	s.count++
	if k == Link {
		s.links++
	}
	return true
}

func (s *store) release(k Kind, n int) {
	s.mu.Lock()
	s.count -= n
	if k == Link {
		s.links -= n
	}
	s.mu.Unlock()
}

// insert adds a copy of p unless its id or code is taken; the caller has
// reserved room.
func (s *store) insert(p *pin) bool {
	s.codesMu.Lock()
	defer s.codesMu.Unlock()
	if _, taken := s.codes[p.code]; taken {
		return false
	}
	sh := s.shard(p.id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, taken := sh.pins[p.id]; taken {
		return false
	}
	sh.pins[p.id] = *p
	sh.peak = max(sh.peak, len(sh.pins))
	s.codes[p.code] = p.id
	s.peak = max(s.peak, len(s.codes))
	return true
}

// update runs fn on the pin with id under its shard's lock and stores what
// fn left in it (whatever fn returns). fn must not keep p.
func (s *store) update(id int64, fn func(p *pin) error) error {
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p, ok := sh.pins[id]
	if !ok {
		return ErrPinNotFound
	}
	if sh.scratch == nil {
		sh.scratch = new(pin)
	}
	*sh.scratch = p
	err := fn(sh.scratch)
	sh.pins[id] = *sh.scratch
	*sh.scratch = pin{} // keep no strings alive
	return err
}

// get returns a copy of the pin with id.
func (s *store) get(id int64) (pin, bool) {
	sh := s.shard(id)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	p, ok := sh.pins[id]
	return p, ok
}

// byCode finds a pin id by its code, case-insensitively: link codes are
// issued upper case and strong codes lower case.
func (s *store) byCode(code string) (int64, bool) {
	s.codesMu.RLock()
	defer s.codesMu.RUnlock()
	for _, c := range [...]string{code, strings.ToUpper(code), strings.ToLower(code)} {
		if id, ok := s.codes[c]; ok {
			return id, true
		}
	}
	return 0, false
}

// sweepBatch bounds how many pins one hold of a shard lock removes, so a
// poll that lands on a shard being swept waits for at most one batch.
const sweepBatch = 1024

// sweep deletes pins that expired at or before now (unix seconds), a batch
// at a time per shard, so no lock is held long: polls of live pins go on
// while a million expired ones are removed. Maps that shrank to a quarter
// of their peak are rebuilt, since Go maps never give memory back. It
// returns how many pins it removed.
func (s *store) sweep(now int64) int {
	removed := 0
	type key struct {
		id   int64
		code string
	}
	gone := make([]key, 0, sweepBatch)
	links := 0
	for i := range s.shards {
		sh := &s.shards[i]
		for {
			gone = gone[:0]
			sh.mu.Lock()
			for id, p := range sh.pins {
				if p.expiresAt <= now {
					delete(sh.pins, id)
					gone = append(gone, key{id, p.code})
					if !p.strong {
						links++
					}
					if len(gone) == sweepBatch {
						break
					}
				}
			}
			if len(gone) < sweepBatch {
				sh.pins, sh.peak = shrink(sh.pins, sh.peak)
			}
			sh.mu.Unlock()
			if len(gone) > 0 {
				s.codesMu.Lock()
				for _, p := range gone {
					if s.codes[p.code] == p.id {
						delete(s.codes, p.code)
					}
				}
				s.codesMu.Unlock()
				s.release(Strong, len(gone)-links)
				s.release(Link, links)
				removed += len(gone)
				links = 0
			}
			if len(gone) < sweepBatch {
				break
			}
		}
	}
	if removed > 0 {
		s.codesMu.Lock()
		s.codes, s.peak = shrink(s.codes, s.peak)
		s.codesMu.Unlock()
	}
	return removed
}

// shrinkMin is the map size below which shrinking is not worth a copy.
const shrinkMin = 64

// shrink copies m into a map of its own size when it holds under a quarter
// of its peak, so the buckets of swept pins are freed. It returns the map
// to keep and its new peak.
func shrink[K comparable, V any](m map[K]V, peak int) (map[K]V, int) {
	if peak < shrinkMin || len(m) >= peak/4 {
		return m, peak
	}
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out, len(out)
}

// all returns copies of every stored pin.
func (s *store) all() []pin {
	var out []pin
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, p := range sh.pins {
			out = append(out, p)
		}
		sh.mu.RUnlock()
	}
	return out
}

// reset removes every pin.
func (s *store) reset() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.pins, sh.peak = make(map[int64]pin), 0
		sh.mu.Unlock()
	}
	s.codesMu.Lock()
	s.codes, s.peak = make(map[string]int64), 0
	s.codesMu.Unlock()
	s.mu.Lock()
	s.count, s.links = 0, 0
	s.mu.Unlock()
}

// len reports the number of stored pins, expired but unswept ones included.
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// cursor marks a place in the newest-first order of pins: the creation
// sequence number of the last pin of a page. The zero cursor is the start.
type cursor struct {
	seq uint64
}

// newer orders pins newest first: by creation, whatever the clock said.
func newer(a, b *pin) bool { return a.seq > b.seq }

// after reports whether p comes after the cursor in newest-first order.
func (c cursor) after(p *pin) bool { return c.seq == 0 || p.seq < c.seq }

// newest returns copies of the first n pins after cur in newest-first
// order, keeping only n at a time, so a page of a million pins costs n
// copies, not a million.
func (s *store) newest(n int, cur cursor) []pin {
	if n <= 0 {
		return nil
	}
	h := make(pinHeap, 0, n) // the oldest kept pin on top
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, p := range sh.pins {
			if !cur.after(&p) {
				continue
			}
			if len(h) < n {
				heap.Push(&h, p)
			} else if newer(&p, &h[0]) {
				h[0] = p
				heap.Fix(&h, 0)
			}
		}
		sh.mu.RUnlock()
	}
	out := []pin(h)
	sort.Slice(out, func(i, j int) bool { return newer(&out[i], &out[j]) })
	return out
}

// pinHeap keeps the n newest pins seen, the oldest of them at the root.
type pinHeap []pin

func (h pinHeap) Len() int           { return len(h) }
func (h pinHeap) Less(i, j int) bool { return newer(&h[j], &h[i]) }
func (h pinHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *pinHeap) Push(x any)        { *h = append(*h, x.(pin)) }
func (h *pinHeap) Pop() any {
	old := *h
	p := old[len(old)-1]
	*h = old[:len(old)-1]
	return p
}

// counts reports live pins by state at now (expired but unswept ones as
// expired).
func (s *store) counts(now time.Time) map[State]int {
	out := map[State]int{Pending: 0, Claimed: 0, Denied: 0, Expired: 0}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, p := range sh.pins {
			out[p.state(now)]++
		}
		sh.mu.RUnlock()
	}
	return out
}
