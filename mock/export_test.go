package mock

// Test hooks: what the external tests (package mock_test) read of the
// package that is not its API.

// Wire constants and input limits.
const (
	LinkLifetime        = linkLifetime
	StrongLifetime      = strongLifetime
	MaxClientIDLen      = maxClientIDLen
	MaxProductLen       = maxProductLen
	NonceLifetime       = nonceLifetime
	NonceRate           = nonceRate
	DefaultMaxBodyBytes = defaultMaxBodyBytes
)

// LivePins reports how many pins are stored, expired but unswept ones
// included.
func (s *Server) LivePins() int { return s.core.livePins() }

// AccountByToken returns the account a legacy token belongs to.
func (s *Server) AccountByToken(token string) (Account, bool) {
	acc, ok := s.core.accounts.byTok(token)
	if !ok {
		return Account{}, false
	}
	return *acc, true
}

// Input-rule sentinels the Go methods return.
var (
	ErrMissingClientID = errMissingClientID
	ErrFieldTooLong    = errFieldTooLong
)
