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
	postal                          string // regex for gofakeit
	lat, long                       float64
	subdivisions, cities            []string // cities[i] lies in subdivisions[i]
}

var countries = [...]country{
	{"US", "NA", "United States", "America/New_York", false, false, `[0-9]{5}`, 40.7, -74.0, []string{"New York", "New Jersey", "Pennsylvania"}, []string{"Brooklyn", "Newark", "Philadelphia", "Jersey City"}},
	{"US", "NA", "United States", "America/Los_Angeles", false, false, `[0-9]{5}`, 37.7, -122.4, []string{"California", "Oregon", "Washington"}, []string{"San Francisco", "Portland", "Seattle", "Oakland"}},
	{"US", "NA", "United States", "America/Chicago", false, false, `[0-9]{5}`, 30.4, -97.8, []string{"Texas", "Illinois", "Minnesota"}, []string{"Austin", "Chicago", "Minneapolis", "Dallas"}},
	{"CA", "NA", "Canada", "America/Toronto", false, false, `[A-Z][0-9][A-Z]`, 43.6, -79.4, []string{"Ontario", "Quebec"}, []string{"Toronto", "Montreal", "Ottawa"}},
	{"NL", "EU", "The Netherlands", "Europe/Amsterdam", true, true, `[1-9][0-9]{3}`, 51.6, 4.7, []string{"North Brabant", "North Holland", "Utrecht"}, []string{"Breda", "Amsterdam", "Utrecht", "Eindhoven"}},
	{"GB", "EU", "United Kingdom", "Europe/London", false, true, `(SW|NW|EC|WC)[1-9][A-Z]? [0-9][A-Z]{2}`, 51.5, -0.1, []string{"England", "Scotland", "Wales"}, []string{"London", "Edinburgh", "Cardiff"}},
	{"DE", "EU", "Germany", "Europe/Berlin", true, true, `[0-9]{5}`, 52.5, 13.4, []string{"Berlin", "Bavaria", "Hesse"}, []string{"Berlin", "Munich", "Frankfurt am Main"}},
	{"SK", "EU", "Slovakia", "Europe/Bratislava", true, true, `[0-9]{3} [0-9]{2}`, 48.1, 17.1, []string{"Bratislava Region", "Kosice Region"}, []string{"Bratislava", "Kosice"}},
	{"AU", "OC", "Australia", "Australia/Sydney", false, false, `[0-9]{4}`, -33.9, 151.2, []string{"New South Wales", "Victoria"}, []string{"Sydney", "Melbourne"}},
	{"BR", "SA", "Brazil", "America/Sao_Paulo", false, false, `[0-9]{5}-[0-9]{3}`, -23.5, -46.6, []string{"Sao Paulo", "Rio de Janeiro"}, []string{"Sao Paulo", "Rio de Janeiro"}},
	{"JP", "AS", "Japan", "Asia/Tokyo", false, false, `[0-9]{3}-[0-9]{4}`, 35.7, 139.7, []string{"Tokyo", "Osaka"}, []string{"Tokyo", "Osaka"}},
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
			PostalCode:                 f.Regex(c.postal),
			InPrivacyRestrictedCountry: c.privacyCountry,
			InPrivacyRestrictedRegion:  c.privacyCountry && f.Bool(),
			Subdivisions:               c.subdivisions[sub],
			Coordinates:                fmt.Sprintf("%.4f, %.4f", lat, long),
		}
	}
	return pool
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
