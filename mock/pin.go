package mock

import (
	"encoding/xml"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/mockplex/mockplex/internal/plexjwt"
)

// Kind is the kind of pin (WIRE.md §0, fact 6).
type Kind string

// The two kinds of pin.
const (
	Strong Kind = "strong" // 25-character [a-z0-9] code, 30 minutes, approved at app.plex.tv/auth
	Link   Kind = "link"   // 4-character [A-Z0-9] code, 15 minutes, entered at plex.tv/link
)

// Lifetimes of the two kinds of pin.
const (
	strongLifetime = 30 * time.Minute
	linkLifetime   = 15 * time.Minute
)

// State is where a pin is in its life.
type State string

// Pin states.
const (
	Pending State = "pending"
	Claimed State = "claimed"
	Denied  State = "denied"
	Expired State = "expired"
)

// pin is the stored form: small, so a million live pins stay cheap. The
// fields that hold pointers come first, so the collector's scan of a pin
// (in the store's maps, on every cycle) stops before the numbers.
type pin struct {
	code     string
	product  string
	clientID string
	scenario string             // the scenario that answered the create request
	token    string             // account token once claimed
	jwt      string             // the Plex JWT issued for it, once polled with a valid deviceJWT
	jwk      *plexjwt.DeviceKey // a JWT pin's device key (POST /api/v2/pins with a jwk)

	id        int64
	seq       uint64 // creation order, for newest-first listings
	createdAt int64  // unix seconds
	expiresAt int64  // unix seconds
	accountID int64
	polls     int32
	location  uint16 // index into the server's location pool
	strong    bool
	trusted   bool
	denied    bool
	newReg    bool
	legacy    bool // created through /pins.xml
}

func (p *pin) kind() Kind {
	if p.strong {
		return Strong
	}
	return Link
}

func (p *pin) state(now time.Time) State {
	switch {
	case now.Unix() >= p.expiresAt:
		return Expired
	case p.token != "":
		return Claimed
	case p.denied:
		return Denied
	}
	return Pending
}

// Location is the GeoIP object of a pin, with plex.tv's snake_case keys.
// In XML it is the pin's <location> child (see Pin.MarshalXML).
type Location struct {
	Code                       string `json:"code"`
	EuropeanUnionMember        bool   `json:"european_union_member"`
	ContinentCode              string `json:"continent_code"`
	Country                    string `json:"country"`
	City                       string `json:"city"`
	TimeZone                   string `json:"time_zone"`
	PostalCode                 string `json:"postal_code"`
	InPrivacyRestrictedCountry bool   `json:"in_privacy_restricted_country"`
	InPrivacyRestrictedRegion  bool   `json:"in_privacy_restricted_region"`
	Subdivisions               string `json:"subdivisions"`
	Coordinates                string `json:"coordinates"`
}

// Pin is a pin as plex.tv sends it: the twelve keys in wire order. Nil
// AuthToken and NewRegistration encode as JSON null. encoding/json and
// encoding/xml (through MarshalXML) both write plex.tv's form.
type Pin struct {
	ID               int64     `json:"id"`
	Code             string    `json:"code"`
	Product          string    `json:"product"`
	Trusted          bool      `json:"trusted"`
	QR               string    `json:"qr"`
	ClientIdentifier string    `json:"clientIdentifier"`
	Location         *Location `json:"location"`
	ExpiresIn        int64     `json:"expiresIn"`
	CreatedAt        string    `json:"createdAt"`
	ExpiresAt        string    `json:"expiresAt"`
	AuthToken        *string   `json:"authToken"`
	NewRegistration  *bool     `json:"newRegistration"`
}

// MarshalXML writes p as plex.tv's XML does: a <pin> element with the
// fields as attributes in wire order, booleans as 0 and 1, null fields
// left out, and the location as a child element.
func (p Pin) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.Encode(p.xmlForm())
}

// pinXML is the struct-tag form of plex.tv's XML pin. The responder writes
// the same bytes by hand (appendPinXML); encode_test.go holds the two
// together.
type pinXML struct {
	XMLName          xml.Name     `xml:"pin"`
	ID               int64        `xml:"id,attr"`
	Code             string       `xml:"code,attr"`
	Product          string       `xml:"product,attr"`
	Trusted          xmlBool      `xml:"trusted,attr"`
	QR               string       `xml:"qr,attr"`
	ClientIdentifier string       `xml:"clientIdentifier,attr"`
	ExpiresIn        int64        `xml:"expiresIn,attr"`
	CreatedAt        string       `xml:"createdAt,attr"`
	ExpiresAt        string       `xml:"expiresAt,attr"`
	AuthToken        *string      `xml:"authToken,attr,omitempty"`
	NewRegistration  *xmlBool     `xml:"newRegistration,attr,omitempty"`
	Location         *locationXML `xml:"location"`
}

type locationXML struct {
	Code                       string  `xml:"code,attr"`
	EuropeanUnionMember        xmlBool `xml:"european_union_member,attr"`
	ContinentCode              string  `xml:"continent_code,attr"`
	Country                    string  `xml:"country,attr"`
	City                       string  `xml:"city,attr"`
	TimeZone                   string  `xml:"time_zone,attr"`
	PostalCode                 string  `xml:"postal_code,attr"`
	InPrivacyRestrictedCountry xmlBool `xml:"in_privacy_restricted_country,attr"`
	InPrivacyRestrictedRegion  xmlBool `xml:"in_privacy_restricted_region,attr"`
	Subdivisions               string  `xml:"subdivisions,attr"`
	Coordinates                string  `xml:"coordinates,attr"`
}

func (p *Pin) xmlForm() *pinXML {
	x := &pinXML{
		ID: p.ID, Code: p.Code, Product: p.Product, Trusted: xmlBool(p.Trusted), QR: p.QR,
		ClientIdentifier: p.ClientIdentifier, ExpiresIn: p.ExpiresIn, CreatedAt: p.CreatedAt,
		ExpiresAt: p.ExpiresAt, AuthToken: p.AuthToken,
	}
	if p.NewRegistration != nil {
		b := xmlBool(*p.NewRegistration)
		x.NewRegistration = &b
	}
	if l := p.Location; l != nil {
		x.Location = &locationXML{
			Code: l.Code, EuropeanUnionMember: xmlBool(l.EuropeanUnionMember), ContinentCode: l.ContinentCode,
			Country: l.Country, City: l.City, TimeZone: l.TimeZone, PostalCode: l.PostalCode,
			InPrivacyRestrictedCountry: xmlBool(l.InPrivacyRestrictedCountry),
			InPrivacyRestrictedRegion:  xmlBool(l.InPrivacyRestrictedRegion),
			Subdivisions:               l.Subdivisions, Coordinates: l.Coordinates,
		}
	}
	return x
}

// xmlBool encodes as plex.tv's XML booleans, 0 and 1.
type xmlBool bool

func (b xmlBool) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	v := "0"
	if b {
		v = "1"
	}
	return xml.Attr{Name: name, Value: v}, nil
}

// v1Pin is the legacy Rails to_xml form of /pins.xml (WIRE.md §2.4,
// examples F and G): child elements, kebab-case names, type and nil
// attributes, and the token twice.
type v1Pin struct {
	XMLName          xml.Name `xml:"pin"`
	ClientIdentifier string   `xml:"client-identifier"`
	Code             string   `xml:"code"`
	ExpiresAt        v1Elem   `xml:"expires-at"`
	ID               v1Elem   `xml:"id"`
	UserID           v1Elem   `xml:"user-id"`
	Trusted          v1Elem   `xml:"trusted"`
	AuthTokenDash    v1Elem   `xml:"auth-token"`
	AuthTokenSnake   v1Elem   `xml:"auth_token"`
}

type v1Elem struct {
	Type  string `xml:"type,attr,omitempty"`
	Nil   string `xml:"nil,attr,omitempty"`
	Value string `xml:",chardata"`
}

func (p *Pin) v1(userID int64) *v1Pin {
	v := &v1Pin{
		ClientIdentifier: p.ClientIdentifier,
		Code:             p.Code,
		ExpiresAt:        v1Elem{Type: "datetime", Value: p.ExpiresAt},
		ID:               v1Elem{Type: "integer", Value: strconv.FormatInt(p.ID, 10)},
		UserID:           v1Elem{Type: "integer", Nil: "true"},
		Trusted:          v1Elem{Type: "boolean", Value: strconv.FormatBool(p.Trusted)},
		AuthTokenDash:    v1Elem{Type: "NilClass", Nil: "true"},
		AuthTokenSnake:   v1Elem{Nil: "true"},
	}
	if p.AuthToken != nil {
		v.UserID = v1Elem{Type: "integer", Value: strconv.FormatInt(userID, 10)}
		v.AuthTokenDash = v1Elem{Value: *p.AuthToken}
		v.AuthTokenSnake = v1Elem{Value: *p.AuthToken}
	}
	return v
}

// formatTime renders a unix-seconds time as plex.tv does: RFC 3339, UTC, Z.
func formatTime(sec int64) string {
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}

// timeStrings remembers the last formatTime of a few seconds, so polling a
// pin does not format (and allocate) its createdAt and expiresAt again on
// every request: a pin's times are fixed, and a test polls the same few
// pins. Each slot holds one second, replaced when another second of the
// same slot comes; readers and writers never lock.
type timeStrings [64]atomic.Pointer[formattedTime]

type formattedTime struct {
	sec  int64
	text string
}

// format returns formatTime(sec).
func (t *timeStrings) format(sec int64) string {
	slot := &t[uint64(sec)%uint64(len(t))]
	if f := slot.Load(); f != nil && f.sec == sec {
		return f.text
	}
	f := &formattedTime{sec: sec, text: formatTime(sec)}
	slot.Store(f)
	return f.text
}

// PinInfo is the control API's view of a pin: the wire object plus what the
// mock knows about it.
type PinInfo struct {
	Pin
	Kind     Kind   `json:"kind"`
	State    State  `json:"state"`
	Scenario string `json:"scenario,omitempty"`
	Polls    int    `json:"polls"`
	Account  string `json:"account,omitempty"`
	Legacy   bool   `json:"legacy,omitempty"`
	JWK      bool   `json:"jwk,omitempty"` // created with a device key (JWT sign-in)
}

// wire renders a stored pin as plex.tv sends it at now. Its Location
// points into the shared pool: the Go methods hand out copies (own).
func (c *core) wire(p *pin, now time.Time) Pin {
	pool := c.locations()
	loc := &pool[int(p.location)%len(pool)]
	out := Pin{
		ID:               p.id,
		Code:             p.code,
		Product:          p.product,
		Trusted:          p.trusted,
		QR:               c.cfg.base() + "/api/v2/pins/qr/" + p.code,
		ClientIdentifier: p.clientID,
		Location:         loc,
		ExpiresIn:        max(p.expiresAt-now.Unix(), 0),
		CreatedAt:        c.times.format(p.createdAt),
		ExpiresAt:        c.times.format(p.expiresAt),
	}
	if p.token != "" {
		tok, reg := p.token, p.newReg
		out.AuthToken, out.NewRegistration = &tok, &reg
	}
	return out
}

// info renders a stored pin for the control API and the pages.
func (c *core) info(p *pin, now time.Time) PinInfo {
	pi := PinInfo{
		Pin: c.wire(p, now), Kind: p.kind(), State: p.state(now), Scenario: p.scenario,
		Polls: int(p.polls), Legacy: p.legacy, JWK: p.jwk != nil,
	}
	if p.token != "" {
		if acc, ok := c.accounts.byTok(p.token); ok {
			pi.Account = acc.Username
		}
	}
	return pi
}

// created renders a pin as its create answers it: at its creation time,
// so expiresIn is the whole lifetime whatever a scripted delay took.
func (c *core) created(p *pin) Pin { return c.wire(p, time.Unix(p.createdAt, 0)) }

// own gives p a Location of its own, for a Pin handed to user code.
func (p Pin) own() Pin {
	if p.Location != nil {
		loc := *p.Location
		p.Location = &loc
	}
	return p
}

// own gives pi a Location of its own.
func (pi PinInfo) own() PinInfo {
	pi.Pin = pi.Pin.own()
	return pi
}
