package contract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds how much of a response body the suite reads.
const maxBody = 1 << 20

// errBudget is returned when a run has used up its request budget.
var errBudget = errors.New("request budget exhausted; raise it with WithMaxRequests")

// reqSpec describes one request of the suite.
type reqSpec struct {
	method string
	path   string // appended to the target URL; may carry a query
	header http.Header
	body   string
	// identity selects the X-Plex-Client-Identifier: "" sends the run's
	// own, "-" sends none, anything else is sent as is.
	identity string
	control  bool // a control API request: no X-Plex-* identity
	bare     bool // neither identity nor control token (a browser preflight)
}

// response is what came back.
type response struct {
	req       Request
	status    int
	header    http.Header
	body      []byte
	mediaType string
	start     time.Time // local time the request was sent
	end       time.Time // local time the response was read
}

// date is the response's Date header, or the local receive time.
func (r *response) date() time.Time {
	if d, err := http.ParseTime(r.header.Get("Date")); err == nil {
		return d
	}
	return r.end
}

func describe(req *http.Request) Request {
	u := *req.URL
	if q := u.Query(); q.Has("deviceJWT") {
		// A device JWT without exp polls the pin for as long as it lives.
		q.Set("deviceJWT", "<redacted>")
		u.RawQuery = q.Encode()
	}
	r := Request{Method: req.Method, URL: u.String()}
	relevant := [...]string{
		"Accept", "Content-Type", "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers",
		"X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Token",
	}
	for _, h := range relevant {
		v := req.Header.Get(h)
		if v == "" {
			continue
		}
		if h == "X-Plex-Token" {
			v = "<redacted>"
		}
		if r.Header == nil {
			r.Header = map[string]string{}
		}
		r.Header[h] = v
	}
	return r
}

// do sends spec, retrying on 429 as configured, and returns the response.
// A transport error, a context error or an exhausted budget is returned as
// an error; any HTTP status is a response.
func (r *run) do(ctx context.Context, spec reqSpec) (*response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := r.once(ctx, spec)
		if err != nil {
			return nil, err
		}
		if resp.status != http.StatusTooManyRequests || attempt >= r.cfg.maxRetries {
			return resp, nil
		}
		ra := resp.header.Get("Retry-After")
		wait, ok := parseRetryAfter(ra, resp.date())
		if ra == "" {
			r.observe("", "retry-after", "absent on 429", &resp.req)
		} else {
			r.observe("", "retry-after", ra, &resp.req)
		}
		if !ok {
			wait = 500 * time.Millisecond << attempt
		}
		wait = min(wait, r.cfg.maxWait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

func (r *run) once(ctx context.Context, spec reqSpec) (*response, error) {
	if r.rep.Requests >= r.cfg.maxRequests {
		return nil, errBudget
	}
	u := strings.TrimRight(r.target.URL, "/") + spec.path
	ctx, cancel := context.WithTimeout(ctx, r.cfg.requestTimeout)
	defer cancel()
	var body io.Reader
	if spec.body != "" {
		body = strings.NewReader(spec.body)
	}
	req, err := http.NewRequestWithContext(ctx, spec.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build request %s %s: %w", spec.method, u, err)
	}
	req.Header.Set("User-Agent", Product+"/"+r.cfg.version+" (+https://github.com/mockplex/mockplex)")
	for k, vs := range spec.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	switch {
	case spec.bare:
	case spec.control:
		if r.cfg.controlToken != "" {
			req.Header.Set("X-Mockplex-Token", r.cfg.controlToken)
		}
	default:
		req.Header.Set("X-Plex-Product", Product)
		req.Header.Set("X-Plex-Platform", "Go")
		req.Header.Set("X-Plex-Version", r.cfg.version)
		switch spec.identity {
		case "":
			req.Header.Set("X-Plex-Client-Identifier", r.cfg.clientID)
		case "-":
		default:
			req.Header.Set("X-Plex-Client-Identifier", spec.identity)
		}
	}
	client := r.target.Client
	if client == nil {
		client = http.DefaultClient
	}
	r.rep.Requests++
	out := &response{req: describe(req), start: time.Now()}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", spec.method, u, err)
	}
	defer resp.Body.Close()
	out.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", spec.method, u, err)
	}
	out.end = time.Now()
	out.status = resp.StatusCode
	out.header = resp.Header
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		out.mediaType = mt
	}
	r.cfg.logger.LogAttrs(ctx, slog.LevelDebug, "contract request",
		slog.String("method", spec.method), slog.String("url", u), slog.Int("status", out.status))
	return out, nil
}

// parseRetryAfter parses a Retry-After value, either delay-seconds or an
// HTTP-date (taken relative to now). It reports false when the value is
// neither. Negative results are clamped to zero.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// withQuery appends q to path.
func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
