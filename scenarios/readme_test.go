package scenarios

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeExamples parses every complete scenario (a ```yaml block that
// starts with name:) in README.md, so the format reference cannot rot.
func TestReadmeExamples(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(data), -1)
	p := testParser(t)
	n := 0
	for _, b := range blocks {
		if !strings.HasPrefix(b[1], "name:") {
			continue
		}
		n++
		if _, err := p.parse("README.md example", []byte(b[1])); err != nil {
			t.Errorf("README example does not parse: %v\n%s", err, b[1])
		}
	}
	if n < 2 {
		t.Errorf("found %d complete scenarios in README.md, want at least 2", n)
	}
}
