package world_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/mockplex/mockplex/world"
)

// FuzzParse checks that any input either parses into a world whose JSON
// form parses back, or fails with a positioned *world.Error; never a panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("servers: []\nshares: []\n"))
	f.Add([]byte(`{"servers":[{"machineIdentifier":"m","owner":101}],"shares":[{"server":"m","invitee":"bob","allLibraries":true}]}`))
	f.Add([]byte("servers:\n  - {machineIdentifier: m, owner: alice, connections: [{address: '::1', IPv6: true}]}\n"))
	def, _ := json.Marshal(world.Default(1, three, t0))
	f.Add(def)
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := world.Parse("fuzz", data, three, t0)
		if err != nil {
			var we *world.Error
			if !errors.As(err, &we) {
				t.Fatalf("Parse error %v is not a *world.Error", err)
			}
			return
		}
		out, err := json.Marshal(w)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		if _, err := world.Parse("fuzz.json", out, three, t0); err != nil {
			t.Fatalf("the JSON form of a parsed world does not parse: %v\n%s", err, out)
		}
	})
}
