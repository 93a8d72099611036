// Package baseline is the load benchmark's yardstick: a bare gorilla/mux
// server that answers plex.tv's pin routes with one fixed pin, encoded
// once at start. It does nothing a mock has to do (no store, journal,
// scenarios, identity or negotiation beyond the path suffix), so it is the
// ceiling of mockplex's own stack: Go's net/http plus gorilla/mux.
package baseline

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"

	"github.com/gorilla/mux"
)

// pin is the fixed pin, shaped like plex.tv's so the body is as long as a
// real one.
type pin struct {
	XMLName          xml.Name  `json:"-" xml:"pin"`
	ID               int64     `json:"id" xml:"id,attr"`
	Code             string    `json:"code" xml:"code,attr"`
	Product          string    `json:"product" xml:"product,attr"`
	Trusted          bool      `json:"trusted" xml:"trusted,attr"`
	QR               string    `json:"qr" xml:"qr,attr"`
	ClientIdentifier string    `json:"clientIdentifier" xml:"clientIdentifier,attr"`
	Location         *location `json:"location" xml:"location"`
	ExpiresIn        int64     `json:"expiresIn" xml:"expiresIn,attr"`
	CreatedAt        string    `json:"createdAt" xml:"createdAt,attr"`
	ExpiresAt        string    `json:"expiresAt" xml:"expiresAt,attr"`
	AuthToken        *string   `json:"authToken" xml:"authToken,attr,omitempty"`
	NewRegistration  *bool     `json:"newRegistration" xml:"newRegistration,attr,omitempty"`
}

type location struct {
	Code                       string `json:"code" xml:"code,attr"`
	EuropeanUnionMember        bool   `json:"european_union_member" xml:"european_union_member,attr"`
	ContinentCode              string `json:"continent_code" xml:"continent_code,attr"`
	Country                    string `json:"country" xml:"country,attr"`
	City                       string `json:"city" xml:"city,attr"`
	TimeZone                   string `json:"time_zone" xml:"time_zone,attr"`
	PostalCode                 string `json:"postal_code" xml:"postal_code,attr"`
	InPrivacyRestrictedCountry bool   `json:"in_privacy_restricted_country" xml:"in_privacy_restricted_country,attr"`
	InPrivacyRestrictedRegion  bool   `json:"in_privacy_restricted_region" xml:"in_privacy_restricted_region,attr"`
	Subdivisions               string `json:"subdivisions" xml:"subdivisions,attr"`
	Coordinates                string `json:"coordinates" xml:"coordinates,attr"`
}

func fixedPin() pin {
	return pin{
		ID: 1234567890, Code: "abcdefghijklmnopqrstuvwxy", Product: "Plex Web", QR: "https://plex.tv/api/v2/pins/qr/abcdefghijklmnopqrstuvwxy",
		ClientIdentifier: "loadbench",
		Location: &location{
			Code: "NL", EuropeanUnionMember: true, ContinentCode: "EU", Country: "The Netherlands", City: "Breda",
			TimeZone: "Europe/Amsterdam", PostalCode: "4811", InPrivacyRestrictedCountry: true,
			Subdivisions: "North Brabant", Coordinates: "51.5891, 4.7740",
		},
		ExpiresIn: 1800, CreatedAt: "2026-11-23T12:00:00Z", ExpiresAt: "2026-11-23T12:30:00Z",
	}
}

// Handler returns the baseline: POST /api/v2/pins[.json] answers 201 and
// GET /api/v2/pins/{id}[.json] answers 200, both with the fixed pin, in
// JSON when the path ends in .json or Accept names application/json, and
// in XML otherwise.
func Handler() http.Handler {
	p := fixedPin()
	js, err := json.Marshal(p)
	if err != nil {
		panic("baseline: " + err.Error()) // a fixed value that always encodes
	}
	xb, err := xml.Marshal(p)
	if err != nil {
		panic("baseline: " + err.Error())
	}
	xb = append([]byte(xml.Header[:len(xml.Header)-1]+"\n"), xb...)
	send := func(w http.ResponseWriter, r *http.Request, status int) {
		body, ct := xb, "application/xml; charset=utf-8"
		if strings.HasSuffix(r.URL.Path, ".json") || strings.Contains(r.Header.Get("Accept"), "application/json") {
			body, ct = js, "application/json; charset=utf-8"
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}
	r := mux.NewRouter()
	create := func(w http.ResponseWriter, r *http.Request) { send(w, r, http.StatusCreated) }
	r.HandleFunc("/api/v2/pins", create).Methods(http.MethodPost)
	r.HandleFunc("/api/v2/pins.json", create).Methods(http.MethodPost)
	r.HandleFunc("/api/v2/pins/{id}", func(w http.ResponseWriter, r *http.Request) {
		send(w, r, http.StatusOK)
	}).Methods(http.MethodGet)
	r.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return r
}
