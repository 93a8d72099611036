package schemagen

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzParseTable(f *testing.F) {
	for _, name := range []string{"GetPinResponseBody.md", "Location.md"} {
		b, err := os.ReadFile(filepath.Join(schemaDir, TablesDir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		f.Add(strings.Replace(string(b), ":heavy_minus_sign:", "maybe", 1))
		f.Add(strings.ReplaceAll(string(b), "\n", "\r\n"))
	}
	f.Add("| Field | Type | Required | Description |\n|---|---|---|---|\n| `A` | [B](B.md) | :heavy_check_mark: | x<br/>y \\| z |\n")
	f.Add("| `A |")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		tbl, err := ParseTable("fuzz.md", strings.NewReader(in))
		if err != nil {
			var te *TableError
			if !errors.As(err, &te) {
				t.Fatalf("ParseTable() error %v is not a *TableError", err)
			}
			if te.File != "fuzz.md" || te.Error() == "" {
				t.Fatalf("ParseTable() error %#v lacks its file", te)
			}
			return
		}
		if len(tbl.Fields) == 0 {
			t.Fatal("ParseTable() succeeded with no fields")
		}
		seen := map[string]bool{}
		for _, fld := range tbl.Fields {
			if fld.Name == "" || seen[fld.Name] || fld.Line < 1 || fld.Type.Kind == "" {
				t.Fatalf("ParseTable() gave a bad field %+v", fld)
			}
			seen[fld.Name] = true
		}
	})
}
