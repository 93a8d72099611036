package contract

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Plex Home and server claim (plex-account-api.md §3.7, §3.9). Listing the
// Home only reads; a profile switch and a claim change the account (a
// claim adds a server to it), so they run against a mock with its control
// API, or against a real account only WithDisposableAccount(true).

const notDisposable = "changes the account: runs against a mock with its control API, or with --disposable-account (Go: contract.WithDisposableAccount) against a test account you can throw away"

// homeUser is a user of GET /api/v2/home/users.
type homeUser struct {
	id        int64
	uuid      string
	admin     bool
	protected bool
}

// home runs the Home and claim checks; change says whether the suite may
// switch profiles and claim a server on this account.
func (r *run) home(ctx context.Context, token string, change bool) {
	if token == "" {
		for _, id := range []string{CheckHomeUsers, CheckHomeSwitch, CheckClaimExchange} {
			r.skip(id, noAccount)
		}
		return
	}
	users := r.homeUsers(ctx, token)
	if !change {
		r.skip(CheckHomeSwitch, notDisposable)
		r.skip(CheckClaimExchange, notDisposable)
		return
	}
	r.homeSwitch(ctx, token, users)
	r.claimExchange(ctx, token)
}

func (r *run) homeUsers(ctx context.Context, token string) []homeUser {
	id := CheckHomeUsers
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/home/users", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if resp == nil {
		return nil
	}
	if resp.status == http.StatusNotFound {
		r.exchange(id, resp, "", nil)
		r.observe(id, "home", "the account is in no Plex Home (404)", &resp.req)
		r.skip(id, "the account is in no Plex Home")
		return nil
	}
	doc := r.jsonBody(id, resp, http.StatusOK, "", true)
	obj, _ := doc.(map[string]any)
	list, ok := obj["users"].([]any)
	if doc != nil && (!ok || len(list) == 0) {
		r.violate(id, resp, WhereBody, "/users", "a non-empty array of the Home's users", describeValue(obj["users"], obj["users"] != nil))
		return nil
	}
	var out []homeUser
	admins := 0
	for i, v := range list {
		u, _ := v.(map[string]any)
		at := fmt.Sprintf("/users/%d", i)
		n, okID := toInt(u["id"])
		uuid, okUUID := u["uuid"].(string)
		admin, okAdmin := u["admin"].(bool)
		protected, okProt := u["protected"].(bool)
		_, okTitle := u["title"].(string)
		if !okID || !okUUID || !okAdmin || !okProt || !okTitle {
			r.violate(id, resp, WhereBody, at, "id (integer), uuid and title (strings), admin and protected (booleans)", "a user without them")
			continue
		}
		if admin {
			admins++
		}
		out = append(out, homeUser{id: n, uuid: uuid, admin: admin, protected: protected})
	}
	if doc != nil && admins != 1 {
		r.violate(id, resp, WhereBody, "/users", "exactly one admin", strconv.Itoa(admins))
	}
	// The v1 twin answers XML whatever Accept says, the admin listed too.
	v1 := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/home/users", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if v1 == nil {
		return out
	}
	var got struct {
		XMLName xml.Name `xml:"MediaContainer"`
		Users   []struct {
			ID string `xml:"id,attr"`
		} `xml:"User"`
	}
	if r.xmlBody(id, v1, &got) && len(got.Users) != len(out) {
		r.violate(id, v1, WhereBody, "/MediaContainer/User", strconv.Itoa(len(out))+" users, as /api/v2/home/users lists", strconv.Itoa(len(got.Users)))
	}
	return out
}

// homeSwitch switches to a user without a PIN and back.
func (r *run) homeSwitch(ctx context.Context, token string, users []homeUser) {
	id := CheckHomeSwitch
	var target, admin *homeUser
	for i := range users {
		switch u := &users[i]; {
		case u.admin:
			admin = u
		case !u.protected && target == nil:
			target = u
		}
	}
	if target == nil || admin == nil {
		r.skip(id, "the account's Home has no user without a PIN to switch to")
		return
	}
	resp := r.send(ctx, id, reqSpec{method: http.MethodPost, path: "/api/v2/home/users/" + url.PathEscape(target.uuid) + "/switch", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if resp == nil {
		return
	}
	doc, _ := r.jsonBody(id, resp, http.StatusOK, "", true).(map[string]any)
	switched, _ := doc["authToken"].(string)
	if doc != nil && (switched == "" || switched == token) {
		r.violate(id, resp, WhereBody, "/authToken", "a new token for the switched user", redacted(doc["authToken"], doc["authToken"] != nil))
		return
	}
	if switched == "" {
		return
	}
	user := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/user", header: hdr("X-Plex-Token", switched, "Accept", acceptJSON)})
	if user == nil {
		return
	}
	u, _ := r.jsonBody(id, user, http.StatusOK, "", true).(map[string]any)
	if n, _ := toInt(u["id"]); u != nil && (n != target.id || u["home"] != true || u["homeAdmin"] != false) {
		r.violate(id, user, WhereBody, "", "the switched user: its id, home true, homeAdmin false", fmt.Sprintf("id %d, home %v, homeAdmin %v", n, u["home"], u["homeAdmin"]))
	}
	back := r.send(ctx, id, reqSpec{method: http.MethodPost, path: "/api/v2/home/users/" + strconv.FormatInt(admin.id, 10) + "/switch", header: hdr("X-Plex-Token", switched, "Accept", acceptJSON)})
	if back != nil {
		r.jsonBody(id, back, http.StatusOK, "", true)
	}
}

// claimExchange claims a server of the suite's own and looks for it in the
// account's resources.
func (r *run) claimExchange(ctx context.Context, token string) {
	id := CheckClaimExchange
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/claim/token.json", header: hdr("X-Plex-Token", token)})
	if resp == nil {
		return
	}
	doc, _ := r.jsonBody(id, resp, http.StatusOK, "", true).(map[string]any)
	claim, _ := doc["token"].(string)
	if doc != nil && !strings.HasPrefix(claim, "claim-") {
		r.violate(id, resp, WhereBody, "/token", `a string starting "claim-"`, redacted(doc["token"], doc["token"] != nil))
		return
	}
	if claim == "" {
		return
	}
	sum := sha1.Sum([]byte("mockplex contract server " + r.cfg.clientID))
	machine := hex.EncodeToString(sum[:])
	ex := r.send(ctx, id, reqSpec{method: http.MethodPost, path: "/api/claim/exchange?token=" + url.QueryEscape(claim), identity: machine,
		header: hdr("X-Plex-Product", "Plex Media Server", "X-Plex-Provides", "server", "X-Plex-Platform", "Linux", "X-Plex-Device-Name", "mockplex contract")})
	if ex == nil {
		return
	}
	r.exchange(id, ex, "xml", nil)
	if !r.expectStatus(id, ex, http.StatusOK) {
		return
	}
	oneLine := false
	for _, line := range strings.Split(string(ex.body), "\n") {
		if strings.Contains(line, "<authentication-token>") && strings.Contains(line, "</authentication-token>") {
			oneLine = true
		}
	}
	if !oneLine {
		r.violate(id, ex, WhereBody, "", "an <authentication-token> element on one line (the server images read it with sed)", "none")
	}
	res := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/resources", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if res == nil {
		return
	}
	list, _ := r.jsonBody(id, res, http.StatusOK, "", true).([]any)
	for _, v := range list {
		if m, _ := v.(map[string]any); m["clientIdentifier"] == machine && m["owned"] == true {
			return
		}
	}
	r.violate(id, res, WhereBody, "", "the claimed server "+machine+", owned", "not listed")
}
