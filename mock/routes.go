package mock

import (
	"net/http"
	"sync"

	"github.com/gorilla/mux"
)

// routes is the whole API surface: plex.tv's routes, the control API under
// /__mockplex/, the pages, and health. Journal, access log, recovery and
// body limits wrap the router from outside, because gorilla/mux's Use skips
// its 404 and 405 handlers.
func (s *Server) routes() http.Handler {
	r := mux.NewRouter()
	s.router = r
	r.NotFoundHandler = s.api(s.handleNotFound)
	r.MethodNotAllowedHandler = s.api(s.handleMethodNotAllowed)

	create := s.api(s.handleCreate)
	poll := s.api(s.handlePoll)
	link := s.api(s.handleLink)
	user := s.api(s.handleUser)
	account := s.api(s.handleAccount)
	ping := s.api(s.handlePing)

	r.Handle("/api/v2/pins", create).Methods(http.MethodPost)
	r.Handle("/api/v2/pins.json", create).Methods(http.MethodPost)
	r.Handle("/api/v2/pins/link", link).Methods(http.MethodPut)
	r.Handle("/api/v2/pins/link.json", link).Methods(http.MethodPut)
	r.Handle("/api/v2/pins/qr/{code}", s.api(s.handleQR)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api/v2/pins/{id}", poll).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api/v2/user", user).Methods(http.MethodGet)
	r.Handle("/api/v2/user.json", user).Methods(http.MethodGet)
	r.Handle("/users/account", account).Methods(http.MethodGet)
	r.Handle("/users/account.json", account).Methods(http.MethodGet)
	r.Handle("/users/account.xml", account).Methods(http.MethodGet)
	r.Handle("/api/v2/ping", ping).Methods(http.MethodGet)
	r.Handle("/api/v2/ping.json", ping).Methods(http.MethodGet)
	r.Handle("/pins.xml", s.api(s.handleV1Create)).Methods(http.MethodPost)
	r.Handle("/pins/{id}.xml", s.api(s.handleV1Poll)).Methods(http.MethodGet)
	// The Location header of POST /pins.xml, which Plex's Roku client polls
	// as given (wire contract §1.6).
	r.Handle("/pins/{id}", s.api(s.handleV1Poll)).Methods(http.MethodGet)

	r.HandleFunc("/healthz", s.handleHealthz).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/readyz", s.handleReadyz).Methods(http.MethodGet, http.MethodHead)

	// The control API's ~30 routes are built on its first request: most
	// runs never call it, and compiling their patterns is start-up time.
	control := sync.OnceValue(func() http.Handler {
		cr := mux.NewRouter()
		s.controlRoutes(cr.PathPrefix(controlPrefix).Subrouter())
		return cr
	})
	r.PathPrefix(controlPrefix).Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		control().ServeHTTP(w, req)
	}))
	s.pageRoutes(r)

	// CORS preflights for plex.tv's paths (wire contract §4.5). The control
	// API and the pages get none.
	// A MatcherFunc, not Methods, so other methods on unknown paths get 404
	// rather than 405.
	r.MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool { return req.Method == http.MethodOptions }).
		Handler(s.api(s.handlePreflight))

	return s.observe(r)
}
