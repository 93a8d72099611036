package mock

import (
	"strings"
	"testing"
	"time"
)

// TestJournalPacksEntries: an entry comes back from the packed ring as it
// went in, whatever its strings, and the ring keeps the last size entries.
func TestJournalPacksEntries(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 1, 2, 345678901, time.UTC)
	cases := []Request{
		{},
		{Time: at, Method: "GET", Path: "/api/v2/pins/7", Status: 200, ClientIdentifier: "cid", Product: "Plex Web", Format: "json", PinID: 7, Duration: 1500 * time.Nanosecond},
		{Time: at, Method: "POST", Path: "/api/v2/pins", Query: strings.Repeat("q=1&", 3000), Status: 429, Scenario: "rate-limited", Fault: "drop"},
		{Time: at.Add(time.Hour), Method: "GET", Path: "/é/ü", Query: "a=%00", Status: 404, ClientIdentifier: strings.Repeat("x", 256)},
	}
	j := newJournal(3)
	for i := range cases {
		j.add(&cases[i])
	}
	got := j.list(RequestFilter{})
	if len(got) != 3 {
		t.Fatalf("list after 4 adds to a ring of 3: %d entries, want 3", len(got))
	}
	for k, g := range got {
		want := cases[k+1]
		want.Seq = uint64(k + 2)
		if !g.Time.Equal(want.Time) || g.Time.Location() != time.UTC {
			t.Errorf("entry %d: time %v, want %v in UTC", k, g.Time, want.Time)
		}
		g.Time, want.Time = time.Time{}, time.Time{}
		if g != want {
			t.Errorf("entry %d:\n got %+v\nwant %+v", k, g, want)
		}
	}
	// A slot that held the long query does not keep its buffer for a short
	// entry.
	for range 3 {
		j.add(&cases[1])
	}
	for _, sl := range j.ring {
		if cap(sl.buf) > maxSlotBuf {
			t.Errorf("slot %d keeps a %d-byte buffer after a short entry", sl.seq, cap(sl.buf))
		}
	}
}

// TestJournalAddAllocatesNothing: once the ring is full, journaling a
// request reuses its slot's buffer.
func TestJournalAddAllocatesNothing(t *testing.T) {
	j := newJournal(4)
	r := Request{Time: time.Now(), Method: "GET", Path: "/api/v2/pins/12345", ClientIdentifier: "loadbench", Product: "Plex Web", Format: "json", Status: 200}
	for range 8 {
		j.add(&r)
	}
	if n := testing.AllocsPerRun(100, func() { j.add(&r) }); n != 0 {
		t.Errorf("journal.add allocates %v times a request once the ring is full, want 0", n)
	}
}
