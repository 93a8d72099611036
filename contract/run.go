package contract

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Codes plex.tv uses for pins.
var (
	strongCode = regexp.MustCompile(`^[a-z0-9]{25}$`)
	linkCode   = regexp.MustCompile(`^[A-Z0-9]{4}$`)
)

// The values the suite sends.
const (
	acceptJSON  = "application/json"
	acceptXML   = "application/xml"
	acceptAxios = "application/json, text/plain, */*"
	corsOrigin  = "http://localhost:5055"
	badToken    = "mockplex-contract-bad-token"
	unknownID   = "1"
	nonNumeric  = "undefined"
)

// The pin lifetimes of §0.6.
const (
	strongLifetime = 1800
	linkLifetime   = 900
)

const noControl = "target has no mockplex control API (GET /__mockplex/pins did not answer 200 JSON)"

// ErrUnreachable wraps the error of a Run whose target did not answer its
// first request at all.
var ErrUnreachable = errors.New("target unreachable")

// run is the state of one Run.
type run struct {
	cfg    config
	target Target
	v      validator
	rep    *Report
	idx    map[string]int
	ran    map[string]bool
	obsKey map[string]bool
}

// pin is a pin the suite created and still refers to.
type pin struct {
	id, code  string
	strong    bool
	expiresIn int64
	createdAt time.Time
	expiresAt time.Time
	resp      *response
}

// Run runs every check of the suite against target and returns the report.
// It never stops at the first violation. The error is non-nil only when
// the run could not start (bad options, a target URL that is not http(s))
// or the target did not answer at all (wrapping ErrUnreachable); a
// transport error later in the run ends the affected checks in Error.
func Run(ctx context.Context, target Target, opts ...Option) (Report, error) {
	cfg := newConfig(opts)
	u, err := url.Parse(target.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Report{}, fmt.Errorf("contract: target URL %q: want an absolute http or https URL such as https://plex.tv", target.URL)
	}
	if target.Name == "" {
		target.Name = target.URL
	}
	v, err := newValidator(cfg.profile, cfg.strict)
	if err != nil {
		return Report{}, err
	}
	r := &run{
		cfg:    cfg,
		target: target,
		v:      v,
		rep: &Report{
			Target:           target.Name,
			URL:              target.URL,
			Profile:          cfg.profile,
			ClientIdentifier: cfg.clientID,
		},
		idx:    map[string]int{},
		ran:    map[string]bool{},
		obsKey: map[string]bool{},
	}
	for i, info := range Checks() {
		r.idx[info.ID] = i
		r.rep.Checks = append(r.rep.Checks, CheckResult{ID: info.ID})
	}
	start := time.Now()
	err = r.suite(ctx)
	r.rep.Seconds = time.Since(start).Seconds()
	r.finish()
	return *r.rep, err
}

// check returns the result record of id.
func (r *run) check(id string) *CheckResult {
	i, ok := r.idx[id]
	if !ok {
		panic("contract: unknown check id " + id)
	}
	return &r.rep.Checks[i]
}

// violate records a violation of check id.
func (r *run) violate(id string, resp *response, where, ptr, expected, got string) {
	r.ran[id] = true
	c := r.check(id)
	c.Violations = append(c.Violations, Violation{
		Check: id, Request: resp.req, Where: where, Pointer: ptr, Expected: expected, Got: got,
	})
}

// pass marks that check id ran at least one assertion.
func (r *run) pass(id string) { r.ran[id] = true }

// skip marks check id as not answerable, unless it already ran.
func (r *run) skip(id, reason string) {
	c := r.check(id)
	if c.Reason == "" {
		c.Reason = reason
	}
}

// fail ends check id in Error because a request failed.
func (r *run) fail(id string, err error) {
	c := r.check(id)
	c.Status = Error
	c.Reason = err.Error()
}

// observe records an observation once per (check, key, value).
func (r *run) observe(check, key, value string, req *Request) {
	k := check + "\x00" + key + "\x00" + value
	if r.obsKey[k] {
		return
	}
	r.obsKey[k] = true
	r.rep.Observations = append(r.rep.Observations, Observation{Check: check, Key: key, Value: value, Request: req})
}

// exchange records a response for Compare.
func (r *run) exchange(id string, resp *response, format string, doc any) {
	ex := Exchange{Request: resp.req, Status: resp.status, ContentType: resp.mediaType, Format: format}
	if doc != nil {
		ex.Fields = fields(doc)
	}
	c := r.check(id)
	c.Exchanges = append(c.Exchanges, ex)
	c.Seconds += resp.end.Sub(resp.start).Seconds()
}

// finish settles each check's status.
func (r *run) finish() {
	for i := range r.rep.Checks {
		c := &r.rep.Checks[i]
		switch {
		case c.Status == Error:
		case len(c.Violations) > 0:
			c.Status = Fail
			c.Reason = ""
		case r.ran[c.ID]:
			c.Status = Pass
			c.Reason = ""
		default:
			c.Status = Skip
			if c.Reason == "" {
				c.Reason = "not reached"
			}
		}
	}
}

// do sends a request on behalf of check id; a failure ends the check in
// Error and returns nil.
func (r *run) send(ctx context.Context, id string, spec reqSpec) *response {
	resp, err := r.do(ctx, spec)
	if err != nil {
		r.fail(id, err)
		return nil
	}
	return resp
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// suite is the ordered list of steps.
func (r *run) suite(ctx context.Context) error {
	// Detect the control API; this is also the reachability probe.
	resp, err := r.do(ctx, reqSpec{method: http.MethodGet, path: "/__mockplex/pins", control: true})
	if err != nil {
		return fmt.Errorf("contract: %w: %s: %w; check the URL and that the server is running", ErrUnreachable, r.target.URL, err)
	}
	r.rep.Control = resp.status == http.StatusOK && resp.mediaType == "application/json"

	strongJ := r.create(ctx, CheckCreateStrongJSON, CheckContentAcceptJSON, true, "/api/v2/pins", acceptJSON, "json")
	strongX := r.create(ctx, CheckCreateStrongXML, "", true, "/api/v2/pins", acceptXML, "xml")
	linkJ := r.create(ctx, CheckCreateLinkJSON, CheckContentJSONSuffix, false, "/api/v2/pins.json", "", "json")
	linkX := r.create(ctx, CheckCreateLinkXML, CheckContentDefaultXML, false, "/api/v2/pins", "", "xml")
	strong := firstPin(strongJ, strongX)
	link := firstPin(linkX, linkJ)

	pending := r.pollPending(ctx, strong)
	r.axios(ctx, link)
	r.pollError(ctx, CheckPollWrongClient, strong, r.cfg.clientID+"-other", acceptJSON, http.StatusNotFound, 1020, "Code not found or expired")
	r.pollError(ctx, CheckPollMissingClient, strong, "-", acceptJSON, http.StatusBadRequest, 1000, "X-Plex-Client-Identifier is missing")
	unknown := &pin{id: unknownID}
	r.pollError(ctx, CheckPollUnknownID, unknown, "", acceptJSON, http.StatusNotFound, 1020, "Code not found or expired")
	r.pollError(ctx, CheckPollUnknownIDXML, unknown, "", "", http.StatusNotFound, 1020, "Code not found or expired")
	r.pollNonNumeric(ctx)
	r.cors(ctx)
	r.countdown(ctx, strong, pending)

	if !r.rep.Control {
		for _, info := range Checks() {
			if info.Control {
				r.skip(info.ID, noControl)
			}
		}
		return nil
	}
	token := r.claim(ctx, strong)
	r.user(ctx, token)
	r.link(ctx, link, token)
	return nil
}

func firstPin(ps ...*pin) *pin {
	for _, p := range ps {
		if p != nil {
			return p
		}
	}
	return nil
}

// decodeBody decodes a response body by its media type, pin or error
// shaped, into the JSON shape. It returns the format and the document, or
// records a violation in check id and returns a nil document.
func (r *run) decodeBody(id string, resp *response, errorShape bool) (string, any) {
	switch {
	case isJSON(resp.mediaType):
		doc, err := decodeJSON(resp.body)
		if err != nil {
			r.violate(id, resp, WhereBody, "", "a JSON document", fmt.Sprintf("%s (%v)", snippet(resp.body), err))
			return "json", nil
		}
		return "json", doc
	case isXML(resp.mediaType):
		conv := r.v.PinXML
		if errorShape {
			conv = r.v.ErrorsXML
		}
		doc, err := conv(resp.body)
		if err != nil {
			r.violate(id, resp, WhereBody, "", "an XML document of the pin contract", fmt.Sprintf("%s (%v)", snippet(resp.body), err))
			return "xml", nil
		}
		return "xml", doc
	}
	r.violate(id, resp, wherePrefixHeader+"Content-Type", "", "application/json or application/xml", quoteOrAbsent(resp.header.Get("Content-Type")))
	return "", nil
}

func isJSON(mt string) bool { return mt == "application/json" }
func isXML(mt string) bool  { return mt == "application/xml" || mt == "text/xml" }

func quoteOrAbsent(s string) string {
	if s == "" {
		return "(absent)"
	}
	return strconv.Quote(s)
}

// expectStatus records a status violation in id unless resp has want.
func (r *run) expectStatus(id string, resp *response, want int) bool {
	if resp.status != want {
		r.violate(id, resp, WhereStatus, "", fmt.Sprintf("%d %s", want, http.StatusText(want)), fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)))
		return false
	}
	r.pass(id)
	return true
}

// expectMedia records a Content-Type violation in id unless resp's media
// type is want ("json" or "xml").
func (r *run) expectMedia(id string, resp *response, want string) {
	ok := (want == "json" && isJSON(resp.mediaType)) || (want == "xml" && isXML(resp.mediaType))
	if !ok {
		exp := "application/json"
		if want == "xml" {
			exp = "application/xml"
		}
		r.violate(id, resp, wherePrefixHeader+"Content-Type", "", exp, quoteOrAbsent(resp.header.Get("Content-Type")))
		return
	}
	r.pass(id)
	if ct := resp.header.Get("Content-Type"); !strings.Contains(strings.ToLower(ct), "charset=utf-8") {
		r.observe(id, "content-type", ct, &resp.req)
	}
}

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
	r.exchange(id, resp, format, doc)
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
	format, doc := r.decodeBody(CheckPollPending, resp, false)
	r.exchange(CheckPollPending, resp, format, doc)
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
	format, doc := r.decodeBody(id, resp, false)
	r.exchange(id, resp, format, doc)
	if doc == nil {
		return
	}
	r.validatePin(id, resp, doc)
	r.samePin(id, resp, doc, p)
}

// pollError polls p and expects an error envelope with status and code.
func (r *run) pollError(ctx context.Context, id string, p *pin, identity, accept string, status, code int, message string) {
	if p == nil {
		r.skip(id, "no strong pin was created")
		return
	}
	resp := r.poll(ctx, id, p, identity, accept)
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, status)
	want := "json"
	if accept == "" {
		want = "xml"
	}
	r.expectMedia(id, resp, want)
	format, doc := r.decodeBody(id, resp, true)
	r.exchange(id, resp, format, doc)
	if doc == nil {
		return
	}
	if format == "xml" {
		r.observe(id, "xml.error-shape", xmlShape(resp.body), &resp.req)
	}
	r.envelope(resp, doc)
	r.errorCode(id, resp, doc, code, message)
}

// errorCode checks /errors/0/code and /errors/0/message.
func (r *run) errorCode(id string, resp *response, doc any, code int, message string) {
	v, ok := lookup(doc, "/errors/0/code")
	if n, isInt := toInt(v); !ok || !isInt || n != int64(code) || jsonType(v) != "integer" {
		r.violate(id, resp, WhereBody, "/errors/0/code", "integer "+strconv.Itoa(code), describeValue(v, ok))
	}
	m, ok := lookup(doc, "/errors/0/message")
	if !ok || m != message {
		r.violate(id, resp, WhereBody, "/errors/0/message", strconv.Quote(message), describeValue(m, ok))
	}
	r.pass(id)
}

// envelope validates an error body into errors.envelope.
func (r *run) envelope(resp *response, doc any) {
	id := CheckErrorsEnvelope
	for _, fe := range r.v.Errors(doc) {
		r.violate(id, resp, WhereBody, fe.Pointer, fe.Expected, fe.Got)
	}
	r.pass(id)
	st, ok := lookup(doc, "/errors/0/status")
	if !ok {
		r.observe(id, "errors.status-field", fmt.Sprintf("absent in the %d body", resp.status), &resp.req)
		return
	}
	r.observe(id, "errors.status-field", fmt.Sprintf("present in the %d body", resp.status), &resp.req)
	if n, isInt := toInt(st); !isInt || n != int64(resp.status) || jsonType(st) != "integer" {
		r.violate(id, resp, WhereBody, "/errors/0/status", fmt.Sprintf("integer %d (the HTTP status)", resp.status), describeValue(st, true))
	}
}

func (r *run) pollNonNumeric(ctx context.Context) {
	id := CheckPollNonNumericID
	resp := r.poll(ctx, id, &pin{id: nonNumeric}, "", acceptJSON)
	if resp == nil {
		return
	}
	r.expectStatus(id, resp, http.StatusBadRequest)
	if len(strings.TrimSpace(string(resp.body))) == 0 {
		r.exchange(id, resp, "", nil)
		r.observe(id, "body", "empty", &resp.req)
		return
	}
	if !isJSON(resp.mediaType) && !isXML(resp.mediaType) {
		r.exchange(id, resp, "", nil)
		r.observe(id, "body", resp.mediaType+" "+snippet(resp.body), &resp.req)
		return
	}
	format, doc := r.decodeBody(id, resp, true)
	r.exchange(id, resp, format, doc)
	if doc == nil {
		return
	}
	r.envelope(resp, doc)
	c, _ := lookup(doc, "/errors/0/code")
	m, _ := lookup(doc, "/errors/0/message")
	r.observe(id, "error", fmt.Sprintf("code %v, message %v", describeValue(c, c != nil), describeValue(m, m != nil)), &resp.req)
}

func (r *run) cors(ctx context.Context) {
	id := CheckCORSPreflight
	reqHeaders := "accept,x-plex-client-identifier,x-plex-product"
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodOptions, path: "/api/v2/pins", control: true,
		header: hdr("Origin", corsOrigin, "Access-Control-Request-Method", http.MethodPost, "Access-Control-Request-Headers", reqHeaders),
	})
	if resp == nil {
		return
	}
	r.exchange(id, resp, "", nil)
	for _, k := range sortedKeys(resp.header) {
		if strings.HasPrefix(k, "Access-Control-") || k == "Vary" {
			r.observe(id, "header "+k, strings.Join(resp.header.Values(k), ", "), &resp.req)
		}
	}
	if resp.status < 200 || resp.status > 299 {
		r.violate(id, resp, WhereStatus, "", "2xx (200 or 204)", fmt.Sprintf("%d %s", resp.status, http.StatusText(resp.status)))
	}
	r.pass(id)
	if o := resp.header.Get("Access-Control-Allow-Origin"); o != "*" && o != corsOrigin {
		r.violate(id, resp, wherePrefixHeader+"Access-Control-Allow-Origin", "", `"*" or "`+corsOrigin+`"`, quoteOrAbsent(o))
	}
	if m := resp.header.Values("Access-Control-Allow-Methods"); len(m) > 0 && !listHas(m, "POST") {
		r.violate(id, resp, wherePrefixHeader+"Access-Control-Allow-Methods", "", "a list containing POST (or *)", quoteOrAbsent(strings.Join(m, ", ")))
	}
	allowed := resp.header.Values("Access-Control-Allow-Headers")
	for _, h := range strings.Split(reqHeaders, ",") {
		if !listHas(allowed, h) {
			r.violate(id, resp, wherePrefixHeader+"Access-Control-Allow-Headers", "", "a list containing "+h+" (or *)", quoteOrAbsent(strings.Join(allowed, ", ")))
			break
		}
	}
}

// listHas reports whether a comma-separated header list has v or "*".
func listHas(values []string, v string) bool {
	for _, line := range values {
		for _, item := range strings.Split(line, ",") {
			item = strings.TrimSpace(item)
			if item == "*" || strings.EqualFold(item, v) {
				return true
			}
		}
	}
	return false
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
	format, doc := r.decodeBody(id, resp, false)
	r.exchange(id, resp, format, doc)
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
	elapsed := second.resp.end.Sub(first.resp.start)
	maxDrop := 5 + int64(elapsed/time.Second) + 1
	if drop := first.expiresIn - second.expiresIn; drop < 5 || drop > maxDrop {
		r.violate(id, second.resp, WhereBody, "/expiresIn",
			fmt.Sprintf("%d..%d (%d minus 5 s of mock clock)", first.expiresIn-maxDrop, first.expiresIn-5, first.expiresIn),
			strconv.FormatInt(second.expiresIn, 10))
	}
	r.pass(id)
}

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
		format, doc := r.decodeBody(c.id, resp, false)
		r.exchange(c.id, resp, format, doc)
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
		if nr, ok := lookup(doc, "/newRegistration"); jsonType(nr) != "boolean" || !ok {
			r.violate(c.id, resp, WhereBody, "/newRegistration", "a boolean once claimed", describeValue(nr, ok))
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
	r.exchange(id, resp, format, doc)
	if doc == nil {
		return
	}
	r.envelope(resp, doc)
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
	format, doc := r.decodeBody(id, resp, false)
	r.exchange(id, resp, format, doc)
	if doc == nil {
		return
	}
	if t, ok := lookup(doc, "/authToken"); jsonType(t) != "string" || t == "" {
		r.violate(id, resp, WhereBody, "/authToken", "a non-empty string after linking", describeValue(t, ok))
	}
}

// xmlRoot returns the name of the root element, or "".
func xmlRoot(b []byte) string {
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// xmlShape summarises an XML document's elements and attribute names, e.g.
// "<pin id code ...><location code .../></pin>", for observations.
func xmlShape(b []byte) string {
	dec := xml.NewDecoder(strings.NewReader(string(b)))
	var sb strings.Builder
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > 3 {
				depth++
				continue
			}
			sb.WriteString("<" + t.Name.Local)
			for _, a := range t.Attr {
				sb.WriteString(" " + a.Name.Local)
			}
			sb.WriteString(">")
			depth++
		case xml.EndElement:
			depth--
			if depth <= 3 {
				sb.WriteString("</" + t.Name.Local + ">")
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(t)); s != "" && depth <= 4 {
				sb.WriteString("text")
			}
		}
	}
	if sb.Len() == 0 {
		return "not XML: " + snippet(b)
	}
	return truncate(sb.String(), 600)
}
