package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
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

// The pin lifetimes of WIRE.md §0, fact 6.
const (
	strongLifetime = 1800
	linkLifetime   = 900
)

const noControl = "target has no mockplex control API (GET /__mockplex/pins did not answer 200 JSON)"

// ErrUnreachable wraps the error of a Run whose target did not answer its
// first request at all. Every check of its report ends in Error.
var ErrUnreachable = errors.New("target unreachable")

// ErrControlRefused wraps the error of a Run whose target has the mockplex
// control API but refused the suite: GET /__mockplex/pins answered 401 or
// 403 with a body other than plex.tv's error envelope (a mock guarded by a
// control token the suite did not send, or sent wrong). The report is
// complete, with the checks that need the control API in Error rather than
// skipped, so that a run without the token is not mistaken for a pass.
// Pass the mock's token with WithControlToken.
var ErrControlRefused = errors.New("control API refused the suite")

// controlTokenHint says how to pass a control token, in reports.
const controlTokenHint = "pass the mock's control token (mockplex contract: --control-token or MOCKPLEX_CONTROL_TOKEN; Go: contract.WithControlToken)"

// run is the state of one Run.
type run struct {
	cfg    config
	target Target
	v      validator
	rep    *Report
	idx    map[string]int
	ran    map[string]bool
	obsKey map[string]bool
	// created lists the pins the suite created, for tidy.
	created []string
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
// the run could not start (bad options, a target URL that is not http(s)),
// the target did not answer at all (wrapping ErrUnreachable; every check
// ends in Error), or its control API refused the suite (wrapping
// ErrControlRefused; the control checks end in Error). In the last two
// cases the report is still complete and worth writing. A transport error
// later in the run ends the affected checks in Error.
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

// send sends a request on behalf of check id; a failure ends the check in
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
		if ctx.Err() != nil {
			return fmt.Errorf("contract: %w", ctx.Err())
		}
		err = fmt.Errorf("%w: %s: %w; check the URL and that the server is running", ErrUnreachable, r.target.URL, err)
		for _, info := range Checks() {
			r.fail(info.ID, err)
		}
		return fmt.Errorf("contract: %w", err)
	}
	r.rep.Control = resp.status == http.StatusOK && resp.mediaType == "application/json"
	var refused error
	if !r.rep.Control && controlRefused(resp) {
		refused = fmt.Errorf("%w: %s answered %d %s to GET /__mockplex/pins", ErrControlRefused, r.target.URL, resp.status, http.StatusText(resp.status))
		r.rep.ControlRefused = true
	}

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
	js := r.jwtPublic(ctx)

	if !r.rep.Control {
		for _, info := range Checks() {
			switch {
			case !info.Control:
			case refused != nil:
				r.fail(info.ID, fmt.Errorf("not run: %w; %s", refused, controlTokenHint))
			default:
				r.skip(info.ID, noControl)
			}
		}
		if r.cfg.accountToken != "" {
			r.world(ctx, r.cfg.accountToken)
			r.home(ctx, r.cfg.accountToken, r.cfg.disposable)
			r.jwtAccount(ctx, js, r.deviceToken(ctx))
		} else {
			r.world(ctx, "")
			r.home(ctx, "", false)
			r.skipAccount(refused)
		}
		if refused != nil {
			return fmt.Errorf("contract: %w", refused)
		}
		return nil
	}
	token := r.claim(ctx, strong)
	r.user(ctx, token)
	r.link(ctx, link, token)
	r.world(ctx, token)
	r.home(ctx, token, true) // a mock's accounts are throw-away
	// The JWT checks run last: issuing a Plex JWT ends the device's legacy
	// token (WIRE.md J0, fact 8), which the checks above use. Without an account token
	// the claimed pin's token, minted through the control API, serves.
	device := token
	if r.cfg.accountToken != "" {
		device = r.deviceToken(ctx)
	}
	r.jwtAccount(ctx, js, device)
	r.jwtPinClaimed(ctx, js)
	r.tidy(ctx)
	return nil
}

// created records a pin the suite created, once.
func (r *run) createdPin(id string) {
	if id != "" && !slices.Contains(r.created, id) {
		r.created = append(r.created, id)
	}
}

// tidy leaves a mock with the control API as the suite found it, as far as
// that is safe for other clients of a shared mock: the pins the suite
// created are expired, so they no longer count as live and are swept. The
// one thing that changes is the mock clock, 5 s ahead (the countdown
// check's advance): moving it back could make another client's pin outlive
// its lifetime. The journal keeps the suite's requests, and the suite's own
// client identifier keeps its JWT device. tidy is best effort: its requests
// belong to no check.
func (r *run) tidy(ctx context.Context) {
	for _, id := range r.created {
		_, _ = r.do(ctx, reqSpec{method: http.MethodPost, path: "/__mockplex/pins/" + url.PathEscape(id) + "/expire", control: true})
	}
}

// controlRefused reports whether the answer to the control API probe is
// a refusal by a guarded control API: 401 or 403 with anything but
// plex.tv's error envelope, which plex.tv itself might send for a path it
// does not know.
func controlRefused(resp *response) bool {
	if resp.status != http.StatusUnauthorized && resp.status != http.StatusForbidden {
		return false
	}
	if xmlRoot(resp.body) == "errors" {
		return false
	}
	var envelope struct {
		Errors json.RawMessage `json:"errors"`
	}
	return json.Unmarshal(resp.body, &envelope) != nil || envelope.Errors == nil
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
// shaped, into the JSON shape, and records the exchange in check id. It
// returns the format and the document, or records a violation in check id
// and returns a nil document.
func (r *run) decodeBody(id string, resp *response, errorShape bool) (string, any) {
	format, doc := r.decode(id, resp, errorShape)
	r.exchange(id, resp, format, doc)
	return format, doc
}

func (r *run) decode(id string, resp *response, errorShape bool) (string, any) {
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
