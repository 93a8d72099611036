package readme_test

// The README check. It reads README.md, every docs/*.md file (so a page
// added there is covered without editing this test), and every Markdown
// file those link to within the repository. Markers, in those files:
//
//	<!-- check -->          on the line just before a ```sh (or ```bash) fence:
//	                        the block runs with bash against a started mockplex.
//	# => TEXT               inside a checked block: one line the block prints.
//	                        All of a block's "# =>" lines, in order, are its
//	                        whole expected output (none: it prints nothing).
//	                        "..." in TEXT matches any run of characters, and a
//	                        line "# => ..." alone matches any number of lines.
//	<!-- snippet: PATH -->  on the line just before a ```go fence: the block is
//	                        the file PATH (from the module root) after its
//	                        package clause, word for word.
//
// The checked blocks of one section (a "## " heading and what follows up to
// the next one) run in order in one bash process, as a reader pastes them
// into one terminal: variables carry from block to block within the
// section, never from one section to the next, and each section gets a
// mock of its own, so every section stands alone. The process has
// MOCKPLEX_URL set to the mock's base URL, the freshly built mockplex first
// on PATH, an empty working directory, stderr merged into stdout, pipefail
// on, and an ERR trap that prints every failing command, so a failure shows
// up as output the text does not claim. A block that needs curl, jq,
// python3 or node skips the test with the reason when the tool is missing,
// and fails it under CI=true. Every relative link of those files must name
// a file that exists.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	checkMarker   = "<!-- check -->"
	snippetPrefix = "<!-- snippet: "
	outputPrefix  = "# =>"
	endSentinel   = "<<<readme-check-block-end>>>"
)

// block is one fenced code block with a marker in front of it.
type block struct {
	file string // relative to the module root
	line int    // line of the opening fence
	lang string
	body []string // the lines between the fences
	path string   // snippet: the file it must equal
	// section is the "## " heading the block is under ("" before the first).
	section string
}

// want returns the block's expected output lines.
func (b block) want() []string {
	var out []string
	for _, l := range b.body {
		if t := strings.TrimLeft(l, " \t"); strings.HasPrefix(t, outputPrefix) {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(t, outputPrefix), " "))
		}
	}
	return out
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

var markerTypoRE = regexp.MustCompile(`^<!--\s*(check|snippet)\b`)

var linkRE = regexp.MustCompile(`\]\(([^)#\s]+)(?:#[^)]*)?\)`)

// docFiles returns README.md, every docs/*.md, and the repository's
// Markdown files they link to (a link to a folder means its README.md),
// relative to root. A relative link to a file that does not exist is an
// error.
func docFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		files = append(files, filepath.Join("docs", filepath.Base(d)))
	}
	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
	}
	for i := 0; i < len(files); i++ {
		file := files[i]
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(data), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target = filepath.Join(filepath.Dir(file), target)
			fi, err := os.Stat(filepath.Join(root, target))
			if err != nil {
				if !seen["missing:"+file+target] {
					t.Errorf("%s links to %s, which does not exist", file, m[1])
				}
				seen["missing:"+file+target] = true
				continue
			}
			if fi.IsDir() {
				target = filepath.Join(target, "README.md")
				if _, err := os.Stat(filepath.Join(root, target)); err != nil {
					continue // a folder without a README
				}
			}
			if !strings.HasSuffix(target, ".md") || seen[target] {
				continue
			}
			seen[target] = true
			files = append(files, target)
		}
	}
	return files
}

// parseBlocks returns the marked blocks of a Markdown file. A marker that is
// not followed by a fence of the right language is an error.
func parseBlocks(t *testing.T, root, file string) (checks, snippets []block) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	section := ""
	inFence := false
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(lines[i], "## ") {
			section = strings.TrimPrefix(lines[i], "## ")
		}
		b := block{section: section}
		switch {
		case l == checkMarker:
		case strings.HasPrefix(l, snippetPrefix) && strings.HasSuffix(l, "-->"):
			b.path = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, snippetPrefix), "-->"))
		case markerTypoRE.MatchString(l):
			t.Errorf("%s:%d: %q looks like a check marker but is not %q", file, i+1, l, checkMarker)
			continue
		default:
			continue
		}
		if i+1 >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[i+1]), "```") {
			t.Errorf("%s:%d: marker %q must be followed directly by a code fence", file, i+1, l)
			continue
		}
		fence := strings.TrimSpace(lines[i+1])
		b.file, b.line, b.lang = file, i+2, strings.TrimPrefix(fence, "```")
		j := i + 2
		for ; j < len(lines) && strings.TrimSpace(lines[j]) != "```"; j++ {
			b.body = append(b.body, lines[j])
		}
		if j == len(lines) {
			t.Errorf("%s:%d: unterminated code fence", file, b.line)
			return checks, snippets
		}
		i = j
		switch {
		case b.path != "" && b.lang == "go":
			snippets = append(snippets, b)
		case b.path == "" && (b.lang == "sh" || b.lang == "bash"):
			checks = append(checks, b)
		default:
			t.Errorf("%s:%d: marker %q before a ```%s fence", file, b.line, l, b.lang)
		}
	}
	return checks, snippets
}

// TestReadmeSnippets checks that every Go snippet is its source file.
func TestReadmeSnippets(t *testing.T) {
	t.Parallel()
	root := moduleRoot(t)
	n := 0
	for _, file := range docFiles(t, root) {
		_, snippets := parseBlocks(t, root, file)
		for _, b := range snippets {
			n++
			src, err := os.ReadFile(filepath.Join(root, b.path))
			if err != nil {
				t.Errorf("%s:%d: snippet of %s: %v", b.file, b.line, b.path, err)
				continue
			}
			want := afterPackageClause(string(src))
			got := strings.Join(b.body, "\n") + "\n"
			if got != want {
				t.Errorf("%s:%d: the snippet differs from %s after its package clause; copy the file into the README:\n%s",
					b.file, b.line, b.path, lineDiff(strings.Split(want, "\n"), strings.Split(got, "\n"), func(w, g string) bool { return w == g }))
			}
		}
	}
	if n == 0 {
		t.Errorf("no %q markers found: README.md should show internal/readme/signin_test.go", snippetPrefix+"PATH -->")
	}
}

// afterPackageClause returns src from the first non-blank line after its
// package clause.
func afterPackageClause(src string) string {
	lines := strings.SplitAfter(src, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "package ") {
			rest := lines[i+1:]
			for len(rest) > 0 && strings.TrimSpace(rest[0]) == "" {
				rest = rest[1:]
			}
			return strings.Join(rest, "")
		}
	}
	return src
}

// TestReadmeBlocks runs the checked shell blocks against the mockplex binary.
func TestReadmeBlocks(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the mockplex binary; skipped with -short")
	}
	root := moduleRoot(t)
	type section struct {
		file, name string
		blocks     []block
	}
	var sections []*section
	total, nfiles := 0, 0
	for _, file := range docFiles(t, root) {
		checks, _ := parseBlocks(t, root, file)
		if len(checks) > 0 {
			nfiles++
		}
		for _, b := range checks {
			if n := len(sections); n == 0 || sections[n-1].file != file || sections[n-1].name != b.section {
				sections = append(sections, &section{file: file, name: b.section})
			}
			sec := sections[len(sections)-1]
			sec.blocks = append(sec.blocks, b)
			total++
		}
	}
	if total == 0 {
		t.Fatalf("no %q blocks found in README.md, docs/*.md or the files they link", checkMarker)
	}
	t.Logf("%d checked blocks in %d sections of %d files", total, len(sections), nfiles)
	requireTools(t, "bash")

	bin := filepath.Join(t.TempDir(), "mockplex")
	build := exec.Command("go", "build", "-o", bin, "./cmd/mockplex")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mockplex: %v\n%s", err, out)
	}
	for _, sec := range sections {
		name := sec.file
		if sec.name != "" {
			name += "#" + sec.name
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tool := range []string{"curl", "jq", "python3", "node"} {
				for _, b := range sec.blocks {
					if usesTool(b, tool) {
						requireTools(t, tool)
						break
					}
				}
			}
			base := startMock(t, bin)
			runBlocks(t, bin, base, sec.blocks)
		})
	}
}

// usesTool reports whether a command line of the block runs tool.
func usesTool(b block, tool string) bool {
	re := regexp.MustCompile(`(^|[\s|;&(` + "`" + `])` + regexp.QuoteMeta(tool) + `(\s|$)`)
	for _, l := range b.body {
		if t := strings.TrimSpace(l); !strings.HasPrefix(t, "#") && re.MatchString(l) {
			return true
		}
	}
	return false
}

// requireTools skips the test when a tool is missing, or fails it under CI.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			pkg := map[string]string{"node": "nodejs"}[tool]
			if pkg == "" {
				pkg = tool
			}
			msg := fmt.Sprintf("these checked blocks need %s, which is not on PATH (apt-get install %s)", tool, pkg)
			if os.Getenv("CI") == "true" {
				t.Fatal(msg)
			}
			t.Skip(msg + "; skipped (fails under CI=true)")
		}
	}
}

// startMock runs `mockplex serve` on a free loopback port and returns its
// base URL once /readyz answers 200. It is stopped when the test ends.
func startMock(t *testing.T, bin string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = cleanEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	var logs bytes.Buffer
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "mockplex listening" && rec.Addr != "" {
				select {
				case addr <- rec.Addr:
				default:
				}
			}
		}
	}()
	exited := make(chan struct{})
	go func() {
		<-logsDone
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-exited:
		t.Fatalf("mockplex serve exited before listening:\n%s", logs.String())
	case <-time.After(30 * time.Second):
		t.Fatal("mockplex serve did not log its address within 30 s")
	}
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s/readyz: not 200 within 30 s (last error %v)", base, err)
		}
		<-tick.C
	}
}

// cleanEnv is the test's environment without MOCKPLEX_* variables.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MOCKPLEX_") {
			env = append(env, kv)
		}
	}
	return env
}

// runBlocks runs the blocks of one file in one bash and compares outputs.
func runBlocks(t *testing.T, bin, base string, blocks []block) {
	t.Helper()
	var script strings.Builder
	script.WriteString("set -o pipefail\ntrap 'echo \"readme-check: exit status $? from: $BASH_COMMAND\" >&2' ERR\n")
	for _, b := range blocks {
		script.WriteString(strings.Join(b.body, "\n"))
		script.WriteString("\nprintf '\\n%s\\n' '" + endSentinel + "'\n")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	scriptFile := filepath.Join(t.TempDir(), "blocks.sh")
	if err := os.WriteFile(scriptFile, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", scriptFile) // stdin: /dev/null
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(),
		"MOCKPLEX_URL="+base,
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the blocks did not finish within 3 minutes; output so far:\n%s", out.String())
	}
	parts := strings.Split(out.String(), "\n"+endSentinel+"\n")
	for i, b := range blocks {
		if i >= len(parts)-1 {
			t.Errorf("%s:%d: the block did not finish (bash: %v); output:\n%s", b.file, b.line, err, strings.Join(parts[i:], "\n"))
			continue
		}
		got := outputLines(parts[i])
		if want := b.want(); !matchLines(want, got) {
			t.Errorf("%s:%d: the block's output does not match its \"# =>\" lines (-want +got):\n%s", b.file, b.line, lineDiff(want, got, matchLine))
		}
	}
	if err != nil {
		t.Errorf("bash: %v", err)
	}
}

func outputLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines
}

// matchLines reports whether got matches the patterns of want: "..." within
// a line matches any characters, and a line "..." any number of lines.
func matchLines(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for k := 0; k <= len(got); k++ {
			if matchLines(want[1:], got[k:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && matchLine(want[0], got[0]) && matchLines(want[1:], got[1:])
}

func matchLine(pattern, s string) bool {
	parts := strings.Split(strings.TrimRight(pattern, " \t"), "...")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return regexp.MustCompile(`^` + strings.Join(parts, `.*`) + `$`).MatchString(s)
}

// lineDiff is a plain listing of both sides, marking the first difference.
func lineDiff(want, got []string, match func(w, g string) bool) string {
	var b strings.Builder
	first := -1
	for i := 0; i < len(want) || i < len(got); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if first < 0 && (i >= len(want) || i >= len(got) || !match(w, g)) && w != "..." {
			first = i
		}
	}
	for _, w := range want {
		fmt.Fprintf(&b, "-%s\n", w)
	}
	for _, g := range got {
		fmt.Fprintf(&b, "+%s\n", g)
	}
	if first >= 0 {
		fmt.Fprintf(&b, "(first difference near line %d)\n", first+1)
	}
	return b.String()
}
