package replay

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func newHandler(t *testing.T) *Handler {
	t.Helper()
	h, err := New(os.DirFS("../testdata/captures"))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func do(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestWantsJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accept []string
		want   bool
	}{
		{nil, false},
		{[]string{"application/json"}, true},
		{[]string{"application/json, text/plain, */*"}, false},
		{[]string{"*/*"}, false},
		{[]string{"application/xml"}, false},
		{[]string{"text/plain", "application/json;q=0.9"}, true},
		{[]string{"application/json", "*/*"}, false},
		{[]string{"garbage;;;"}, false},
	}
	for _, tt := range tests {
		if got := wantsJSON(tt.accept); got != tt.want {
			t.Errorf("wantsJSON(%q) = %v, want %v", tt.accept, got, tt.want)
		}
	}
}

func FuzzWantsJSON(f *testing.F) {
	for _, s := range []string{"application/json", "application/json, text/plain, */*", "*/*", "", "application/json;q=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := wantsJSON([]string{s})
		if got && !strings.Contains(strings.ToLower(s), "application/json") {
			t.Errorf("wantsJSON(%q) = true without application/json", s)
		}
		if wantsJSON([]string{s, "*/*"}) {
			t.Errorf("wantsJSON(%q, */*) = true, want XML whenever */* is listed", s)
		}
	})
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	full := fstest.MapFS{}
	for _, n := range []string{"create-strong.json", "create-link.json", "error-1020.json", "error-1000.json"} {
		b, err := os.ReadFile("../testdata/captures/" + n)
		if err != nil {
			t.Fatal(err)
		}
		full[n] = &fstest.MapFile{Data: b}
	}
	if _, err := New(full); err != nil {
		t.Fatalf("New(all captures) = %v", err)
	}
	missing := fstest.MapFS{}
	for k, v := range full {
		if k != "error-1000.json" {
			missing[k] = v
		}
	}
	if _, err := New(missing); err == nil || !strings.Contains(err.Error(), "error-1000.json") {
		t.Errorf("New(without error-1000.json) = %v, want it named", err)
	}
	bad := fstest.MapFS{"poll-x.json": {Data: []byte("{nope")}}
	for k, v := range full {
		bad[k] = v
	}
	if _, err := New(bad); err == nil || !strings.Contains(err.Error(), "poll-x.json") {
		t.Errorf("New(bad poll-x.json) = %v, want it named", err)
	}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	h := newHandler(t)
	rec := do(h, http.MethodPost, "/api/v2/pins?strong=true", "X-Plex-Client-Identifier", "me", "X-Plex-Product", "P", "Accept", "application/json")
	if rec.Code != http.StatusCreated || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("create = %d %s, want 201 JSON", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	if !strings.HasPrefix(body, `{"id":1899765704,"code":"l91xft5ypr1n7588alsymxoy8","product":"P",`) || !strings.Contains(body, `"clientIdentifier":"me"`) {
		t.Errorf("create body = %s, want capture E in wire order with identity echoed", body)
	}
	if got := rec.Header().Get("Date"); got != "Thu, 01 Oct 2026 22:39:52 GMT" {
		t.Errorf("Date = %q, want the capture's createdAt", got)
	}

	// XML by default, null attributes omitted, booleans as 0/1.
	rec = do(h, http.MethodGet, "/api/v2/pins/1899765704", "X-Plex-Client-Identifier", "me")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("poll = %d %s, want 200 XML", rec.Code, rec.Header().Get("Content-Type"))
	}
	var pin struct {
		XMLName  xml.Name   `xml:"pin"`
		Attrs    []xml.Attr `xml:",any,attr"`
		Location struct {
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"location"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &pin); err != nil {
		t.Fatalf("poll XML: %v", err)
	}
	attrs := map[string]string{}
	for _, a := range pin.Attrs {
		attrs[a.Name.Local] = a.Value
	}
	if attrs["trusted"] != "0" || attrs["expiresIn"] != "1800" || attrs["clientIdentifier"] != "me" {
		t.Errorf("pin attributes = %v", attrs)
	}
	if _, ok := attrs["authToken"]; ok {
		t.Errorf("null authToken rendered as an attribute: %v", attrs)
	}
	if len(pin.Location.Attrs) != 11 {
		t.Errorf("location has %d attributes, want 11", len(pin.Location.Attrs))
	}

	// Bound to the creating client.
	if rec := do(h, http.MethodGet, "/api/v2/pins/1899765704.json", "X-Plex-Client-Identifier", "other"); rec.Code != http.StatusNotFound ||
		strings.TrimSpace(rec.Body.String()) != `{"errors":[{"code":1020,"message":"Code not found or expired"}]}` {
		t.Errorf("foreign poll = %d %s, want 404 with the captured 1020 body", rec.Code, rec.Body.String())
	}
	if rec := do(h, http.MethodGet, "/api/v2/pins/1899765704.json"); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"code":1000`) {
		t.Errorf("anonymous poll = %d %s, want 400/1000", rec.Code, rec.Body.String())
	}
	if rec := do(h, http.MethodGet, "/api/v2/pins/undefined", "X-Plex-Client-Identifier", "me"); rec.Code != http.StatusBadRequest || rec.Body.Len() != 0 {
		t.Errorf("non-numeric poll = %d %q, want 400 with no body", rec.Code, rec.Body.String())
	}
	// Capture C answers its own client.
	rec = do(h, http.MethodGet, "/api/v2/pins/373040866.json", "X-Plex-Client-Identifier", "9klpwueublnfbvlx95w83ah9")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"expiresIn":876`) {
		t.Errorf("capture C poll = %d %s", rec.Code, rec.Body.String())
	}
	if got := rec.Header().Get("Date"); got != "Tue, 16 Jul 2024 17:03:29 GMT" {
		t.Errorf("capture C Date = %q, want expiresAt - expiresIn", got)
	}
	rec = do(h, http.MethodGet, "/api/v2/pins/1", "X-Plex-Client-Identifier", "me")
	b, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusNotFound || !strings.Contains(string(b), `<error code="1020" message="Code not found or expired" status="404"/>`) {
		t.Errorf("unknown XML poll = %d %s", rec.Code, b)
	}
	rec = do(h, http.MethodOptions, "/api/v2/pins", "Origin", "http://x", "Access-Control-Request-Headers", "x-plex-product")
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "http://x" || rec.Header().Get("Access-Control-Allow-Headers") != "x-plex-product" {
		t.Errorf("preflight = %d %v", rec.Code, rec.Header())
	}
}
