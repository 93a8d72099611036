package mock

import (
	"strings"
	"sync"
)

const storeShards = 64

// store holds live pins, sharded by id so concurrent clients rarely contend,
// with an index from code to id for the link and auth pages.
type store struct {
	shards  [storeShards]shard
	codesMu sync.RWMutex
	codes   map[string]int64 // code as issued -> id
	max     int
	mu      sync.Mutex // guards count against max
	count   int
}

type shard struct {
	mu   sync.RWMutex
	pins map[int64]*pin
}

func newStore(max int) *store {
	s := &store{max: max, codes: make(map[string]int64)}
	for i := range s.shards {
		s.shards[i].pins = make(map[int64]*pin)
	}
	return s
}

func (s *store) shard(id int64) *shard {
	return &s.shards[uint64(id)%storeShards]
}

// reserve counts one more live pin, or fails when the store is full.
func (s *store) reserve() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.max > 0 && s.count >= s.max {
		return false
	}
	s.count++
	return true
}

func (s *store) release(n int) {
	s.mu.Lock()
	s.count -= n
	s.mu.Unlock()
}

// insert adds p unless its id or code is taken; the caller has reserved room.
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
	sh.pins[p.id] = p
	s.codes[p.code] = p.id
	return true
}

// update runs fn on the pin with id under its shard's lock.
func (s *store) update(id int64, fn func(p *pin) error) error {
	sh := s.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	p, ok := sh.pins[id]
	if !ok {
		return ErrPinNotFound
	}
	return fn(p)
}

// view runs fn on a copy of the pin with id under a read lock.
func (s *store) get(id int64) (pin, bool) {
	sh := s.shard(id)
	sh.mu.RLock()
	defer sh.mu.RUnlock()
	p, ok := sh.pins[id]
	if !ok {
		return pin{}, false
	}
	return *p, true
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

func (s *store) forgetCode(code string, id int64) {
	s.codesMu.Lock()
	if s.codes[code] == id {
		delete(s.codes, code)
	}
	s.codesMu.Unlock()
}

// sweep deletes pins that expired at or before now (unix seconds), one shard
// at a time so no lock is held long. It returns how many it removed.
func (s *store) sweep(now int64) int {
	removed := 0
	for i := range s.shards {
		sh := &s.shards[i]
		var gone []*pin
		sh.mu.Lock()
		for id, p := range sh.pins {
			if p.expiresAt <= now {
				delete(sh.pins, id)
				gone = append(gone, p)
			}
		}
		sh.mu.Unlock()
		for _, p := range gone {
			s.forgetCode(p.code, p.id)
		}
		removed += len(gone)
	}
	if removed > 0 {
		s.release(removed)
	}
	return removed
}

// all returns copies of every stored pin.
func (s *store) all() []pin {
	var out []pin
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		for _, p := range sh.pins {
			out = append(out, *p)
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
		sh.pins = make(map[int64]*pin)
		sh.mu.Unlock()
	}
	s.codesMu.Lock()
	s.codes = make(map[string]int64)
	s.codesMu.Unlock()
	s.mu.Lock()
	s.count = 0
	s.mu.Unlock()
}

// len reports the number of stored pins, expired but unswept ones included.
func (s *store) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}
