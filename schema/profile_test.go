package schema

import (
	"testing"
)

func TestParseProfile(t *testing.T) {
	t.Parallel()
	for _, p := range Profiles() {
		got, err := ParseProfile(string(p))
		if err != nil || got != p {
			t.Errorf("ParseProfile(%q) = %q, %v, want %q, nil", p, got, err, p)
		}
	}
	if _, err := ParseProfile("Wire"); err == nil {
		t.Error(`ParseProfile("Wire") = nil error, want one (profiles are lower case)`)
	}
	if _, err := Document("strict"); err == nil {
		t.Error(`Document("strict") = nil error, want one`)
	}
}
