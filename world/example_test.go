package world_test

import (
	"fmt"
	"time"

	"github.com/mockplex/mockplex/world"
)

func ExampleDefault() {
	accounts := []world.Account{
		{ID: 1, Username: "owner", Title: "Olive Owner"},
		{ID: 2, Username: "friend"},
		{ID: 3, Username: "neighbour"},
	}
	w := world.Default(42, accounts, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	for _, r := range w.Resources(1, "owner-token") {
		fmt.Println(r.Owned, r.Owner.Username, len(r.Server.Libraries), len(r.Server.Connections))
	}
	// Output:
	// true owner 2 2
	// false neighbour 2 2
}

func ExampleParse() {
	accounts := []world.Account{{ID: 1, Username: "owner"}, {ID: 2, Username: "friend", Email: "friend@example.com"}}
	src := `
servers:
  - machineIdentifier: pms-in-compose
    name: Test PMS
    owner: owner
    libraries: [{id: 10, key: 1, title: Movies, type: movie}]
    connections: [{protocol: http, address: pms, port: 32400, local: true}]
shares:
  - server: pms-in-compose
    invitee: friend@example.com
    sections: [10]
    accessToken: friend-pms-token
`
	w, err := world.Parse("world.yaml", []byte(src), accounts, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	r := w.Resources(2, "friend-account-token")[0]
	fmt.Println(r.Server.Name, r.Owned, r.AccessToken, r.Server.Connections[0].URI)

	_, err = world.Parse("world.yaml", []byte("shares:\n  - server: nowhere\n    invitee: friend\n    allLibraries: true\n"), accounts, time.Now())
	fmt.Println(err)
	// Output:
	// Test PMS false friend-pms-token http://pms:32400
	// world.yaml:2:13: want the machine identifier of a server in this world, got unknown server "nowhere"
}

func ExampleWorld_Friends() {
	accounts := []world.Account{{ID: 1, Username: "owner"}, {ID: 2, Username: "friend"}, {ID: 3, Username: "neighbour"}}
	w := world.Default(42, accounts, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	for _, f := range w.Friends(1) {
		fmt.Println(f.Account.Username, f.Account.Title, len(f.Shares), f.Member != nil)
	}
	// Output:
	// friend  1 false
	// neighbour  0 false
	//  Kid 0 true
	//  Teen 0 true
}

// A test adds a managed user with a PIN and claims a server, in Go; the
// mock takes the world with Server.SetWorld.
func ExampleWorld_AddManagedUser() {
	accounts := []world.Account{{ID: 1, Username: "owner"}}
	w := world.Default(42, accounts, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	m, err := w.AddManagedUser(1, 555, "00112233445566ff", "Grandma", "2468")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Title, m.Protected(), len(w.Homes[0].Members))
	fmt.Println(w.SetPIN(w.Homes[0], 555, "1357", "0000"))
	fmt.Println(w.SetPIN(w.Homes[0], 555, "1357", "2468"), m.PIN)

	_ = w.Claim(1, world.Server{MachineIdentifier: "new-pms", Name: "New PMS", Presence: true})
	fmt.Println(len(w.Resources(1, "tok")))
	// Output:
	// Grandma true 3
	// world: the current PIN is wrong
	// <nil> 1357
	// 2
}
