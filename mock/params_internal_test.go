package mock

import (
	"net/http"
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
