package mock

import "testing"

// Without Accept: application/json, plex.tv (and mockplex) answer XML.
func TestNegotiateExamples(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path   string
		accept []string
		legacy bool
		want   format
	}{
		{"/api/v2/pins", nil, false, xmlFormat},
		{"/api/v2/pins", []string{"application/json"}, false, jsonFormat},
		{"/api/v2/pins", []string{"application/json, text/plain, */*"}, false, xmlFormat},
		{"/api/v2/pins", []string{"application/json, text/plain, */*"}, true, jsonFormat},
		{"/api/v2/pins.json", nil, false, jsonFormat},
	} {
		if got := negotiate(tc.path, tc.accept, tc.legacy); got != tc.want {
			t.Errorf("negotiate(%q, %q, %v) = %v, want %v", tc.path, tc.accept, tc.legacy, got, tc.want)
		}
	}
}

func BenchmarkNegotiate(b *testing.B) {
	accept := []string{"application/json, text/plain, */*"}
	b.ReportAllocs()
	for b.Loop() {
		if negotiate("/api/v2/pins/1", accept, false) != xmlFormat {
			b.Fatal("axios Accept negotiated JSON, want XML")
		}
	}
}
