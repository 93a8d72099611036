package contract

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// validatePin validates doc against the pin schema into check id.
func (r *run) validatePin(id string, resp *response, doc any) {
	for _, fe := range r.v.Pin(doc) {
		r.violate(id, resp, WhereBody, fe.Pointer, fe.Expected, fe.Got)
	}
	r.pass(id)
}

// create runs one create check and returns the pin, or nil when none came
// back. ctCheck, when set, receives the content-type assertion.
func (r *run) create(ctx context.Context, id, ctCheck string, strong bool, path, accept, wantFormat string) *pin {
	q := url.Values{}
	if strong {
		q.Set("strong", "true")
	}
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	resp := r.send(ctx, id, reqSpec{method: http.MethodPost, path: withQuery(path, q), header: h})
	if resp == nil {
		if ctCheck != "" {
			r.skip(ctCheck, "the request of "+id+" failed")
		}
		return nil
	}
	r.expectStatus(id, resp, http.StatusCreated)
	if ctCheck == "" {
		ctCheck = id
	}
	r.expectMedia(ctCheck, resp, wantFormat)
	format, doc := r.decodeBody(id, resp, false)
	if doc == nil {
		return nil
	}
	if format == "xml" && !r.obsKey["xml-shape"] {
		r.obsKey["xml-shape"] = true
		r.observe(id, "xml.pin-shape", xmlShape(resp.body), &resp.req)
	}
	r.validatePin(id, resp, doc)
	r.expectNull(id, resp, doc, "/authToken")
	r.expectNull(id, resp, doc, "/newRegistration")
	p := r.pinFields(id, resp, doc, strong)
	if p == nil {
		return nil
	}
	r.lifetime(resp, p)
	return p
}

func (r *run) expectNull(id string, resp *response, doc any, ptr string) {
	v, ok := lookup(doc, ptr)
	if ok && v == nil {
		return
	}
	if ok && jsonType(v) == "string" && v == "" {
		// XML omits null attributes; an empty attribute is not null.
		r.violate(id, resp, WhereBody, ptr, "null (absent in XML)", describeValue(v, ok))
		return
	}
	if !ok && isXML(resp.mediaType) {
		return
	}
	r.violate(id, resp, WhereBody, ptr, "null until the pin is claimed", describeValue(v, ok))
}

// pinFields runs the cross-field checks of §5 on a pin body and extracts
// the pin. It returns nil when the body has no usable id.
func (r *run) pinFields(id string, resp *response, doc any, strong bool) *pin {
	p := &pin{strong: strong, resp: resp}
	idv, ok := lookup(doc, "/id")
	switch x := idv.(type) {
	case json.Number:
		p.id = x.String()
	case string:
		p.id = x
	case float64:
		p.id = strconv.FormatFloat(x, 'f', -1, 64)
	}
	if !ok || p.id == "" {
		return nil
	}
	r.createdPin(p.id)
	code, _ := lookup(doc, "/code")
	p.code, _ = code.(string)
	if qr, ok := lookup(doc, "/qr"); !ok || qr != r.cfg.qrBase+p.code {
		r.violate(CheckPinQR, resp, WhereBody, "/qr", strconv.Quote(r.cfg.qrBase+p.code), describeValue(qr, ok))
	} else {
		r.pass(CheckPinQR)
	}
	if cid, ok := lookup(doc, "/clientIdentifier"); !ok || cid != r.cfg.clientID {
		r.violate(CheckPinClientIdentifier, resp, WhereBody, "/clientIdentifier", strconv.Quote(r.cfg.clientID)+" (the request's X-Plex-Client-Identifier)", describeValue(cid, ok))
	} else {
		r.pass(CheckPinClientIdentifier)
	}
	switch {
	case strong && !strongCode.MatchString(p.code):
		r.violate(CheckPinCode, resp, WhereBody, "/code", "a strong code matching ^[a-z0-9]{25}$", describeValue(code, code != nil))
	case !strong && !linkCode.MatchString(p.code):
		r.violate(CheckPinCode, resp, WhereBody, "/code", "a link code matching ^[A-Z0-9]{4}$", describeValue(code, code != nil))
	default:
		r.pass(CheckPinCode)
	}
	if prod, ok := lookup(doc, "/product"); ok && prod != Product {
		r.observe(id, "product", describeValue(prod, ok)+" (sent "+strconv.Quote(Product)+")", &resp.req)
	}
	if n, ok := lookup(doc, "/expiresIn"); ok {
		p.expiresIn, _ = toInt(n)
	}
	p.createdAt = timeAt(doc, "/createdAt")
	p.expiresAt = timeAt(doc, "/expiresAt")
	return p
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := x.Int64()
		if err != nil {
			f, ferr := x.Float64()
			return int64(f), ferr == nil
		}
		return n, true
	case float64:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func timeAt(doc any, ptr string) time.Time {
	v, _ := lookup(doc, ptr)
	s, _ := v.(string)
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// lifetime checks expiresAt - createdAt and expiresIn of a new pin.
func (r *run) lifetime(resp *response, p *pin) {
	id, want := CheckLifetimeLink, int64(linkLifetime)
	if p.strong {
		id, want = CheckLifetimeStrong, strongLifetime
	}
	if p.createdAt.IsZero() || p.expiresAt.IsZero() {
		r.violate(id, resp, WhereBody, "/expiresAt", "RFC 3339 createdAt and expiresAt", "unparseable dates")
		return
	}
	got := p.expiresAt.Sub(p.createdAt)
	if got != time.Duration(want)*time.Second {
		r.violate(id, resp, WhereBody, "/expiresAt",
			fmt.Sprintf("createdAt + %d s (%s)", want, p.createdAt.Add(time.Duration(want)*time.Second).UTC().Format(time.RFC3339)),
			fmt.Sprintf("createdAt + %g s", got.Seconds()))
	}
	if p.expiresIn < want-2 || p.expiresIn > want {
		r.violate(id, resp, WhereBody, "/expiresIn", fmt.Sprintf("%d..%d at creation", want-2, want), strconv.FormatInt(p.expiresIn, 10))
	}
	r.pass(id)
}

// poll GETs a pin.
func (r *run) poll(ctx context.Context, id string, p *pin, identity, accept string) *response {
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/api/v2/pins/" + url.PathEscape(p.id), header: h, identity: identity})
}

// samePin checks that a polled pin is the created one.
func (r *run) samePin(id string, resp *response, doc any, p *pin) *pin {
	got := r.pinFields(id, resp, doc, p.strong)
	if got == nil {
		v, ok := lookup(doc, "/id")
		r.violate(id, resp, WhereBody, "/id", p.id, describeValue(v, ok))
		return nil
	}
	if got.id != p.id {
		v, _ := lookup(doc, "/id")
		r.violate(id, resp, WhereBody, "/id", p.id+" (the created pin's id)", describeValue(v, true))
	}
	if got.code != p.code {
		v, ok := lookup(doc, "/code")
		r.violate(id, resp, WhereBody, "/code", strconv.Quote(p.code)+" (the created pin's code)", describeValue(v, ok))
	}
	life := int64(linkLifetime)
	if p.strong {
		life = strongLifetime
	}
	if got.expiresIn < 0 || got.expiresIn > life {
		r.violate(id, resp, WhereBody, "/expiresIn", fmt.Sprintf("0..%d", life), strconv.FormatInt(got.expiresIn, 10))
	}
	return got
}

func (r *run) pollPending(ctx context.Context, p *pin) *pin {
	if p == nil {
		r.skip(CheckPollPending, "no strong pin was created")
		return nil
	}
	resp := r.poll(ctx, CheckPollPending, p, "", acceptJSON)
	if resp == nil {
		return nil
	}
	r.expectStatus(CheckPollPending, resp, http.StatusOK)
	_, doc := r.decodeBody(CheckPollPending, resp, false)
	if doc == nil {
		return nil
	}
	r.validatePin(CheckPollPending, resp, doc)
	r.expectNull(CheckPollPending, resp, doc, "/authToken")
	return r.samePin(CheckPollPending, resp, doc, p)
}

func (r *run) axios(ctx context.Context, p *pin) {
	id := CheckContentAxiosAccept
	if p == nil {
		r.skip(id, "no link pin was created")
		return
	}
	resp := r.poll(ctx, id, p, "", acceptAxios)
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, http.StatusOK)
	r.expectMedia(id, resp, "xml")
	_, doc := r.decodeBody(id, resp, false)
	if doc == nil {
		return
	}
	r.validatePin(id, resp, doc)
	r.samePin(id, resp, doc, p)
}

// countdown checks that expiresIn counts down.
func (r *run) countdown(ctx context.Context, p, first *pin) {
	id := CheckExpiresInCountdown
	if p == nil {
		r.skip(id, "no strong pin was created")
		return
	}
	if r.rep.Control {
		r.countdownMock(ctx, p)
		return
	}
	if first == nil {
		r.skip(id, "the pending poll returned no pin")
		return
	}
	if r.cfg.countdownWait > 0 {
		t := time.NewTimer(r.cfg.countdownWait)
		select {
		case <-ctx.Done():
			t.Stop()
			r.fail(id, ctx.Err())
			return
		case <-t.C:
		}
	} else {
		r.observe(id, "countdown", "no wait configured: only expiresIn against the Date header and monotonicity are checked", nil)
	}
	second := r.pollAgain(ctx, id, p)
	if second == nil {
		return
	}
	for _, s := range []*pin{first, second} {
		at := s.resp.date()
		left := int64(s.expiresAt.Sub(at) / time.Second)
		if d := s.expiresIn - left; d < -2 || d > 2 {
			r.violate(id, s.resp, WhereBody, "/expiresIn",
				fmt.Sprintf("about %d (expiresAt %s minus Date %s)", left, s.expiresAt.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)),
				strconv.FormatInt(s.expiresIn, 10))
		}
	}
	elapsed := second.resp.end.Sub(first.resp.start)
	drop := first.expiresIn - second.expiresIn
	maxDrop := int64(elapsed/time.Second) + 2
	minDrop := int64(0)
	if r.cfg.countdownWait >= time.Second {
		minDrop = 1
	}
	if drop < minDrop || drop > maxDrop {
		r.violate(id, second.resp, WhereBody, "/expiresIn",
			fmt.Sprintf("%d..%d (%d minus %d..%d after %.1f s)", first.expiresIn-maxDrop, first.expiresIn-minDrop, first.expiresIn, minDrop, maxDrop, elapsed.Seconds()),
			strconv.FormatInt(second.expiresIn, 10))
	}
	r.pass(id)
}

// pollAgain polls p as JSON for the countdown and returns the pin read.
func (r *run) pollAgain(ctx context.Context, id string, p *pin) *pin {
	resp := r.poll(ctx, id, p, "", acceptJSON)
	if resp == nil {
		return nil
	}
	if !r.expectStatus(id, resp, http.StatusOK) {
		return nil
	}
	_, doc := r.decodeBody(id, resp, false)
	if doc == nil {
		return nil
	}
	got := r.pinFields(id, resp, doc, p.strong)
	if got == nil {
		r.violate(id, resp, WhereBody, "/id", p.id, "(absent)")
	}
	return got
}

func (r *run) countdownMock(ctx context.Context, p *pin) {
	id := CheckExpiresInCountdown
	// The mock clock is read before and after, so the check holds when
	// other clients of a shared mock move the clock meanwhile: expiresIn
	// must drop by the 5 s advanced here at least, and by no more than the
	// clock moved in all.
	before, ok := r.mockNow(ctx, id)
	if !ok {
		return
	}
	first := r.pollAgain(ctx, id, p)
	if first == nil {
		return
	}
	resp := r.send(ctx, id, reqSpec{method: http.MethodPost, path: "/__mockplex/clock/advance?by=5s", control: true})
	if resp == nil {
		return
	}
	if resp.status/100 != 2 {
		r.violate(id, resp, WhereStatus, "", "2xx from the control API", fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)))
		return
	}
	second := r.pollAgain(ctx, id, p)
	if second == nil {
		return
	}
	after, ok := r.mockNow(ctx, id)
	if !ok {
		return
	}
	moved := after.Sub(before)
	maxDrop := int64(moved/time.Second) + 1 // expiresIn is in whole seconds
	if drop := first.expiresIn - second.expiresIn; drop < 5 || drop > maxDrop {
		r.violate(id, second.resp, WhereBody, "/expiresIn",
			fmt.Sprintf("%d..%d (%d minus the 5 s advanced, at most minus the %s the mock clock moved)",
				first.expiresIn-maxDrop, first.expiresIn-5, first.expiresIn, moved.Round(time.Millisecond)),
			strconv.FormatInt(second.expiresIn, 10))
	}
	r.pass(id)
}

// mockNow reads the mock's clock from GET /__mockplex/clock.
func (r *run) mockNow(ctx context.Context, id string) (time.Time, bool) {
	resp := r.send(ctx, id, reqSpec{method: http.MethodGet, path: "/__mockplex/clock", control: true})
	if resp == nil {
		return time.Time{}, false
	}
	var clock struct {
		Now time.Time `json:"now"`
	}
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &clock) != nil || clock.Now.IsZero() {
		r.violate(id, resp, WhereBody, "/now", "200 with the mock clock's time", fmt.Sprintf("%d %.80q", resp.status, resp.body))
		return time.Time{}, false
	}
	return clock.Now, true
}
