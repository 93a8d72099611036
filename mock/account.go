package mock

import (
	"encoding/xml"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/brianvoe/gofakeit/v6"
)

// Account is a fake plex.tv account that can claim pins.
type Account struct {
	ID        int64     `json:"id"`
	UUID      string    `json:"uuid"`
	Username  string    `json:"username"`
	Title     string    `json:"title"`
	Email     string    `json:"email"`
	Thumb     string    `json:"thumb"`
	Locale    string    `json:"locale"`
	Country   string    `json:"country"`
	AuthToken string    `json:"authToken"`
	JoinedAt  time.Time `json:"joinedAt"`
	// Default marks the account that claims pins when no account is named.
	Default bool `json:"default"`
}

// accounts is the server's set of fake accounts, found by token or name.
type accounts struct {
	mu      sync.RWMutex
	list    []*Account
	byToken map[string]*Account
	// generated are the accounts made for sign-ups (new-account), oldest
	// first: reset forgets them and the cap drops the oldest.
	generated []*Account
}

func newAccount(f *gofakeit.Faker, joinedBefore time.Time) *Account {
	first, last := f.FirstName(), f.LastName()
	username := strings.ToLower(first + "." + last)
	uuid := strings.ReplaceAll(f.UUID(), "-", "")[:16]
	return &Account{
		ID:        int64(f.IntRange(10_000_000, 99_999_999)),
		UUID:      uuid,
		Username:  username,
		Title:     first + " " + last,
		Email:     username + "@" + f.DomainName(),
		Thumb:     "https://plex.tv/users/" + uuid + "/avatar?c=" + f.DigitN(10),
		Locale:    "en",
		Country:   "US",
		AuthToken: randString(f.Rand, tokenAlphabet[:62], 20),
		JoinedAt:  joinedBefore.Add(-time.Duration(f.IntRange(30, 3000)) * 24 * time.Hour).Truncate(time.Second),
	}
}

func newAccounts(f *gofakeit.Faker, n int, now time.Time) *accounts {
	a := &accounts{byToken: make(map[string]*Account)}
	for i := range n {
		acc := newAccount(f, now)
		acc.Default = i == 0
		a.add(acc)
	}
	return a
}

// add adds an account the server starts with or restores.
func (a *accounts) add(acc *Account) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, acc)
	a.byToken[acc.AuthToken] = acc
}

// addGenerated adds an account made for a sign-up; with max > 0 and as
// many made already, the oldest made one is dropped first.
func (a *accounts) addGenerated(acc *Account, max int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if max > 0 && len(a.generated) >= max {
		a.drop(a.generated[0])
		a.generated = a.generated[1:]
	}
	a.list = append(a.list, acc)
	a.byToken[acc.AuthToken] = acc
	a.generated = append(a.generated, acc)
}

// drop removes acc from the list and the token index; the caller holds mu.
func (a *accounts) drop(acc *Account) {
	delete(a.byToken, acc.AuthToken)
	if i := slices.Index(a.list, acc); i >= 0 {
		a.list = slices.Delete(a.list, i, i+1)
	}
}

// replace makes list the accounts (a restore), made ones included in none.
// It swaps the contents, not the set: handlers may be reading it.
func (a *accounts) replace(list []*Account) {
	byToken := make(map[string]*Account, len(list))
	for _, acc := range list {
		byToken[acc.AuthToken] = acc
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list, a.byToken, a.generated = list, byToken, nil
}

// forgetGenerated drops every account made for a sign-up.
func (a *accounts) forgetGenerated() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, acc := range a.generated {
		a.drop(acc)
	}
	a.generated = nil
}

// byID finds an account by its id.
func (a *accounts) byID(id int64) (*Account, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, acc := range a.list {
		if acc.ID == id {
			return acc, true
		}
	}
	return nil, false
}

func (a *accounts) byTok(token string) (*Account, bool) {
	if token == "" {
		return nil, false
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	acc, ok := a.byToken[token]
	return acc, ok
}

// find looks an account up by username, id or email; "" is the default.
func (a *accounts) find(name string) (*Account, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, acc := range a.list {
		if name == "" && acc.Default || name != "" && (strings.EqualFold(acc.Username, name) ||
			strings.EqualFold(acc.Email, name) || acc.UUID == name || strconv.FormatInt(acc.ID, 10) == name) {
			return acc, true
		}
	}
	return nil, false
}

func (a *accounts) all() []Account {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]Account, len(a.list))
	for i, acc := range a.list {
		out[i] = *acc
	}
	return out
}

// userJSON is the body of GET /api/v2/user in JSON: dates are epoch seconds
// there, unlike the pin's (WIRE.md §1.7).
type userJSON struct {
	ID                      int64           `json:"id"`
	UUID                    string          `json:"uuid"`
	Username                string          `json:"username"`
	Title                   string          `json:"title"`
	Email                   string          `json:"email"`
	FriendlyName            string          `json:"friendlyName"`
	Locale                  string          `json:"locale"`
	Confirmed               bool            `json:"confirmed"`
	JoinedAt                int64           `json:"joinedAt"`
	EmailOnlyAuth           bool            `json:"emailOnlyAuth"`
	HasPassword             bool            `json:"hasPassword"`
	Protected               bool            `json:"protected"`
	Thumb                   string          `json:"thumb"`
	AuthToken               string          `json:"authToken"`
	MailingListStatus       string          `json:"mailingListStatus"`
	MailingListActive       bool            `json:"mailingListActive"`
	ScrobbleTypes           string          `json:"scrobbleTypes"`
	Country                 string          `json:"country"`
	Subscription            subscription    `json:"subscription"`
	SubscriptionDescription *string         `json:"subscriptionDescription"`
	Restricted              bool            `json:"restricted"`
	Anonymous               *bool           `json:"anonymous"`
	Home                    bool            `json:"home"`
	Guest                   bool            `json:"guest"`
	HomeSize                int             `json:"homeSize"`
	HomeAdmin               bool            `json:"homeAdmin"`
	MaxHomeSize             int             `json:"maxHomeSize"`
	RememberExpiresAt       int64           `json:"rememberExpiresAt"`
	Profile                 profile         `json:"profile"`
	Entitlements            []string        `json:"entitlements"`
	Roles                   []string        `json:"roles"`
	Services                []any           `json:"services"`
	AdsConsent              *bool           `json:"adsConsent"`
	ExperimentalFeatures    bool            `json:"experimentalFeatures"`
	TwoFactorEnabled        bool            `json:"twoFactorEnabled"`
	BackupCodesCreated      bool            `json:"backupCodesCreated"`
	Attribution             *map[string]any `json:"attributionPartner"`
}

type subscription struct {
	Active         bool     `json:"active"`
	SubscribedAt   *string  `json:"subscribedAt"`
	Status         string   `json:"status"`
	PaymentService *string  `json:"paymentService"`
	Plan           *string  `json:"plan"`
	Features       []string `json:"features"`
}

type profile struct {
	AutoSelectAudio              bool   `json:"autoSelectAudio"`
	DefaultAudioLanguage         string `json:"defaultAudioLanguage"`
	DefaultSubtitleLanguage      string `json:"defaultSubtitleLanguage"`
	AutoSelectSubtitle           int    `json:"autoSelectSubtitle"`
	DefaultSubtitleAccessibility int    `json:"defaultSubtitleAccessibility"`
	DefaultSubtitleForces        int    `json:"defaultSubtitleForces"`
}

func (acc *Account) userJSON(now time.Time) userJSON {
	j := userJSON{
		ID: acc.ID, UUID: acc.UUID, Username: acc.Username, Title: acc.Title, Email: acc.Email,
		FriendlyName: acc.Title, Locale: acc.Locale, Confirmed: true, JoinedAt: acc.JoinedAt.Unix(),
		HasPassword: true, Thumb: acc.Thumb, AuthToken: acc.AuthToken, MailingListStatus: "active",
		Country: acc.Country, Subscription: subscription{Status: "Inactive", Features: []string{}},
		Home: false, MaxHomeSize: 15, RememberExpiresAt: now.Add(14 * 24 * time.Hour).Unix(),
		Profile:      profile{AutoSelectAudio: true, DefaultAudioLanguage: "en", DefaultSubtitleLanguage: "en"},
		Entitlements: []string{}, Roles: []string{}, Services: []any{},
	}
	return j
}

// userXML is GET /api/v2/user in XML: a <user> root with attributes and the
// <subscription> and <profile> children python-plexapi reads (§1.7).
type userXML struct {
	XMLName           xml.Name `xml:"user"`
	ID                int64    `xml:"id,attr"`
	UUID              string   `xml:"uuid,attr"`
	Username          string   `xml:"username,attr"`
	Title             string   `xml:"title,attr"`
	Email             string   `xml:"email,attr"`
	FriendlyName      string   `xml:"friendlyName,attr"`
	Locale            string   `xml:"locale,attr"`
	Confirmed         xmlBool  `xml:"confirmed,attr"`
	JoinedAt          int64    `xml:"joinedAt,attr"`
	EmailOnlyAuth     xmlBool  `xml:"emailOnlyAuth,attr"`
	HasPassword       xmlBool  `xml:"hasPassword,attr"`
	Protected         xmlBool  `xml:"protected,attr"`
	Thumb             string   `xml:"thumb,attr"`
	AuthToken         string   `xml:"authToken,attr"`
	AuthenticationTok string   `xml:"authenticationToken,attr"`
	MailingListStatus string   `xml:"mailingListStatus,attr"`
	MailingListActive xmlBool  `xml:"mailingListActive,attr"`
	ScrobbleTypes     string   `xml:"scrobbleTypes,attr"`
	Country           string   `xml:"country,attr"`
	Restricted        xmlBool  `xml:"restricted,attr"`
	Home              xmlBool  `xml:"home,attr"`
	Guest             xmlBool  `xml:"guest,attr"`
	HomeSize          int      `xml:"homeSize,attr"`
	HomeAdmin         xmlBool  `xml:"homeAdmin,attr"`
	MaxHomeSize       int      `xml:"maxHomeSize,attr"`
	RememberExpiresAt int64    `xml:"rememberExpiresAt,attr"`
	TwoFactorEnabled  xmlBool  `xml:"twoFactorEnabled,attr"`
	Subscription      struct {
		Active         xmlBool  `xml:"active,attr"`
		SubscribedAt   string   `xml:"subscribedAt,attr"`
		Status         string   `xml:"status,attr"`
		PaymentService string   `xml:"paymentService,attr"`
		Plan           string   `xml:"plan,attr"`
		Features       struct{} `xml:"features"`
	} `xml:"subscription"`
	Profile struct {
		AutoSelectAudio              xmlBool `xml:"autoSelectAudio,attr"`
		DefaultAudioLanguage         string  `xml:"defaultAudioLanguage,attr"`
		DefaultSubtitleLanguage      string  `xml:"defaultSubtitleLanguage,attr"`
		AutoSelectSubtitle           int     `xml:"autoSelectSubtitle,attr"`
		DefaultSubtitleAccessibility int     `xml:"defaultSubtitleAccessibility,attr"`
		DefaultSubtitleForces        int     `xml:"defaultSubtitleForces,attr"`
	} `xml:"profile"`
	Entitlements struct{} `xml:"entitlements"`
	Roles        struct{} `xml:"roles"`
	Services     struct{} `xml:"services"`
}

func (acc *Account) userXML(now time.Time) *userXML { return userXMLOf(acc.userJSON(now)) }

// userXMLOf is the XML form of a /api/v2/user body.
func userXMLOf(j userJSON) *userXML {
	x := &userXML{
		ID: j.ID, UUID: j.UUID, Username: j.Username, Title: j.Title, Email: j.Email,
		FriendlyName: j.FriendlyName, Locale: j.Locale, Confirmed: true, JoinedAt: j.JoinedAt,
		Thumb: j.Thumb, AuthToken: j.AuthToken, AuthenticationTok: j.AuthToken,
		MailingListStatus: j.MailingListStatus, Country: j.Country, MaxHomeSize: j.MaxHomeSize,
		RememberExpiresAt: j.RememberExpiresAt,
		Protected:         xmlBool(j.Protected), Restricted: xmlBool(j.Restricted), Home: xmlBool(j.Home),
		HomeAdmin: xmlBool(j.HomeAdmin), HomeSize: j.HomeSize, HasPassword: xmlBool(j.HasPassword),
	}
	x.Subscription.Status = j.Subscription.Status
	x.Profile.AutoSelectAudio = true
	x.Profile.DefaultAudioLanguage = "en"
	x.Profile.DefaultSubtitleLanguage = "en"
	return x
}

// accountJSON is the legacy GET /users/account.json body: {"user": {...}}.
type accountJSON struct {
	User legacyUser `json:"user"`
}

type legacyUser struct {
	ID                  int64        `json:"id"`
	UUID                string       `json:"uuid"`
	Email               string       `json:"email"`
	JoinedAt            string       `json:"joined_at"`
	Username            string       `json:"username"`
	Title               string       `json:"title"`
	Thumb               string       `json:"thumb"`
	HasPassword         bool         `json:"hasPassword"`
	AuthToken           string       `json:"authToken"`
	AuthenticationToken string       `json:"authentication_token"`
	Subscription        subscription `json:"subscription"`
	Roles               struct {
		Roles []string `json:"roles"`
	} `json:"roles"`
	Entitlements []string `json:"entitlements"`
	ConfirmedAt  string   `json:"confirmedAt"`
	ForumID      *int64   `json:"forumId"`
}

func (acc *Account) accountJSON() accountJSON {
	u := legacyUser{
		ID: acc.ID, UUID: acc.UUID, Email: acc.Email, JoinedAt: acc.JoinedAt.UTC().Format(time.RFC3339),
		Username: acc.Username, Title: acc.Title, Thumb: acc.Thumb, HasPassword: true,
		AuthToken: acc.AuthToken, AuthenticationToken: acc.AuthToken,
		Subscription: subscription{Status: "Inactive", Features: []string{}},
		Entitlements: []string{}, ConfirmedAt: acc.JoinedAt.UTC().Format(time.RFC3339),
	}
	u.Roles.Roles = []string{}
	return accountJSON{User: u}
}
