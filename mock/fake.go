package mock

import (
	"fmt"
	"math/rand"
	"strings"

	"github.com/brianvoe/gofakeit/v6"
)

// country is a row of real GeoIP facts that fake locations are drawn from, so
// a country, its continent, time zone and postal format agree.
type country struct {
	code, continent, name, timeZone string
	eu, privacyCountry              bool
	postal                          []string // formats for postalCode: # a digit, % a digit 1-9, @ a letter A-Z
	lat, long                       float64
	subdivisions, cities            []string // cities[i] lies in subdivisions[i]
}

// gbPostal are London postcodes: (SW|NW|EC|WC)[1-9][A-Z]? [0-9][A-Z]{2}.
var gbPostal = []string{"SW% #@@", "SW%@ #@@", "NW% #@@", "NW%@ #@@", "EC% #@@", "EC%@ #@@", "WC% #@@", "WC%@ #@@"}

var countries = [...]country{
	{"US", "NA", "United States", "America/New_York", false, false, []string{"#####"}, 40.7, -74.0, []string{"New York", "New Jersey", "Pennsylvania"}, []string{"Brooklyn", "Newark", "Philadelphia", "Jersey City"}},
	{"US", "NA", "United States", "America/Los_Angeles", false, false, []string{"#####"}, 37.7, -122.4, []string{"California", "Oregon", "Washington"}, []string{"San Francisco", "Portland", "Seattle", "Oakland"}},
	{"US", "NA", "United States", "America/Chicago", false, false, []string{"#####"}, 30.4, -97.8, []string{"Texas", "Illinois", "Minnesota"}, []string{"Austin", "Chicago", "Minneapolis", "Dallas"}},
	{"CA", "NA", "Canada", "America/Toronto", false, false, []string{"@#@"}, 43.6, -79.4, []string{"Ontario", "Quebec"}, []string{"Toronto", "Montreal", "Ottawa"}},
	{"NL", "EU", "The Netherlands", "Europe/Amsterdam", true, true, []string{"%###"}, 51.6, 4.7, []string{"North Brabant", "North Holland", "Utrecht"}, []string{"Breda", "Amsterdam", "Utrecht", "Eindhoven"}},
	{"GB", "EU", "United Kingdom", "Europe/London", false, true, gbPostal, 51.5, -0.1, []string{"England", "Scotland", "Wales"}, []string{"London", "Edinburgh", "Cardiff"}},
	{"DE", "EU", "Germany", "Europe/Berlin", true, true, []string{"#####"}, 52.5, 13.4, []string{"Berlin", "Bavaria", "Hesse"}, []string{"Berlin", "Munich", "Frankfurt am Main"}},
	{"SK", "EU", "Slovakia", "Europe/Bratislava", true, true, []string{"### ##"}, 48.1, 17.1, []string{"Bratislava Region", "Kosice Region"}, []string{"Bratislava", "Kosice"}},
	{"AU", "OC", "Australia", "Australia/Sydney", false, false, []string{"####"}, -33.9, 151.2, []string{"New South Wales", "Victoria"}, []string{"Sydney", "Melbourne"}},
	{"BR", "SA", "Brazil", "America/Sao_Paulo", false, false, []string{"#####-###"}, -23.5, -46.6, []string{"Sao Paulo", "Rio de Janeiro"}, []string{"Sao Paulo", "Rio de Janeiro"}},
	{"JP", "AS", "Japan", "Asia/Tokyo", false, false, []string{"###-####"}, 35.7, 139.7, []string{"Tokyo", "Osaka"}, []string{"Tokyo", "Osaka"}},
}

// locationPoolSize is how many distinct locations a server draws pins from:
// pins store an index into the pool, which keeps a million pins small.
const locationPoolSize = 256

func newLocationPool(f *gofakeit.Faker) []Location {
	pool := make([]Location, locationPoolSize)
	for i := range pool {
		c := countries[f.IntRange(0, len(countries)-1)]
		sub := f.IntRange(0, len(c.subdivisions)-1)
		lat := c.lat + f.Float64Range(-0.5, 0.5)
		long := c.long + f.Float64Range(-0.5, 0.5)
		pool[i] = Location{
			Code:                       c.code,
			EuropeanUnionMember:        c.eu,
			ContinentCode:              c.continent,
			Country:                    c.name,
			City:                       c.cities[min(sub, len(c.cities)-1)],
			TimeZone:                   c.timeZone,
			PostalCode:                 postalCode(f, c.postal[f.IntRange(0, len(c.postal)-1)]),
			InPrivacyRestrictedCountry: c.privacyCountry,
			InPrivacyRestrictedRegion:  c.privacyCountry && f.Bool(),
			Subdivisions:               c.subdivisions[sub],
			Coordinates:                fmt.Sprintf("%.4f, %.4f", lat, long),
		}
	}
	return pool
}

// postalCode fills a postal code format: # is a digit, % a digit from 1 to
// 9, @ a capital letter; anything else stays. (gofakeit's Regex would do,
// but it parses its pattern on every call, and the pool is built at start.)
func postalCode(f *gofakeit.Faker, format string) string {
	b := []byte(format)
	for i, c := range b {
		switch c {
		case '#':
			b[i] = byte('0' + f.IntRange(0, 9))
		case '%':
			b[i] = byte('0' + f.IntRange(1, 9))
		case '@':
			b[i] = byte('A' + f.IntRange(0, 25))
		}
	}
	return string(b)
}

const (
	strongAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	linkAlphabet   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	tokenAlphabet  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
)

func randString(r *rand.Rand, alphabet string, n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(alphabet[r.Intn(len(alphabet))])
	}
	return b.String()
}

// pinID draws an id the way plex.tv's look: random in [1e9, 2^31-1), so
// int32 clients work; the large-ids scenario goes above.
func pinID(r *rand.Rand) int64 {
	return 1_000_000_000 + r.Int63n(1<<31-1-1_000_000_000)
}
