package mock

import (
	"math/rand"
	"strconv"
	"strings"
	"sync"

	"github.com/brianvoe/gofakeit/v6"
)

// country holds the GeoIP facts a country's cities share.
type country struct {
	code, continent, name string
	eu, privacy           bool // an EU member; in a privacy-restricted country (and region)
}

// city is a row of real GeoIP facts that fake locations are drawn from:
// the city's subdivision, coordinates, time zone and postal codes agree.
type city struct {
	country
	name, subdivision, timeZone string
	lat, long                   float64
	postal                      []string // formats for postalCode
}

// cities returns the table fake locations are drawn from. Postal codes are
// what GeoIP gives: five digits in the US, the forward sortation area in
// Canada, the four digits in the Netherlands, a full postcode in the UK.
func cities() []city {
	us := country{"US", "NA", "United States", false, false}
	ca := country{"CA", "NA", "Canada", false, false}
	nl := country{"NL", "EU", "The Netherlands", true, true}
	gb := country{"GB", "EU", "United Kingdom", false, true}
	de := country{"DE", "EU", "Germany", true, true}
	sk := country{"SK", "EU", "Slovakia", true, true}
	au := country{"AU", "OC", "Australia", false, false}
	br := country{"BR", "SA", "Brazil", false, false}
	jp := country{"JP", "AS", "Japan", false, false}
	return []city{
		{us, "Brooklyn", "New York", "America/New_York", 40.6782, -73.9442, []string{"112##"}},
		{us, "Newark", "New Jersey", "America/New_York", 40.7357, -74.1724, []string{"071##"}},
		{us, "Jersey City", "New Jersey", "America/New_York", 40.7178, -74.0431, []string{"073##"}},
		{us, "Philadelphia", "Pennsylvania", "America/New_York", 39.9526, -75.1652, []string{"191##"}},
		{us, "Chicago", "Illinois", "America/Chicago", 41.8781, -87.6298, []string{"606##"}},
		{us, "Austin", "Texas", "America/Chicago", 30.2672, -97.7431, []string{"787##"}},
		{us, "Dallas", "Texas", "America/Chicago", 32.7767, -96.7970, []string{"752##"}},
		{us, "Minneapolis", "Minnesota", "America/Chicago", 44.9778, -93.2650, []string{"554##"}},
		{us, "San Francisco", "California", "America/Los_Angeles", 37.7749, -122.4194, []string{"941##"}},
		{us, "Oakland", "California", "America/Los_Angeles", 37.8044, -122.2712, []string{"946##"}},
		{us, "Portland", "Oregon", "America/Los_Angeles", 45.5152, -122.6784, []string{"972##"}},
		{us, "Seattle", "Washington", "America/Los_Angeles", 47.6062, -122.3321, []string{"981##"}},
		{ca, "Toronto", "Ontario", "America/Toronto", 43.6532, -79.3832, []string{"M5V", "M5J", "M4W", "M6G", "M5A", "M6K"}},
		{ca, "Ottawa", "Ontario", "America/Toronto", 45.4215, -75.6972, []string{"K1P", "K2P", "K1N", "K1S"}},
		{ca, "Montreal", "Quebec", "America/Toronto", 45.5017, -73.5673, []string{"H2X", "H3A", "H2T", "H3B", "H2J"}},
		{nl, "Amsterdam", "North Holland", "Europe/Amsterdam", 52.3676, 4.9041, []string{"10##"}},
		{nl, "Utrecht", "Utrecht", "Europe/Amsterdam", 52.0907, 5.1214, []string{"35##"}},
		{nl, "Breda", "North Brabant", "Europe/Amsterdam", 51.5719, 4.7683, []string{"48##"}},
		{nl, "Eindhoven", "North Brabant", "Europe/Amsterdam", 51.4416, 5.4697, []string{"56##"}},
		{gb, "London", "England", "Europe/London", 51.5074, -0.1278, []string{"SW1A #$$", "SW3 #$$", "SW7 #$$", "NW% #$$", "EC1V #$$", "EC2A #$$", "WC1E #$$", "WC2N #$$", "SE1 #$$", "E1 #$$", "N1 #$$", "W1D #$$"}},
		{gb, "Edinburgh", "Scotland", "Europe/London", 55.9533, -3.1883, []string{"EH% #$$"}},
		{gb, "Cardiff", "Wales", "Europe/London", 51.4816, -3.1791, []string{"CF10 #$$", "CF11 #$$", "CF14 #$$", "CF24 #$$"}},
		{de, "Berlin", "Berlin", "Europe/Berlin", 52.5200, 13.4050, []string{"10%##", "12%##"}},
		{de, "Munich", "Bavaria", "Europe/Berlin", 48.1351, 11.5820, []string{"80%##", "81%##"}},
		{de, "Frankfurt am Main", "Hesse", "Europe/Berlin", 50.1109, 8.6821, []string{"603##", "604##", "605##"}},
		{sk, "Bratislava", "Bratislava Region", "Europe/Bratislava", 48.1486, 17.1077, []string{"81% ##", "82% ##", "83% ##", "84% ##"}},
		{sk, "Kosice", "Kosice Region", "Europe/Bratislava", 48.7164, 21.2611, []string{"040 0#", "040 1#"}},
		{au, "Sydney", "New South Wales", "Australia/Sydney", -33.8688, 151.2093, []string{"20##"}},
		{au, "Melbourne", "Victoria", "Australia/Melbourne", -37.8136, 144.9631, []string{"30##"}},
		{br, "Sao Paulo", "Sao Paulo", "America/Sao_Paulo", -23.5505, -46.6333, []string{"01###-###", "02###-###", "03###-###", "04###-###", "05###-###"}},
		{br, "Rio de Janeiro", "Rio de Janeiro", "America/Sao_Paulo", -22.9068, -43.1729, []string{"20###-###", "21###-###", "22###-###"}},
		{jp, "Tokyo", "Tokyo", "Asia/Tokyo", 35.6762, 139.6503, []string{"1##-####"}},
		{jp, "Osaka", "Osaka", "Asia/Tokyo", 34.6937, 135.5023, []string{"53#-####", "54#-####", "55#-####"}},
	}
}

// locationPoolSize is how many distinct locations pins draw from: pins
// store an index into the pool, which keeps a million pins small.
const locationPoolSize = 256

// locationPoolSeed fixes the pool, so one binary always has the same one.
const locationPoolSeed = 20261001

// locationPool returns the location pool, built on first use and shared by
// every server in the process. It must not be modified; servers get their
// variety by picking indexes into it with their own seeded randomness.
var locationPool = sync.OnceValue(func() []Location {
	return newLocationPool(gofakeit.New(locationPoolSeed))
})

// jitter is how far, in degrees, a location's coordinates stray from its
// city's: a few kilometres, so they stay inside the city.
const jitter = 0.04

// newLocationPool builds a pool of locationPoolSize locations from f: the
// cities in turn, so each appears about equally often, with coordinates,
// postal code and privacy region drawn for each entry.
func newLocationPool(f *gofakeit.Faker) []Location {
	table := cities()
	pool := make([]Location, locationPoolSize)
	for i := range pool {
		c := table[i%len(table)]
		lat := c.lat + f.Float64Range(-jitter, jitter)
		long := c.long + f.Float64Range(-jitter, jitter)
		pool[i] = Location{
			Code:                       c.code,
			EuropeanUnionMember:        c.eu,
			ContinentCode:              c.continent,
			Country:                    c.country.name,
			City:                       c.name,
			TimeZone:                   c.timeZone,
			PostalCode:                 postalCode(f, c.postal[f.IntRange(0, len(c.postal)-1)]),
			InPrivacyRestrictedCountry: c.privacy,
			InPrivacyRestrictedRegion:  c.privacy,
			Subdivisions:               c.subdivision,
			Coordinates:                formatCoordinates(lat, long),
		}
	}
	return pool
}

// postalCode fills a postal code format: # is a digit, % a digit from 1 to
// 9, @ a capital letter, $ a letter of a UK inward code (no C, I, K, M, O
// or V); anything else stays. (gofakeit's Regex would do, but it parses its
// pattern on every call.)
func postalCode(f *gofakeit.Faker, format string) string {
	const inward = "ABDEFGHJLNPQRSTUWXYZ"
	b := []byte(format)
	for i, c := range b {
		switch c {
		case '#':
			b[i] = byte('0' + f.IntRange(0, 9))
		case '%':
			b[i] = byte('0' + f.IntRange(1, 9))
		case '@':
			b[i] = byte('A' + f.IntRange(0, 25))
		case '$':
			b[i] = inward[f.IntRange(0, len(inward)-1)]
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

// formatCoordinates renders a latitude and longitude as plex.tv does, "%.4f,
// %.4f", without fmt (the pool is built on a server's first create).
func formatCoordinates(lat, long float64) string {
	b := make([]byte, 0, 24)
	b = strconv.AppendFloat(b, lat, 'f', 4, 64)
	b = append(b, ", "...)
	b = strconv.AppendFloat(b, long, 'f', 4, 64)
	return string(b)
}
