package mock

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// The hand-written encoders of respond.go must produce, byte for byte, what
// encoding/json and encoding/xml produce for the same values. The reference
// XML types below are the struct-tag definitions the mock used before the
// encoders were written by hand.

// errorBody is plex.tv's error envelope as the encoding packages write it.
type errorBody struct {
	XMLName xml.Name    `json:"-" xml:"errors"`
	Errors  []errorItem `json:"errors" xml:"error"`
}

type errorItem struct {
	Code    int    `json:"code" xml:"code,attr"`
	Message string `json:"message" xml:"message,attr"`
	Status  int    `json:"status" xml:"status,attr"`
}

func refXML(p *Pin) any { return p.xmlForm() }

// tricky strings cover every escape of both encoders.
var tricky = []string{
	"", "plain", `"quoted" 'single'`, "<tag>&amp;", "tab\tnl\ncr\r", "\b\f\x00\x01\x1f\x7f",
	"caf\u00e9 \u2028 \u2029 \U0001F600", "bad \xff\xfe utf8 \xc3", "\ufffd real", "\ufffe\uffff",
	"\ud7ff\ue000", `back\slash /slash`, "]]>", "x\x00y",
}

func samplePins() []Pin {
	tok, yes, no := "tok-<&>\"'", true, false
	loc := Location{
		Code: "NL", EuropeanUnionMember: true, ContinentCode: "EU", Country: "The Netherlands", City: "Breda",
		TimeZone: "Europe/Amsterdam", PostalCode: "4811", InPrivacyRestrictedCountry: true,
		InPrivacyRestrictedRegion: false, Subdivisions: "North Brabant", Coordinates: "51.5891, 4.7740",
	}
	base := Pin{
		ID: 1234567890, Code: "abcdefghijklmnopqrstuvwxy", Product: "Plex Web", QR: "https://plex.tv/api/v2/pins/qr/abc",
		ClientIdentifier: "client", Location: &loc, ExpiresIn: 1800,
		CreatedAt: "2026-11-23T12:00:00Z", ExpiresAt: "2026-11-23T12:30:00Z",
	}
	claimed := base
	claimed.AuthToken, claimed.NewRegistration, claimed.Trusted = &tok, &yes, true
	old := base
	old.AuthToken, old.NewRegistration = &tok, &no
	noLoc := base
	noLoc.Location, noLoc.ID, noLoc.ExpiresIn = nil, -1, 0
	out := []Pin{base, claimed, old, noLoc}
	for _, s := range tricky {
		p, l := claimed, loc
		p.Product, p.ClientIdentifier, l.City, l.PostalCode = s, s, s, s
		p.Location = &l
		str := s
		p.AuthToken = &str
		out = append(out, p)
	}
	return out
}

func wantJSON(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func wantXML(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatalf("encoding/xml: %v", err)
	}
	return buf.String()
}

func TestAppendPinMatchesEncodingPackages(t *testing.T) {
	t.Parallel()
	for i, p := range samplePins() {
		if got, want := string(appendPinJSON(nil, &p)), wantJSON(t, &p); got != want {
			t.Errorf("pin %d: appendPinJSON =\n%s\nwant (encoding/json)\n%s", i, got, want)
		}
		if got, want := string(appendPinXML(nil, &p)), wantXML(t, refXML(&p)); got != want {
			t.Errorf("pin %d: appendPinXML =\n%s\nwant (encoding/xml)\n%s", i, got, want)
		}
		// xml.Marshal of a Pin writes the wire form too.
		if got, want := string(appendPinXML(nil, &p)), wantXML(t, p); got != want {
			t.Errorf("pin %d: appendPinXML =\n%s\nwant (Pin.MarshalXML)\n%s", i, got, want)
		}
	}
}

func TestAppendErrorBodyMatchesEncodingPackages(t *testing.T) {
	t.Parallel()
	msgs := append([]string{"Code not found or expired"}, tricky...)
	for _, m := range msgs {
		e := wireError{Status: 404, Code: 1020, Message: m}
		body := errorBody{Errors: []errorItem{{Code: e.Code, Message: e.Message, Status: e.Status}}}
		if got, want := string(appendErrorBody(nil, jsonFormat, e)), wantJSON(t, body); got != want {
			t.Errorf("appendErrorBody(JSON, %q) = %s, want %s", m, got, want)
		}
		if got, want := string(appendErrorBody(nil, xmlFormat, e)), wantXML(t, body); got != want {
			t.Errorf("appendErrorBody(XML, %q) = %s, want %s", m, got, want)
		}
	}
}

// TestWriteUsesTheFastPath checks what reply sends for a pin: the header
// line, the hand-encoded body, and its length (which net/http works out
// for a body this short), over a real connection.
func TestWriteUsesTheFastPath(t *testing.T) {
	t.Parallel()
	p := samplePins()[1]
	for _, tc := range []struct {
		f        format
		ct, body string
	}{
		{jsonFormat, contentTypeJSON, wantJSON(t, &p)},
		{xmlFormat, contentTypeXML, xmlHeader + wantXML(t, refXML(&p))},
	} {
		srv, err := New()
		if err != nil {
			t.Fatal(err)
		}
		resp, body := serveOnce(t, func(w http.ResponseWriter) {
			x := &exchange{w: w, s: srv, format: tc.f}
			x.reply(201, &p)
		})
		if resp.StatusCode != 201 || resp.Header.Get("Content-Type") != tc.ct || body != tc.body {
			t.Errorf("write(%v) = %d %q %s, want 201 %q %s", tc.f, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.ct, tc.body)
		}
		if got, want := resp.Header.Get("Content-Length"), len(tc.body); got != itoa(want) || resp.TransferEncoding != nil {
			t.Errorf("write(%v) Content-Length = %s, Transfer-Encoding %v, want %d and none", tc.f, got, resp.TransferEncoding, want)
		}
	}
}

// TestContentLengthEveryBody: send's bodies go out with their length and
// never chunked, on both sides of the size up to which net/http works the
// length out itself (netHTTPBuffered).
func TestContentLengthEveryBody(t *testing.T) {
	t.Parallel()
	srv, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 1, netHTTPBuffered - 1, netHTTPBuffered, netHTTPBuffered + 1, 4 * netHTTPBuffered, 1 << 20} {
		want := strings.Repeat("x", n)
		resp, body := serveOnce(t, func(w http.ResponseWriter) {
			x := &exchange{w: w, s: srv, format: jsonFormat}
			x.send(200, jsonFormat, []byte(want))
		})
		if body != want || resp.Header.Get("Content-Length") != itoa(n) || resp.TransferEncoding != nil {
			t.Errorf("send of %d bytes: got %d bytes, Content-Length %q, Transfer-Encoding %v; want %d bytes, its length, not chunked",
				n, len(body), resp.Header.Get("Content-Length"), resp.TransferEncoding, n)
		}
	}
}

// serveOnce answers one GET with write over a real net/http server and
// returns the response and its body.
func serveOnce(t *testing.T, write func(http.ResponseWriter)) (*http.Response, string) {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { write(w) }))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func itoa(n int) string { return strconv.Itoa(n) }

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendJSONString(nil, s)), wantJSON(t, s); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}

func FuzzAppendXMLEscaped(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		_ = xml.EscapeText(&want, []byte(s))
		if got := string(appendXMLEscaped(nil, s)); got != want.String() {
			t.Errorf("appendXMLEscaped(%q) = %q, want %q", s, got, want.String())
		}
	})
}

// FuzzAppendPin feeds arbitrary strings and numbers through every string
// field of a pin and compares both encodings with the encoding packages.
func FuzzAppendPin(f *testing.F) {
	for _, s := range tricky {
		f.Add(s, s, int64(1234567890), true)
	}
	f.Fuzz(func(t *testing.T, a, b string, n int64, flag bool) {
		tok := b
		loc := Location{Code: a, Country: b, City: a, TimeZone: b, PostalCode: a, Subdivisions: b, Coordinates: a, EuropeanUnionMember: flag}
		p := Pin{
			ID: n, Code: a, Product: b, Trusted: flag, QR: a + b, ClientIdentifier: b, Location: &loc,
			ExpiresIn: -n, CreatedAt: a, ExpiresAt: b,
		}
		if flag {
			p.AuthToken, p.NewRegistration = &tok, &flag
		}
		if got, want := string(appendPinJSON(nil, &p)), wantJSON(t, &p); got != want {
			t.Errorf("appendPinJSON =\n%s\nwant\n%s", got, want)
		}
		if got, want := string(appendPinXML(nil, &p)), wantXML(t, refXML(&p)); got != want {
			t.Errorf("appendPinXML =\n%s\nwant\n%s", got, want)
		}
	})
}

// TestPlain8 puts every byte value at every position of an otherwise
// plain word: the word is plain exactly when that byte is plain ASCII.
func TestPlain8(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		plain := c >= 0x20 && c < 0x80 && !strings.ContainsRune(`"\<>&`, rune(c))
		for pos := range 8 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			if got := jsonPlain8(load8(string(w), 0)); got != plain {
				t.Errorf("jsonPlain8(%q) = %v, want %v", w, got, plain)
			}
			xmlPlain := c >= 0x20 && c < 0x80 && !strings.ContainsRune(`"'&<>`, rune(c))
			if got := xmlPlain8(load8(string(w), 0)); got != xmlPlain {
				t.Errorf("xmlPlain8(%q) = %v, want %v", w, got, xmlPlain)
			}
		}
	}
}
