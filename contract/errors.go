package contract

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

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
	if doc == nil {
		return
	}
	if format == "xml" {
		r.observe(id, "xml.error-shape", xmlShape(resp.body), &resp.req)
	}
	r.envelope(resp, format, doc)
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
func (r *run) envelope(resp *response, format string, doc any) {
	id := CheckErrorsEnvelope
	for _, fe := range r.v.Errors(doc) {
		r.violate(id, resp, WhereBody, fe.Pointer, fe.Expected, fe.Got)
	}
	r.pass(id)
	st, ok := lookup(doc, "/errors/0/status")
	if !ok {
		r.observe(id, "errors.status-field", fmt.Sprintf("absent in the %d %s body", resp.status, strings.ToUpper(format)), &resp.req)
		return
	}
	r.observe(id, "errors.status-field", fmt.Sprintf("present in the %d %s body", resp.status, strings.ToUpper(format)), &resp.req)
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
	if doc == nil {
		return
	}
	r.envelope(resp, format, doc)
	c, _ := lookup(doc, "/errors/0/code")
	m, _ := lookup(doc, "/errors/0/message")
	r.observe(id, "error", fmt.Sprintf("code %v, message %v", describeValue(c, c != nil), describeValue(m, m != nil)), &resp.req)
}
