package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func mustCompile(t testing.TB, p Profile, opts ...Option) *Schema {
	t.Helper()
	s, err := Compile(p, opts...)
	if err != nil {
		t.Fatalf("Compile(%s) = %v", p, err)
	}
	return s
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeTestdata(t testing.TB, name string) any {
	t.Helper()
	v, err := DecodeJSON(readTestdata(t, name))
	if err != nil {
		t.Fatalf("DecodeJSON(%s) = %v", name, err)
	}
	return v
}

// spot is the part of a Violation a test pins: where and which keyword.
type spot struct{ Pointer, Keyword string }

func spots(t *testing.T, err error) []spot {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v (%T), want a *ValidationError", err, err)
	}
	out := []spot{}
	for _, v := range ve.Violations {
		out = append(out, spot{v.Pointer, v.Keyword})
	}
	return out
}

// exampleC reads the YAML x-example of §3 C and turns it into decoded JSON.
func exampleC(t testing.TB) any {
	t.Helper()
	var doc struct {
		Examples map[string]any `yaml:"x-examples"`
	}
	if err := yaml.Unmarshal(readTestdata(t, "c-spec-2024.yaml"), &doc); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc.Examples["Example 1"])
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodeJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCapturedExamples validates the captured plex.tv responses of §3.
func TestCapturedExamples(t *testing.T) {
	t.Parallel()
	wire := mustCompile(t, Wire)
	sdk := mustCompile(t, SDK)

	// B's author redacted the id as 00000000000, which is not JSON.
	rawB := readTestdata(t, "b-dashotv-2023.json")
	if _, err := DecodeJSON(rawB); err == nil {
		t.Error("DecodeJSON(example B) = nil error, want one: the redacted id 00000000000 has leading zeros")
	}
	// Put a real-looking id in its place to check the rest of B.
	fixedB, err := DecodeJSON(bytes.Replace(rawB, []byte("00000000000"), []byte("1920508506"), 1))
	if err != nil {
		t.Fatalf("DecodeJSON(example B with an id) = %v", err)
	}

	tests := []struct {
		name string
		pin  any
		wire []spot // nil: must pass under wire
		why  string
	}{
		{
			name: "B dashotv 2023 create strong",
			pin:  fixedB,
			wire: []spot{{"/location/in_privacy_restricted_region", "required"}},
			why:  "captured in 2023, before plex.tv added in_privacy_restricted_region (2024); the wire profile requires it (§2.2), so B fails on purpose and on nothing else",
		},
		{
			name: "C spec 2024 poll link",
			pin:  exampleC(t),
			why:  "a complete pending link pin: every key, integer id and expiresIn, Z dates, string postal_code, null authToken/newRegistration",
		},
		{
			name: "D rubyplex 2025 create link",
			pin:  decodeTestdata(t, "d-rubyplex-2025.json"),
			why:  "a complete 2025 link pin with a letter postal code (M5J)",
		},
		{
			name: "E primuse 2026 create strong",
			pin:  decodeTestdata(t, "e-primuse-2026-strong.json"),
			why:  "the compact wire form of a strong pin; placeholder location values are still strings of the right type",
		},
		{
			name: "E primuse 2026 create link",
			pin:  decodeTestdata(t, "e-primuse-2026-link.json"),
			wire: []spot{{"/location", "required"}},
			why:  "the sample lacks location, probably trimmed by its author (§2.1); location is required for both kinds of pin, so it fails on exactly that",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.wire, spots(t, wire.ValidatePin(tt.pin))); diff != "" {
				t.Errorf("wire.ValidatePin() violations mismatch (-want +got):\n%s\nwhy: %s", diff, tt.why)
			}
			// The table as written has PascalCase keys, all optional, so
			// every captured pin passes it: that is the drift the wire
			// profile exists to fix.
			if err := sdk.ValidatePin(tt.pin); err != nil {
				t.Errorf("sdk.ValidatePin() = %v, want nil (the sdk profile accepts any object)", err)
			}
		})
	}
	if err := sdk.ValidatePin(map[string]any{}); err != nil {
		t.Errorf("sdk.ValidatePin({}) = %v, want nil (§5 #2: a schema built from the seed accepts {})", err)
	}
}

// TestWireViolations breaks a valid pin (example D) one way at a time.
func TestWireViolations(t *testing.T) {
	t.Parallel()
	wire := mustCompile(t, Wire)
	strict := mustCompile(t, Wire, WithStrict(true))
	tests := []struct {
		name   string
		edit   func(pin, loc map[string]any)
		wire   []spot
		strict []spot // when different from wire
	}{
		{
			name:   "renamed field",
			edit:   func(p, _ map[string]any) { p["clientID"] = p["clientIdentifier"]; delete(p, "clientIdentifier") },
			wire:   []spot{{"/clientIdentifier", "required"}},
			strict: []spot{{"/clientID", "additionalProperties"}, {"/clientIdentifier", "required"}},
		},
		{
			name:   "PascalCase location key",
			edit:   func(_, l map[string]any) { l["PostalCode"] = l["postal_code"]; delete(l, "postal_code") },
			wire:   []spot{{"/location/postal_code", "required"}},
			strict: []spot{{"/location/PostalCode", "additionalProperties"}, {"/location/postal_code", "required"}},
		},
		{name: "id as a string", edit: func(p, _ map[string]any) { p["id"] = "1174342418" }, wire: []spot{{"/id", "type"}}},
		{name: "id as a double", edit: func(p, _ map[string]any) { p["id"] = json.Number("1174342418.5") }, wire: []spot{{"/id", "type"}}},
		{name: "id zero", edit: func(p, _ map[string]any) { p["id"] = json.Number("0") }, wire: []spot{{"/id", "minimum"}}},
		{name: "id above int32 is fine", edit: func(p, _ map[string]any) { p["id"] = json.Number("4294967296") }},
		{name: "missing key", edit: func(p, _ map[string]any) { delete(p, "expiresAt") }, wire: []spot{{"/expiresAt", "required"}}},
		{name: "missing location key", edit: func(_, l map[string]any) { delete(l, "in_privacy_restricted_region") }, wire: []spot{{"/location/in_privacy_restricted_region", "required"}}},
		{name: "numeric postal_code", edit: func(_, l map[string]any) { l["postal_code"] = json.Number("4814") }, wire: []spot{{"/location/postal_code", "type"}}},
		{name: "boolean as 0", edit: func(_, l map[string]any) { l["european_union_member"] = json.Number("0") }, wire: []spot{{"/location/european_union_member", "type"}}},
		{name: "code neither strong nor link", edit: func(p, _ map[string]any) { p["code"] = "kylx" }, wire: []spot{{"/code", "pattern"}}},
		{name: "strong code", edit: func(p, _ map[string]any) {
			p["code"] = "l91xft5ypr1n7588alsymxoy8"
			p["qr"] = "https://plex.tv/api/v2/pins/qr/l91xft5ypr1n7588alsymxoy8"
		}},
		{name: "qr elsewhere", edit: func(p, _ map[string]any) { p["qr"] = "https://plex.tv/link" }, wire: []spot{{"/qr", "pattern"}}},
		{name: "qr on a mock's public URL", edit: func(p, _ map[string]any) { p["qr"] = "http://127.0.0.1:8080/api/v2/pins/qr/KYLX" }},
		{name: "expiresIn above 1800", edit: func(p, _ map[string]any) { p["expiresIn"] = json.Number("1801") }, wire: []spot{{"/expiresIn", "maximum"}}},
		{name: "expiresIn negative", edit: func(p, _ map[string]any) { p["expiresIn"] = json.Number("-1") }, wire: []spot{{"/expiresIn", "minimum"}}},
		{name: "date with an offset", edit: func(p, _ map[string]any) { p["createdAt"] = "2025-03-07T16:37:05+00:00" }, wire: []spot{{"/createdAt", "pattern"}}},
		{name: "date as Go prints it", edit: func(p, _ map[string]any) { p["createdAt"] = "2023-04-12 17:00:03 +0000 UTC" }, wire: []spot{{"/createdAt", "format"}, {"/createdAt", "pattern"}}},
		{name: "date with milliseconds (2019)", edit: func(p, _ map[string]any) { p["createdAt"] = "2019-03-28T00:56:17.247Z" }},
		{name: "epoch date", edit: func(p, _ map[string]any) { p["expiresAt"] = json.Number("1741366325") }, wire: []spot{{"/expiresAt", "type"}}},
		{name: "claimed", edit: func(p, _ map[string]any) { p["authToken"] = "CxoUzBTSV5hsxjTpFKaf"; p["newRegistration"] = false }},
		{name: "empty token", edit: func(p, _ map[string]any) { p["authToken"] = "" }, wire: []spot{{"/authToken", "minLength"}}},
		{name: "newRegistration as a string", edit: func(p, _ map[string]any) { p["newRegistration"] = "false" }, wire: []spot{{"/newRegistration", "type"}}},
		{name: "extra keys", edit: func(p, l map[string]any) { p["homeUser"] = true; l["asn"] = json.Number("1") },
			strict: []spot{{"/homeUser", "additionalProperties"}, {"/location/asn", "additionalProperties"}}},
		{name: "every violation at once", edit: func(p, l map[string]any) {
			p["id"] = "x"
			delete(p, "trusted")
			l["postal_code"] = json.Number("4814")
			delete(l, "city")
		}, wire: []spot{{"/id", "type"}, {"/location/city", "required"}, {"/location/postal_code", "type"}, {"/trusted", "required"}}},
		{name: "location not an object", edit: func(p, _ map[string]any) { p["location"] = "CA" }, wire: []spot{{"/location", "type"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pin := decodeTestdata(t, "d-rubyplex-2025.json").(map[string]any)
			tt.edit(pin, pin["location"].(map[string]any))
			if diff := cmp.Diff(tt.wire, spots(t, wire.ValidatePin(pin))); diff != "" {
				t.Errorf("wire.ValidatePin() mismatch (-want +got):\n%s", diff)
			}
			wantStrict := tt.strict
			if wantStrict == nil {
				wantStrict = tt.wire
			}
			if diff := cmp.Diff(wantStrict, spots(t, strict.ValidatePin(pin))); diff != "" {
				t.Errorf("strict.ValidatePin() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestViolationDetails(t *testing.T) {
	t.Parallel()
	wire := mustCompile(t, Wire, WithStrict(true))
	pin := decodeTestdata(t, "d-rubyplex-2025.json").(map[string]any)
	pin["id"] = json.Number("1.5")
	pin["extra"] = []any{"a"}
	loc := pin["location"].(map[string]any)
	loc["postal_code"] = json.Number("4814")
	delete(loc, "in_privacy_restricted_region")
	err := wire.ValidatePin(pin)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("ValidatePin() = %v, want a *ValidationError", err)
	}
	want := &ValidationError{Profile: Wire, Strict: true, Subject: "pin", Violations: []Violation{
		{Pointer: "/extra", Keyword: "additionalProperties", SchemaPath: "/additionalProperties", Want: "no key outside properties (additionalProperties false)", Got: `["a"]`},
		{Pointer: "/id", Keyword: "type", SchemaPath: "/properties/id/type", Want: "type integer", Got: "1.5"},
		{Pointer: "/location/in_privacy_restricted_region", Keyword: "required", SchemaPath: "/$defs/Location/required", Want: "the key (required)", Got: "missing"},
		{Pointer: "/location/postal_code", Keyword: "type", SchemaPath: "/$defs/Location/properties/postal_code/type", Want: "type string", Got: "4814"},
	}}
	if diff := cmp.Diff(want, ve); diff != "" {
		t.Errorf("ValidatePin() error mismatch (-want +got):\n%s", diff)
	}
	wantMsg := `pin does not match the wire strict schema (4 violations): /extra: want no key outside properties (additionalProperties false), got ["a"]; /id: want type integer, got 1.5; /location/in_privacy_restricted_region: want the key (required), got missing; /location/postal_code: want type string, got 4814`
	if got := err.Error(); got != wantMsg {
		t.Errorf("Error() =\n%s\nwant\n%s", got, wantMsg)
	}

	pin = decodeTestdata(t, "d-rubyplex-2025.json").(map[string]any)
	pin["code"] = "abc"
	pin["authToken"] = ""
	pin["newRegistration"] = "no"
	err = wire.ValidatePin(pin)
	if !errors.As(err, &ve) {
		t.Fatalf("ValidatePin() = %v, want a *ValidationError", err)
	}
	want2 := []Violation{
		{Pointer: "/authToken", Keyword: "minLength", SchemaPath: "/properties/authToken/minLength", Want: "minLength 1", Got: `""`},
		{Pointer: "/code", Keyword: "pattern", SchemaPath: "/properties/code/pattern", Want: `pattern "^[a-z0-9]{25}$|^[A-Z0-9]{4}$"`, Got: `"abc"`},
		{Pointer: "/newRegistration", Keyword: "type", SchemaPath: "/properties/newRegistration/type", Want: "type boolean or null", Got: `"no"`},
	}
	if diff := cmp.Diff(want2, ve.Violations); diff != "" {
		t.Errorf("ValidatePin() violations mismatch (-want +got):\n%s", diff)
	}
}

func TestValidateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want []spot
	}{
		{name: "captured 400/1000", body: string(readTestdata(t, "i-plexpy7-400.json"))},
		{name: "1020 without status (§7 U3)", body: `{"errors":[{"code":1020,"message":"Code not found or expired"}]}`},
		{name: "two errors", body: `{"errors":[{"code":1000,"message":"a","status":400},{"code":1001,"message":"b","status":401}]}`},
		{name: "empty list", body: `{"errors":[]}`, want: []spot{{"/errors", "minItems"}}},
		{name: "no errors key", body: `{"error":"nope"}`, want: []spot{{"/errors", "required"}}},
		{name: "code as a string", body: `{"errors":[{"code":"1020","message":"x"}]}`, want: []spot{{"/errors/0/code", "type"}}},
		{name: "no message", body: `{"errors":[{"code":1020}]}`, want: []spot{{"/errors/0/message", "required"}}},
		{name: "status out of range", body: `{"errors":[{"code":1020,"message":"x","status":4040}]}`, want: []spot{{"/errors/0/status", "maximum"}}},
		{name: "not an object", body: `[1]`, want: []spot{{"", "type"}}},
	}
	for _, p := range Profiles() {
		s := mustCompile(t, p)
		for _, tt := range tests {
			t.Run(string(p)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				v, err := DecodeJSON([]byte(tt.body))
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, spots(t, s.ValidateErrors(v))); diff != "" {
					t.Errorf("ValidateErrors(%s) mismatch (-want +got):\n%s", tt.body, diff)
				}
			})
		}
	}
}

func TestStrictOption(t *testing.T) {
	t.Parallel()
	live := mustCompile(t, Wire)
	strict := mustCompile(t, Wire, WithStrict(false), WithStrict(true))
	if live.Strict() || !strict.Strict() || strict.Profile() != Wire {
		t.Fatalf("Strict() = %v, %v; Profile() = %s, want false, true, wire", live.Strict(), strict.Strict(), strict.Profile())
	}
	v, _ := DecodeJSON([]byte(`{"errors":[{"code":1020,"message":"x","trace":"abc"}],"requestId":"r"}`))
	if err := live.ValidateErrors(v); err != nil {
		t.Errorf("live ValidateErrors() = %v, want nil", err)
	}
	want := []spot{{"/errors/0/trace", "additionalProperties"}, {"/requestId", "additionalProperties"}}
	if diff := cmp.Diff(want, spots(t, strict.ValidateErrors(v))); diff != "" {
		t.Errorf("strict ValidateErrors() mismatch (-want +got):\n%s", diff)
	}
}

func TestValidateRejectsNonJSONValues(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, Wire)
	err := s.ValidatePin(map[string]any{"id": struct{}{}})
	var ve *ValidationError
	if err == nil || errors.As(err, &ve) {
		t.Errorf("ValidatePin(struct value) = %v, want a plain error", err)
	}
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	v, err := DecodeJSON([]byte(` {"id": 1800, "x": 1.5} `))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": json.Number("1800"), "x": json.Number("1.5")}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("DecodeJSON() mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{``, `{"a":1} {"b":2}`, `{"a":1}]`, `{"id": 00}`} {
		if _, err := DecodeJSON([]byte(bad)); err == nil {
			t.Errorf("DecodeJSON(%q) = nil error, want one", bad)
		}
	}
}

func TestCompileIndependentInstances(t *testing.T) {
	t.Parallel()
	a := mustCompile(t, Wire)
	b := mustCompile(t, Wire, WithStrict(true))
	pin := decodeTestdata(t, "d-rubyplex-2025.json").(map[string]any)
	pin["extra"] = "x"
	// Compiling a strict schema must not make an earlier one strict.
	if err := a.ValidatePin(pin); err != nil {
		t.Errorf("live ValidatePin() after a strict Compile = %v, want nil", err)
	}
	if err := b.ValidatePin(pin); err == nil {
		t.Error("strict ValidatePin() = nil, want a violation for /extra")
	}
}

func BenchmarkValidatePin(b *testing.B) {
	s := mustCompile(b, Wire)
	pin, err := DecodeJSON(readTestdata(b, "d-rubyplex-2025.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidatePin(pin); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSchemaConcurrentUse(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, Wire)
	good := decodeTestdata(t, "d-rubyplex-2025.json")
	bad := decodeTestdata(t, "e-primuse-2026-link.json")
	xmlPin := readTestdata(t, "v2-pin-pending.xml")
	done := make(chan error)
	for range 8 {
		go func() {
			for range 50 {
				if err := s.ValidatePin(good); err != nil {
					done <- err
					return
				}
				if err := s.ValidatePin(bad); err == nil {
					done <- errors.New("ValidatePin(example E link) = nil, want a violation")
					return
				}
				if _, err := s.PinFromXML(xmlPin); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestValidateJWTDefinitions: the JWT family's bodies (WIRE.md, JWT device authentication),
// under both profiles and strict.
func TestValidateJWTDefinitions(t *testing.T) {
	t.Parallel()
	const (
		x   = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
		kid = "XyTQ7mlyqmVhIpJ4SZCdimuz7f7Dau5boL-u60nIxGI"
	)
	key := `{"kty":"OKP","crv":"Ed25519","x":"` + x + `","use":"sig","alg":"EdDSA","kid":"` + kid + `"}`
	claims := `{"iss":"plex.tv","aud":["plex.tv","c1"],"iat":1700000000,"exp":1700604800,"thumbprint":"k1","nonce":"n","user":{"id":1,"uuid":"u","username":"a"}}`
	tests := []struct {
		name string
		def  Definition
		body string
		want []spot
	}{
		{"nonce", AuthNonce, `{"nonce":"7c415b56-8f48-488a-98ab-847ef4460442"}`, nil},
		{"nonce not a uuid", AuthNonce, `{"nonce":"abc"}`, []spot{{"/nonce", "pattern"}}},
		{"nonce missing", AuthNonce, `{}`, []spot{{"/nonce", "required"}}},
		{"auth_token", AuthToken, `{"auth_token":"eyJh.eyJi.c2ln"}`, nil},
		{"camelCase authToken", AuthToken, `{"authToken":"eyJh.eyJi.c2ln","auth_token":"eyJh.eyJi.c2ln"}`, nil}, // not a schema matter; the suite checks it
		{"camelCase authToken only", AuthToken, `{"token":"eyJh.eyJi.c2ln"}`, []spot{{"/auth_token", "required"}}},
		{"legacy token", AuthToken, `{"auth_token":"abcdefghijklmnopqrst"}`, []spot{{"/auth_token", "pattern"}}},
		{"key set", AuthKeys, `{"keys":[` + key + `,` + key + `]}`, nil},
		{"empty key set", AuthKeys, `{"keys":[]}`, []spot{{"/keys", "minItems"}}},
		{"RSA key", AuthKeys, `{"keys":[{"kty":"RSA","crv":"Ed25519","x":"` + x + `","kid":"k"}]}`, []spot{{"/keys/0/kty", "const"}}},
		{"short x", AuthKeys, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"abc","kid":"k"}]}`, []spot{{"/keys/0/x", "pattern"}}},
		{"no kid", AuthKeys, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + x + `"}]}`, []spot{{"/keys/0/kid", "required"}}},
		{"header", PlexJWTHeader, `{"kid":"` + kid + `","typ":"JWT","alg":"EdDSA"}`, nil},
		{"header RS256", PlexJWTHeader, `{"kid":"k","alg":"RS256"}`, []spot{{"/alg", "const"}}},
		{"claims", PlexJWTClaims, claims, nil},
		{"claims without user", PlexJWTClaims, `{"iss":"plex.tv","aud":["plex.tv","c1"],"iat":1,"exp":2,"thumbprint":"k"}`, []spot{{"/user", "required"}}},
		{"claims with a string user id", PlexJWTClaims, `{"iss":"plex.tv","aud":["plex.tv","c1"],"iat":1,"exp":2,"thumbprint":"k","user":{"id":"1"}}`, []spot{{"/user/id", "type"}}},
		{"claims from another issuer", PlexJWTClaims, `{"iss":"example.com","aud":["plex.tv","c1"],"iat":1,"exp":2,"thumbprint":"k","user":{"id":1}}`, []spot{{"/iss", "const"}}},
	}
	for _, p := range Profiles() {
		for _, strict := range []bool{false, true} {
			s, err := Compile(p, WithStrict(strict))
			if err != nil {
				t.Fatal(err)
			}
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s/strict=%v/%s", p, strict, tt.name), func(t *testing.T) {
					t.Parallel()
					v, err := DecodeJSON([]byte(tt.body))
					if err != nil {
						t.Fatal(err)
					}
					want := tt.want
					if m := v.(map[string]any); strict && (m["authToken"] != nil || m["token"] != nil) {
						// Strict adds an additionalProperties violation.
						key := "/authToken"
						if m["token"] != nil {
							key = "/token"
						}
						want = append([]spot{{key, "additionalProperties"}}, want...)
						slices.SortFunc(want, func(a, b spot) int { return strings.Compare(a.Pointer, b.Pointer) })
					}
					if diff := cmp.Diff(want, spots(t, s.Validate(tt.def, v))); diff != "" {
						t.Errorf("Validate(%s, %s) mismatch (-want +got):\n%s", tt.def, tt.body, diff)
					}
				})
			}
		}
	}
	s := mustCompile(t, Wire)
	if err := s.Validate("Nope", map[string]any{}); err == nil || !strings.Contains(err.Error(), "unknown definition") {
		t.Errorf("Validate(unknown) = %v, want an unknown-definition error", err)
	}
}
