package contract

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

func (r *run) cors(ctx context.Context) {
	id := CheckCORSPreflight
	reqHeaders := "accept,x-plex-client-identifier,x-plex-product"
	resp := r.send(ctx, id, reqSpec{
		method: http.MethodOptions, path: "/api/v2/pins", bare: true,
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
