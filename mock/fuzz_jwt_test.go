package mock

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Fuzz targets of the parsers issue 18 added: the device listing's
// cursor, the preflight's header list, a client id's path segments and
// the Origin check of X-Mockplex-Scenario. The state file's JWT part is
// fuzzed by FuzzLoadState.

// FuzzParseDeviceCursor: a cursor the server gave reads back as its
// client id; anything else is an error or a client id that makes one.
func FuzzParseDeviceCursor(f *testing.F) {
	for _, s := range []string{"", deviceCursor("living room/tv 1"), "!!", "YQ", strings.Repeat("QUFB", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseDeviceCursor(s)
		if err != nil || s == "" {
			return
		}
		if id == "" || len(id) > maxClientIDLen {
			t.Fatalf("parseDeviceCursor(%q) = %q, want an error", s, id)
		}
		if again, err := parseDeviceCursor(deviceCursor(id)); err != nil || again != id {
			t.Fatalf("cursor of %q does not read back: %q %v", id, again, err)
		}
	})
}

// FuzzAllowedRequestHeaders: the preflight never offers a mockplex header,
// and a list without one is echoed as sent.
func FuzzAllowedRequestHeaders(f *testing.F) {
	for _, s := range []string{
		"accept,x-plex-client-identifier,x-plex-product",
		"x-plex-client-identifier, X-Mockplex-Scenario",
		"X-MOCKPLEX-TOKEN", ",,, ,", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := allowedRequestHeaders(s)
		for name := range strings.SplitSeq(got, ",") {
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(name)), "x-mockplex-") {
				t.Fatalf("allowedRequestHeaders(%q) = %q offers a mockplex header", s, got)
			}
		}
		if !strings.Contains(strings.ToLower(s), "x-mockplex-") && got != s {
			t.Fatalf("allowedRequestHeaders(%q) = %q, want it unchanged", s, got)
		}
	})
}

// FuzzRoutableClientID: a client id a device may have survives the
// router's path cleaning in its control URL (issue 18 item 9), so it can
// be revoked.
func FuzzRoutableClientID(f *testing.F) {
	for _, s := range []string{"app/v1/device-7", "a//b", "a/./b", "a/..", "/lead", "trail/", "..", ".", "living room/tv 1", "..a/b.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if !routableClientID(id) {
			return
		}
		p := controlPrefix + "/devices/" + id + "/revoke"
		if c := cleanPath(p); c != p {
			t.Fatalf("routable client id %q: control path %q is cleaned to %q", id, p, c)
		}
	})
}

// FuzzSameOrigin: a request that names another host in Origin, or that a
// browser marks cross-site or same-site, is never same-origin.
func FuzzSameOrigin(f *testing.F) {
	f.Add("http://example.com", "same-origin", "example.com")
	f.Add("https://evil.example", "", "localhost:8080")
	f.Add("null", "cross-site", "127.0.0.1")
	f.Add("", "none", "127.0.0.1")
	f.Fuzz(func(t *testing.T, origin, site, host string) {
		r := httptest.NewRequest("GET", "/api/v2/pins/1", nil)
		r.Host = host
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if site != "" {
			r.Header.Set("Sec-Fetch-Site", site)
		}
		if !sameOrigin(r) {
			return
		}
		if s := r.Header.Get("Sec-Fetch-Site"); s == "cross-site" || s == "same-site" {
			t.Fatalf("Sec-Fetch-Site %q passed", s)
		}
		if o := r.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
				t.Fatalf("Origin %q passed for Host %q", o, r.Host)
			}
		}
	})
}
