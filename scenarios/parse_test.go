package scenarios

import (
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/bad/*.golden from the current error messages")

// TestParseBadFiles parses every testdata/bad/*.yaml and compares the error
// message with the .golden file next to it (regenerate with go test -update).
func TestParseBadFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found %d bad files, want the whole table (at least 20)", len(files))
	}
	p := testParser(t)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := p.parse(file, data)
			if err == nil {
				t.Fatalf("Parse(%s) = %q, nil; want an error", file, s.Name)
			}
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%s) error %T %v, want *Error", file, err, err)
			}
			if perr.File != file || perr.Want == "" || perr.Got == "" {
				t.Errorf("Parse(%s) = %#v, want File %q and non-empty Want and Got", file, perr, file)
			}
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			got := err.Error() + "\n"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Parse(%s) error mismatch (-want +got):\n%s", file, diff)
			}
		})
	}
}

// TestParseErrorPositions pins a few errors down field by field, independent
// of the golden files.
func TestParseErrorPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want Error
	}{
		{
			name: "unknown op",
			src:  head + "  - when: {op: pol}\n    then: {deny: true}\n",
			want: Error{File: "x.yaml", Line: 5, Column: 16, Want: "an op: one of create, poll, link, claim, user, ping, qr, options, other, jwk, nonce, token, keys", Got: `string "pol"`},
		},
		{
			name: "unknown device JWT state",
			src:  head + "  - when: {op: poll, device_jwt: [absent, expired]}\n    then: {deny: true}\n",
			want: Error{File: "x.yaml", Line: 5, Column: 43, Want: "one of absent, invalid, valid", Got: `string "expired"`},
		},
		{
			name: "unknown device JWT state, scalar",
			src:  head + "  - when: {op: poll, device_jwt: expired}\n    then: {deny: true}\n",
			want: Error{File: "x.yaml", Line: 5, Column: 34, Want: "a device JWT state: one of absent, invalid, valid", Got: `string "expired"`},
		},
		{
			name: "zero token lifetime",
			src:  head + "  - then: {token_lifetime: 0s}\n",
			want: Error{File: "x.yaml", Line: 5, Column: 28, Want: "a positive duration such as 1s", Got: `string "0s"`},
		},
		{
			name: "client_tokens every zero",
			src:  head + "  - when: {client_tokens: {every: 0}}\n    then: {rotate_keys: true}\n",
			want: Error{File: "x.yaml", Line: 5, Column: 35, Want: "a positive integer", Got: "integer 0"},
		},
		{
			name: "bad duration",
			src:  head + "  - when:\n      after: 3 parsecs\n    then: {deny: true}\n",
			want: Error{File: "x.yaml", Line: 6, Column: 14, Want: "a duration such as 200ms, 30s or 1m30s", Got: `string "3 parsecs"`},
		},
		{
			name: "unknown key points at the key",
			src:  head + "  - when: {op: poll}\n    thn: {deny: true}\n",
			want: Error{File: "x.yaml", Line: 6, Column: 5, Want: "one of the keys name, stop, then, when", Got: `key "thn"`},
		},
		{
			name: "type error points at the value",
			src:  "name: x\ndescription: d\ncontract: 1\nrules: []\n",
			want: Error{File: "x.yaml", Line: 3, Column: 11, Want: "true or false (whether a client still sees plex.tv-conformant behaviour)", Got: "integer 1"},
		},
		{
			name: "empty file",
			src:  "",
			want: Error{File: "x.yaml", Line: 1, Column: 1, Want: "a scenario mapping with name, description, contract and rules", Got: "an empty file"},
		},
		{
			name: "second document",
			src:  "name: x\n---\nname: y\n",
			want: Error{File: "x.yaml", Line: 3, Column: 1, Want: "one YAML document per file", Got: "a second document"},
		},
		{
			name: "syntax error has a line only",
			src:  "name: x\n  bad: indent\n",
			want: Error{File: "x.yaml", Line: 2, Want: "valid YAML", Got: "mapping values are not allowed in this context"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("x.yaml", []byte(tc.src))
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Parse() error = %v, want *Error", err)
			}
			if diff := cmp.Diff(tc.want, *got); diff != "" {
				t.Errorf("Parse() error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Column: 7, Want: "X", Got: "Y"}, "a.yaml:3:7: want X, got Y"},
		{Error{File: "a.yaml", Line: 3, Want: "X", Got: "Y"}, "a.yaml:3: want X, got Y"},
		{Error{File: "a.yaml", Want: "X", Got: "Y"}, "a.yaml: want X, got Y"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%#v.Error() = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// TestParseBuiltins parses each shipped file on its own, through the
// schema, and checks that its name is its file name, and that the
// registry's schema-less reading of builtins (parseBuiltin) gives the same
// script.
func TestParseBuiltins(t *testing.T) {
	t.Parallel()
	files, err := fs.Glob(Builtin(), "*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 15 {
		t.Fatalf("Builtin() has %d files, want at least 15", len(files))
	}
	p := testParser(t)
	for _, f := range files {
		data, err := fs.ReadFile(Builtin(), f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := p.parse(f, data)
		if err != nil {
			t.Errorf("Parse(%s) = %v", f, err)
			continue
		}
		if want := strings.TrimSuffix(f, ".yaml"); s.Name != want {
			t.Errorf("Parse(%s).Name = %q, want %q", f, s.Name, want)
		}
		b, err := parseBuiltin(f, data)
		if err != nil {
			t.Errorf("parseBuiltin(%s) = %v, but the schema accepts it", f, err)
			continue
		}
		if !reflect.DeepEqual(b, s) {
			t.Errorf("parseBuiltin(%s) differs from Parse:\n%+v\nwant\n%+v", f, b, s)
		}
	}
}

// TestParseContractDefaultsToFalse: a user's file may leave contract out,
// and then makes no promise about plex.tv conformance.
func TestParseContractDefaultsToFalse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src  string
		want bool
	}{
		{"name: mine\ndescription: no contract key\nrules: []\n", false},
		{"name: mine\ndescription: explicit\ncontract: true\nrules: []\n", true},
	}
	for _, tc := range tests {
		s, err := Parse("mine.yaml", []byte(tc.src))
		if err != nil {
			t.Errorf("Parse(%q) = %v, want it accepted", tc.src, err)
			continue
		}
		if s.Contract != tc.want {
			t.Errorf("Parse(%q).Contract = %v, want %v", tc.src, s.Contract, tc.want)
		}
	}
}

// TestSchema keeps the exported copy of the schema usable by editors.
func TestSchema(t *testing.T) {
	t.Parallel()
	a, b := Schema(), Schema()
	if len(a) == 0 || !strings.Contains(string(a), `"$schema"`) {
		t.Fatalf("Schema() = %.40q..., want the JSON Schema document", a)
	}
	a[0] = 'X'
	if b[0] == 'X' || Schema()[0] == 'X' {
		t.Error("Schema() returns shared bytes; want a fresh copy per call")
	}
}
