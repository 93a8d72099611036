package scenarios

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to the parser. It must never panic; it
// either returns a Script that evaluates without panicking, or an *Error with
// a position inside the file and both halves of the message.
func FuzzParse(f *testing.F) {
	shipped, err := fs.Glob(Builtin(), "*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range shipped {
		data, err := fs.ReadFile(Builtin(), n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	bad, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, n := range bad {
		data, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	p, err := newParser()
	if err != nil {
		f.Fatal(err)
	}
	events := []Event{
		{Op: OpCreate, Method: "POST", Path: "/api/v2/pins", Now: t0},
		{Op: OpPoll, Method: "GET", Path: "/api/v2/pins/1", Now: t0.Add(time.Hour), HasPin: true, PinCreated: t0, Polls: 4, ClientPolls: 9, SinceLastPoll: time.Millisecond},
		{Op: OpClaim, HasPin: true, Claimed: true, Polls: 1 << 40},
		{Op: Op("unknown"), Polls: -3},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := p.parse("fuzz.yaml", data)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("parse error %T %v, want *Error", err, err)
			}
			if perr.File != "fuzz.yaml" || perr.Want == "" || perr.Got == "" || perr.Line < 0 || perr.Column < 0 {
				t.Fatalf("parse error %#v: want file, want and got set and no negative position", perr)
			}
			return
		}
		for _, e := range events {
			_ = s.Evaluate(e)
			e.Rand = &fakeRand{floats: []float64{0, 0.5, 0.999}, norms: []float64{40, -40}}
			_ = s.Evaluate(e)
		}
	})
}
