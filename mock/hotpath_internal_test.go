package mock

// Shortcuts on the request path checked against the rules they stand in
// for.

import (
	"net/http"
	"path"
	"testing"
)

// FuzzHeaderGet: headerGet answers as http.Header.Get for any name, the
// names params.get reads included, whatever keys the header holds.
func FuzzHeaderGet(f *testing.F) {
	for _, name := range []string{"deviceJWT", "code", hClientID, hProduct, hToken, "x-plex-token", "X-PLEX-TOKEN", "a-", "-a", "9z-Q", "bad name", "é", ""} {
		f.Add(name, "Devicejwt", "X-Plex-Token")
	}
	f.Fuzz(func(t *testing.T, name, key1, key2 string) {
		h := http.Header{}
		h[key1] = []string{"raw"}
		h.Set(key2, "set")
		h.Add(name, "added")
		if got, want := headerGet(h, name), h.Get(name); got != want {
			t.Fatalf("headerGet(%v, %q) = %q, want %q", h, name, got, want)
		}
	})
}

func TestHeaderGetAllocs(t *testing.T) {
	h := http.Header{"Devicejwt": {"tok"}, "Code": {"ABCD"}}
	for _, name := range []string{"deviceJWT", "code", hClientID} {
		if n := testing.AllocsPerRun(100, func() { _ = headerGet(h, name) }); n != 0 {
			t.Errorf("headerGet(%q) allocates %v times, want 0", name, n)
		}
	}
}

// FuzzCleanPath: cleanPath's shortcut for clean paths answers as the rule
// it stands in for (path.Clean, keeping a trailing slash), for any path.
func FuzzCleanPath(f *testing.F) {
	for _, p := range []string{"", "/", "/api/v2/pins/12.json", "//a", "/a/./b", "/a/../b", "/a/", "/a/.", "/.well-known/x", "a/b", "/a//", "/..", "/a/.b"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		want := "/"
		if p != "" {
			q := p
			if q[0] != '/' {
				q = "/" + q
			}
			want = path.Clean(q)
			if q[len(q)-1] == '/' && want != "/" {
				want += "/"
			}
		}
		if got := cleanPath(p); got != want {
			t.Fatalf("cleanPath(%q) = %q, want %q", p, got, want)
		}
	})
}

// TestTimeStrings: the cache answers what formatTime does, for seconds that
// share a slot too, and a repeated second costs no allocation.
func TestTimeStrings(t *testing.T) {
	var ts timeStrings
	secs := []int64{0, 1, 64, 1765083600, 1765083600 + 64, 1765083600, -1, 253402300799}
	for _, sec := range secs {
		if got, want := ts.format(sec), formatTime(sec); got != want {
			t.Errorf("format(%d) = %q, want %q", sec, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = ts.format(1765083600) }); n != 0 {
		t.Errorf("format of a cached second allocates %v times, want 0", n)
	}
}
