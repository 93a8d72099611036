// Command testsum reads `go test -json` on stdin and prints what a person
// needs from it: each package's result line, the output of every failed
// test (or of a package that failed outside its tests), and at the end a
// banner listing every skipped test with its reason, so that a skip is never
// silent. It exits 1 when a test or package failed.
//
//	go test -json ./... | go -C .ci/tools run ./testsum
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// event is one line of test2json output.
type event struct {
	Action     string
	ImportPath string // build-output and build-fail
	Package    string
	Test       string
	Elapsed    float64
	Output     string
}

func main() {
	failed, err := summarize(os.Stdin, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testsum:", err)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// summarize writes the summary of the events in r to w and reports whether
// anything failed.
func summarize(r io.Reader, w io.Writer) (failed bool, err error) {
	out := map[string][]string{} // package or package+test -> output lines
	type skip struct{ name, reason string }
	var skips []skip
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Action == "" {
			// go test prints build errors as plain text.
			fmt.Fprintln(w, sc.Text())
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "build-output":
			fmt.Fprint(w, e.Output)
		case "build-fail":
			failed = true
			fmt.Fprintf(w, "FAIL\t%s [build failed]\n", e.ImportPath)
		case "output":
			out[key] = append(out[key], e.Output)
		case "fail":
			failed = true
			if e.Test != "" {
				fmt.Fprintf(w, "--- FAIL: %s %s (%.2fs)\n", e.Package, e.Test, e.Elapsed)
				for _, l := range out[key] {
					fmt.Fprint(w, "    ", l)
				}
			} else {
				if !hasFailedTest(out, e.Package) {
					for _, l := range out[key] {
						fmt.Fprint(w, l)
					}
				}
				fmt.Fprintf(w, "FAIL\t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
		case "pass":
			if e.Test == "" {
				fmt.Fprintf(w, "ok  \t%s\t%.3fs\n", e.Package, e.Elapsed)
			}
		case "skip":
			if e.Test != "" {
				skips = append(skips, skip{e.Package + " " + e.Test, reason(out[key])})
			}
		}
		if (e.Action == "pass" || e.Action == "skip") && e.Test != "" {
			delete(out, key)
		}
		if e.Action == "fail" && e.Test != "" {
			out[e.Package+" "+failedMark] = nil
		}
	}
	if err := sc.Err(); err != nil {
		return failed, err
	}
	if len(skips) > 0 {
		sort.Slice(skips, func(i, j int) bool { return skips[i].name < skips[j].name })
		bar := strings.Repeat("!", 72)
		fmt.Fprintf(w, "\n%s\n!! %d tests SKIPPED, each with its reason (under CI=true a missing engine, browser or tool fails instead)\n%s\n", bar, len(skips), bar)
		for _, s := range skips {
			fmt.Fprintf(w, "SKIP %s\n     %s\n", s.name, s.reason)
		}
		fmt.Fprintln(w, bar)
	}
	return failed, nil
}

const failedMark = "\x00failed"

func hasFailedTest(out map[string][]string, pkg string) bool {
	_, ok := out[pkg+" "+failedMark]
	return ok
}

// reason is the message of a skipped test: its output without the
// framework's own lines.
func reason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- SKIP") {
			continue
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no reason given)"
	}
	return strings.Join(msg, " / ")
}
