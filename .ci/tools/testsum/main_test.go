package main

import (
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         string
		wantFailed bool
		want       []string // substrings of the output, in order
		notWant    []string
	}{
		{
			name: "pass and skip",
			in: `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    a_test.go:9: docker engine not available\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- SKIP: TestA (0.00s)\n"}
{"Action":"skip","Package":"p","Test":"TestA","Elapsed":0}
{"Action":"pass","Package":"p","Test":"TestB","Elapsed":0.1}
{"Action":"pass","Package":"p","Elapsed":0.2}
`,
			want:    []string{"ok  \tp\t0.200s", "1 tests SKIPPED", "SKIP p TestA", "a_test.go:9: docker engine not available"},
			notWant: []string{"=== RUN", "--- SKIP"},
		},
		{
			name: "a failed test shows its output",
			in: `{"Action":"output","Package":"p","Test":"TestC","Output":"    c_test.go:3: got 1, want 2\n"}
{"Action":"fail","Package":"p","Test":"TestC","Elapsed":0.3}
{"Action":"output","Package":"p","Output":"FAIL\n"}
{"Action":"fail","Package":"p","Elapsed":0.4}
`,
			wantFailed: true,
			want:       []string{"--- FAIL: p TestC", "c_test.go:3: got 1, want 2", "FAIL\tp"},
			notWant:    []string{"SKIPPED"},
		},
		{
			name: "a build failure",
			in: `{"ImportPath":"q","Action":"build-output","Output":"q/x.go:1:1: syntax error\n"}
{"ImportPath":"q","Action":"build-fail"}
plain text from go test
`,
			wantFailed: true,
			want:       []string{"q/x.go:1:1: syntax error", "FAIL\tq [build failed]", "plain text from go test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			failed, err := summarize(strings.NewReader(tt.in), &out)
			if err != nil || failed != tt.wantFailed {
				t.Fatalf("summarize = %v, %v; want %v, nil", failed, err, tt.wantFailed)
			}
			rest := out.String()
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out.String())
				}
				rest = rest[i+len(w):]
			}
			for _, nw := range tt.notWant {
				if strings.Contains(out.String(), nw) {
					t.Errorf("output has %q:\n%s", nw, out.String())
				}
			}
		})
	}
}
