package mock

import (
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/gorilla/mux"
)

// endpoint is a route's handler: it serves one exchange for one server.
// Routes never change from server to server, so the router that maps paths
// to endpoints is built once per process and shared (routes), and each
// server dispatches through it (Server.serveHTTP).
type endpoint func(s *Server, x *exchange)

// ServeHTTP is never called: Server.serveHTTP calls endpoints itself. It
// lets an endpoint stand where gorilla/mux wants an http.Handler.
func (endpoint) ServeHTTP(http.ResponseWriter, *http.Request) {
	panic("mock: an endpoint was served outside its Server")
}

// routes is the whole API surface: plex.tv's routes, the control API under
// /__mockplex/, the pages, and health. It is built on first use and shared
// by every server of the process; it holds no server state.
var routes = sync.OnceValue(func() *routeTable {
	return &routeTable{
		router: sync.OnceValue(newRouter), poll: api(handlePoll), create: api(handleCreate),
		healthz: endpoint(handleHealthz), readyz: endpoint(handleReadyz), resources: api(handleResourcesV2),
	}
})

// newRouter builds the router of every route. It is built on the first
// request that the fast routes do not take: compiling its patterns is a
// third of a millisecond, which a readiness probe and a first create need
// not wait for.
func newRouter() *mux.Router {
	r := mux.NewRouter()
	r.NotFoundHandler = api(handleNotFound)
	r.MethodNotAllowedHandler = api(handleMethodNotAllowed)

	create := api(handleCreate)
	poll := api(handlePoll)
	link := api(handleLink)
	user := api(handleUser)
	account := api(handleAccount)
	ping := api(handlePing)

	r.Handle("/api/v2/pins", create).Methods(http.MethodPost)
	r.Handle("/api/v2/pins.json", create).Methods(http.MethodPost)
	r.Handle("/api/v2/pins/link", link).Methods(http.MethodPut)
	r.Handle("/api/v2/pins/link.json", link).Methods(http.MethodPut)
	r.Handle("/api/v2/pins/qr/{code}", api(handleQR)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api/v2/pins/{id}", poll).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/api/v2/user", user).Methods(http.MethodGet)
	r.Handle("/api/v2/user.json", user).Methods(http.MethodGet)
	r.Handle("/users/account", account).Methods(http.MethodGet)
	r.Handle("/users/account.json", account).Methods(http.MethodGet)
	r.Handle("/users/account.xml", account).Methods(http.MethodGet)
	r.Handle("/api/v2/ping", ping).Methods(http.MethodGet)
	r.Handle("/api/v2/ping.json", ping).Methods(http.MethodGet)
	r.Handle("/api/v2/auth/jwk", api(handleJWK)).Methods(http.MethodPost)
	r.Handle("/api/v2/auth/nonce", api(handleNonce)).Methods(http.MethodGet)
	r.Handle("/api/v2/auth/token", api(handleToken)).Methods(http.MethodPost)
	r.Handle("/api/v2/auth/keys", api(handleKeys)).Methods(http.MethodGet)
	r.Handle("/pins.xml", api(handleV1Create)).Methods(http.MethodPost)
	r.Handle("/pins/{id}.xml", api(handleV1Poll)).Methods(http.MethodGet)
	// The Location header of POST /pins.xml, which Plex's Roku client polls
	// as given (WIRE.md §1.6).
	r.Handle("/pins/{id}", api(handleV1Poll)).Methods(http.MethodGet)

	r.Handle("/healthz", endpoint(handleHealthz)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/readyz", endpoint(handleReadyz)).Methods(http.MethodGet, http.MethodHead)

	r.Handle(controlPrefix+"/ca.pem", endpoint(handleCAPEM)).Methods(http.MethodGet, http.MethodHead) // public: tls.go
	// The control API's routes are matched by a router of their own,
	// built on its first request: most runs never call it.
	r.PathPrefix(controlPrefix).Handler(endpoint(serveControl))
	pageRoutes(r)
	worldRoutes(r)

	// CORS preflights for plex.tv's paths (WIRE.md §4.5). The control
	// API and the pages get none. A MatcherFunc, not Methods, so other
	// methods on unknown paths get 404 rather than 405.
	r.MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool { return req.Method == http.MethodOptions }).
		Handler(api(handlePreflight))
	return r
}

// routeTable is the router and the endpoints of the routes found without
// it.
type routeTable struct {
	router                        func() *mux.Router
	poll, create, healthz, readyz endpoint
	resources                     endpoint // GET /api/v2/resources, the post-sign-in call apps make most
}

// pinsPrefix is where the poll route's one variable segment starts.
const pinsPrefix = "/api/v2/pins/"

// fast finds the endpoints of the hottest requests (a poll, a create) and
// of the health probes without the router's regular expressions, and the
// poll's id segment. It answers as the router would for them: the poll
// route takes any one segment ({id} is [^/]+), and nothing registered
// before it matches a GET of one. Anything else goes to the router.
func (t *routeTable) fast(r *http.Request) (endpoint, string) {
	p := r.URL.Path
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		if id, ok := strings.CutPrefix(p, pinsPrefix); ok && id != "" && strings.IndexByte(id, '/') < 0 {
			return t.poll, id
		}
		switch p {
		case "/healthz":
			return t.healthz, ""
		case "/readyz":
			return t.readyz, ""
		case "/api/v2/resources":
			return t.resources, ""
		}
	case http.MethodPost:
		if p == "/api/v2/pins" {
			return t.create, ""
		}
	}
	return nil, ""
}

// match finds r's endpoint in router, as gorilla/mux's ServeHTTP would,
// and returns r with the route's variables.
func match(router *mux.Router, r *http.Request) (endpoint, *http.Request) {
	var m mux.RouteMatch
	if !router.Match(r, &m) {
		return nil, r
	}
	if len(m.Vars) > 0 {
		r = mux.SetURLVars(r, m.Vars)
	}
	ep, _ := m.Handler.(endpoint)
	return ep, r
}

// cleanPath is gorilla/mux's canonical form of a path: path.Clean, keeping
// a trailing slash. Unclean paths are redirected to it, as mux does.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	// A rooted path with no empty, . or .. element is clean already: the
	// common case, checked without path.Clean's rewrite.
	if p[0] == '/' && !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return p
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
}

// allowedMethods asks the router which methods match r's path, for a 405's
// Allow header (RFC 9110 §15.5.6).
func allowedMethods(router *mux.Router, r *http.Request) []string {
	var allowed []string
	for _, m := range [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions} {
		probe := r.WithContext(r.Context()) // a shallow copy
		probe.Method = m
		var match mux.RouteMatch
		if router.Match(probe, &match) && match.MatchErr == nil {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// isInternal reports whether path is mockplex's own (control API, pages,
// health): not journaled, and logged at debug.
func isInternal(path string) bool {
	return strings.HasPrefix(path, controlPrefix) || path == "/healthz" || path == "/readyz" || isPagePath(path)
}
