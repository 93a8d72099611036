package schemagen

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/mockplex/mockplex/internal/jsonptr"
	"github.com/mockplex/mockplex/schema"
)

// schemaDir is package schema's folder: the generator's sources
// (fieldtables/, overlay.yaml) and its committed output (generated/).
const schemaDir = "../../schema"

// TestGeneratedFilesUpToDate is the golden test of generated/: the committed
// files (and the embedded copies) must equal a fresh build.
func TestGeneratedFilesUpToDate(t *testing.T) {
	t.Parallel()
	for _, p := range schema.Profiles() {
		t.Run(string(p), func(t *testing.T) {
			t.Parallel()
			fresh, err := Generate(os.DirFS(schemaDir), p)
			if err != nil {
				t.Fatalf("Generate(%s) = %v", p, err)
			}
			name := filepath.Join(schemaDir, GeneratedDir, GeneratedFile(p))
			committed, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v: run go generate ./schema/...", err)
			}
			if diff := cmp.Diff(string(committed), string(fresh)); diff != "" {
				t.Errorf("%s is stale: run go generate ./schema/... and commit it (-committed +fresh):\n%s", name, diff)
			}
			embedded, err := schema.Document(p)
			if err != nil {
				t.Fatalf("schema.Document(%s) = %v", p, err)
			}
			if !bytes.Equal(embedded, committed) {
				t.Errorf("schema.Document(%s) differs from %s: rebuild", p, name)
			}
		})
	}
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, err := Generate(os.DirFS(schemaDir), schema.Wire)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Generate(os.DirFS(schemaDir), schema.Wire)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("Generate(wire) gave two different documents from the same input")
		}
	}
}

// TestProfilesDiffer pins each section 5 difference: the sdk value (the
// table as written) and the wire value (table plus overlay).
func TestProfilesDiffer(t *testing.T) {
	t.Parallel()
	docs := map[schema.Profile]any{}
	for _, p := range schema.Profiles() {
		raw, err := schema.Document(p)
		if err != nil {
			t.Fatal(err)
		}
		if docs[p], err = schema.DecodeJSON(raw); err != nil {
			t.Fatal(err)
		}
	}
	const absent = "(absent)"
	tests := []struct {
		row        string // §5 row
		sdkPointer string
		sdk        string // compact JSON, or absent
		wirePtr    string
		wire       string
	}{
		{"#1 camelCase", "/properties/ClientIdentifier/type", `"string"`, "/properties/clientIdentifier/type", `"string"`},
		{"#1 snake_case", "/$defs/Location/properties/TimeZone/type", `"string"`, "/$defs/Location/properties/time_zone/type", `"string"`},
		{"#2 required", "/required", absent, "/required", `["id","code","product","trusted","qr","clientIdentifier","location","expiresIn","createdAt","expiresAt","authToken","newRegistration"]`},
		{"#2 location required", "/$defs/Location/required", absent, "/$defs/Location/required", `["code","european_union_member","continent_code","country","city","time_zone","postal_code","in_privacy_restricted_country","in_privacy_restricted_region","subdivisions","coordinates"]`},
		{"#3 id type", "/properties/Id/type", `"number"`, "/properties/id/type", `"integer"`},
		{"#3 id minimum", "/properties/Id/minimum", absent, "/properties/id/minimum", `1`},
		{"#4 expiresIn type", "/properties/ExpiresIn/type", `"number"`, "/properties/expiresIn/type", `"integer"`},
		{"#4 expiresIn minimum", "/properties/ExpiresIn/minimum", absent, "/properties/expiresIn/minimum", `0`},
		{"#4 expiresIn maximum", "/properties/ExpiresIn/maximum", absent, "/properties/expiresIn/maximum", `1800`},
		{"#5 date-time", "/properties/CreatedAt/format", `"date-time"`, "/properties/createdAt/format", `"date-time"`},
		{"#5 Z", "/properties/ExpiresAt/pattern", absent, "/properties/expiresAt/pattern", `"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"`},
		{"#5 example", "/properties/CreatedAt/examples", `["2023-04-12 17:00:03 +0000 UTC"]`, "/properties/createdAt/examples", `["2023-04-12T17:00:03Z"]`},
		{"#6 authToken", "/properties/AuthToken/type", `"string"`, "/properties/authToken/type", `["string","null"]`},
		{"#6 authToken minLength", "/properties/AuthToken/minLength", absent, "/properties/authToken/minLength", `1`},
		{"#7 newRegistration", "/properties/NewRegistration/type", `"string"`, "/properties/newRegistration/type", `["boolean","null"]`},
		{"#8 postal_code", "/$defs/Location/properties/PostalCode/type", `"number"`, "/$defs/Location/properties/postal_code/type", `"string"`},
		{"#8 postal_code example", "/$defs/Location/properties/PostalCode/examples", `[78732]`, "/$defs/Location/properties/postal_code/examples", `["78732"]`},
		{"#8 region", "/$defs/Location/properties/InPrivacyRestrictedRegion", absent, "/$defs/Location/properties/in_privacy_restricted_region/type", `"boolean"`},
		{"#9 code", "/properties/Code/pattern", absent, "/properties/code/pattern", `"^[a-z0-9]{25}$|^[A-Z0-9]{4}$"`},
		{"#9 qr", "/properties/Qr/pattern", absent, "/properties/qr/pattern", `"^https?://[^\\s]+/api/v2/pins/qr/([a-z0-9]{25}|[A-Z0-9]{4})$"`},
		{"live extra keys", "/additionalProperties", `true`, "/additionalProperties", `true`},
		{"envelope in both", "/$defs/ErrorEnvelope/properties/errors/items/required", `["code","message"]`, "/$defs/ErrorEnvelope/properties/errors/items/required", `["code","message"]`},
	}
	show := func(doc any, ptr string) string {
		v, ok := jsonptr.Lookup(doc, ptr)
		if !ok {
			return absent
		}
		b, err := marshalRaw(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tt := range tests {
		if got := show(docs[schema.SDK], tt.sdkPointer); got != tt.sdk {
			t.Errorf("%s: sdk %s = %s, want %s", tt.row, tt.sdkPointer, got, tt.sdk)
		}
		if got := show(docs[schema.Wire], tt.wirePtr); got != tt.wire {
			t.Errorf("%s: wire %s = %s, want %s", tt.row, tt.wirePtr, got, tt.wire)
		}
	}
}

// TestOverlayWhy checks that every overlay change cites WIRE.md
// and that its why reaches the generated document.
func TestOverlayWhy(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join(schemaDir, OverlayFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ov, err := parseOverlay(OverlayFile, f)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := schema.Document(schema.Wire)
	if err != nil {
		t.Fatal(err)
	}
	if len(ov.Changes) < 15 {
		t.Errorf("overlay has %d changes, want one per §5 difference (at least 15)", len(ov.Changes))
	}
	for _, c := range ov.Changes {
		if !strings.Contains(c.Why, "§") {
			t.Errorf("overlay change at %s: why %q cites no section of the wire contract", c.At, c.Why)
		}
		quoted, _ := marshalRaw(c.Why)
		if !bytes.Contains(wire, bytes.Trim(quoted, `"`)) {
			t.Errorf("overlay change at %s: its why is not in the wire document's $comment", c.At)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	table := func(name string, rows ...string) string {
		return "# " + name + "\n\n| Field | Type | Required | Description | Example |\n| - | - | - | - | - |\n" + strings.Join(rows, "\n") + "\n"
	}
	pin := table("Pin",
		"| `Id` | *double* | :heavy_minus_sign: | | 1 |",
		"| `Where` | [Place](../Place.md) | :heavy_minus_sign: | | |")
	place := table("Place", "| `Name` | *string* | :heavy_minus_sign: | | |")
	const env = "definitions:\n  - name: ErrorEnvelope\n    why: §1.9\n    schema: {type: object}\n"
	tests := []struct {
		name    string
		files   map[string]string
		profile schema.Profile
		want    string // substring of the error
	}{
		{"no overlay", map[string]string{"fieldtables/Pin.md": pin}, schema.Wire, "open the wire overlay"},
		{"no tables", map[string]string{"overlay.yaml": "root: Pin\n"}, schema.SDK, "no field tables in fieldtables/"},
		{"unknown overlay key", map[string]string{"overlay.yaml": "root: Pin\ncolour: red\n", "fieldtables/Pin.md": pin}, schema.SDK, "field colour not found"},
		{"change without why", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin.Id\n    type: integer\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, "overlay.yaml:3: change at Pin.Id has no why"},
		{"definition without why", map[string]string{"overlay.yaml": "root: Pin\ndefinitions:\n  - name: E\n    schema: {type: object}\n", "fieldtables/Pin.md": pin}, schema.SDK, "definition E has no why"},
		{"bad type name", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin.Id\n    why: §5\n    type: int\n"}, schema.Wire, `want a JSON type name (string, number, integer, boolean, null, object, array), got "int"`},
		{"missing root table", map[string]string{"overlay.yaml": "root: Nope\n", "fieldtables/Pin.md": pin}, schema.SDK, `overlay root "Nope": no fieldtables/Nope.md`},
		{"link to a missing table", map[string]string{"overlay.yaml": "root: Pin\n", "fieldtables/Pin.md": pin}, schema.SDK, `Pin.md:6: cell "Type": want a link to a table file in fieldtables/ (Place.md is not there), got "[Place](../Place.md)"`},
		{"malformed table", map[string]string{"overlay.yaml": "root: Pin\n", "fieldtables/Pin.md": strings.Replace(pin, "*double*", "*doubel*", 1)}, schema.SDK, `Pin.md:5: cell "Type"`},
		{"unknown field", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin.Nope\n    why: §5\n    type: integer\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, `overlay.yaml:3: change at Pin.Nope: no field "Nope" in Pin.md`},
		{"unreachable table", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Other\n    why: §5\n    requireAll: true\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, `no table "Other" reachable from Pin`},
		{"names must cover every field", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin\n    why: §5\n    names: {Id: id}\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, "names: field Where has no wire key"},
		{"two fields, one key", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin\n    why: §5\n    names: {Id: x, Where: x}\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, `Id and Where both map to the wire key "x"`},
		{"add an existing field", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin.Id\n    why: §5\n    add: true\n    name: id\n    type: integer\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, "add: Pin.md already has a field Id"},
		{"field settings on a table", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin\n    why: §5\n    type: integer\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, "field settings (add, type, pattern, …) need at: Table.Field"},
		{"type on a nested table", map[string]string{"overlay.yaml": "root: Pin\nchanges:\n  - at: Pin.Where\n    why: §5\n    type: string\n", "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Wire, "the field is a nested table"},
		{"unknown profile", map[string]string{"overlay.yaml": "root: Pin\n" + env, "fieldtables/Pin.md": pin, "fieldtables/Place.md": place}, schema.Profile("live"), `unknown schema profile "live": want sdk or wire`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{}
			for name, body := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(body)}
			}
			_, err := Generate(fsys, tt.profile)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestGenerateMissingLinkIsTableError(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"overlay.yaml":                      {Data: []byte("root: GetPinResponseBody\n")},
		"fieldtables/GetPinResponseBody.md": {Data: []byte(readTable(t, "GetPinResponseBody.md"))},
	}
	_, err := Generate(fsys, schema.SDK)
	var te *TableError
	if !errors.As(err, &te) {
		t.Fatalf("Generate() without Location.md = %v, want a *TableError", err)
	}
	want := &TableError{File: "GetPinResponseBody.md", Line: 16, Cell: "Type",
		Want: "a link to a table file in fieldtables/ (Location.md is not there)", Got: "[Location](../../Models/Requests/Location.md)"}
	if diff := cmp.Diff(want, te); diff != "" {
		t.Errorf("Generate() error mismatch (-want +got):\n%s", diff)
	}
}

// marshalRaw is json.Marshal without HTML escaping, as the generator
// writes.
func marshalRaw(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
