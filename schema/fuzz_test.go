package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func FuzzFromXML(f *testing.F) {
	for _, name := range []string{"v2-pin-pending.xml", "v2-pin-claimed.xml", "v2-errors-1020.xml", "i-pyplex1138-422.xml", "f-mrmc-2016-v1.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<pin id="1" trusted="1" xmlns:x="u" x:id="2"><location postal_code="1"/></pin>`))
	f.Add([]byte(`<errors><error code="1" status="x">t</error></errors>`))
	wire, err := Compile(Wire)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, conv := range []func([]byte) (map[string]any, error){wire.PinFromXML, wire.ErrorsFromXML} {
			v, err := conv(in)
			if err != nil {
				var xe *XMLError
				if !errors.As(err, &xe) {
					t.Fatalf("FromXML() error %v is not an *XMLError", err)
				}
				continue
			}
			// The result is plain JSON: it round-trips, and validation
			// either passes or lists violations.
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("json.Marshal(FromXML()) = %v", err)
			}
			back, err := DecodeJSON(b)
			if err != nil {
				t.Fatalf("DecodeJSON(%s) = %v", b, err)
			}
			b2, _ := json.Marshal(back)
			if !bytes.Equal(b, b2) {
				t.Fatalf("FromXML() value does not round-trip through JSON:\n%s\n%s", b, b2)
			}
			for _, validate := range []func(any) error{wire.ValidatePin, wire.ValidateErrors} {
				if err := validate(v); err != nil {
					var ve *ValidationError
					if !errors.As(err, &ve) || len(ve.Violations) == 0 {
						t.Fatalf("validate(FromXML()) = %v, want nil or violations", err)
					}
				}
			}
		}
	})
}
