package mock

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// stateVersion is bumped when the state file's shape changes.
const stateVersion = 1

// stateFile is what SaveState writes: enough to restore a developer's
// session after a restart (pins with their tokens, and the accounts that
// issued them).
type stateFile struct {
	Version  int               `json:"version"`
	SavedAt  time.Time         `json:"savedAt"`
	Accounts []Account         `json:"accounts"`
	Pins     []statePin        `json:"pins"`
	Clients  map[string]string `json:"clientScenarios,omitempty"`
	// Locations is the server's location pool: pins store an index into
	// it, and a restarted server (another seed) would draw a different
	// pool, moving every restored pin to another city.
	Locations []Location `json:"locations,omitempty"`
}

type statePin struct {
	ID        int64  `json:"id"`
	Code      string `json:"code"`
	Product   string `json:"product"`
	ClientID  string `json:"clientIdentifier"`
	Scenario  string `json:"scenario,omitempty"`
	CreatedAt int64  `json:"createdAt"`
	ExpiresAt int64  `json:"expiresAt"`
	Token     string `json:"authToken,omitempty"`
	AccountID int64  `json:"accountId,omitempty"`
	Polls     int32  `json:"polls"`
	Location  uint16 `json:"location"`
	Strong    bool   `json:"strong"`
	Trusted   bool   `json:"trusted"`
	Denied    bool   `json:"denied"`
	NewReg    bool   `json:"newRegistration"`
	Legacy    bool   `json:"legacy"`
}

// SaveState writes the server's pins, accounts and per-client scenarios as
// JSON.
func (s *Server) SaveState(w io.Writer) error {
	st := stateFile{
		Version: stateVersion, SavedAt: s.clock.Now(), Accounts: s.accounts.all(), Clients: s.clients.scenarios(),
		Locations: s.locations,
	}
	for _, p := range s.pins.all() {
		st.Pins = append(st.Pins, statePin{
			ID: p.id, Code: p.code, Product: p.product, ClientID: p.clientID, Scenario: p.scenario,
			CreatedAt: p.createdAt, ExpiresAt: p.expiresAt, Token: p.token, AccountID: p.accountID,
			Polls: p.polls, Location: p.location, Strong: p.strong, Trusted: p.trusted, Denied: p.denied,
			NewReg: p.newReg, Legacy: p.legacy,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(st)
}

// LoadState replaces the server's accounts and adds the pins saved by
// SaveState. Pins that have expired since are dropped. Call it before the
// server takes requests: it replaces the location pool in place.
func (s *Server) LoadState(r io.Reader) error {
	var st stateFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("state is not valid JSON: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("state version %d, want %d", st.Version, stateVersion)
	}
	if len(st.Accounts) > 0 {
		// Swap the contents, not the pointer: handlers may be reading
		// s.accounts concurrently.
		list := make([]*Account, 0, len(st.Accounts))
		byToken := make(map[string]*Account, len(st.Accounts))
		hasDefault := false
		for i := range st.Accounts {
			hasDefault = hasDefault || st.Accounts[i].Default
		}
		for i := range st.Accounts {
			acc := st.Accounts[i]
			acc.Default = acc.Default || !hasDefault && i == 0 // approvals need a default account
			list = append(list, &acc)
			if acc.AuthToken != "" {
				byToken[acc.AuthToken] = &acc
			}
		}
		s.accounts.mu.Lock()
		s.accounts.list, s.accounts.byToken = list, byToken
		s.accounts.mu.Unlock()
	}
	if len(st.Locations) == len(s.locations) {
		copy(s.locations, st.Locations)
	}
	now := s.clock.Now().Unix()
	for _, sp := range st.Pins {
		if sp.ExpiresAt <= now || sp.ID <= 0 || sp.Code == "" {
			continue
		}
		p := &pin{
			id: sp.ID, code: sp.Code, product: sp.Product, clientID: sp.ClientID, scenario: sp.Scenario,
			createdAt: sp.CreatedAt, expiresAt: sp.ExpiresAt, token: sp.Token, accountID: sp.AccountID,
			polls: sp.Polls, location: sp.Location % locationPoolSize, strong: sp.Strong, trusted: sp.Trusted,
			denied: sp.Denied, newReg: sp.NewReg, legacy: sp.Legacy,
		}
		if !s.pins.reserve() {
			return fmt.Errorf("%w while restoring", ErrTooManyPins)
		}
		if !s.pins.insert(p) {
			s.pins.release(1)
		}
	}
	for client, name := range st.Clients {
		if _, ok := s.scripts.get(name); ok {
			s.clients.setScenario(client, name)
		}
	}
	return nil
}
