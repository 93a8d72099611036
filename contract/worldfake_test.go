package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
)

// worldFake adds plex.tv's post-sign-in routes (plex-account-api.md §3) to
// the suite's fake: one owned server, shared with one friend, for any token
// but the suite's bad one. It is the suite's known-good fake for the
// world.* checks, independent of package mock.
type worldFake struct {
	next    http.Handler
	claimed *atomic.Value // the machine identifier of a claimed server (a string): resources list it
}

const (
	fakeSwitchedToken = "fake-switched-token-01"
)

const (
	fakeMachineID  = "0123456789abcdef0123456789abcdef01234567"
	fakeShareToken = "fake-share-token-0001"
)

func (f worldFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if f.home(w, r) {
		return
	}
	world := p == "/api/resources" || p == "/api/v2/resources" || p == "/api/users" || p == "/api/users/" ||
		strings.HasPrefix(p, "/api/servers/") || strings.HasPrefix(p, "/api/v2/servers/")
	if !world {
		f.next.ServeHTTP(w, r)
		return
	}
	token := r.Header.Get("X-Plex-Token")
	v2 := strings.HasPrefix(p, "/api/v2/")
	jsonOut := v2 && r.Header.Get("Accept") == "application/json"
	if token == "" || token == "mockplex-contract-bad-token" {
		if v2 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error>Please sign in.</error></errors>")
		return
	}
	if jsonOut {
		w.Header().Set("Content-Type", "application/json")
	} else {
		w.Header().Set("Content-Type", "application/xml")
	}
	attr := func(s string) string { b, _ := json.Marshal(s); return string(b) } // no quotes or markup in these values
	switch {
	case p == "/api/resources":
		fmt.Fprintf(w, `<MediaContainer size="1"><Device name="Box" product="Plex Media Server" clientIdentifier="%s" provides="server" owned="1" accessToken=%s presence="1"><Connection protocol="http" address="127.0.0.1" port="32400" uri="http://127.0.0.1:32400" local="1"/></Device></MediaContainer>`, fakeMachineID, attr(token))
	case p == "/api/v2/resources" && jsonOut:
		fmt.Fprintf(w, `[{"name":"Box","product":"Plex Media Server","productVersion":"1.42.1","platform":"Linux","platformVersion":null,"device":null,"clientIdentifier":"%s","createdAt":"2025-01-01T00:00:00Z","lastSeenAt":"2026-12-01T00:00:00Z","provides":"server","ownerId":null,"sourceTitle":null,"publicAddress":"127.0.0.1","accessToken":%s,"owned":true,"home":false,"synced":false,"relay":true,"presence":true,"httpsRequired":false,"publicAddressMatches":true,"dnsRebindingProtection":false,"natLoopbackSupported":false,"connections":[{"protocol":"http","address":"127.0.0.1","port":32400,"uri":"http://127.0.0.1:32400","local":true,"relay":false,"IPv6":false}]}]`, fakeMachineID, attr(token))
	case p == "/api/v2/resources":
		fmt.Fprintf(w, `<resources size="1"><resource name="Box" clientIdentifier="%s" owned="1" accessToken=%s><connections/></resource></resources>`, fakeMachineID, attr(token))
	case p == "/api/users" || p == "/api/users/":
		fmt.Fprintf(w, `<MediaContainer friendlyName="myPlex" size="1"><User id="22526914" title="friend1" username="friend1"><Server id="907759180" machineIdentifier="%s" name="Box" pending="0"/></User></MediaContainer>`, fakeMachineID)
	case p == "/api/servers/"+fakeMachineID+"/shared_servers":
		fmt.Fprintf(w, `<MediaContainer size="1"><SharedServer id="907759180" userID="22526914" accessToken="%s"><Section id="100" key="1" shared="1"/></SharedServer></MediaContainer>`, fakeShareToken)
	case p == "/api/v2/servers/"+fakeMachineID && jsonOut:
		fmt.Fprintf(w, `{"name":"Box","address":"127.0.0.1","port":32400,"version":"1.42.1","scheme":"http","owned":true,"synced":false,"localAddresses":"127.0.0.1","machineIdentifier":"%s","createdAt":1735689600,"updatedAt":1764547200,"librarySections":[{"id":100,"key":1,"title":"Movies","type":"movie"}]}`, fakeMachineID)
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `<errors><error>Not Found</error></errors>`)
	}
}

// home serves the Home and claim routes: a Home of the admin and one
// managed user without a PIN, one switched token, and claims.
func (f worldFake) home(w http.ResponseWriter, r *http.Request) bool {
	p, tok := r.URL.Path, r.Header.Get("X-Plex-Token")
	switch {
	case p == "/api/v2/user" && tok == fakeSwitchedToken:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":33542084,"uuid":"19860c4bdfbf24d5","title":"Kid","home":true,"homeAdmin":false,"restricted":true}`)
	case p == "/api/v2/home/users":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":1841489,"name":"home","users":[{"id":2737029,"uuid":"d320a7e6324aacd5","title":"Owner","admin":true,"protected":false},{"id":33542084,"uuid":"19860c4bdfbf24d5","title":"Kid","admin":false,"protected":false}]}`)
	case p == "/api/home/users":
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, `<MediaContainer size="2"><User id="2737029" admin="1"/><User id="33542084" admin="0"/></MediaContainer>`)
	case p == "/api/v2/home/users/19860c4bdfbf24d5/switch":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":33542084,"authToken":%q}`, fakeSwitchedToken)
	case p == "/api/v2/home/users/2737029/switch":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":2737029,"authToken":"fake-admin-token-0001"}`)
	case p == "/api/claim/token.json":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"token":"claim-fake0000000000000000"}`)
	case p == "/api/claim/exchange" && r.URL.Query().Get("token") == "claim-fake0000000000000000" && f.claimed != nil:
		f.claimed.Store(r.Header.Get("X-Plex-Client-Identifier"))
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<user id=\"1\"><authentication-token>fake</authentication-token></user>")
	case p == "/api/v2/resources" && r.Header.Get("Accept") == "application/json" && f.claimed != nil && f.claimed.Load() != nil && tok != "":
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `[{"name":"claimed","clientIdentifier":%q,"owned":true,"provides":"server"}]`, f.claimed.Load())
	default:
		return false
	}
	return true
}
