package mock

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// The JWT family's part of the state file (--state-file, SaveState,
// LoadState).

// jwtSnapshot is the JWT family's part of the state file: the devices,
// the grants (revocations and ended legacy tokens) and the nonces handed
// out.
type jwtSnapshot struct {
	Devices []savedDevice `json:"devices,omitempty"`
	Grants  []savedGrant  `json:"grants,omitempty"`
	Nonces  []savedNonce  `json:"nonces,omitempty"`
}

type savedDevice struct {
	ClientID     string          `json:"clientIdentifier"`
	AccountID    int64           `json:"accountId"`
	Key          json.RawMessage `json:"jwk,omitempty"`
	RegisteredAt time.Time       `json:"registeredAt"`
	Revoked      bool            `json:"revoked,omitempty"`
	Issued       int             `json:"tokensIssued"`
	Tokens       []DeviceToken   `json:"tokens,omitempty"`
}

type savedGrant struct {
	ClientID   string  `json:"clientIdentifier"`
	AccountID  int64   `json:"accountId"`
	Thumbprint string  `json:"thumbprint"`
	Ended      []int64 `json:"legacyTokenEnded,omitempty"` // account ids
	Until      int64   `json:"until"`
	RevokedTo  int64   `json:"revokedTo,omitempty"`
	Removed    bool    `json:"removed,omitempty"`
}

type savedNonce struct {
	Nonce    string    `json:"nonce"`
	ClientID string    `json:"clientIdentifier"`
	Issued   time.Time `json:"issuedAt"`
}

// maxEndedPerGrant bounds a restored grant's ended legacy tokens.
const maxEndedPerGrant = 64

// save copies the family's state for the state file, sorted.
func (j *jwtFamily) save() *jwtSnapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	var s jwtSnapshot
	for id, d := range j.devices {
		sd := savedDevice{ClientID: id, AccountID: d.accountID, RegisteredAt: d.registeredAt, Revoked: d.revoked, Issued: d.issued, Tokens: slices.Clone(d.tokens)}
		if d.key != nil {
			sd.Key, _ = json.Marshal(d.key) // a key ParseJWK made marshals
		}
		s.Devices = append(s.Devices, sd)
	}
	for id, g := range j.grants {
		s.Grants = append(s.Grants, savedGrant{ClientID: id, AccountID: g.account, Thumbprint: g.thumbprint,
			Ended: slices.Clone(g.ended), Until: g.until, RevokedTo: g.revokedTo, Removed: g.removed})
	}
	for n, e := range j.nonces {
		s.Nonces = append(s.Nonces, savedNonce{Nonce: n, ClientID: e.client, Issued: e.issued})
	}
	slices.SortFunc(s.Devices, func(a, b savedDevice) int { return strings.Compare(a.ClientID, b.ClientID) })
	slices.SortFunc(s.Grants, func(a, b savedGrant) int { return strings.Compare(a.ClientID, b.ClientID) })
	slices.SortFunc(s.Nonces, func(a, b savedNonce) int { return strings.Compare(a.Nonce, b.Nonce) })
	if len(s.Devices)+len(s.Grants)+len(s.Nonces) == 0 {
		return nil
	}
	return &s
}

// restore adds a saved state at now, with the rules and caps of the live
// paths: what it cannot trust is dropped and counted in dropped.
func (j *jwtFamily) restore(s *jwtSnapshot, now time.Time, dropped map[string]int) {
	if s == nil {
		return
	}
	okClient := func(id string) bool { return id != "" && checkClientID(id) == nil && routableClientID(id) }
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, sg := range s.Grants {
		switch {
		case !okClient(sg.ClientID) || len(sg.Thumbprint) > 64 || len(sg.Ended) > maxEndedPerGrant:
			dropped["malformed JWT grant"]++
		case j.grants[sg.ClientID] != nil || len(j.grants) >= maxGrants:
			dropped["JWT grant duplicated or over the cap"]++
		default:
			put(&j.grants, sg.ClientID, &grant{account: sg.AccountID, thumbprint: sg.Thumbprint, ended: slices.Clone(sg.Ended),
				until: sg.Until, revokedTo: sg.RevokedTo, removed: sg.Removed})
		}
	}
	for _, sd := range s.Devices {
		var key *plexjwt.DeviceKey
		if len(sd.Key) > 0 {
			k, err := plexjwt.ParseJWK(sd.Key)
			if err != nil {
				dropped["JWT device with a malformed key"]++
				continue
			}
			key = &k
		}
		switch {
		case !okClient(sd.ClientID) || sd.Issued < 0 || len(sd.Tokens) > deviceTokensKept:
			dropped["malformed JWT device"]++
			continue
		case j.devices[sd.ClientID] != nil || (j.maxDevices > 0 && len(j.devices) >= j.maxDevices):
			dropped["JWT device duplicated or over "+j.maxDevicesName]++
			continue
		case key != nil && j.thumbs[key.Thumbprint] != "":
			dropped["JWT device with another device's key"]++
			continue
		}
		put(&j.devices, sd.ClientID, &deviceState{clientID: sd.ClientID, accountID: sd.AccountID, key: key,
			registeredAt: sd.RegisteredAt, revoked: sd.Revoked, issued: sd.Issued, tokens: slices.Clone(sd.Tokens)})
		if key != nil {
			put(&j.thumbs, key.Thumbprint, sd.ClientID)
		}
	}
	for _, sn := range s.Nonces {
		switch {
		case now.Sub(sn.Issued) >= nonceLifetime:
			dropped["expired nonce"]++
		case sn.Nonce == "" || len(sn.Nonce) > maxDeviceNonceLen || !okClient(sn.ClientID) || len(j.nonces) >= maxNonces:
			dropped["malformed nonce or over the cap"]++
		default:
			put(&j.nonces, sn.Nonce, nonceEntry{client: sn.ClientID, issued: sn.Issued})
		}
	}
}
