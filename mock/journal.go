package mock

import (
	"strings"
	"sync"
	"time"
)

// Request is one entry of the request journal.
type Request struct {
	Seq              uint64        `json:"seq"`
	Time             time.Time     `json:"time"` // on the mock's clock
	Method           string        `json:"method"`
	Path             string        `json:"path"`
	Query            string        `json:"query,omitempty"`
	Status           int           `json:"status"`
	ClientIdentifier string        `json:"clientIdentifier,omitempty"`
	Product          string        `json:"product,omitempty"`
	Scenario         string        `json:"scenario,omitempty"`
	Format           string        `json:"format,omitempty"`
	PinID            int64         `json:"pinId,omitempty"`
	Duration         time.Duration `json:"durationNs"`
	Fault            string        `json:"fault,omitempty"`
}

// RequestFilter selects journal entries; zero fields match anything.
type RequestFilter struct {
	Method           string
	PathPrefix       string
	ClientIdentifier string
	Scenario         string
	Status           int
	PinID            int64
	Limit            int // the most recent Limit entries; 0 is all
}

func (f RequestFilter) match(r *Request) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) &&
		(f.PathPrefix == "" || strings.HasPrefix(r.Path, f.PathPrefix)) &&
		(f.ClientIdentifier == "" || f.ClientIdentifier == r.ClientIdentifier) &&
		(f.Scenario == "" || f.Scenario == r.Scenario) &&
		(f.Status == 0 || f.Status == r.Status) &&
		(f.PinID == 0 || f.PinID == r.PinID)
}

// journal is a ring of the last size requests. The ring grows to size as
// requests come, so a server that is asked little holds (and, at start,
// allocates) little.
type journal struct {
	mu   sync.Mutex
	size uint64
	ring []Request // entry seq lives at (seq-1) % size
	next uint64    // sequence number of the last entry
}

func newJournal(size int) *journal {
	return &journal{size: uint64(max(size, 0))}
}

// add journals a copy of *r under the next sequence number. r is passed
// by pointer and copied once, into the ring: an entry is some 200 bytes of
// which eight words are pointers, each copy of which the collector's write
// barrier sees while it marks.
func (j *journal) add(r *Request) {
	if j.size == 0 {
		return
	}
	j.mu.Lock()
	j.next++
	i := (j.next - 1) % j.size
	if i < uint64(len(j.ring)) {
		j.ring[i] = *r
	} else {
		j.ring = append(j.ring, *r)
	}
	j.ring[i].Seq = j.next
	j.mu.Unlock()
}

// list returns matching entries, oldest first.
func (j *journal) list(f RequestFilter) []Request {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.size
	out := []Request{}
	if n == 0 {
		return out
	}
	start := uint64(0)
	if j.next > n {
		start = j.next - n
	}
	for seq := start; seq < j.next; seq++ {
		r := &j.ring[seq%n]
		if f.match(r) {
			out = append(out, *r)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}

func (j *journal) clear() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.ring = nil
	j.next = 0
}
