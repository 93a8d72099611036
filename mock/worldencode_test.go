package mock

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mockplex/mockplex/world"
)

// FuzzAppendResourcesJSON holds the hand-written resources encoder to
// encoding/json's output for the same views, with any text in the fields
// and every variant and filter.
func FuzzAppendResourcesJSON(f *testing.F) {
	f.Add("Box", "127.0.0.1", "http://127.0.0.1:32400", "owner", "tok", uint8(0), uint8(0), int64(0))
	f.Add("Ünïcode \"quoted\" <b>&amp;</b>\u2028", "::1", "https://1-2-3-4.abc.plex.direct:32400", "o\x00wner", "t\\ok", uint8(7), uint8(31), int64(-1))
	f.Fuzz(func(t *testing.T, name, addr, uri, owner, token string, filter, variants uint8, sec int64) {
		accounts := []world.Account{{ID: 1, Username: owner}, {ID: 2, Username: "friend"}}
		w := world.Default(3, accounts, time.Unix(sec%(1<<40), 0))
		w.Servers[0].Name, w.Servers[0].PublicAddress, w.Servers[0].Version = name, addr, name
		w.Servers[0].Connections = append(w.Servers[0].Connections,
			world.Connection{Protocol: "https", Address: addr, Port: 8443, URI: uri, Relay: filter&8 != 0, IPv6: filter&16 != 0})
		fl := world.Filter{HTTPS: filter&1 != 0, Relay: filter&2 != 0, IPv6: filter&4 != 0}
		var vs []string
		for i, v := range world.VariantNames {
			if variants&(1<<i) != 0 {
				vs = append(vs, v)
			}
		}
		for _, viewer := range []int64{1, 2, 3} {
			want, err := json.Marshal(resourcesV2(w, viewer, token, fl, vs))
			if err != nil {
				t.Fatal(err)
			}
			if got := appendResourcesJSON(nil, w, viewer, token, fl, vs); string(got) != string(want) {
				t.Fatalf("viewer %d:\n got %s\nwant %s", viewer, got, want)
			}
		}
	})
}
