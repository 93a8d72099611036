package contract_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// worldFake adds plex.tv's post-sign-in routes (plex-account-api.md §3) to
// the suite's fake: one owned server, shared with one friend, for any token
// but the suite's bad one. It is the suite's known-good fake for the
// world.* checks, independent of package mock.
type worldFake struct{ next http.Handler }

const (
	fakeMachineID  = "0123456789abcdef0123456789abcdef01234567"
	fakeShareToken = "fake-share-token-0001"
)

func (f worldFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
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
