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
