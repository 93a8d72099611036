package contract

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// claim approves p through the control API and checks the claimed shape.
// It returns the token, or "".
func (r *run) claim(ctx context.Context, p *pin) string {
	if p == nil {
		for _, id := range []string{CheckClaimApprove, CheckClaimShape, CheckClaimShapeXML} {
			r.skip(id, "no strong pin was created")
		}
		return ""
	}
	resp := r.send(ctx, CheckClaimApprove, reqSpec{
		method: http.MethodPost, path: "/__mockplex/pins/" + url.PathEscape(p.id) + "/approve", control: true,
		header: hdr("Content-Type", "application/json"), body: "{}",
	})
	if resp == nil {
		return ""
	}
	r.exchange(CheckClaimApprove, resp, "", nil)
	if resp.status/100 != 2 {
		r.violate(CheckClaimApprove, resp, WhereStatus, "", "2xx", fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)))
		return ""
	}
	r.pass(CheckClaimApprove)

	var token string
	for _, c := range []struct{ id, accept, format string }{
		{CheckClaimShape, acceptJSON, "json"},
		{CheckClaimShapeXML, "", "xml"},
	} {
		resp := r.poll(ctx, c.id, p, "", c.accept)
		if resp == nil {
			continue
		}
		r.expectStatus(c.id, resp, http.StatusOK)
		r.expectMedia(c.id, resp, c.format)
		_, doc := r.decodeBody(c.id, resp, false)
		if doc == nil {
			continue
		}
		r.validatePin(c.id, resp, doc)
		r.samePin(c.id, resp, doc, p)
		t, ok := lookup(doc, "/authToken")
		if s, isStr := t.(string); !isStr || s == "" {
			r.violate(c.id, resp, WhereBody, "/authToken", "a non-empty string once claimed", describeValue(t, ok))
		} else if token == "" {
			token = s
		}
		if nr, ok := lookup(doc, "/newRegistration"); !r.claimedFlag(nr) {
			r.violate(c.id, resp, WhereBody, "/newRegistration", r.claimedFlagWant(), describeValue(nr, ok))
		}
	}
	return token
}

// user checks GET /api/v2/user with the claimed token and a bad one.
func (r *run) user(ctx context.Context, token string) {
	if token == "" {
		r.skip(CheckUserJSON, "no token was claimed")
		r.skip(CheckUserXML, "no token was claimed")
	} else {
		for _, c := range []struct{ id, accept, format string }{
			{CheckUserJSON, acceptJSON, "json"},
			{CheckUserXML, "", "xml"},
		} {
			h := hdr("X-Plex-Token", token)
			if c.accept != "" {
				h.Set("Accept", c.accept)
			}
			resp := r.send(ctx, c.id, reqSpec{method: http.MethodGet, path: "/api/v2/user", header: h})
			if resp == nil {
				continue
			}
			r.expectStatus(c.id, resp, http.StatusOK)
			r.expectMedia(c.id, resp, c.format)
			switch c.format {
			case "json":
				doc, err := decodeJSON(resp.body)
				r.exchange(c.id, resp, "json", doc)
				if err != nil {
					r.violate(c.id, resp, WhereBody, "", "a JSON user object", snippet(resp.body))
				} else if jsonType(doc) != "object" {
					r.violate(c.id, resp, WhereBody, "", "object", describeValue(doc, true))
				}
			case "xml":
				r.exchange(c.id, resp, "xml", nil)
				if root := xmlRoot(resp.body); root != "user" {
					r.violate(c.id, resp, WhereBody, "", "an XML document rooted at <user>", "root "+quoteOrAbsent(root))
				}
			}
		}
	}
	id := CheckUserBadToken
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/user", header: hdr("X-Plex-Token", badToken, "Accept", acceptJSON)})
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, http.StatusUnauthorized)
	r.expectMedia(id, resp, "json")
	format, doc := r.decodeBody(id, resp, true)
	if doc == nil {
		return
	}
	r.envelope(resp, format, doc)
	r.errorCode(id, resp, doc, 1001, "User could not be authenticated")
}

// link claims the link pin with PUT /api/v2/pins/link.
func (r *run) link(ctx context.Context, p *pin, token string) {
	id := CheckLinkPut
	switch {
	case p == nil:
		r.skip(id, "no link pin was created")
		return
	case token == "":
		r.skip(id, "no token was claimed")
		return
	}
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodPut, path: "/api/v2/pins/link",
		header: hdr("X-Plex-Token", token, "Content-Type", "application/x-www-form-urlencoded"),
		body:   url.Values{"code": {p.code}}.Encode(),
	})
	if resp == nil {
		return
	}
	r.exchange(id, resp, "", nil)
	if !r.expectStatus(id, resp, http.StatusNoContent) {
		return
	}
	resp = r.poll(ctx, id, p, "", acceptJSON)
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, http.StatusOK)
	_, doc := r.decodeBody(id, resp, false)
	if doc == nil {
		return
	}
	if t, ok := lookup(doc, "/authToken"); jsonType(t) != "string" || t == "" {
		r.violate(id, resp, WhereBody, "/authToken", "a non-empty string after linking", describeValue(t, ok))
	}
}

// claimedFlag reports whether v is a claimed pin's newRegistration under
// the run's profile. The contract's state rule (null until claimed, set
// once claimed) holds in both; the type is the profile's. The wire sends
// a boolean (in XML 0/1, typed by the wire schema); the SDK table types
// NewRegistration as a string, and under the sdk profile XML attributes
// stay strings, so there a boolean or a string is set.
func (r *run) claimedFlag(v any) bool {
	switch jsonType(v) {
	case "boolean":
		return true
	case "string":
		return r.cfg.profile == ProfileSDK
	}
	return false
}

// claimedFlagWant says what claimedFlag expects, for violations.
func (r *run) claimedFlagWant() string {
	if r.cfg.profile == ProfileSDK {
		return "a boolean, or a string as the SDK table types NewRegistration, once claimed"
	}
	return "a boolean once claimed"
}
