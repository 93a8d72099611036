package mock

import "github.com/gorilla/mux"

// pageRoutes registers the approval pages and the dashboard.
func (s *Server) pageRoutes(r *mux.Router) {}

// isPagePath reports whether path belongs to the pages (not journaled).
func isPagePath(path string) bool {
	return path == "/" || path == "/auth" || path == "/link" || len(path) > 8 && path[:8] == "/static/"
}
