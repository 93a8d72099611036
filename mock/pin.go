package mock

import (
	"encoding/xml"
	"strconv"
	"time"
)

// Kind is the kind of pin (wire contract §0.6).
type Kind string

// The two kinds of pin.
const (
	Strong Kind = "strong" // 25-character [a-z0-9] code, 30 minutes, approved at app.plex.tv/auth
	Link   Kind = "link"   // 4-character [A-Z0-9] code, 15 minutes, entered at plex.tv/link
)

// Lifetimes of the two kinds of pin.
const (
	StrongLifetime = 30 * time.Minute
	LinkLifetime   = 15 * time.Minute
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

// pin is the stored form: small, so a million live pins stay cheap.
type pin struct {
	id        int64
	code      string
	product   string
	clientID  string
	scenario  string // the scenario that answered the create request
	createdAt int64  // unix seconds
	expiresAt int64  // unix seconds
	token     string // account token once claimed
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
type Location struct {
	XMLName                    xml.Name `json:"-" xml:"location"`
	Code                       string   `json:"code" xml:"code,attr"`
	EuropeanUnionMember        bool     `json:"european_union_member" xml:"european_union_member,attr"`
	ContinentCode              string   `json:"continent_code" xml:"continent_code,attr"`
	Country                    string   `json:"country" xml:"country,attr"`
	City                       string   `json:"city" xml:"city,attr"`
	TimeZone                   string   `json:"time_zone" xml:"time_zone,attr"`
	PostalCode                 string   `json:"postal_code" xml:"postal_code,attr"`
	InPrivacyRestrictedCountry bool     `json:"in_privacy_restricted_country" xml:"in_privacy_restricted_country,attr"`
	InPrivacyRestrictedRegion  bool     `json:"in_privacy_restricted_region" xml:"in_privacy_restricted_region,attr"`
	Subdivisions               string   `json:"subdivisions" xml:"subdivisions,attr"`
	Coordinates                string   `json:"coordinates" xml:"coordinates,attr"`
}

// Pin is a pin as plex.tv sends it: the twelve keys in wire order. Nil
// AuthToken and NewRegistration encode as JSON null and are omitted in XML.
type Pin struct {
	XMLName          xml.Name  `json:"-" xml:"pin"`
	ID               int64     `json:"id" xml:"id,attr"`
	Code             string    `json:"code" xml:"code,attr"`
	Product          string    `json:"product" xml:"product,attr"`
	Trusted          bool      `json:"trusted" xml:"trusted,attr"`
	QR               string    `json:"qr" xml:"qr,attr"`
	ClientIdentifier string    `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	Location         *Location `json:"location" xml:"location"`
	ExpiresIn        int64     `json:"expiresIn" xml:"expiresIn,attr"`
	CreatedAt        string    `json:"createdAt" xml:"createdAt,attr"`
	ExpiresAt        string    `json:"expiresAt" xml:"expiresAt,attr"`
	AuthToken        *string   `json:"authToken" xml:"authToken,attr,omitempty"`
	NewRegistration  *bool     `json:"newRegistration" xml:"newRegistration,attr,omitempty"`
}

// xmlPin is a Pin to be written in plex.tv's XML form: attributes in wire
// order, 0/1 booleans, null fields omitted, location as a child element.
// write encodes it with appendPinXML; it holds only a pointer, so passing
// it as an interface value costs no allocation.
type xmlPin struct{ *Pin }

// xmlBool encodes as plex.tv's XML booleans, 0 and 1.
type xmlBool bool

func (b xmlBool) MarshalXMLAttr(name xml.Name) (xml.Attr, error) {
	v := "0"
	if b {
		v = "1"
	}
	return xml.Attr{Name: name, Value: v}, nil
}

func (p *Pin) xml() xmlPin { return xmlPin{p} }

// v1Pin is the legacy Rails to_xml form of /pins.xml (wire contract §2.4,
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
