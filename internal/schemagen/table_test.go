package schemagen

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTable(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(schemaDir, TablesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseTableFieldTables(t *testing.T) {
	t.Parallel()
	pin, err := ParseTable("GetPinResponseBody.md", strings.NewReader(readTable(t, "GetPinResponseBody.md")))
	if err != nil {
		t.Fatalf("ParseTable(GetPinResponseBody.md) = %v", err)
	}
	if pin.Name != "GetPinResponseBody" || pin.Description != "The Pin" {
		t.Errorf("ParseTable(GetPinResponseBody.md) name, description = %q, %q, want GetPinResponseBody, The Pin", pin.Name, pin.Description)
	}
	wantPin := []Field{
		{Name: "Id", Line: 10, Type: Type{Kind: KindNumber, Name: "double"}, Description: "PinID for use with authentication", Example: "1272322473"},
		{Name: "Code", Line: 11, Type: Type{Kind: KindString, Name: "string"}, Example: "3patfx1a78ukcbr7x0n9bl26t"},
		{Name: "Product", Line: 12, Type: Type{Kind: KindString, Name: "string"}, Example: "Plex Web"},
		{Name: "Trusted", Line: 13, Type: Type{Kind: KindBoolean, Name: "bool"}},
		{Name: "Qr", Line: 14, Type: Type{Kind: KindString, Name: "string"},
			Description: "a link to a QR code hosted on plex.tv\nThe QR code redirects to the relevant `plex.tv/link` authentication page\nWhich then prompts the user for the 4 Digit Link Pin",
			Example:     "https://plex.tv/api/v2/pins/qr/3patfx1a78ukcbr7x0n9bl26t"},
		{Name: "ClientIdentifier", Line: 15, Type: Type{Kind: KindString, Name: "string"}, Example: "Postman"},
		{Name: "Location", Line: 16, Type: Type{Kind: KindRef, Name: "Location", Link: "../../Models/Requests/Location.md", Ref: "Location"}},
		{Name: "ExpiresIn", Line: 17, Type: Type{Kind: KindNumber, Name: "double"}, Example: "1800"},
		{Name: "CreatedAt", Line: 18, Type: Type{Kind: KindDateTime, Name: "DateTime", Link: "https://learn.microsoft.com/en-us/dotnet/api/system.datetime?view=net-5.0"}, Example: "2023-04-12 17:00:03 +0000 UTC"},
		{Name: "ExpiresAt", Line: 19, Type: Type{Kind: KindDateTime, Name: "DateTime", Link: "https://learn.microsoft.com/en-us/dotnet/api/system.datetime?view=net-5.0"}, Example: "2023-04-12 17:30:03 +0000 UTC"},
		{Name: "AuthToken", Line: 20, Type: Type{Kind: KindString, Name: "string"}},
		{Name: "NewRegistration", Line: 21, Type: Type{Kind: KindString, Name: "string"}},
	}
	if diff := cmp.Diff(wantPin, pin.Fields); diff != "" {
		t.Errorf("ParseTable(GetPinResponseBody.md) fields mismatch (-want +got):\n%s", diff)
	}

	loc, err := ParseTable("Location.md", strings.NewReader(readTable(t, "Location.md")))
	if err != nil {
		t.Fatalf("ParseTable(Location.md) = %v", err)
	}
	var names []string
	for _, f := range loc.Fields {
		names = append(names, f.Name+":"+string(f.Type.Kind))
	}
	wantNames := []string{"Code:string", "EuropeanUnionMember:boolean", "ContinentCode:string", "Country:string", "City:string",
		"TimeZone:string", "PostalCode:number", "InPrivacyRestrictedCountry:boolean", "Subdivisions:string", "Coordinates:string"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("ParseTable(Location.md) fields mismatch (-want +got):\n%s", diff)
	}
}

func TestParseTableFormats(t *testing.T) {
	t.Parallel()
	const head = "| Field | Type | Required | Description | Example |\n| --- | :---: | ---: | :--- | - |\n"
	tests := []struct {
		name string
		in   string
		want Table
	}{
		{
			name: "heading, prose and every italic type",
			in: "# Thing\n\nA thing.\nOn two lines.\n\n## Fields\n\n" + head +
				"| `A` | *string* | :heavy_check_mark: | first | x |\n" +
				"| `B` | *int* | :heavy_minus_sign: | N/A | -3 |\n" +
				"| `C` | *float* | :heavy_minus_sign: | | 1.5e3 |\n" +
				"| `D` | *boolean* | :heavy_minus_sign: | | true |\n" +
				"| `E` | *any* | :heavy_minus_sign: | | {} |\n" +
				"| `F` | *object* | :heavy_minus_sign: | | |\n",
			want: Table{File: "t.md", Name: "Thing", Description: "A thing.\nOn two lines.", Fields: []Field{
				{Name: "A", Line: 10, Type: Type{Kind: KindString, Name: "string"}, Required: true, Description: "first", Example: "x"},
				{Name: "B", Line: 11, Type: Type{Kind: KindInteger, Name: "int"}, Example: "-3"},
				{Name: "C", Line: 12, Type: Type{Kind: KindNumber, Name: "float"}, Example: "1.5e3"},
				{Name: "D", Line: 13, Type: Type{Kind: KindBoolean, Name: "boolean"}, Example: "true"},
				{Name: "E", Line: 14, Type: Type{Kind: KindAny, Name: "any"}, Example: "{}"},
				{Name: "F", Line: 15, Type: Type{Kind: KindObject, Name: "object"}},
			}},
		},
		{
			name: "links, br variants, escaped pipes, CRLF, no heading, no Example column",
			in: "| Field | Type | Required | Description |\r\n|---|---|---|---|\r\n" +
				"| `L` | [Other](../x/Other.md#top) | :heavy_minus_sign: | one<br/>two<br>three <BR /> |\r\n" +
				"| `T` | [DateTime](https://example.com/dt) | :heavy_minus_sign: | a \\| b and `c|d` |\r\n" +
				"\r\ntrailing prose | ignored\r\n",
			want: Table{File: "t.md", Name: "t", Fields: []Field{
				{Name: "L", Line: 3, Type: Type{Kind: KindRef, Name: "Other", Link: "../x/Other.md#top", Ref: "Other"}, Description: "one\ntwo\nthree"},
				{Name: "T", Line: 4, Type: Type{Kind: KindDateTime, Name: "DateTime", Link: "https://example.com/dt"}, Description: "a | b and `c|d`"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTable("t.md", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ParseTable() = %v", err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("ParseTable() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	t.Parallel()
	real := readTable(t, "GetPinResponseBody.md")
	const head = "| Field | Type | Required | Description | Example |\n| --- | --- | --- | --- | --- |\n"
	row := func(cells ...string) string { return "| " + strings.Join(cells, " | ") + " |\n" }
	ok := row("`Id`", "*double*", ":heavy_minus_sign:", "N/A", "1")
	tests := []struct {
		name string
		file string
		in   string
		want TableError
	}{
		{
			name: "required maybe in the real table",
			file: "GetPinResponseBody.md",
			in:   strings.Replace(real, "| :heavy_minus_sign:", "| maybe", 3),
			want: TableError{File: "GetPinResponseBody.md", Line: 10, Column: 3, Cell: "Required", Want: ":heavy_minus_sign: or :heavy_check_mark:", Got: "maybe"},
		},
		{
			name: "name without backticks",
			in:   head + ok + row("Code", "*string*", ":heavy_minus_sign:", "N/A", ""),
			want: TableError{Line: 4, Column: 1, Cell: "Field", Want: "a backticked name like `Id`", Got: "Code"},
		},
		{
			name: "unknown italic type",
			in:   head + row("`Id`", "*uuid*", ":heavy_minus_sign:", "", ""),
			want: TableError{Line: 3, Column: 2, Cell: "Type", Want: typeWant, Got: "*uuid*"},
		},
		{
			name: "bare type",
			in:   head + row("`Id`", "double", ":heavy_minus_sign:", "", ""),
			want: TableError{Line: 3, Column: 2, Cell: "Type", Want: typeWant, Got: "double"},
		},
		{
			name: "link that is neither a table nor DateTime",
			in:   head + row("`Id`", "[Guid](https://example.com/guid)", ":heavy_minus_sign:", "", ""),
			want: TableError{Line: 3, Column: 2, Cell: "Type", Want: typeWant, Got: "[Guid](https://example.com/guid)"},
		},
		{
			name: "example not a number for a double",
			in:   head + row("`Id`", "*double*", ":heavy_minus_sign:", "", "twelve"),
			want: TableError{Line: 3, Column: 5, Cell: "Example", Want: "an example of type double (not a number)", Got: "twelve"},
		},
		{
			name: "example not an integer for an int",
			in:   head + row("`Id`", "*int*", ":heavy_minus_sign:", "", "1.5"),
			want: TableError{Line: 3, Column: 5, Cell: "Example", Want: "an example of type int (not an integer)", Got: "1.5"},
		},
		{
			name: "too few cells",
			in:   head + ok + "| `Code` | *string* | :heavy_minus_sign: |\n",
			want: TableError{Line: 4, Want: "5 cells as in the header", Got: "3 cells"},
		},
		{
			name: "row not closed",
			in:   head + "| `Code` | *string* | :heavy_minus_sign: | | x\n",
			want: TableError{Line: 3, Want: "a table row that starts and ends with |", Got: "| `Code` | *string* | :heavy_minus_sign: | | x"},
		},
		{
			name: "unclosed code span",
			in:   head + "| `Code | *string* | :heavy_minus_sign: | | |\n",
			want: TableError{Line: 3, Want: "closed code spans (an even number of backticks)", Got: " `Code | *string* | :heavy_minus_sign: | | "},
		},
		{
			name: "duplicate field",
			in:   head + ok + ok,
			want: TableError{Line: 4, Column: 1, Cell: "Field", Want: "a field name not already used on line 3", Got: "`Id`"},
		},
		{
			name: "unknown column",
			in:   "| Field | Type | Required | Description | Default |\n| - | - | - | - | - |\n" + ok,
			want: TableError{Line: 1, Column: 5, Want: "a column named Field, Type, Required, Description or Example", Got: "Default"},
		},
		{
			name: "column twice",
			in:   "| Field | Type | Required | Description | Type |\n| - | - | - | - | - |\n" + ok,
			want: TableError{Line: 1, Column: 5, Cell: "Type", Want: "each column once", Got: "a second Type column"},
		},
		{
			name: "no Required column",
			in:   "# T\n| Field | Type | Description |\n| - | - | - |\n| `Id` | *double* | |\n",
			want: TableError{Line: 2, Want: "a Required column in the header row", Got: "| Field | Type | Description |"},
		},
		{
			name: "no delimiter row",
			in:   "| Field | Type | Required | Description | Example |\n" + ok,
			want: TableError{Line: 2, Column: 1, Cell: "Field", Want: "a delimiter of dashes like ---", Got: "`Id`"},
		},
		{
			name: "table ends after the header",
			in:   "| Field | Type | Required | Description | Example |\n\nprose\n",
			want: TableError{Line: 2, Want: "a delimiter row like \"| --- | --- |\" under the header", Got: ""},
		},
		{
			name: "delimiter cells short",
			in:   "| Field | Type | Required | Description | Example |\n| --- | --- |\n" + ok,
			want: TableError{Line: 2, Want: "5 cells as in the header", Got: "2 cells"},
		},
		{
			name: "no rows",
			in:   "# T\n\n" + head,
			want: TableError{Line: 5, Want: "at least one field row after the delimiter row", Got: "none"},
		},
		{
			name: "no table",
			in:   "# T\n\nJust prose.\n",
			want: TableError{Want: "a markdown table starting with \"| Field | Type | Required | Description |\"", Got: "no table"},
		},
		{
			name: "not UTF-8",
			in:   "# T\xff\n" + head + ok,
			want: TableError{Line: 1, Want: "UTF-8 text", Got: "# T\uFFFD"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := tt.file
			if file == "" {
				file = "bad.md"
			}
			tt.want.File = file
			_, err := ParseTable(file, strings.NewReader(tt.in))
			var te *TableError
			if !errors.As(err, &te) {
				t.Fatalf("ParseTable() error = %v, want a *TableError", err)
			}
			if diff := cmp.Diff(&tt.want, te); diff != "" {
				t.Errorf("ParseTable() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

const typeWant = "an italic type like *string* or *double*, or a link like [Location](Location.md) or [DateTime](…)"

func TestTableErrorMessage(t *testing.T) {
	t.Parallel()
	real := readTable(t, "GetPinResponseBody.md")
	// Only the Product row (line 12) says maybe.
	lines := strings.Split(real, "\n")
	lines[11] = strings.Replace(lines[11], ":heavy_minus_sign:", "maybe", 1)
	_, err := ParseTable("GetPinResponseBody.md", strings.NewReader(strings.Join(lines, "\n")))
	want := `GetPinResponseBody.md:12: cell "Required": want :heavy_minus_sign: or :heavy_check_mark:, got "maybe"`
	if err == nil || err.Error() != want {
		t.Errorf("ParseTable() error = %v, want %s", err, want)
	}
	te := &TableError{File: "x.md", Line: 3, Column: 2, Want: "w", Got: "g"}
	if got, want := te.Error(), `x.md:3: cell 2: want w, got "g"`; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
	te = &TableError{File: "x.md", Want: "a table", Got: "none"}
	if got, want := te.Error(), `x.md: want a table, got "none"`; got != want {
		t.Errorf("Error() = %s, want %s", got, want)
	}
}
