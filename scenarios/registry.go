package scenarios

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/mockplex/mockplex/internal/watchdir"
)

//go:embed *.yaml
var builtinFS embed.FS

// Builtin returns the scenario files shipped with mockplex (NAME.yaml at the
// root of the returned file system).
func Builtin() fs.FS { return builtinFS }

// MaxFileSize is the largest scenario file, in bytes, that Parse and a
// Registry accept (1 MiB). Scenario files are a few hundred bytes; a Registry
// refuses a larger file in its folder without reading it into memory, and
// keeps nothing of it.
const MaxFileSize = 1 << 20

// tooLarge is the error for a file over MaxFileSize; got says how big it is.
func tooLarge(file, got string) *Error {
	return &Error{File: file, Want: "a scenario file of at most 1 MiB (scenarios.MaxFileSize)", Got: got}
}

// reloadQuiet is how long the folder must stay quiet after an event before
// Watch rereads it, so an editor's truncate-then-write or write-then-rename is
// read once, whole.
const reloadQuiet = 50 * time.Millisecond

// Registry holds the scenarios a server can use: the builtins, overridden by
// name by the files of an optional user folder. It is safe for concurrent use;
// Get and Names never block on a reload.
type Registry struct {
	dir      string
	logger   *slog.Logger
	onReload func(file string, err error)
	builtins func() map[string]*Script // parsed on first lookup: most servers never use a scenario

	// The compiled schema, held weakly (see parser): builtins never need
	// it, and user files only when they are read.
	parserMu   sync.Mutex
	weakParser weak.Pointer[parser]

	current atomic.Pointer[snapshot]

	mu    sync.Mutex           // serialises reloads and guards files
	files map[string]fileState // user folder: base name -> what was last seen there
}

// fileState is what the registry keeps of one user file: a fingerprint to
// tell whether it changed, and its last good version. It keeps no content,
// so a rejected file costs nothing once it has been reported.
type fileState struct {
	sum    [sha256.Size]byte
	script *Script // last good version; nil if the file never parsed
}

type snapshot struct {
	byName map[string]*Script
	names  []string
}

// Option configures a Registry.
type Option func(*Registry)

// WithLogger sets the logger for reload reports. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(r *Registry) {
		if l != nil {
			r.logger = l
		}
	}
}

// WithOnReload sets a function Watch calls after it rereads a changed user
// file: err is nil when the new version (or the removal) took effect, and an
// *Error otherwise, in which case the last good version stays in force. When
// the folder itself cannot be read, file is the folder and err a plain error.
// Unchanged files are not reported. fn runs on Watch's goroutine, one call at
// a time; it must not block for long.
func WithOnReload(fn func(file string, err error)) Option {
	return func(r *Registry) { r.onReload = fn }
}

// NewRegistry loads the builtin scenarios and, when dir is not empty, every
// *.yaml and *.yml file in dir (not its subfolders; names starting with a dot
// are skipped). A user file named NAME.yaml must declare name: NAME and
// replaces the builtin of that name. Any bad file fails the whole
// construction with an *Error, so a server never runs half-configured.
func NewRegistry(dir string, opts ...Option) (*Registry, error) {
	r := &Registry{
		dir:    dir,
		logger: slog.New(slog.DiscardHandler),
		files:  map[string]fileState{},
	}
	for _, o := range opts {
		o(r)
	}
	r.builtins = sync.OnceValue(mustLoadBuiltins)
	if dir != "" {
		entries, err := readFolder(dir)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.err != nil {
				return nil, e.err
			}
			s, err := r.parseFile(e.path, e.data)
			if err != nil {
				return nil, err
			}
			if other, dup := r.findUser(s.Name); dup {
				return nil, duplicateError(s, other)
			}
			r.files[e.base] = fileState{sum: e.sum, script: s}
		}
	}
	// The first Get or Names publishes: until then, a server that uses no
	// scenario has parsed no builtin.
	return r, nil
}

// mustLoadBuiltins parses the shipped scenarios. They are compiled in and
// checked by TestParseBuiltins, so an error is a bug in this package.
func mustLoadBuiltins() map[string]*Script {
	m, err := parseBuiltins()
	if err != nil {
		panic(fmt.Sprintf("scenarios: a shipped scenario is broken (a bug in mockplex; go test ./scenarios shows it): %v", err))
	}
	return m
}

func parseBuiltins() (map[string]*Script, error) {
	names, err := fs.Glob(builtinFS, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("scenarios: list builtins: %w", err)
	}
	out := make(map[string]*Script, len(names))
	for _, n := range names {
		data, err := builtinFS.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("scenarios: read builtin %s: %w", n, err)
		}
		s, err := checkName(parseBuiltin(path.Join("builtin", n), data))
		if err != nil {
			return nil, err
		}
		out[s.Name] = s
	}
	return out, nil
}

// parser returns the compiled format schema, compiling it when no earlier
// one is still alive. Compiling is most of a registry's start-up cost, and
// only user files need it (the builtins are checked against it by this
// package's tests, TestParseBuiltins). The registry holds it weakly: the
// files of one load or reload share one, and the collector frees it after,
// so a long-running server neither keeps nor marks, on every collection,
// the ~200 KB of schema it needs only when a file changes (BENCHMARKS.md,
// "Pinned, the collector's share").
func (r *Registry) parser() (*parser, error) {
	r.parserMu.Lock()
	defer r.parserMu.Unlock()
	if p := r.weakParser.Value(); p != nil {
		return p, nil
	}
	p, err := newParser()
	if err != nil {
		return nil, err
	}
	r.weakParser = weak.Make(p)
	return p, nil
}

// parseFile parses one file and checks that its name matches the file name.
func (r *Registry) parseFile(file string, data []byte) (*Script, error) {
	p, err := r.parser()
	if err != nil {
		return nil, err
	}
	return checkName(p.parse(file, data))
}

// checkName passes on a parsed script whose name matches its file's name.
func checkName(s *Script, err error) (*Script, error) {
	if err != nil {
		return nil, err
	}
	file := s.File
	base := filepath.Base(file)
	want := strings.TrimSuffix(strings.TrimSuffix(base, ".yaml"), ".yml")
	if s.Name != want {
		return nil, &Error{File: file, Line: s.nameLine, Column: s.nameColumn,
			Want: "name: " + want + " (a scenario file is named after its scenario)", Got: "name: " + s.Name}
	}
	return s, nil
}

func (r *Registry) findUser(name string) (*Script, bool) {
	for _, st := range r.files {
		if st.script != nil && st.script.Name == name {
			return st.script, true
		}
	}
	return nil, false
}

func duplicateError(s, other *Script) *Error {
	return &Error{File: s.File, Line: s.nameLine, Column: s.nameColumn,
		Want: "one file per scenario name", Got: strconv.Quote(s.Name) + " also in " + other.File}
}

// publish builds a snapshot from builtins and user files and makes it
// current. The caller holds r.mu, or is NewRegistry.
func (r *Registry) publish() *snapshot {
	builtins := r.builtins()
	byName := make(map[string]*Script, len(builtins)+len(r.files))
	for n, s := range builtins {
		byName[n] = s
	}
	for _, st := range r.files {
		if st.script != nil {
			byName[st.script.Name] = st.script
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	snap := &snapshot{byName: byName, names: names}
	r.current.Store(snap)
	return snap
}

// snapshot returns the current snapshot, publishing the first one.
func (r *Registry) snapshot() *snapshot {
	if snap := r.current.Load(); snap != nil {
		return snap
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if snap := r.current.Load(); snap != nil {
		return snap
	}
	return r.publish()
}

// Get returns the scenario called name.
func (r *Registry) Get(name string) (*Script, bool) {
	s, ok := r.snapshot().byName[name]
	return s, ok
}

// Names returns the names of all scenarios, sorted.
func (r *Registry) Names() []string {
	return slices.Clone(r.snapshot().names)
}

// Watch follows the user folder and applies every edit, creation and removal
// of a scenario file atomically, until ctx is done; it then returns nil. A file
// that fails to parse is reported (logged, and passed to the OnReload
// function) and the last good version of it stays in force. Watch rereads the
// folder as a whole after each quiet period, so editors that save through a
// temporary file and a rename, and symlink swaps (Kubernetes ConfigMaps),
// are seen like a plain write. Without a user folder Watch returns nil at once.
//
// Changes made between NewRegistry and the start of Watch are picked up too.
func (r *Registry) Watch(ctx context.Context) error {
	if r.dir == "" {
		return nil
	}
	// Run rescans once the watch is in place (catching up with anything
	// that changed before it began), then after every quiet period.
	if err := watchdir.Run(ctx, r.dir, reloadQuiet, r.logger, "scenario folder", r.rescan); err != nil {
		return fmt.Errorf("scenarios: %w", err)
	}
	return nil
}

// rescan rereads the user folder and applies what changed.
func (r *Registry) rescan() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.current.Load() == nil {
		// Publish before reporting: the OnReload function runs under r.mu
		// and may call Get, which must then not need the lock.
		r.publish()
	}
	entries, err := readFolder(r.dir)
	if err != nil {
		r.logger.Warn("scenario folder unreadable; keeping the scenarios in force", slog.String("dir", r.dir), slog.Any("error", err))
		r.report(r.dir, err)
		return
	}
	type result struct {
		file string
		err  error
	}
	var results []result
	changed := false
	present := make(map[string]bool, len(entries))
	for _, e := range entries {
		present[e.base] = true
	}
	// Removals first, so a rename from NAME.yml to NAME.yaml is not a duplicate.
	for base, st := range r.files {
		if present[base] {
			continue
		}
		delete(r.files, base)
		if st.script != nil {
			changed = true
		}
		results = append(results, result{filepath.Join(r.dir, base), nil})
	}
	for _, e := range entries {
		old, known := r.files[e.base]
		if known && old.sum == e.sum {
			continue
		}
		var s *Script
		var err error
		if e.err != nil {
			err = e.err // not assigned directly: a nil *Error is a non-nil error
		} else {
			s, err = r.parseFile(e.path, e.data)
		}
		if err == nil {
			if other, dup := r.findUser(s.Name); dup && other.File != s.File {
				err = duplicateError(s, other)
			}
		}
		if err != nil {
			r.files[e.base] = fileState{sum: e.sum, script: old.script}
			results = append(results, result{e.path, err})
			continue
		}
		r.files[e.base] = fileState{sum: e.sum, script: s}
		changed = true
		results = append(results, result{e.path, nil})
	}
	if changed {
		r.publish()
	}
	slices.SortFunc(results, func(a, b result) int { return strings.Compare(a.file, b.file) })
	for _, res := range results {
		if res.err != nil {
			r.logger.Error("scenario file rejected; the last good version stays in force", slog.String("file", res.file), slog.Any("error", res.err))
		} else {
			r.logger.Info("scenario file reloaded", slog.String("file", res.file))
		}
		r.report(res.file, res.err)
	}
}

func (r *Registry) report(file string, err error) {
	if r.onReload != nil {
		r.onReload(file, err)
	}
}

type folderEntry struct {
	base, path string
	data       []byte            // nil when err is set
	sum        [sha256.Size]byte // of data; of size and time for a file too large to read
	err        *Error            // the file is over MaxFileSize
}

// readFolder reads the scenario files directly in dir, sorted by name. A file
// over MaxFileSize comes back with err set and no data.
func readFolder(dir string) ([]folderEntry, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("scenarios: read folder %s: %w (check --scenarios)", dir, err)
	}
	var out []folderEntry
	for _, de := range des {
		name := de.Name()
		if strings.HasPrefix(name, ".") || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		e, err := readEntry(dir, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed (or a dangling link) while we listed
		}
		if err != nil {
			return nil, fmt.Errorf("scenarios: %w", err)
		}
		if e != nil {
			out = append(out, *e)
		}
	}
	return out, nil
}

// readEntry reads one scenario file; it returns nil for anything but a
// regular file. The size is checked before reading, and the read is capped
// as well, since a file can grow in between.
func readEntry(dir, name string) (*folderEntry, error) {
	p := filepath.Join(dir, name)
	info, err := os.Stat(p) // follows symlinks; before Open, which would block on a FIFO
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, nil
	}
	e := &folderEntry{base: name, path: p}
	if info.Size() > MaxFileSize {
		e.err = tooLarge(p, strconv.FormatInt(info.Size(), 10)+" bytes")
		e.sum = sizeFingerprint(info)
		return e, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		e.err = tooLarge(p, "more than "+strconv.Itoa(MaxFileSize)+" bytes (the file grew while it was read)")
		e.sum = sizeFingerprint(info)
		return e, nil
	}
	e.data, e.sum = data, sha256.Sum256(data)
	return e, nil
}

// sizeFingerprint stands in for the content hash of a file too large to
// read, so an unchanged oversized file is not reported again on each rescan.
func sizeFingerprint(info fs.FileInfo) [sha256.Size]byte {
	return sha256.Sum256(fmt.Appendf(nil, "oversized %d %d", info.Size(), info.ModTime().UnixNano()))
}
