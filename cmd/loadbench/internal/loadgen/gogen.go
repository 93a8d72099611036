package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// runGo is the Go generator: one goroutine per connection, each writing a
// pre-rendered HTTP/1.1 request and reading the whole response before the
// next (no pipelining), like wrk.
func runGo(ctx context.Context, cfg Config) (Result, error) {
	u, _ := url.Parse(cfg.URL)
	reqs := make([][]byte, len(cfg.Paths))
	for i, p := range cfg.Paths {
		reqs[i] = renderRequest(cfg.Method, u.Host, p, cfg.Header)
	}
	// For IDs, the request is head + id + tail.
	var head, tail []byte
	if len(cfg.IDs) > 0 {
		const mark = "\x00ID\x00"
		r := renderRequest(cfg.Method, u.Host, strings.Replace(cfg.Template, "{id}", mark, 1), cfg.Header)
		i := bytes.Index(r, []byte(mark))
		head, tail = r[:i], r[i+len(mark):]
	}
	// One connection first, so an unreachable target is an error rather
	// than a run of errors.
	probe, err := net.Dial("tcp", u.Host)
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: connect to %s: %w", u.Host, err)
	}
	probe.Close()

	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	type connResult struct {
		lat     []time.Duration
		samples []Sample
		errs    int64
	}
	results := make([]connResult, cfg.Conns)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range cfg.Conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			rnd := rand.New(rand.NewPCG(uint64(i), 0x9e3779b97f4a7c15))
			r.lat = make([]time.Duration, 0, 4096)
			w := worker{host: u.Host, method: cfg.Method}
			defer w.close()
			var buf []byte
			for ctx.Err() == nil {
				var req []byte
				if len(cfg.IDs) > 0 {
					buf = append(buf[:0], head...)
					buf = strconv.AppendInt(buf, cfg.IDs[rnd.IntN(len(cfg.IDs))], 10)
					buf = append(buf, tail...)
					req = buf
				} else {
					req = reqs[rnd.IntN(len(reqs))]
				}
				t0 := time.Now()
				ok, err := w.do(req)
				lat := time.Since(t0)
				if err != nil && ctx.Err() != nil {
					return // cut off by the end of the run
				}
				r.lat = append(r.lat, lat)
				if cfg.Samples {
					r.samples = append(r.samples, Sample{At: t0.Sub(start), Latency: lat, OK: ok})
				}
				if !ok {
					r.errs++
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	res := Result{Generator: Go, Elapsed: elapsed}
	var all []time.Duration
	for i := range results {
		all = append(all, results[i].lat...)
		res.Samples = append(res.Samples, results[i].samples...)
		res.Errors += results[i].errs
	}
	res.Requests = int64(len(all))
	res.P50, res.P99, res.Max = summarize(all)
	return res, nil
}

// renderRequest writes an HTTP/1.1 request with an empty body.
func renderRequest(method, host, path string, h http.Header) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, path, host)
	for k, vs := range h {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if method == http.MethodPost || method == http.MethodPut {
		b.WriteString("Content-Length: 0\r\n")
	}
	b.WriteString("\r\n")
	return []byte(b.String())
}

// worker is one keep-alive connection, redialled after an error.
type worker struct {
	host   string
	method string
	conn   net.Conn
	br     *bufio.Reader
}

func (w *worker) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// do sends req and reads the answer; ok reports a 2xx.
func (w *worker) do(req []byte) (ok bool, err error) {
	if w.conn == nil {
		c, err := net.Dial("tcp", w.host)
		if err != nil {
			return false, err
		}
		w.conn, w.br = c, bufio.NewReaderSize(c, 16<<10)
	}
	if _, err := w.conn.Write(req); err != nil {
		w.close()
		return false, err
	}
	resp, err := http.ReadResponse(w.br, &http.Request{Method: w.method})
	if err != nil {
		w.close()
		return false, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.Close {
		w.close()
	}
	return resp.StatusCode/100 == 2, err
}
