package contract

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/mockplex/mockplex/mock/device"
	"github.com/mockplex/mockplex/schema"
)

// The JWT sign-in facts the checks hold targets to (WIRE.md, JWT device authentication).
const (
	// plexIssuer is a Plex JWT's iss and a device JWT's aud (J3.2, J4.2).
	plexIssuer = "plex.tv"
	// plexJWTLifetime is exp - iat of a Plex JWT: 7 days (J3.2, K).
	plexJWTLifetime = 7 * 24 * 60 * 60
	// lifetimeSlack is how far exp - iat may stray from plexJWTLifetime.
	lifetimeSlack = 60
	// jwtScope is the scope the suite's device JWT asks for (J3.2).
	jwtScope = "username"
)

const noAccount = "no account token: pass a test account's token with --token (MOCKPLEX_TOKEN; Go: contract.WithAccountToken), or run against a mock with the control API"

// jwtState is what the account-free JWT checks hand the account ones.
type jwtState struct {
	keys   []byte      // GET /api/v2/auth/keys's body, nil when it did not answer a JSON 200
	key    *device.Key // the key of the JWT pins
	strong *pin        // the strong JWT pin, nil when none was created
}

// jwtPublic runs the JWT checks that need no account: nonce, key set, a JWT
// pin of each kind and a pending poll of the strong one (about six
// requests).
func (r *run) jwtPublic(ctx context.Context) *jwtState {
	js := &jwtState{}
	r.jwtNonce(ctx)
	r.jwtNonceMissing(ctx)
	js.keys = r.jwtKeys(ctx)
	key, err := device.New(nil)
	if err != nil {
		r.fail(CheckJWTPinCreate, err)
		r.skip(CheckJWTPinPollPending, "no device key")
		return js
	}
	js.key = key
	js.strong = r.jwtPinCreate(ctx, key, true)
	r.jwtPinCreate(ctx, key, false)
	r.jwtPollPending(ctx, key, js.strong)
	return js
}

// jsonBody checks that resp answers want with a JSON body that matches d
// (when d is set), records the exchange and returns the decoded body, or
// nil. With secret set, no value of the body reaches the report: it may
// carry a token.
func (r *run) jsonBody(id string, resp *response, want int, d schema.Definition, secret bool) any {
	r.expectStatus(id, resp, want)
	r.expectMedia(id, resp, "json")
	doc, err := decodeJSON(resp.body)
	if err != nil {
		r.exchange(id, resp, "", nil)
		got := snippet(resp.body)
		if secret {
			got = fmt.Sprintf("%d bytes of %s", len(resp.body), quoteOrAbsent(resp.mediaType))
		}
		r.violate(id, resp, WhereBody, "", "a JSON document", got)
		return nil
	}
	r.exchange(id, resp, "json", doc)
	if d != "" {
		for _, fe := range r.v.Def(d, doc) {
			if secret {
				v, ok := lookup(doc, fe.Pointer)
				fe.Got = redacted(v, ok)
			}
			r.violate(id, resp, WhereBody, fe.Pointer, fe.Expected, fe.Got)
		}
	}
	return doc
}

// redacted describes a value that may be a secret: its type, and for a
// string its length and whether it looks like a JWT.
func redacted(v any, ok bool) string {
	s, isStr := v.(string)
	if !isStr {
		if jsonType(v) == "object" || jsonType(v) == "array" || !ok {
			return describeValue(v, ok)
		}
		return jsonType(v)
	}
	if strings.Count(s, ".") == 2 {
		return fmt.Sprintf("a string of %d characters (value withheld)", len(s))
	}
	return fmt.Sprintf("a string of %d characters, not a JWT (value withheld)", len(s))
}

// promise records a fact mockplex promises beyond what plex.tv is known to
// do: a violation against a mockplex target (one with the control API), an
// observation against any other.
func (r *run) promise(id, key string, resp *response, ptr, expected, got string) {
	if r.rep.Control {
		r.violate(id, resp, WhereBody, ptr, expected+" (mockplex's promise)", got)
		return
	}
	r.observe(id, key, got, &resp.req)
}

func (r *run) jwtNonce(ctx context.Context) {
	id := CheckJWTNonce
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/auth/nonce", header: hdr("Accept", acceptJSON)})
	if resp == nil {
		return
	}
	r.jsonBody(id, resp, http.StatusOK, schema.AuthNonce, false)
}

// jwtNonceMissing: the 422 is a probe's status (K); the body is unknown
// (U), so it is observed.
func (r *run) jwtNonceMissing(ctx context.Context) {
	id := CheckJWTNonceMissing
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/auth/nonce", header: hdr("Accept", acceptJSON), identity: "-"})
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, http.StatusUnprocessableEntity)
	doc, err := decodeJSON(resp.body)
	if err != nil || !isJSON(resp.mediaType) {
		r.exchange(id, resp, "", nil)
		r.observe(id, "nonce.missing-client.body", fmt.Sprintf("%s %s", quoteOrAbsent(resp.mediaType), snippet(resp.body)), &resp.req)
		return
	}
	r.exchange(id, resp, "json", doc)
	if len(r.v.Errors(doc)) > 0 {
		r.observe(id, "nonce.missing-client.body", "not the error envelope: "+snippet(resp.body), &resp.req)
		return
	}
	c, _ := lookup(doc, "/errors/0/code")
	m, _ := lookup(doc, "/errors/0/message")
	r.observe(id, "nonce.missing-client.body", fmt.Sprintf("error envelope, code %s, message %s", describeValue(c, c != nil), describeValue(m, m != nil)), &resp.req)
}

// jwtKeys checks the key set and returns its body.
func (r *run) jwtKeys(ctx context.Context) []byte {
	id := CheckJWTKeys
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/auth/keys", header: hdr("Accept", acceptJSON)})
	if resp == nil {
		return nil
	}
	doc := r.jsonBody(id, resp, http.StatusOK, schema.AuthKeys, false)
	keys, _ := lookup(doc, "/keys")
	list, _ := keys.([]any)
	if doc == nil || list == nil {
		return nil
	}
	r.observe(id, "keys.count", strconv.Itoa(len(list)), &resp.req)
	if len(list) < 2 {
		r.promise(id, "keys.count", resp, "/keys", "at least two keys (signing keys rotate)", strconv.Itoa(len(list)))
	}
	for i := range list {
		if kid, ok := lookup(doc, fmt.Sprintf("/keys/%d/kid", i)); ok {
			if s, _ := kid.(string); len(s) != 43 {
				r.observe(id, "keys.kid-length", fmt.Sprintf("%d characters, not the 43 of an RFC 7638 thumbprint", len(s)), &resp.req)
			}
		}
	}
	return resp.body
}

// jwtPinCreate creates a pin with a jwk in a JSON body, "strong": true or
// no strong at all, and checks its kind.
func (r *run) jwtPinCreate(ctx context.Context, key *device.Key, strong bool) *pin {
	id := CheckJWTPinCreate
	body := map[string]any{"jwk": key.JWK()}
	if strong {
		body["strong"] = true
	}
	b, err := json.Marshal(body)
	if err != nil {
		r.fail(id, err)
		return nil
	}
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodPost, path: "/api/v2/pins",
		header: hdr("Accept", acceptJSON, "Content-Type", "application/json"), body: string(b),
	})
	if resp == nil {
		return nil
	}
	r.expectStatus(id, resp, http.StatusCreated)
	r.expectMedia(id, resp, "json")
	_, doc := r.decodeBody(id, resp, false)
	if doc == nil {
		return nil
	}
	r.validatePin(id, resp, doc)
	r.expectNull(id, resp, doc, "/authToken")
	p := &pin{id: pinID(doc), strong: strong, resp: resp}
	code, ok := lookup(doc, "/code")
	p.code, _ = code.(string)
	switch {
	case strong && !strongCode.MatchString(p.code):
		r.violate(id, resp, WhereBody, "/code", `a 25-character strong code (^[a-z0-9]{25}$) for {"jwk":…,"strong":true}`, describeValue(code, ok))
	case !strong && !linkCode.MatchString(p.code):
		r.violate(id, resp, WhereBody, "/code", `a 4-character link code (^[A-Z0-9]{4}$) for {"jwk":…} without strong`, describeValue(code, ok))
	}
	if cid, ok := lookup(doc, "/clientIdentifier"); !ok || cid != r.cfg.clientID {
		r.violate(id, resp, WhereBody, "/clientIdentifier", strconv.Quote(r.cfg.clientID)+" (the request's X-Plex-Client-Identifier)", describeValue(cid, ok))
	}
	if p.id == "" {
		return nil
	}
	r.createdPin(p.id)
	return p
}

// pinID is a pin body's id as a string, or "".
func pinID(doc any) string {
	switch x, _ := lookup(doc, "/id"); x := x.(type) {
	case json.Number:
		return x.String()
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

// jwtPollPending polls the strong JWT pin with a minimal device JWT.
func (r *run) jwtPollPending(ctx context.Context, key *device.Key, p *pin) {
	id := CheckJWTPinPollPending
	if p == nil {
		r.skip(id, "no JWT pin was created")
		return
	}
	tok, err := key.PollJWT(r.cfg.clientID)
	if err != nil {
		r.fail(id, err)
		return
	}
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodGet, header: hdr("Accept", acceptJSON),
		path: withQuery("/api/v2/pins/"+url.PathEscape(p.id), url.Values{"deviceJWT": {tok}}),
	})
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, http.StatusOK)
	_, doc := r.decodeBody(id, resp, false)
	if doc == nil {
		return
	}
	r.validatePin(id, resp, doc)
	r.expectNull(id, resp, doc, "/authToken")
	if got := pinID(doc); got != p.id {
		v, ok := lookup(doc, "/id")
		r.violate(id, resp, WhereBody, "/id", p.id+" (the created pin's id)", describeValue(v, ok))
	}
}

// skipAccount settles the account checks when there is no token.
func (r *run) skipAccount(refused error) {
	for _, info := range Checks() {
		switch {
		case !info.Account:
		case refused != nil:
			r.fail(info.ID, fmt.Errorf("not run: %w; %s", refused, controlTokenHint))
		default:
			r.skip(info.ID, noAccount)
		}
	}
}

// deviceToken turns the account token of WithAccountToken into a token of
// the suite's own device: it links a new link pin with PUT
// /api/v2/pins/link and reads the pin's token. The account's token is sent
// nowhere else, so the JWT the suite obtains later expires no token but
// its own (WIRE.md J0, fact 8: issuing a JWT ends the device's legacy token).
func (r *run) deviceToken(ctx context.Context) string {
	id := CheckJWTRegister
	resp := r.send(ctx, id, reqSpec{method: http.MethodPost, path: "/api/v2/pins.json"})
	if resp == nil {
		return ""
	}
	doc := r.jsonBody(id, resp, http.StatusCreated, "", false)
	code, _ := lookup(doc, "/code")
	p := &pin{id: pinID(doc)}
	p.code, _ = code.(string)
	if p.id == "" || p.code == "" {
		r.violate(id, resp, WhereBody, "/id", "a link pin to claim for the suite's device", describeValue(doc, doc != nil))
		return ""
	}
	resp = r.send(ctx, id, reqSpec{
		method: http.MethodPut, path: "/api/v2/pins/link",
		header: hdr("X-Plex-Token", r.cfg.accountToken, "Content-Type", "application/x-www-form-urlencoded"),
		body:   url.Values{"code": {p.code}}.Encode(),
	})
	if resp == nil {
		return ""
	}
	r.exchange(id, resp, "", nil)
	if !r.expectStatus(id, resp, http.StatusNoContent) {
		return ""
	}
	resp = r.poll(ctx, id, p, "", acceptJSON)
	if resp == nil {
		return ""
	}
	doc = r.jsonBody(id, resp, http.StatusOK, "", true)
	t, ok := lookup(doc, "/authToken")
	s, _ := t.(string)
	if s == "" {
		r.violate(id, resp, WhereBody, "/authToken", "the linked pin's token", redacted(t, ok))
	}
	return s
}

// jwtAccount runs the checks that need a token of the suite's device:
// register a key (E1), exchange a device JWT for a Plex JWT (E2, E3),
// verify it against the key set (E4) and use it (GET /api/v2/user).
func (r *run) jwtAccount(ctx context.Context, js *jwtState, token string) {
	after := func(reason string, ids ...string) {
		for _, id := range ids {
			r.skip(id, reason)
		}
	}
	if token == "" {
		after("no token of the suite's device was obtained", CheckJWTRegister, CheckJWTToken, CheckJWTTokenVerify, CheckJWTUser)
		return
	}
	key, err := device.New(nil)
	if err != nil {
		r.fail(CheckJWTRegister, err)
		after("no device key", CheckJWTToken, CheckJWTTokenVerify, CheckJWTUser)
		return
	}
	if !r.jwtRegister(ctx, key, token) {
		after("the key was not registered", CheckJWTToken, CheckJWTTokenVerify, CheckJWTUser)
		return
	}
	jwt, resp, nonce := r.jwtExchange(ctx, key)
	if jwt == "" {
		after("no Plex JWT was issued", CheckJWTTokenVerify, CheckJWTUser)
		return
	}
	if js.keys == nil {
		r.skip(CheckJWTTokenVerify, "GET /api/v2/auth/keys gave no key set")
	} else {
		r.jwtVerify(CheckJWTTokenVerify, resp, jwt, js.keys, key.KID(), nonce)
	}
	r.jwtUser(ctx, jwt)
}

// jwtRegister is E1: POST /api/v2/auth/jwk with the device's token.
func (r *run) jwtRegister(ctx context.Context, key *device.Key, token string) bool {
	id := CheckJWTRegister
	b, err := json.Marshal(map[string]any{"jwk": key.JWK()})
	if err != nil {
		r.fail(id, err)
		return false
	}
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodPost, path: "/api/v2/auth/jwk",
		header: hdr("X-Plex-Token", token, "Accept", acceptJSON, "Content-Type", "application/json"), body: string(b),
	})
	if resp == nil {
		return false
	}
	r.exchange(id, resp, "", nil)
	if !r.expectStatus(id, resp, http.StatusCreated) {
		return false
	}
	if n := len(strings.TrimSpace(string(resp.body))); n > 0 {
		r.promise(id, "register.body", resp, "", "an empty body", fmt.Sprintf("%d bytes of %s", n, quoteOrAbsent(resp.mediaType)))
	}
	return true
}

// jwtExchange is E2 and E3: a fresh nonce, then the device JWT for a Plex
// JWT. It returns the Plex JWT (or ""), the E3 response and the nonce.
func (r *run) jwtExchange(ctx context.Context, key *device.Key) (string, *response, string) {
	id := CheckJWTToken
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/auth/nonce", header: hdr("Accept", acceptJSON)})
	if resp == nil {
		return "", nil, ""
	}
	doc := r.jsonBody(id, resp, http.StatusOK, schema.AuthNonce, false)
	n, _ := lookup(doc, "/nonce")
	nonce, _ := n.(string)
	if nonce == "" {
		return "", nil, ""
	}
	// The device JWT's iat and exp follow the target's clock: the mock's
	// may run ahead of the wall clock.
	now := resp.date()
	if r.rep.Control {
		if t, ok := r.mockNow(ctx, id); ok {
			now = t
		}
	}
	dj, err := key.TokenJWT(r.cfg.clientID, nonce, jwtScope, now)
	if err != nil {
		r.fail(id, err)
		return "", nil, ""
	}
	b, err := json.Marshal(map[string]string{"jwt": dj})
	if err != nil {
		r.fail(id, err)
		return "", nil, ""
	}
	resp = r.send(ctx, id, reqSpec{
		method: http.MethodPost, path: "/api/v2/auth/token",
		header: hdr("Accept", acceptJSON, "Content-Type", "application/json"), body: string(b),
	})
	if resp == nil {
		return "", nil, ""
	}
	doc = r.jsonBody(id, resp, http.StatusOK, schema.AuthToken, true)
	if doc == nil {
		return "", nil, ""
	}
	if v, ok := lookup(doc, "/authToken"); ok {
		r.violate(id, resp, WhereBody, "/authToken", `no authToken: the exchange answers snake_case {"auth_token": …} (camelCase is the pin's)`, redacted(v, ok))
	}
	t, _ := lookup(doc, "/auth_token")
	s, _ := t.(string)
	if strings.Count(s, ".") != 2 {
		return "", resp, nonce
	}
	return s, resp, nonce
}

// jwtVerify checks a Plex JWT as python-plexapi and @ctrl/plex do (J3.3).
// No part of the token reaches the report but its header kid.
func (r *run) jwtVerify(id string, resp *response, token string, keys []byte, kid, nonce string) {
	r.pass(id)
	parts := strings.Split(token, ".")
	header, herr := decodeSegment(parts[0])
	claims, cerr := decodeSegment(parts[1])
	if herr != nil {
		r.violate(id, resp, WhereJWTHeader, "", "a base64url JSON object", herr.Error())
		return
	}
	for _, fe := range r.v.Def(schema.PlexJWTHeader, header) {
		r.violate(id, resp, WhereJWTHeader, fe.Pointer, fe.Expected, fe.Got)
	}
	if typ, ok := lookup(header, "/typ"); !ok {
		r.observe(id, "token.header.typ", "absent", &resp.req)
	} else if typ != "JWT" {
		r.observe(id, "token.header.typ", describeValue(typ, ok), &resp.req)
	}
	hk, _ := lookup(header, "/kid")
	signer, _ := hk.(string)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(keys, &set); err != nil {
		r.violate(id, resp, WhereJWTSignature, "", "a key set from GET /api/v2/auth/keys to verify with", err.Error())
	} else if found := set.Key(signer); len(found) == 0 {
		r.violate(id, resp, WhereJWTHeader, "/kid", "a kid listed by GET /api/v2/auth/keys", describeValue(hk, hk != nil))
	} else if pub, ok := found[0].Key.(ed25519.PublicKey); !ok {
		r.violate(id, resp, WhereJWTSignature, "", "an Ed25519 key under kid "+strconv.Quote(signer), fmt.Sprintf("%T", found[0].Key))
	} else if jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA}); err != nil {
		r.violate(id, resp, WhereJWTSignature, "", "a compact EdDSA JWS", err.Error())
	} else if _, err := jws.Verify(pub); err != nil {
		r.violate(id, resp, WhereJWTSignature, "", "a valid EdDSA signature by key "+strconv.Quote(signer), err.Error())
	}
	if cerr != nil {
		r.violate(id, resp, WhereJWTClaims, "", "a base64url JSON object", cerr.Error())
		return
	}
	for _, fe := range r.v.Def(schema.PlexJWTClaims, claims) {
		r.violate(id, resp, WhereJWTClaims, fe.Pointer, fe.Expected, fe.Got)
	}
	aud, _ := lookup(claims, "/aud")
	list, _ := aud.([]any)
	for _, want := range []string{plexIssuer, r.cfg.clientID} {
		found := false
		for _, a := range list {
			found = found || a == want
		}
		if !found {
			r.violate(id, resp, WhereJWTClaims, "/aud", "an array containing "+strconv.Quote(want), describeValue(aud, aud != nil))
		}
	}
	if len(list) > 0 {
		order := "plex.tv first"
		if list[0] != plexIssuer {
			order = "plex.tv not first"
		}
		r.observe(id, "token.aud-order", fmt.Sprintf("%d entries, %s", len(list), order), &resp.req)
	}
	iat, iok := toIntJSON(claims, "/iat")
	exp, eok := toIntJSON(claims, "/exp")
	if iok && eok {
		if d := exp - iat; d < plexJWTLifetime-lifetimeSlack || d > plexJWTLifetime+lifetimeSlack {
			r.violate(id, resp, WhereJWTClaims, "/exp", fmt.Sprintf("iat + %d s (7 days) ± %d s", plexJWTLifetime, lifetimeSlack), fmt.Sprintf("iat + %d s (%s)", d, time.Duration(d)*time.Second))
		}
		at := resp.date().Unix()
		if skew := iat - at; skew < -lifetimeSlack || skew > lifetimeSlack {
			r.observe(id, "token.iat-skew", fmt.Sprintf("iat is %d s from the response's Date", skew), &resp.req)
		}
	}
	if tp, ok := lookup(claims, "/thumbprint"); !ok || tp != kid {
		r.violate(id, resp, WhereJWTClaims, "/thumbprint", strconv.Quote(kid)+" (the kid the suite registered)", describeValue(tp, ok))
	}
	switch n, ok := lookup(claims, "/nonce"); {
	case !ok:
		r.observe(id, "token.nonce", "absent", &resp.req)
	case n == nonce:
		r.observe(id, "token.nonce", "the device JWT's nonce", &resp.req)
	default:
		r.observe(id, "token.nonce", "differs from the device JWT's nonce", &resp.req)
	}
	if _, ok := lookup(claims, "/user/uuid"); !ok {
		r.observe(id, "token.user.uuid", "absent", &resp.req)
	}
	if _, ok := lookup(claims, "/user/username"); !ok {
		r.observe(id, "token.user.username", "absent although the scope asked for username", &resp.req)
	}
}

// decodeSegment decodes one base64url segment of a compact JWS as JSON.
func decodeSegment(s string) (any, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not base64url: %v", err)
	}
	v, err := decodeJSON(b)
	if err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if jsonType(v) != "object" {
		return nil, fmt.Errorf("a JSON %s", jsonType(v))
	}
	return v, nil
}

func toIntJSON(doc any, ptr string) (int64, bool) {
	v, ok := lookup(doc, ptr)
	if !ok || jsonType(v) != "integer" {
		return 0, false
	}
	return toInt(v)
}

// jwtPinClaimed approves the strong JWT pin through the control API and
// polls it with a deviceJWT (a Plex JWT in authToken, K) and without one
// (a 20-character legacy token: mockplex's default, unknown for plex.tv,
// J2.5). It runs last: issuing the JWT ends the device's legacy token.
func (r *run) jwtPinClaimed(ctx context.Context, js *jwtState) {
	id := CheckJWTPinClaimed
	if js.strong == nil || js.key == nil {
		r.skip(id, "no JWT pin was created")
		return
	}
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodPost, path: "/__mockplex/pins/" + url.PathEscape(js.strong.id) + "/approve", control: true,
		header: hdr("Content-Type", "application/json"), body: "{}",
	})
	if resp == nil {
		return
	}
	r.exchange(id, resp, "", nil)
	if resp.status/100 != 2 {
		r.violate(id, resp, WhereStatus, "", "2xx from the control API", fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)))
		return
	}
	tok, err := js.key.PollJWT(r.cfg.clientID)
	if err != nil {
		r.fail(id, err)
		return
	}
	path := "/api/v2/pins/" + url.PathEscape(js.strong.id)
	resp = r.send(ctx, id, reqSpec{method: http.MethodGet, path: withQuery(path, url.Values{"deviceJWT": {tok}}), header: hdr("Accept", acceptJSON)})
	if resp == nil {
		return
	}
	doc := r.jsonBody(id, resp, http.StatusOK, "", true)
	t, ok := lookup(doc, "/authToken")
	s, _ := t.(string)
	if strings.Count(s, ".") != 2 {
		r.violate(id, resp, WhereBody, "/authToken", "a Plex JWT once claimed and polled with a deviceJWT", redacted(t, ok))
	} else if js.keys != nil {
		r.jwtVerify(id, resp, s, js.keys, js.key.KID(), "")
	}
	resp = r.send(ctx, id, reqSpec{method: http.MethodGet, path: path, header: hdr("Accept", acceptJSON)})
	if resp == nil {
		return
	}
	r.exchange(id, resp, "", nil)
	doc, _ = decodeJSON(resp.body)
	t, ok = lookup(doc, "/authToken")
	if s, _ := t.(string); resp.status != http.StatusOK || len(s) != 20 || strings.Contains(s, ".") {
		got := fmt.Sprintf("%d %s, authToken %s", resp.status, http.StatusText(resp.status), redacted(t, ok))
		r.promise(id, "pin.claimed.no-device-jwt", resp, "/authToken", "200 with a 20-character legacy token without a deviceJWT", got)
	}
}

// jwtUser uses the Plex JWT as X-Plex-Token (J5).
func (r *run) jwtUser(ctx context.Context, token string) {
	id := CheckJWTUser
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/user", header: hdr("X-Plex-Token", token, "Accept", acceptJSON)})
	if resp == nil {
		return
	}
	doc := r.jsonBody(id, resp, http.StatusOK, "", true)
	if doc != nil && jsonType(doc) != "object" {
		r.violate(id, resp, WhereBody, "", "a JSON user object", jsonType(doc))
	}
}
