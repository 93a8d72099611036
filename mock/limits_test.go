package mock_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mockplex/mockplex/mock"
)

// limitReply is one answer from a limits test, read whole.
type limitReply struct {
	status int
	header http.Header
	body   []byte
}

func limitDo(t *testing.T, srv *mock.Server, method, path, contentType, body string) limitReply {
	t.Helper()
	hdr := map[string]string{"X-Plex-Client-Identifier": "limits", "Accept": "application/json"}
	if contentType != "" {
		hdr["Content-Type"] = contentType
	}
	x := roundTrip(t, srv, method, path, hdr, body)
	return limitReply{status: x.Status, header: x.RespHeader, body: x.RespBody}
}

// TestMaxPinsFlood creates pins past Config.MaxPins 100: the surplus gets a
// 503 with code 4029, a message saying what to do and a Retry-After, and
// creating works again once the pins have expired and been swept.
func TestMaxPinsFlood(t *testing.T) {
	t.Parallel()
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC))
	srv := mock.NewServer(mock.WithSeed(4029), mock.WithClock(clock), mock.WithConfig(mock.Config{MaxPins: 100}))
	t.Cleanup(srv.Close)

	created, refused := 0, 0
	for i := range 150 {
		path := "/api/v2/pins.json"
		if i%2 == 0 {
			path += "?strong=true"
		}
		r := limitDo(t, srv, "POST", path, "", "")
		switch r.status {
		case http.StatusCreated:
			created++
		case http.StatusServiceUnavailable:
			refused++
			code, err := parseEnvelope(r.status, r.header.Get("Content-Type"), r.body)
			if err != nil || code != 4029 {
				t.Fatalf("503 body %q: code %d, %v; want code 4029", r.body, code, err)
			}
			for _, want := range []string{"live pin limit reached (100)", "Config.MaxPins", "expire"} {
				if !strings.Contains(string(r.body), want) {
					t.Errorf("503 body %q does not mention %q", r.body, want)
				}
			}
			if ra := r.header.Get("Retry-After"); ra != "30" {
				t.Errorf("Retry-After = %q, want 30", ra)
			}
		default:
			t.Fatalf("create %d = %d: %s", i, r.status, r.body)
		}
	}
	if created != 100 || refused != 50 {
		t.Fatalf("created %d and refused %d of 150, want 100 and 50", created, refused)
	}
	if got := srv.LivePins(); got != 100 {
		t.Fatalf("LivePins = %d, want 100", got)
	}
	// Legacy creates count against the same cap.
	if r := limitDo(t, srv, "POST", "/pins.xml", "", ""); r.status != http.StatusServiceUnavailable {
		t.Fatalf("POST /pins.xml at the cap = %d, want 503: %s", r.status, r.body)
	}
	// The Go API is capped too, and the cap refuses creates only.
	if _, err := srv.CreatePin("go-api", "", true); !errors.Is(err, mock.ErrTooManyPins) {
		t.Fatalf("CreatePin at the cap = %v, want ErrTooManyPins", err)
	}
	if r := limitDo(t, srv, "GET", fmt.Sprintf("/api/v2/pins/%d", srv.Pins()[0].ID), "", ""); r.status != http.StatusOK {
		t.Fatalf("poll at the cap = %d, want 200: %s", r.status, r.body)
	}

	clock.Advance(mock.StrongLifetime + time.Second)
	if n := srv.Sweep(); n != 100 {
		t.Fatalf("Sweep after expiry removed %d pins, want 100", n)
	}
	if r := limitDo(t, srv, "POST", "/api/v2/pins.json", "", ""); r.status != http.StatusCreated {
		t.Fatalf("create after expiry and Sweep = %d, want 201: %s", r.status, r.body)
	}
}

// TestMaxPinsNotFreedByExpiryAlone checks that expired pins hold their
// place until a sweep: the cap counts stored pins, as LivePins says.
func TestMaxPinsNotFreedByExpiryAlone(t *testing.T) {
	t.Parallel()
	clock := mock.NewFrozenClock(time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC))
	srv, err := mock.New(mock.WithSeed(1), mock.WithClock(clock), mock.WithConfig(mock.Config{MaxPins: 3}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	for i := range 3 {
		if _, err := srv.CreatePin(fmt.Sprint("c", i), "", false); err != nil {
			t.Fatalf("CreatePin %d: %v", i, err)
		}
	}
	if _, err := srv.CreatePin("c4", "", false); err == nil {
		t.Fatal("CreatePin past the cap succeeded")
	}
	clock.Advance(mock.LinkLifetime)
	srv.Sweep()
	if _, err := srv.CreatePin("c4", "", false); err != nil {
		t.Fatalf("CreatePin after Sweep: %v", err)
	}
}

// TestBodyLimit checks Config.MaxBodyBytes on each kind of body the mock
// reads, just under and just over the limit.
func TestBodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 1024
	srv := mock.NewServer(mock.WithSeed(2), mock.WithConfig(mock.Config{MaxBodyBytes: limit}))
	t.Cleanup(srv.Close)
	pad := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, ct, body string
		want           int
	}{
		{"form under", "application/x-www-form-urlencoded", "p=" + pad(limit-2), http.StatusCreated},
		{"form over", "application/x-www-form-urlencoded", "p=" + pad(limit-1), http.StatusRequestEntityTooLarge},
		{"JSON under", "application/json", `{"p":"` + pad(limit-8) + `"}`, http.StatusCreated},
		{"JSON over", "application/json", `{"p":"` + pad(limit) + `"}`, http.StatusRequestEntityTooLarge},
		{"other type over", "application/octet-stream", pad(limit + 1), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := limitDo(t, srv, "POST", "/api/v2/pins", tt.ct, tt.body)
			if r.status != tt.want {
				t.Fatalf("POST with a %d-byte %s body = %d, want %d: %s", len(tt.body), tt.ct, r.status, tt.want, r.body)
			}
			if tt.want == http.StatusRequestEntityTooLarge {
				if code, err := parseEnvelope(r.status, r.header.Get("Content-Type"), r.body); err != nil || code != 413 {
					t.Errorf("413 body %q: code %d, %v", r.body, code, err)
				}
			}
		})
	}
}

// TestJournalLimit checks Config.JournalSize: the journal keeps the most
// recent requests only, numbered on.
func TestJournalLimit(t *testing.T) {
	t.Parallel()
	srv := mock.NewServer(mock.WithSeed(3), mock.WithConfig(mock.Config{JournalSize: 10}))
	t.Cleanup(srv.Close)
	for i := range 25 {
		limitDo(t, srv, "GET", fmt.Sprintf("/api/v2/pins/%d", i+1), "", "")
	}
	got := srv.Requests(mock.RequestFilter{})
	if len(got) != 10 {
		t.Fatalf("journal holds %d entries, want 10", len(got))
	}
	for i, r := range got {
		if want := uint64(16 + i); r.Seq != want {
			t.Errorf("entry %d has Seq %d, want %d", i, r.Seq, want)
		}
		if want := fmt.Sprintf("/api/v2/pins/%d", 16+i); r.Path != want {
			t.Errorf("entry %d is %s, want %s", i, r.Path, want)
		}
	}
}

// TestOptionName checks that limit errors name Config's fields, or what
// Config.OptionName calls them (mockplex serve: its flags).
func TestOptionName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		namer func(string) string
		want  []string
	}{
		{"library", nil, []string{"raise Config.MaxPins", "(Reset)"}},
		{"binary", func(o string) string {
			return map[string]string{"Config.MaxPins": "--max-pins", "Reset": "POST /__mockplex/reset"}[o]
		},
			[]string{"raise --max-pins", "(POST /__mockplex/reset)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := mock.NewServer(mock.WithConfig(mock.Config{MaxPins: 1, OptionName: tt.namer}))
			t.Cleanup(srv.Close)
			if _, err := srv.CreatePin("c", "", true); err != nil {
				t.Fatal(err)
			}
			_, err := srv.CreatePin("c", "", true)
			if !errors.Is(err, mock.ErrTooManyPins) {
				t.Fatalf("CreatePin over the cap: %v, want ErrTooManyPins", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("CreatePin over the cap: %q does not say %q", err, w)
				}
			}
		})
	}
}
