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
//
// Entries are kept packed (journalSlot): a Request's eight strings and its
// time's location are nine pointers the collector would follow on every
// cycle, 1000 entries at a time, and each string kept a piece of its
// request alive. A slot has one pointer, to a byte buffer it reuses, so
// journaling a request allocates nothing once the ring is full and the
// collector marks a slot's bytes without scanning them (BENCHMARKS.md,
// "Pinned, the collector's share").
type journal struct {
	mu   sync.Mutex
	size uint64
	ring []journalSlot // entry seq lives at (seq-1) % size
	next uint64        // sequence number of the last entry
}

// journalSlot is one journaled Request, packed. buf comes first, so the
// collector's scan of a slot ends after one word.
type journalSlot struct {
	buf      []byte // the strings, in journalStrings order, back to back
	lens     [journalStrings]uint32
	seq      uint64
	unixNano int64 // Time, on the mock's clock (UTC)
	pinID    int64
	duration time.Duration
	status   int
}

// journalStrings is how many of a Request's fields are strings.
const journalStrings = 8

// maxSlotBuf is the capacity a slot keeps between entries: a larger buffer
// (a long query) is let go once a shorter entry takes the slot.
const maxSlotBuf = 4 << 10

func newJournal(size int) *journal {
	return &journal{size: uint64(max(size, 0))}
}

// fields lists r's strings in the slot's order.
func (r *Request) fields() [journalStrings]*string {
	return [...]*string{&r.Method, &r.Path, &r.Query, &r.ClientIdentifier, &r.Product, &r.Scenario, &r.Format, &r.Fault}
}

// pack stores r in sl, reusing sl's buffer.
func (sl *journalSlot) pack(r *Request, seq uint64) {
	n := 0
	fs := r.fields()
	for _, f := range fs {
		n += len(*f)
	}
	buf := sl.buf[:0]
	if cap(buf) < n || cap(buf) > max(maxSlotBuf, 2*n) {
		buf = make([]byte, 0, n)
	}
	for i, f := range fs {
		buf = append(buf, *f...)
		sl.lens[i] = uint32(len(*f))
	}
	sl.buf = buf
	sl.seq, sl.status, sl.pinID, sl.duration = seq, r.Status, r.PinID, r.Duration
	sl.unixNano = r.Time.UnixNano()
}

// unpack returns the Request sl holds.
func (sl *journalSlot) unpack() Request {
	r := Request{Seq: sl.seq, Time: time.Unix(0, sl.unixNano).UTC(), Status: sl.status, PinID: sl.pinID, Duration: sl.duration}
	all := string(sl.buf) // one copy for the eight strings
	off := 0
	for i, f := range r.fields() {
		*f = all[off : off+int(sl.lens[i])]
		off += int(sl.lens[i])
	}
	return r
}

// add journals r under the next sequence number.
func (j *journal) add(r *Request) {
	if j.size == 0 {
		return
	}
	j.mu.Lock()
	j.next++
	i := (j.next - 1) % j.size
	if i >= uint64(len(j.ring)) {
		j.ring = append(j.ring, journalSlot{})
	}
	j.ring[i].pack(r, j.next)
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
		r := j.ring[seq%n].unpack()
		if f.match(&r) {
			out = append(out, r)
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
