package contract

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/mockplex/mockplex/schema"
)

// The post-sign-in checks (plex-account-api.md §3): what an account sees of
// its servers, friends and shares. They only read: the suite never invites,
// accepts or changes anything on a real account. Tokens never reach the
// report: exchanges are recorded without fields, and token comparisons say
// which token, not what it is.

// v1Device is a Device of GET /api/resources.
type v1Device struct {
	ClientIdentifier string `xml:"clientIdentifier,attr"`
	Provides         string `xml:"provides,attr"`
	Owned            string `xml:"owned,attr"`
	AccessToken      string `xml:"accessToken,attr"`
	Presence         string `xml:"presence,attr"`
	Connections      []struct {
		Protocol string `xml:"protocol,attr"`
		URI      string `xml:"uri,attr"`
		Local    string `xml:"local,attr"`
	} `xml:"Connection"`
}

type v1Resources struct {
	XMLName xml.Name   `xml:"MediaContainer"`
	Size    string     `xml:"size,attr"`
	Devices []v1Device `xml:"Device"`
}

type v1Users struct {
	XMLName xml.Name `xml:"MediaContainer"`
	Users   []struct {
		ID       string `xml:"id,attr"`
		Username string `xml:"username,attr"`
		Servers  []struct {
			ID                string `xml:"id,attr"`
			MachineIdentifier string `xml:"machineIdentifier,attr"`
		} `xml:"Server"`
	} `xml:"User"`
}

type v1SharedServers struct {
	XMLName xml.Name `xml:"MediaContainer"`
	Shared  []struct {
		ID          string `xml:"id,attr"`
		UserID      string `xml:"userID,attr"`
		AccessToken string `xml:"accessToken,attr"`
		Sections    []struct {
			ID     string `xml:"id,attr"`
			Key    string `xml:"key,attr"`
			Shared string `xml:"shared,attr"`
		} `xml:"Section"`
	} `xml:"SharedServer"`
}

var (
	zeroOne = regexp.MustCompile(`^[01]$`)
	integer = regexp.MustCompile(`^[0-9]+$`)
)

// world runs the post-sign-in checks with an account token.
func (r *run) world(ctx context.Context, token string) {
	ids := []string{CheckWorldResourcesV1, CheckWorldResourcesJSON, CheckWorldResourcesXML, CheckWorldTokens,
		CheckWorldUsers, CheckWorldSharedServers, CheckWorldServer, CheckWorldBadToken}
	if token == "" {
		for _, id := range ids {
			r.skip(id, noAccount)
		}
		return
	}
	r.worldResourcesV1(ctx, token)
	owned := r.worldResourcesJSON(ctx, token)
	r.worldResourcesXML(ctx, token)
	users := r.worldUsers(ctx, token)
	r.worldSharedServers(ctx, token, owned, users)
	r.worldServer(ctx, token, owned)
	r.worldBadToken(ctx)
}

// xmlBody checks a v1 answer: 200, XML even though the request asked for
// JSON, decoded into v.
func (r *run) xmlBody(id string, resp *response, v any) bool {
	r.exchange(id, resp, "xml", nil)
	if !r.expectStatus(id, resp, http.StatusOK) {
		return false
	}
	r.expectMedia(id, resp, "xml")
	if err := xml.Unmarshal(resp.body, v); err != nil {
		r.violate(id, resp, WhereBody, "", "an XML MediaContainer", "root "+quoteOrAbsent(xmlRoot(resp.body)))
		return false
	}
	return true
}

func (r *run) worldResourcesV1(ctx context.Context, token string) {
	id := CheckWorldResourcesV1
	// Overseerr, Ombi and go-plex-client send Accept: application/json and
	// parse XML: a v1 path must answer XML all the same.
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/resources?includeHttps=1", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	var got v1Resources
	if resp == nil || !r.xmlBody(id, resp, &got) {
		return
	}
	if got.Size != strconv.Itoa(len(got.Devices)) {
		r.violate(id, resp, WhereBody, "/MediaContainer@size", strconv.Itoa(len(got.Devices))+" (the Device count)", quoteOrAbsent(got.Size))
	}
	for i, d := range got.Devices {
		at := fmt.Sprintf("/MediaContainer/Device[%d]", i)
		if d.ClientIdentifier == "" {
			r.violate(id, resp, WhereBody, at+"@clientIdentifier", "a machine identifier", "absent")
		}
		if !zeroOne.MatchString(d.Owned) {
			r.violate(id, resp, WhereBody, at+"@owned", "0 or 1", quoteOrAbsent(d.Owned))
		}
		if d.Provides == "server" && d.AccessToken == "" {
			r.violate(id, resp, WhereBody, at+"@accessToken", "a token for the server", "absent")
		}
		for j, c := range d.Connections {
			if c.URI == "" || !zeroOne.MatchString(c.Local) {
				r.violate(id, resp, WhereBody, fmt.Sprintf("%s/Connection[%d]", at, j), "uri and local (0 or 1)", fmt.Sprintf("uri %q, local %q", c.URI, c.Local))
			}
		}
	}
}

// ownedServer is what the later checks need of a server the account owns.
type ownedServer struct{ machineID string }

func (r *run) worldResourcesJSON(ctx context.Context, token string) []ownedServer {
	id := CheckWorldResourcesJSON
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/resources?includeHttps=1&includeRelay=1", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if resp == nil {
		return nil
	}
	doc := r.jsonBody(id, resp, http.StatusOK, schema.Resources, true)
	list, _ := doc.([]any)
	var owned []ownedServer
	tid := CheckWorldTokens
	for i, v := range list {
		res, _ := v.(map[string]any)
		if res == nil || res["provides"] != "server" {
			continue
		}
		at := fmt.Sprintf("/%d/accessToken", i)
		tok, _ := res["accessToken"].(string)
		isOwned, _ := res["owned"].(bool)
		r.pass(tid)
		switch {
		case isOwned && tok != token:
			r.violate(tid, resp, WhereBody, at, "the token the request presented (an owned server)", "another token")
		case !isOwned && tok == token:
			r.violate(tid, resp, WhereBody, at, "the share's own token (a shared server)", "the token the request presented")
		}
		if mid, _ := res["clientIdentifier"].(string); isOwned && mid != "" {
			owned = append(owned, ownedServer{machineID: mid})
		}
	}
	if len(list) == 0 {
		r.skip(tid, "the account sees no servers")
	}
	return owned
}

func (r *run) worldResourcesXML(ctx context.Context, token string) {
	id := CheckWorldResourcesXML
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/resources", header: hdr("X-Plex-Token", token)})
	if resp == nil {
		return
	}
	r.exchange(id, resp, "xml", nil)
	r.expectStatus(id, resp, http.StatusOK)
	r.expectMedia(id, resp, "xml")
	if root := xmlRoot(resp.body); root != "resources" {
		r.violate(id, resp, WhereBody, "", "an XML document rooted at <resources> (python-plexapi)", "root "+quoteOrAbsent(root))
	}
}

func (r *run) worldUsers(ctx context.Context, token string) *v1Users {
	id := CheckWorldUsers
	var first *v1Users
	for _, path := range []string{"/api/users", "/api/users/"} {
		resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: path, header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
		var got v1Users
		if resp == nil || !r.xmlBody(id, resp, &got) {
			continue
		}
		for i, u := range got.Users {
			if !integer.MatchString(u.ID) {
				r.violate(id, resp, WhereBody, fmt.Sprintf("/MediaContainer/User[%d]@id", i), "an integer account id", quoteOrAbsent(u.ID))
			}
		}
		if first == nil {
			first = &got
		}
	}
	return first
}

// worldSharedServers reads the shares of each owned server and holds
// /api/users to them: every user a server is shared with is listed with a
// Server child of that server (the Overseerr family's sign-in gate).
func (r *run) worldSharedServers(ctx context.Context, token string, owned []ownedServer, users *v1Users) {
	id := CheckWorldSharedServers
	if len(owned) == 0 {
		r.skip(id, "the account owns no server")
		return
	}
	for _, s := range owned {
		resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/servers/" + url.PathEscape(s.machineID) + "/shared_servers", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
		var got v1SharedServers
		if resp == nil || !r.xmlBody(id, resp, &got) {
			continue
		}
		for i, sh := range got.Shared {
			at := fmt.Sprintf("/MediaContainer/SharedServer[%d]", i)
			if sh.AccessToken == "" {
				r.violate(id, resp, WhereBody, at+"@accessToken", "the user's token for this server", "absent")
			}
			if sh.AccessToken == token {
				r.violate(id, resp, WhereBody, at+"@accessToken", "the share's own token", "the owner's token")
			}
			if sh.UserID == "" || sh.UserID == "0" || users == nil {
				continue // a pending invite to an e-mail address
			}
			if !listed(users, sh.UserID, s.machineID) {
				r.violate(id, resp, WhereBody, at+"@userID",
					"a user that GET /api/users lists with a Server child of machineIdentifier "+s.machineID, "user "+sh.UserID+" without one")
			}
		}
	}
}

func listed(users *v1Users, userID, machineID string) bool {
	for _, u := range users.Users {
		if u.ID != userID {
			continue
		}
		for _, s := range u.Servers {
			if s.MachineIdentifier == machineID {
				return true
			}
		}
	}
	return false
}

func (r *run) worldServer(ctx context.Context, token string, owned []ownedServer) {
	id := CheckWorldServer
	if len(owned) == 0 {
		r.skip(id, "the account owns no server")
		return
	}
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/servers/" + url.PathEscape(owned[0].machineID), header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if resp != nil {
		r.jsonBody(id, resp, http.StatusOK, schema.Server, true)
	}
}

func (r *run) worldBadToken(ctx context.Context) {
	id := CheckWorldBadToken
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/resources", header: hdr("X-Plex-Token", badToken, "Accept", acceptJSON)})
	if resp == nil {
		return
	}
	r.exchange(id, resp, "xml", nil)
	r.expectStatus(id, resp, http.StatusUnauthorized)
	r.expectMedia(id, resp, "xml")
	if root := xmlRoot(resp.body); root != "errors" {
		r.violate(id, resp, WhereBody, "", "an XML <errors> document", "root "+quoteOrAbsent(root))
	}
}
