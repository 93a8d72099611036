package mock

// Test hooks for hardening_test.go (package mock_test), in the manner of
// an export_test.go: what the tests must observe and no public method shows.

// ClientStates reports how many clients the server keeps state for
// (Config.MaxClients caps it).
func ClientStates(s *Server) int { return s.core.clients.len() }
