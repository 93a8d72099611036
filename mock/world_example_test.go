package mock_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/mockplex/mockplex/mock"
	"github.com/mockplex/mockplex/world"
)

// After sign-in, an app lists the account's servers. The default world
// gives the default account one server of its own and one shared with it.
func ExampleServer_World() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()
	owner := srv.Accounts()[0]

	req, _ := http.NewRequest("GET", srv.URL+"/api/resources", nil)
	req.Header.Set("X-Plex-Token", owner.AuthToken)
	req.Header.Set("Accept", "application/json") // v1: XML all the same
	resp, err := srv.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var got struct {
		Devices []struct {
			ClientIdentifier string `xml:"clientIdentifier,attr"`
			Owned            string `xml:"owned,attr"`
			AccessToken      string `xml:"accessToken,attr"`
		} `xml:"Device"`
	}
	body, _ := io.ReadAll(resp.Body)
	_ = xml.Unmarshal(body, &got)

	w := srv.World()
	for i, d := range got.Devices {
		fmt.Println(d.ClientIdentifier == w.Servers[i].MachineIdentifier, d.Owned, d.AccessToken == owner.AuthToken)
	}
	// Output:
	// true 1 true
	// true 0 false
}

// A test sets the world it needs: here the owner's server points at a
// fake PMS container, and no share exists yet.
func ExampleWithWorld() {
	probe := mock.NewServer(mock.WithSeed(1))
	owner := probe.Accounts()[0]
	probe.Close()

	w := &world.World{Servers: []*world.Server{{
		MachineIdentifier: "pms-in-compose", Name: "Test PMS", Owner: owner.ID, Presence: true,
		Libraries:   []world.Library{{ID: 10, Key: 1, Title: "Movies", Type: "movie"}},
		Connections: []world.Connection{{Protocol: "http", Address: "pms", Port: 32400, URI: "http://pms:32400", Local: true}},
	}}}
	srv := mock.NewServer(mock.WithSeed(1), mock.WithWorld(w))
	defer srv.Close()
	fmt.Println(len(srv.World().Servers), srv.World().Servers[0].Connections[0].URI)
	// Output: 1 http://pms:32400
}

// A world file names accounts by username; a bad one fails New with its
// position.
func ExampleConfig_worldFile() {
	dir, _ := os.MkdirTemp("", "world")
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "world.yaml")
	_ = os.WriteFile(file, []byte("shares:\n  - server: missing\n    invitee: someone\n    allLibraries: true\n"), 0o644)

	_, err := mock.New(mock.WithSeed(1), mock.WithConfig(mock.Config{WorldFile: file}))
	var we *world.Error
	fmt.Println(errors.As(err, &we), we.Line, we.Column, we.Want)
	// Output: true 2 13 the machine identifier of a server in this world
}

// SetWorld replaces the world at runtime, checked as a file is; Reset
// restores the world the server started with.
func ExampleServer_SetWorld() {
	srv := mock.NewServer(mock.WithSeed(1))
	defer srv.Close()

	w := srv.World()
	w.Shares = nil // nobody shares anything
	if err := srv.SetWorld(w); err != nil {
		panic(err)
	}
	fmt.Println(len(srv.World().Shares))

	w.Servers[0].Libraries = append(w.Servers[0].Libraries, w.Servers[0].Libraries[0]) // a duplicate id
	fmt.Println(srv.SetWorld(w) != nil)

	srv.Reset()
	fmt.Println(len(srv.World().Shares))
	// Output:
	// 0
	// true
	// 2
}
