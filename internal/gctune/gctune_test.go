package gctune

import (
	"runtime/debug"
	"testing"
)

// Not parallel: the settings are the process's.
func TestApply(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) })
	for _, tc := range []struct {
		name                 string
		env                  map[string]string
		wantPercent          int
		wantLimit            int64
		gotPercent, gotLimit int64
	}{
		{"defaults", nil, Percent, MemoryLimit, Percent, MemoryLimit},
		{"GOGC set", map[string]string{"GOGC": "50"}, -1, MemoryLimit, 100, MemoryLimit},
		{"both set", map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}, -1, -1, 100, -1},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(-1)
		p, l := Apply(func(k string) string { return tc.env[k] })
		if p != tc.wantPercent || l != tc.wantLimit {
			t.Errorf("%s: Apply = %d, %d, want %d, %d", tc.name, p, l, tc.wantPercent, tc.wantLimit)
		}
		if got := debug.SetGCPercent(100); int64(got) != tc.gotPercent {
			t.Errorf("%s: GC percent = %d, want %d", tc.name, got, tc.gotPercent)
		}
		if got := debug.SetMemoryLimit(-1); tc.gotLimit > 0 && got != tc.gotLimit {
			t.Errorf("%s: memory limit = %d, want %d", tc.name, got, tc.gotLimit)
		}
	}
}
