package mock

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
)

const (
	controlPrefix = "/__mockplex"
	// TokenHeader carries the control token when one is set.
	TokenHeader = "X-Mockplex-Token"
)

// controlRoutes registers the control API: JSON in and out, never CORS.
func (s *Server) controlRoutes(r *mux.Router) {
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		writeControlError(w, http.StatusNotFound, fmt.Errorf("no control route %s %s; see the README's control API table", req.Method, req.URL.Path))
	})
	handle := func(path string, h http.HandlerFunc, methods ...string) {
		r.Handle(path, s.guard(h)).Methods(methods...)
		// Any other method on the path gets the control API's 405. (A
		// subrouter's MethodNotAllowedHandler is not reached: gorilla/mux
		// falls through to its NotFoundHandler.)
		allow := strings.Join(methods, ", ")
		r.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Allow", allow)
			writeControlError(w, http.StatusMethodNotAllowed, fmt.Errorf("%s %s: this control route takes %s", req.Method, req.URL.Path, allow))
		}))
	}
	handle("/pins", s.ctlPins, http.MethodGet)
	handle("/pins/{id}", s.ctlPin, http.MethodGet)
	handle("/pins/{id}/approve", s.ctlApprove, http.MethodPost)
	handle("/pins/{id}/deny", s.ctlDeny, http.MethodPost)
	handle("/pins/{id}/expire", s.ctlExpire, http.MethodPost)
	handle("/reset", s.ctlReset, http.MethodPost)
	handle("/requests", s.ctlRequests, http.MethodGet, http.MethodDelete)
	handle("/accounts", s.ctlAccounts, http.MethodGet)
	handle("/scenarios", s.ctlScenarios, http.MethodGet)
	handle("/clients/{client}/scenario", s.ctlClientScenario, http.MethodGet, http.MethodPut, http.MethodDelete)
	handle("/clock", s.ctlClock, http.MethodGet)
	handle("/clock/advance", s.ctlClockAdvance, http.MethodPost)
	handle("/clock/freeze", s.ctlClockFreeze, http.MethodPost)
	handle("/clock/resume", s.ctlClockResume, http.MethodPost)
}

// guard refuses the control API when it is off, and checks the token in
// constant time when one is set.
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.cfg.control {
			writeControlError(w, http.StatusNotFound, errors.New("the control API is off; start mockplex with --control on"))
			return
		}
		if !s.controlAllowed(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mockplex"`)
			writeControlError(w, http.StatusUnauthorized, fmt.Errorf("%w: send it as %s or Authorization: Bearer", ErrControlForbidden, TokenHeader))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// controlAllowed checks the request's control token, if the server has one.
func (s *Server) controlAllowed(r *http.Request) bool {
	want := s.cfg.controlToken
	if want == "" {
		return true
	}
	got := r.Header.Get(TokenHeader)
	if got == "" {
		// The scheme name is case-insensitive (RFC 9110 §11.1).
		if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
			got = strings.TrimSpace(cred)
		}
	}
	if got == "" {
		if c, err := r.Cookie("mockplex_token"); err == nil {
			got = c.Value
		}
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func ctlPinID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := parsePinID(mux.Vars(r)["id"])
	if !ok {
		writeControlError(w, http.StatusBadRequest, fmt.Errorf("%w, got %q", ErrBadPinID, mux.Vars(r)["id"]))
	}
	return id, ok
}

// ctlStatus maps the Go methods' errors to control API statuses.
func ctlStatus(err error) int {
	switch {
	case errors.Is(err, ErrPinNotFound):
		return http.StatusNotFound
	case errors.Is(err, ErrPinDenied), errors.Is(err, ErrPinClaimed):
		return http.StatusConflict
	case errors.Is(err, ErrAccountNotFound), errors.Is(err, ErrUnknownScenario), errors.Is(err, ErrBadPinID):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (s *Server) ctlPins(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, s.Pins())
}

func (s *Server) ctlPin(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlPinID(w, r)
	if !ok {
		return
	}
	info, err := s.PinInfo(id)
	if err != nil {
		writeControlError(w, ctlStatus(err), err)
		return
	}
	writeControl(w, http.StatusOK, info)
}

// approveBody is the optional body of POST /__mockplex/pins/{id}/approve.
type approveBody struct {
	Account         string `json:"account"`
	NewRegistration bool   `json:"newRegistration"`
}

func (s *Server) ctlApprove(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlPinID(w, r)
	if !ok {
		return
	}
	var body approveBody
	if err := decodeOptionalJSON(r, &body); err != nil {
		writeControlError(w, bodyStatus(err), err)
		return
	}
	acc, found := s.accounts.find(body.Account)
	if !found {
		writeControlError(w, http.StatusBadRequest, fmt.Errorf("%w: %q; GET %s/accounts lists them", ErrAccountNotFound, body.Account, controlPrefix))
		return
	}
	info, err := s.claim(id, acc, body.NewRegistration)
	if err != nil {
		writeControlError(w, ctlStatus(err), err)
		return
	}
	writeControl(w, http.StatusOK, info)
}

// decodeOptionalJSON decodes a JSON body into v; an empty body is fine.
func decodeOptionalJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body must be a JSON object like %s: %w", exampleFor(v), err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("body must be one JSON object like %s, with nothing after it", exampleFor(v))
	}
	return nil
}

// bodyStatus is 413 for a body over the limit, else 400.
func bodyStatus(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

func exampleFor(v any) string {
	switch v.(type) {
	case *approveBody:
		return `{"account":"username"}`
	case *scenarioBody:
		return `{"scenario":"NAME"}`
	}
	return "{}"
}

func (s *Server) ctlDeny(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlPinID(w, r)
	if !ok {
		return
	}
	info, err := s.Deny(id)
	if err != nil {
		writeControlError(w, ctlStatus(err), err)
		return
	}
	writeControl(w, http.StatusOK, info)
}

func (s *Server) ctlExpire(w http.ResponseWriter, r *http.Request) {
	id, ok := ctlPinID(w, r)
	if !ok {
		return
	}
	info, err := s.Expire(id)
	if err != nil {
		writeControlError(w, ctlStatus(err), err)
		return
	}
	writeControl(w, http.StatusOK, info)
}

func (s *Server) ctlReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

// ctlRequests lists (GET) or clears (DELETE) the journal. Filters: method,
// path (a prefix), client, scenario, status, pin, limit.
func (s *Server) ctlRequests(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		s.ClearRequests()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	q := r.URL.Query()
	f := RequestFilter{
		Method: q.Get("method"), PathPrefix: q.Get("path"), ClientIdentifier: q.Get("client"),
		Scenario: q.Get("scenario"),
	}
	for name, dst := range map[string]*int{"status": &f.Status, "limit": &f.Limit} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				writeControlError(w, http.StatusBadRequest, fmt.Errorf("query %s must be a non-negative integer, got %q", name, v))
				return
			}
			*dst = n
		}
	}
	if v := q.Get("pin"); v != "" {
		id, ok := parsePinID(v)
		if !ok {
			writeControlError(w, http.StatusBadRequest, fmt.Errorf("query pin must be a pin id, got %q", v))
			return
		}
		f.PinID = id
	}
	writeControl(w, http.StatusOK, s.Requests(f))
}

func (s *Server) ctlAccounts(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, s.Accounts())
}

func (s *Server) ctlScenarios(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, map[string]any{
		"default": s.cfg.scenario, "known": s.Scenarios(), "clients": s.ClientScenarios(),
	})
}

type scenarioBody struct {
	Scenario string `json:"scenario"`
}

func (s *Server) ctlClientScenario(w http.ResponseWriter, r *http.Request) {
	client := mux.Vars(r)["client"]
	switch r.Method {
	case http.MethodGet:
		writeControl(w, http.StatusOK, scenarioBody{Scenario: s.clients.scenario(client)})
		return
	case http.MethodDelete:
		s.clients.setScenario(client, "")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var body scenarioBody
	if err := decodeOptionalJSON(r, &body); err != nil {
		writeControlError(w, bodyStatus(err), err)
		return
	}
	if err := s.SetClientScenario(client, body.Scenario); err != nil {
		writeControlError(w, ctlStatus(err), err)
		return
	}
	writeControl(w, http.StatusOK, body)
}

// ClockState is the control API's view of the clock.
type ClockState struct {
	Now    time.Time `json:"now"`
	Frozen bool      `json:"frozen"`
	Offset string    `json:"offset"`
}

func (s *Server) clockState() ClockState {
	return ClockState{Now: s.clock.Now(), Frozen: s.clock.Frozen(), Offset: s.clock.Offset().Round(time.Millisecond).String()}
}

func (s *Server) ctlClock(w http.ResponseWriter, r *http.Request) {
	writeControl(w, http.StatusOK, s.clockState())
}

func (s *Server) ctlClockAdvance(w http.ResponseWriter, r *http.Request) {
	by := r.URL.Query().Get("by")
	d, err := time.ParseDuration(by)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, fmt.Errorf("query by must be a Go duration such as 30m or 90s, got %q", by))
		return
	}
	if err := s.clock.Advance(d); err != nil {
		writeControlError(w, http.StatusBadRequest, err)
		return
	}
	writeControl(w, http.StatusOK, s.clockState())
}

func (s *Server) ctlClockFreeze(w http.ResponseWriter, r *http.Request) {
	s.clock.Freeze()
	writeControl(w, http.StatusOK, s.clockState())
}

func (s *Server) ctlClockResume(w http.ResponseWriter, r *http.Request) {
	s.clock.Resume()
	writeControl(w, http.StatusOK, s.clockState())
}
