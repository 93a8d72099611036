package baseline_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mockplex/mockplex/cmd/loadbench/internal/baseline"
	"github.com/mockplex/mockplex/schema"
)

// The baseline's fixed pin must be a real pin (valid against the strict
// wire schema, in both encodings), so its bodies are as long as
// mockplex's and the comparison is fair.
func TestHandler(t *testing.T) {
	t.Parallel()
	sch, err := schema.Compile(schema.Wire, schema.WithStrict(true))
	if err != nil {
		t.Fatalf("schema.Compile: %v", err)
	}
	h := baseline.Handler()
	for _, tc := range []struct {
		method, path, accept string
		status               int
		json                 bool
	}{
		{http.MethodGet, "/api/v2/pins/123.json", "", http.StatusOK, true},
		{http.MethodGet, "/api/v2/pins/123", "application/json", http.StatusOK, true},
		{http.MethodGet, "/api/v2/pins/123", "", http.StatusOK, false},
		{http.MethodPost, "/api/v2/pins.json", "", http.StatusCreated, true},
		{http.MethodPost, "/api/v2/pins?strong=true", "application/xml", http.StatusCreated, false},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.accept, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tc.method, tc.path, nil)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d", rec.Code, tc.status)
			}
			body := rec.Body.Bytes()
			var doc any
			var err error
			wantCT := "application/xml; charset=utf-8"
			if tc.json {
				wantCT = "application/json; charset=utf-8"
				doc, err = schema.DecodeJSON(body)
			} else {
				doc, err = sch.PinFromXML(body)
			}
			if got := rec.Header().Get("Content-Type"); got != wantCT {
				t.Errorf("Content-Type = %q, want %q", got, wantCT)
			}
			if err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if err := sch.ValidatePin(doc); err != nil {
				t.Errorf("ValidatePin(%s) = %v, want nil", body, err)
			}
		})
	}
}
