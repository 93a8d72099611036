package mock

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/brianvoe/gofakeit/v6"
)

// knownCity is what a city's locations must agree with, written
// independently of the table in fake.go: centre coordinates to a tenth of a
// degree, and the city's postal codes as a regexp.
type knownCity struct {
	code, subdivision, timeZone string
	lat, long                   float64
	postal                      string
}

var knownCities = map[string]knownCity{
	"Brooklyn":          {"US", "New York", "America/New_York", 40.7, -73.9, `^112\d\d$`},
	"Newark":            {"US", "New Jersey", "America/New_York", 40.7, -74.2, `^071\d\d$`},
	"Jersey City":       {"US", "New Jersey", "America/New_York", 40.7, -74.1, `^073\d\d$`},
	"Philadelphia":      {"US", "Pennsylvania", "America/New_York", 40.0, -75.2, `^191\d\d$`},
	"Chicago":           {"US", "Illinois", "America/Chicago", 41.9, -87.6, `^606\d\d$`},
	"Austin":            {"US", "Texas", "America/Chicago", 30.3, -97.7, `^787\d\d$`},
	"Dallas":            {"US", "Texas", "America/Chicago", 32.8, -96.8, `^752\d\d$`},
	"Minneapolis":       {"US", "Minnesota", "America/Chicago", 45.0, -93.3, `^554\d\d$`},
	"San Francisco":     {"US", "California", "America/Los_Angeles", 37.8, -122.4, `^941\d\d$`},
	"Oakland":           {"US", "California", "America/Los_Angeles", 37.8, -122.3, `^946\d\d$`},
	"Portland":          {"US", "Oregon", "America/Los_Angeles", 45.5, -122.7, `^972\d\d$`},
	"Seattle":           {"US", "Washington", "America/Los_Angeles", 47.6, -122.3, `^981\d\d$`},
	"Toronto":           {"CA", "Ontario", "America/Toronto", 43.7, -79.4, `^M\d[A-Z]$`},
	"Ottawa":            {"CA", "Ontario", "America/Toronto", 45.4, -75.7, `^K\d[A-Z]$`},
	"Montreal":          {"CA", "Quebec", "America/Toronto", 45.5, -73.6, `^H\d[A-Z]$`},
	"Amsterdam":         {"NL", "North Holland", "Europe/Amsterdam", 52.4, 4.9, `^10\d\d$`},
	"Utrecht":           {"NL", "Utrecht", "Europe/Amsterdam", 52.1, 5.1, `^35\d\d$`},
	"Breda":             {"NL", "North Brabant", "Europe/Amsterdam", 51.6, 4.8, `^48\d\d$`},
	"Eindhoven":         {"NL", "North Brabant", "Europe/Amsterdam", 51.4, 5.5, `^56\d\d$`},
	"London":            {"GB", "England", "Europe/London", 51.5, -0.1, `^(SW[1-9]|SW1[A-Z]|NW[1-9]|EC[1-4][A-Z]|WC[12][A-Z]|SE1|E1|N1|W1[A-Z]) \d[ABD-HJLNP-UW-Z]{2}$`},
	"Edinburgh":         {"GB", "Scotland", "Europe/London", 56.0, -3.2, `^EH[1-9] \d[ABD-HJLNP-UW-Z]{2}$`},
	"Cardiff":           {"GB", "Wales", "Europe/London", 51.5, -3.2, `^CF[12]\d \d[ABD-HJLNP-UW-Z]{2}$`},
	"Berlin":            {"DE", "Berlin", "Europe/Berlin", 52.5, 13.4, `^1[0-4]\d{3}$`},
	"Munich":            {"DE", "Bavaria", "Europe/Berlin", 48.1, 11.6, `^8[01]\d{3}$`},
	"Frankfurt am Main": {"DE", "Hesse", "Europe/Berlin", 50.1, 8.7, `^60[3-5]\d\d$`},
	"Bratislava":        {"SK", "Bratislava Region", "Europe/Bratislava", 48.1, 17.1, `^8[1-5]\d \d\d$`},
	"Kosice":            {"SK", "Kosice Region", "Europe/Bratislava", 48.7, 21.3, `^040 \d\d$`},
	"Sydney":            {"AU", "New South Wales", "Australia/Sydney", -33.9, 151.2, `^2\d{3}$`},
	"Melbourne":         {"AU", "Victoria", "Australia/Melbourne", -37.8, 145.0, `^3\d{3}$`},
	"Sao Paulo":         {"BR", "Sao Paulo", "America/Sao_Paulo", -23.6, -46.6, `^0[1-5]\d{3}-\d{3}$`},
	"Rio de Janeiro":    {"BR", "Rio de Janeiro", "America/Sao_Paulo", -22.9, -43.2, `^2[0-3]\d{3}-\d{3}$`},
	"Tokyo":             {"JP", "Tokyo", "Asia/Tokyo", 35.7, 139.7, `^1\d\d-\d{4}$`},
	"Osaka":             {"JP", "Osaka", "Asia/Tokyo", 34.7, 135.5, `^5[3-5]\d-\d{4}$`},
}

// coordinates parses plex.tv's "lat, long" with four decimals.
func coordinates(s string) (lat, long float64, err error) {
	if !regexp.MustCompile(`^-?\d+\.\d{4}, -?\d+\.\d{4}$`).MatchString(s) {
		return 0, 0, fmt.Errorf("coordinates %q are not \"lat, long\" with four decimals", s)
	}
	a, b, _ := strings.Cut(s, ", ")
	lat, _ = strconv.ParseFloat(a, 64)
	long, _ = strconv.ParseFloat(b, 64)
	return lat, long, nil
}

// TestLocationsAgree checks every location in the shared pool and in pools
// built with a few seeds: its city's country, subdivision, time zone and
// postal code agree, and its coordinates lie within a degree of the city
// (and within the jitter of the table's).
func TestLocationsAgree(t *testing.T) {
	t.Parallel()
	table := cities()
	if len(table) < 25 {
		t.Errorf("%d cities, want at least 25", len(table))
	}
	rows := map[string]city{}
	for _, c := range table {
		if _, dup := rows[c.name]; dup {
			t.Errorf("city %q appears twice", c.name)
		}
		rows[c.name] = c
		if _, err := time.LoadLocation(c.timeZone); err != nil {
			t.Errorf("%s: time zone %q: %v", c.name, c.timeZone, err)
		}
		if _, ok := knownCities[c.name]; !ok {
			t.Errorf("%s: not in knownCities; add what it must agree with", c.name)
		}
	}
	pools := map[string][]Location{"shared": locationPool()}
	for _, seed := range []int64{1, 2, 3} {
		pools[fmt.Sprint("seed ", seed)] = newLocationPool(gofakeit.New(seed))
	}
	seen := map[string]bool{}
	for name, pool := range pools {
		if len(pool) != locationPoolSize {
			t.Errorf("%s pool has %d locations, want %d", name, len(pool), locationPoolSize)
		}
		for i, loc := range pool {
			seen[loc.City] = true
			want, ok := knownCities[loc.City]
			if !ok {
				t.Errorf("%s pool[%d]: unknown city %q", name, i, loc.City)
				continue
			}
			row := rows[loc.City]
			where := fmt.Sprintf("%s pool[%d] (%s)", name, i, loc.City)
			if loc.Code != want.code || loc.Subdivisions != want.subdivision || loc.TimeZone != want.timeZone {
				t.Errorf("%s: %s, %s, %s; want %s, %s, %s", where, loc.Code, loc.Subdivisions, loc.TimeZone, want.code, want.subdivision, want.timeZone)
			}
			if !regexp.MustCompile(want.postal).MatchString(loc.PostalCode) {
				t.Errorf("%s: postal code %q does not match %s", where, loc.PostalCode, want.postal)
			}
			if loc.Country != row.country.name || loc.ContinentCode != row.continent || loc.EuropeanUnionMember != row.eu ||
				loc.InPrivacyRestrictedCountry != row.privacy || loc.InPrivacyRestrictedRegion != row.privacy {
				t.Errorf("%s: country facts %+v disagree with the table's %+v", where, loc, row.country)
			}
			lat, long, err := coordinates(loc.Coordinates)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if math.Abs(lat-want.lat) > 1 || math.Abs(long-want.long) > 1 {
				t.Errorf("%s: coordinates %s more than 1° from %.1f, %.1f", where, loc.Coordinates, want.lat, want.long)
			}
			if math.Abs(lat-row.lat) >= 0.05 || math.Abs(long-row.long) >= 0.05 {
				t.Errorf("%s: coordinates %s stray 0.05° or more from the table's %.4f, %.4f", where, loc.Coordinates, row.lat, row.long)
			}
		}
	}
	for name := range rows {
		if !seen[name] {
			t.Errorf("city %q is in the table but in no pool", name)
		}
	}
}

// TestLocationPoolShared checks the pool is built once per process: every
// call returns the same backing array, with the same contents as a pool
// built afresh from the fixed seed.
func TestLocationPoolShared(t *testing.T) {
	t.Parallel()
	a, b := locationPool(), locationPool()
	if &a[0] != &b[0] {
		t.Error("locationPool() built a second pool")
	}
	fresh := newLocationPool(gofakeit.New(locationPoolSeed))
	for i := range a {
		if a[i] != fresh[i] {
			t.Fatalf("locationPool()[%d] = %+v, want %+v from the fixed seed", i, a[i], fresh[i])
		}
	}
}

// TestServersPickVariedLocations checks that servers with different seeds
// still put their pins in different places.
func TestServersPickVariedLocations(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)
	places := func(seed int64) string {
		s, err := New(WithSeed(seed), WithClock(NewFrozenClock(at)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Close)
		var b strings.Builder
		for range 8 {
			p, err := s.CreatePin("c", "p", true)
			if err != nil {
				t.Fatal(err)
			}
			b.WriteString(p.Location.Coordinates + "; ")
		}
		return b.String()
	}
	one, two := places(1), places(2)
	if one == two {
		t.Errorf("seeds 1 and 2 put their pins in the same places: %s", one)
	}
	if again := places(1); again != one {
		t.Errorf("seed 1 placed pins at %s, then at %s", one, again)
	}
}

// BenchmarkLocationPool compares building a pool, which every server did
// until the pool was shared, with fetching the shared one.
func BenchmarkLocationPool(b *testing.B) {
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			newLocationPool(gofakeit.New(1))
		}
	})
	b.Run("shared", func(b *testing.B) {
		b.ReportAllocs()
		locationPool()
		for b.Loop() {
			locationPool()
		}
	})
}

// BenchmarkNew measures building a server, of which the location pool was
// the largest part.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		s, err := New()
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}
