package jsonnum

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsNumber(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"0": true, "-1": true, "1.5": true, "1e3": true, "1800": true,
		"": false, "01": false, "+1": false, ".5": false, "0x10": false, "1 2": false, `"1"`: false, "NaN": false,
	} {
		if got := IsNumber(s); got != want {
			t.Errorf("IsNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	got, err := Decode([]byte(`{"a": 1800, "b": [1.5]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": json.Number("1800"), "b": []any{json.Number("1.5")}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Decode mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{``, `{`, `1 2`, `{} x`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) = nil error, want one", bad)
		}
	}
}
