package schema

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPinFromXMLMatchesJSON converts the v2 XML form of example E's strong
// pin and expects exactly the JSON capture, null keys included.
func TestPinFromXMLMatchesJSON(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		s := mustCompile(t, Wire, WithStrict(strict))
		got, err := s.PinFromXML(readTestdata(t, "v2-pin-pending.xml"))
		if err != nil {
			t.Fatalf("PinFromXML(v2-pin-pending.xml) = %v", err)
		}
		want := decodeTestdata(t, "e-primuse-2026-strong.json")
		if diff := cmp.Diff(want, any(got)); diff != "" {
			t.Errorf("PinFromXML(v2-pin-pending.xml) mismatch with e-primuse-2026-strong.json (-json +xml):\n%s", diff)
		}
		if err := s.ValidatePin(got); err != nil {
			t.Errorf("ValidatePin(PinFromXML(v2-pin-pending.xml)), strict %v = %v", strict, err)
		}
	}
}

func TestPinFromXMLClaimed(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, Wire)
	got, err := s.PinFromXML(readTestdata(t, "v2-pin-claimed.xml"))
	if err != nil {
		t.Fatalf("PinFromXML(v2-pin-claimed.xml) = %v", err)
	}
	want := map[string]any{
		"id": json.Number("1174342418"), "code": "KYLX", "product": "RubyPlex", "trusted": false,
		"qr": "https://plex.tv/api/v2/pins/qr/KYLX", "clientIdentifier": "com.rubyplex.app",
		"expiresIn": json.Number("612"), "createdAt": "2025-03-07T16:37:05Z", "expiresAt": "2025-03-07T16:52:05Z",
		"authToken": "CxoUzBTSV5hsxjTpFKaf", "newRegistration": true,
		"location": map[string]any{
			"code": "CA", "european_union_member": false, "continent_code": "NA", "country": "Canada", "city": "Toronto",
			"time_zone": "America/Toronto", "postal_code": "M5J", "in_privacy_restricted_country": false,
			"in_privacy_restricted_region": false, "subdivisions": "Ontario", "coordinates": "43.6227, -79.3892",
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PinFromXML(v2-pin-claimed.xml) mismatch (-want +got):\n%s", diff)
	}
	if err := s.ValidatePin(got); err != nil {
		t.Errorf("ValidatePin() = %v", err)
	}
}

// TestPinFromXMLTyping checks attribute typing, and that what cannot be
// typed is left for validation to report.
func TestPinFromXMLTyping(t *testing.T) {
	t.Parallel()
	wire := mustCompile(t, Wire)
	const loc = `<location code="CA" european_union_member="0" continent_code="NA" country="Canada" city="Toronto" time_zone="America/Toronto" postal_code="4814" in_privacy_restricted_country="false" in_privacy_restricted_region="true" subdivisions="Ontario" coordinates="1, 2"/>`
	pinXML := func(attrs string) []byte {
		return []byte(`<pin ` + attrs + `>` + loc + `</pin>`)
	}
	const base = `code="KYLX" product="p" qr="https://plex.tv/api/v2/pins/qr/KYLX" clientIdentifier="c" createdAt="2025-03-07T16:37:05Z" expiresAt="2025-03-07T16:52:05Z" `
	tests := []struct {
		name  string
		attrs string
		want  map[string]any // the keys to check
		viol  []spot
	}{
		{name: "booleans true/false and 1", attrs: base + `id="1" trusted="true" expiresIn="900" newRegistration="1"`,
			want: map[string]any{"trusted": true, "newRegistration": true, "id": json.Number("1"), "authToken": nil}},
		{name: "boolean yes stays a string", attrs: base + `id="1" trusted="yes" expiresIn="900"`,
			want: map[string]any{"trusted": "yes"}, viol: []spot{{"/trusted", "type"}}},
		{name: "integer with a fraction stays a string", attrs: base + `id="1.5" trusted="0" expiresIn="900"`,
			want: map[string]any{"id": "1.5"}, viol: []spot{{"/id", "type"}}},
		{name: "integer with leading zeros stays a string", attrs: base + `id="007" trusted="0" expiresIn="900"`,
			want: map[string]any{"id": "007"}, viol: []spot{{"/id", "type"}}},
		{name: "unknown attribute kept as a string", attrs: base + `id="1" trusted="0" expiresIn="900" homeUser="1"`,
			want: map[string]any{"homeUser": "1"}},
		{name: "missing non-nullable attribute stays missing", attrs: `id="1" trusted="0"`,
			want: map[string]any{"authToken": nil, "newRegistration": nil}, viol: []spot{{"/clientIdentifier", "required"}, {"/code", "required"}, {"/createdAt", "required"}, {"/expiresAt", "required"}, {"/expiresIn", "required"}, {"/product", "required"}, {"/qr", "required"}}},
		{name: "empty token is a string", attrs: base + `id="1" trusted="0" expiresIn="900" authToken=""`,
			want: map[string]any{"authToken": ""}, viol: []spot{{"/authToken", "minLength"}}},
		{name: "namespace declaration ignored", attrs: base + `xmlns="urn:x" xmlns:p="urn:p" id="1" trusted="0" expiresIn="900"`,
			want: map[string]any{"id": json.Number("1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := wire.PinFromXML(pinXML(tt.attrs))
			if err != nil {
				t.Fatalf("PinFromXML() = %v", err)
			}
			for k, w := range tt.want {
				g, ok := got[k]
				if !ok {
					t.Errorf("PinFromXML()[%q] missing, want %#v", k, w)
					continue
				}
				if diff := cmp.Diff(w, g); diff != "" {
					t.Errorf("PinFromXML()[%q] mismatch (-want +got):\n%s", k, diff)
				}
			}
			if l := got["location"].(map[string]any); l["postal_code"] != "4814" || l["european_union_member"] != false || l["in_privacy_restricted_region"] != true {
				t.Errorf("PinFromXML() location = %v, want postal_code \"4814\" and typed booleans", l)
			}
			if _, ok := got["xmlns"]; ok {
				t.Error("PinFromXML() kept the xmlns declaration as a key")
			}
			if diff := cmp.Diff(tt.viol, spots(t, wire.ValidatePin(got))); diff != "" {
				t.Errorf("ValidatePin() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Under the sdk profile the wire's attribute names do not match the table's
// PascalCase properties, so they stay strings; a PascalCase one is typed.
func TestPinFromXMLSDKProfile(t *testing.T) {
	t.Parallel()
	sdk := mustCompile(t, SDK)
	got, err := sdk.PinFromXML([]byte(`<pin Id="1" trusted="0"><location PostalCode="4814"/></pin>`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Id": json.Number("1"), "trusted": "0", "location": map[string]any{"PostalCode": "4814"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sdk PinFromXML() mismatch (-want +got):\n%s", diff)
	}
}

func TestErrorsFromXML(t *testing.T) {
	t.Parallel()
	wire := mustCompile(t, Wire)
	tests := []struct {
		name string
		xml  string
		want map[string]any
		viol []spot
	}{
		{
			name: "mock's 1020",
			xml:  string(readTestdata(t, "v2-errors-1020.xml")),
			want: map[string]any{"errors": []any{map[string]any{"code": json.Number("1020"), "message": "Code not found or expired", "status": json.Number("404")}}},
		},
		{
			name: "captured 422 with text",
			xml:  string(readTestdata(t, "i-pyplex1138-422.xml")),
			want: map[string]any{"errors": []any{map[string]any{"message": "Invalid token"}}},
			viol: []spot{{"/errors/0/code", "required"}},
		},
		{
			name: "empty envelope",
			xml:  `<errors/>`,
			want: map[string]any{"errors": []any{}},
			viol: []spot{{"/errors", "minItems"}},
		},
		{
			name: "bad code",
			xml:  `<errors><error code="x10" message="m"/><error code="1000" message="n" status="400"/></errors>`,
			want: map[string]any{"errors": []any{
				map[string]any{"code": "x10", "message": "m"},
				map[string]any{"code": json.Number("1000"), "message": "n", "status": json.Number("400")},
			}},
			viol: []spot{{"/errors/0/code", "type"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := wire.ErrorsFromXML([]byte(tt.xml))
			if err != nil {
				t.Fatalf("ErrorsFromXML() = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ErrorsFromXML() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.viol, spots(t, wire.ValidateErrors(got))); diff != "" {
				t.Errorf("ValidateErrors() mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// The JSON and XML forms of the same error are the same value.
	fromJSON, _ := DecodeJSON([]byte(`{"errors":[{"code":1020,"message":"Code not found or expired","status":404}]}`))
	fromXML, _ := wire.ErrorsFromXML(readTestdata(t, "v2-errors-1020.xml"))
	if diff := cmp.Diff(fromJSON, any(fromXML)); diff != "" {
		t.Errorf("JSON and XML 1020 differ (-json +xml):\n%s", diff)
	}
}

func TestFromXMLErrors(t *testing.T) {
	t.Parallel()
	wire := mustCompile(t, Wire)
	deep := strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40)
	tests := []struct {
		name   string
		errors bool // ErrorsFromXML instead of PinFromXML
		xml    string
		want   string
	}{
		{name: "empty", xml: ``, want: "xml: want an XML document with a root element, got none"},
		{name: "not XML", xml: `{"id":1}`, want: `xml:1: want an XML document starting with an element, got text "{\"id\":1}"`},
		{name: "unclosed", xml: `<pin id="1">`, want: "xml:1: XML syntax error on line 1: unexpected EOF"},
		{name: "mismatched", xml: "<pin>\n<location></pin>", want: "xml:2: XML syntax error on line 2: element <location> closed by </pin>"},
		{name: "wrong root", xml: `<errors/>`, want: "xml:1: want root element <pin>, got <errors>"},
		{name: "wrong root for errors", errors: true, xml: `<pin/>`, want: "xml:1: want root element <errors>, got <pin>"},
		{name: "two roots", xml: `<pin/><pin/>`, want: "xml:1: want one root element, got a second one, <pin>"},
		{name: "text outside", xml: `<pin/>tail`, want: `xml:1: want only whitespace after the root element, got text "tail"`},
		{name: "legacy v1 pin", xml: string(readTestdata(t, "f-mrmc-2016-v1.xml")), want: `xml:2: want values in attributes of <client-identifier> (v2 XML; a legacy v1 pin uses child elements), got text "a36023fe-930c-4f07-9dbb-88ac8cb91ccf"`},
		{name: "duplicate key", xml: `<pin code="A"><code/></pin>`, want: "xml:1: want each key once in <pin>, got a second code"},
		{name: "too deep", xml: `<pin>` + deep + `</pin>`, want: "xml:1: want at most 32 levels of elements, got deeper nesting"},
		{name: "other element in errors", errors: true, xml: `<errors><warning/></errors>`, want: "xml:1: want <error> inside <errors>, got <warning>"},
		{name: "text in errors", errors: true, xml: `<errors>oops</errors>`, want: `xml:1: want only <error> elements inside <errors>, got text "oops"`},
		{name: "nested in error", errors: true, xml: `<errors><error><code/></error></errors>`, want: "xml:1: want an empty <error/> with attributes, got <code>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.errors {
				_, err = wire.ErrorsFromXML([]byte(tt.xml))
			} else {
				_, err = wire.PinFromXML([]byte(tt.xml))
			}
			var xe *XMLError
			if !errors.As(err, &xe) {
				t.Fatalf("FromXML(%q) = %v, want an *XMLError", tt.xml, err)
			}
			if err.Error() != tt.want {
				t.Errorf("FromXML(%q) error =\n%s\nwant\n%s", tt.xml, err, tt.want)
			}
		})
	}
}
