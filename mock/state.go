package mock

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
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
	// JWT is the JWT family's state: devices, revocations, ended legacy
	// tokens and nonces.
	JWT *jwtSnapshot `json:"jwt,omitempty"`
	// Locations was the server's location pool; the pool is now fixed per
	// binary, so it is no longer written, and read only to be ignored.
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
	// JWK is a JWK pin's device key, JWT the Plex JWT it issued.
	JWK json.RawMessage `json:"jwk,omitempty"`
	JWT string          `json:"jwt,omitempty"`
}

// SaveState writes the server's pins, accounts, per-client scenarios and
// JWT state (devices, revocations, ended legacy tokens, nonces) as JSON.
func (s *Server) SaveState(w io.Writer) error {
	c := &s.core
	st := stateFile{
		Version: stateVersion, SavedAt: c.clock.Now(), Accounts: c.accountList(), Clients: c.clientScenarios(),
		Pins: c.statePins(), JWT: c.jwt.save(),
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(st)
}

// LoadState replaces the server's accounts and adds the pins saved by
// SaveState. A state file is not trusted: accounts without a token or with
// another account's token or id, and pins that are expired, malformed,
// duplicated, claimed by no restored account, or over the pin limits are
// dropped, and the server's log says how many of each. Call it before the
// server takes requests.
func (s *Server) LoadState(r io.Reader) error {
	c := &s.core
	var st stateFile
	dec := json.NewDecoder(r)
	if err := dec.Decode(&st); err != nil {
		return fmt.Errorf("state is not valid JSON: %w", err)
	}
	if st.Version != stateVersion {
		return fmt.Errorf("state version %d, want %d", st.Version, stateVersion)
	}
	dropped := map[string]int{}
	tokens := map[string]bool{}
	ids := map[int64]bool{}
	var list []*Account
	for i := range st.Accounts {
		acc := st.Accounts[i]
		switch {
		case acc.AuthToken == "":
			dropped["account without a token"]++
		case tokens[acc.AuthToken]:
			dropped["account sharing another's token"]++
		case ids[acc.ID]:
			dropped["account sharing another's id"]++
		default:
			tokens[acc.AuthToken], ids[acc.ID] = true, true
			list = append(list, &acc)
		}
	}
	if len(list) > 0 {
		hasDefault := false
		for _, acc := range list {
			hasDefault = hasDefault || acc.Default
		}
		if !hasDefault {
			list[0].Default = true // approvals need a default account
		}
		c.restoreAccounts(list)
	}
	// Saved pools (before the pool was fixed per binary) are ignored:
	// pins keep their index into this binary's pool.
	// Restored pins keep their order: oldest first, so the newest gets the
	// highest sequence number.
	slices.SortStableFunc(st.Pins, func(a, b statePin) int { return cmp.Compare(a.CreatedAt, b.CreatedAt) })
	for _, sp := range st.Pins {
		if why := c.restorePin(sp); why != "" {
			dropped[why]++
		}
	}
	c.jwt.restore(st.JWT, c.clock.Now(), dropped)
	for client, name := range st.Clients {
		err := ErrUnknownScenario
		if name != "" { // "" would clear, not restore
			err = c.setClientScenario(client, name)
		}
		switch {
		case errors.Is(err, ErrUnknownScenario):
			dropped["client scenario no longer known"]++
		case err != nil:
			dropped["client scenario over the client limit"]++
		}
	}
	if len(dropped) > 0 {
		attrs := make([]any, 0, 2*len(dropped))
		for _, why := range slices.Sorted(maps.Keys(dropped)) {
			attrs = append(attrs, why, dropped[why])
		}
		s.log.Warn("state restored in part; dropped what it could not trust", attrs...)
	}
	return nil
}

// statePins returns the stored pins as SaveState writes them, oldest
// first: a restore keeps the order.
func (c *core) statePins() []statePin {
	all := c.pins.all()
	slices.SortFunc(all, func(a, b pin) int { return cmp.Compare(a.seq, b.seq) })
	var out []statePin
	for _, p := range all {
		var jwk json.RawMessage
		if p.jwk != nil {
			jwk, _ = json.Marshal(p.jwk) // a key ParseJWK made marshals
		}
		out = append(out, statePin{
			JWK: jwk, JWT: p.jwt,
			ID: p.id, Code: p.code, Product: p.product, ClientID: p.clientID, Scenario: p.scenario,
			CreatedAt: p.createdAt, ExpiresAt: p.expiresAt, Token: p.token, AccountID: p.accountID,
			Polls: p.polls, Location: p.location, Strong: p.strong, Trusted: p.trusted, Denied: p.denied,
			NewReg: p.newReg, Legacy: p.legacy,
		})
	}
	return out
}

// restoreAccounts makes list the server's accounts, as LoadState does.
func (c *core) restoreAccounts(list []*Account) { c.accounts.replace(list) }

// restorePin stores a pin LoadState read, under the input rules every new
// pin obeys, or says why it dropped it.
func (c *core) restorePin(sp statePin) (dropped string) {
	kind := Link
	if sp.Strong {
		kind = Strong
	}
	switch {
	case sp.ExpiresAt <= c.clock.Now().Unix():
		return "expired pin"
	case sp.ID <= 0 || !isKind(sp.Code, kind) || sp.ClientID == "" || checkClientID(sp.ClientID) != nil:
		return "malformed pin"
	case sp.Token != "":
		if _, ok := c.accounts.byTok(sp.Token); !ok {
			return "pin claimed by no restored account"
		}
	}
	var jwk *plexjwt.DeviceKey
	if len(sp.JWK) > 0 {
		k, err := plexjwt.ParseJWK(sp.JWK)
		if err != nil || len(sp.JWT) > plexjwt.MaxTokenSize || (sp.JWT != "" && sp.Token == "") {
			return "JWK pin with a malformed key or token"
		}
		jwk = &k
	} else if sp.JWT != "" {
		return "JWK pin with a malformed key or token"
	}
	p := &pin{
		id: sp.ID, code: sp.Code, product: productName(sp.Product), clientID: sp.ClientID, scenario: sp.Scenario,
		createdAt: sp.CreatedAt, expiresAt: sp.ExpiresAt, token: sp.Token, accountID: sp.AccountID,
		polls: sp.Polls, location: sp.Location % locationPoolSize, strong: sp.Strong, trusted: sp.Trusted,
		denied: sp.Denied && sp.Token == "", newReg: sp.NewReg, legacy: sp.Legacy, seq: c.seq.Add(1),
		jwk: jwk, jwt: sp.JWT,
	}
	if !c.pins.reserve(kind) {
		return "pin over the pin limit"
	}
	if !c.pins.insert(p) {
		c.pins.release(kind, 1)
		return "pin with a duplicate id or code"
	}
	return ""
}
