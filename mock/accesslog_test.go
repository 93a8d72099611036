package mock_test

import (
	"bytes"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/mockplex/mockplex/internal/textlog"
	"github.com/mockplex/mockplex/mock"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestAccessLog checks the line per request: API requests at info with
// method, path, status, time taken and client, the scenario only when one
// was chosen; the control API and health checks only at debug; and all of
// it on Config.AccessLog's logger, none on the lifecycle logger.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	client := map[string]string{"X-Plex-Client-Identifier": "log-client", "X-Plex-Product": "Log"}
	withScenario := map[string]string{"X-Plex-Client-Identifier": "log-client", "X-Mockplex-Scenario": "happy-path"}
	tests := []struct {
		name    string
		level   slog.Level
		method  string
		path    string
		header  map[string]string
		want    string // a substring of the one line, or "" for no line
		without []string
	}{
		{"create", slog.LevelInfo, "POST", "/api/v2/pins", client,
			`level=INFO msg=request method=POST path=/api/v2/pins status=201 took=`, []string{"scenario=", "remote="}},
		{"client logged", slog.LevelInfo, "POST", "/api/v2/pins", client, ` client=log-client`, nil},
		{"scenario when chosen", slog.LevelInfo, "POST", "/api/v2/pins", withScenario, ` client=log-client scenario=happy-path`, nil},
		{"error status", slog.LevelInfo, "GET", "/api/v2/pins/1", client, `path=/api/v2/pins/1 status=404`, nil},
		{"health at debug", slog.LevelDebug, "GET", "/readyz", nil, `level=DEBUG msg=request method=GET path=/readyz status=200`, nil},
		{"health not at info", slog.LevelInfo, "GET", "/healthz", nil, "", nil},
		{"control API not at info", slog.LevelInfo, "GET", "/__mockplex/pins", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// serve's handler (textlog, which takes the line as parts) and
			// slog's must write the same line, but for the time and the took.
			var lines [2]string
			for i, newHandler := range []func(io.Writer, *slog.HandlerOptions) slog.Handler{
				func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return slog.NewTextHandler(w, o) },
				func(w io.Writer, o *slog.HandlerOptions) slog.Handler { return textlog.New(w, o) },
			} {
				var access, life syncBuffer
				opts := &slog.HandlerOptions{Level: tt.level}
				srv := newFrozenServer(t,
					mock.WithLogger(slog.New(slog.NewTextHandler(&life, opts))),
					mock.WithConfig(mock.Config{AccessLog: slog.New(newHandler(&access, opts))}))
				roundTrip(t, srv, tt.method, tt.path, tt.header, "")
				srv.Close() // the line is written after the response; Close waits for the handler
				got := access.String()
				lines[i] = varying.ReplaceAllString(got, "$1=X")
				if tt.want == "" {
					if got != "" {
						t.Errorf("access log = %q, want nothing", got)
					}
					continue
				}
				if strings.Count(got, "\n") != 1 || !strings.Contains(got, tt.want) {
					t.Errorf("access log = %q, want one line containing %q", got, tt.want)
				}
				for _, bad := range tt.without {
					if strings.Contains(got, bad) {
						t.Errorf("access log = %q, want no %q", got, bad)
					}
				}
				if strings.Contains(life.String(), "msg=request") {
					t.Errorf("lifecycle log got an access line: %q", life.String())
				}
			}
			if lines[0] != lines[1] {
				t.Errorf("textlog's access line differs from slog.TextHandler's:\n%q\n%q", lines[1], lines[0])
			}
		})
	}
}

// varying matches what differs between two lines of one request: the
// time and the time taken.
var varying = regexp.MustCompile(`\b(time|took)=\S+`)

// TestAccessLogDefaultsToLogger checks that without Config.AccessLog the lines
// go to the WithLogger logger.
func TestAccessLogDefaultsToLogger(t *testing.T) {
	t.Parallel()
	var life syncBuffer
	srv := newFrozenServer(t, mock.WithLogger(slog.New(slog.NewTextHandler(&life, nil))))
	roundTrip(t, srv, "POST", "/api/v2/pins", map[string]string{"X-Plex-Client-Identifier": "c"}, "")
	srv.Close()
	if !strings.Contains(life.String(), "msg=request method=POST path=/api/v2/pins status=201") {
		t.Errorf("log = %q, want the create's access line", life.String())
	}
}
