package yamljson

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestConvert(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in      string
		ordered       bool
		want, wantErr string
	}{
		{"mapping", "b: 1\na: [true, null, x]\n", false, `{"a":[true,null,"x"],"b":1}`, ""},
		{"ordered", "b: 1\na: 2.5\n", true, `{"b":1,"a":2.5}`, ""},
		{"html kept", "k: <code>\n", true, `{"k":"<code>"}`, ""},
		{"duplicate key", "a: 1\na: 2\n", false, "", `line 2, column 1: want each key once, got key "a" again (first at line 1)`},
		{"alias", "a: &x 1\nb: *x\n", false, "", "line 2, column 4: want a plain value (no anchors or aliases), got alias *x"},
		{"tag", "a: !custom 1\n", false, "", "line 1, column 4: want a plain value without a YAML tag, got tag !custom"},
		{"infinity", "a: .inf\n", false, "", "line 1, column 4: want a finite number, got number .inf"},
		{"mapping key", "? [a]\n: 1\n", false, "", "line 1, column 3: want a string key, got a sequence"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(tc.in), &n); err != nil {
				t.Fatal(err)
			}
			v, err := Convert(&n, tc.ordered)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("Convert(%q) error = %v, want %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Convert(%q): %v", tc.in, err)
			}
			b, jerr := marshalRaw(v) // as the generator writes, without HTML escaping
			if jerr != nil || string(b) != tc.want {
				t.Errorf("Convert(%q) = %s (%v), want %s", tc.in, b, jerr, tc.want)
			}
		})
	}
}

// FuzzConvert: any YAML converts or says why, and what converts is JSON.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{"a: 1", "- x\n- {y: z}", "a: &x 1\nb: *x", "? [a]\n: 1", "a: !t 1", "a: 1\na: 2", "0x1F", "1_000", ".nan"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, in string, ordered bool) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(in), &n) != nil || n.Kind == 0 {
			return
		}
		v, err := Convert(&n, ordered)
		if err != nil {
			if err.Want == "" || err.Got == "" {
				t.Fatalf("Convert(%q): error without want or got: %+v", in, err)
			}
			return
		}
		if _, jerr := marshalRaw(v); jerr != nil {
			t.Fatalf("Convert(%q) = %#v, which encoding/json refuses: %v", in, v, jerr)
		}
	})
}
