package schema_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/mockplex/mockplex/schema"
)

func ExampleCompile() {
	s, err := schema.Compile(schema.Wire)
	if err != nil {
		panic(err)
	}
	// A pin as an SDK built from the field table might send it.
	pin, err := schema.DecodeJSON([]byte(`{
		"id": 1174342418, "code": "KYLX", "product": "RubyPlex", "trusted": false,
		"qr": "https://plex.tv/api/v2/pins/qr/KYLX", "clientIdentifier": "com.rubyplex.app",
		"location": {"code": "CA", "european_union_member": false, "continent_code": "NA",
			"country": "Canada", "city": "Toronto", "time_zone": "America/Toronto",
			"postal_code": 4814, "in_privacy_restricted_country": false,
			"subdivisions": "Ontario", "coordinates": "43.6227, -79.3892"},
		"expiresIn": 900, "createdAt": "2025-03-07 16:37:05 +0000 UTC", "expiresAt": "2025-03-07T16:52:05Z",
		"authToken": null
	}`))
	if err != nil {
		panic(err)
	}
	var ve *schema.ValidationError
	if err := s.ValidatePin(pin); errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Println(v)
		}
	}
	// Output:
	// /createdAt: want format "date-time", got "2025-03-07 16:37:05 +0000 UTC"
	// /createdAt: want pattern "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$", got "2025-03-07 16:37:05 +0000 UTC"
	// /location/in_privacy_restricted_region: want the key (required), got missing
	// /location/postal_code: want type string, got 4814
	// /newRegistration: want the key (required), got missing
}

func ExampleSchema_PinFromXML() {
	s, err := schema.Compile(schema.Wire)
	if err != nil {
		panic(err)
	}
	pin, err := s.PinFromXML([]byte(`<?xml version="1.0" encoding="UTF-8"?>
<pin id="1438747364" code="9WKP" product="Primuse" trusted="0" qr="https://plex.tv/api/v2/pins/qr/9WKP"
     clientIdentifier="primuse-probe" expiresIn="900" createdAt="2026-10-01T22:39:52Z" expiresAt="2026-10-01T22:54:52Z">
  <location code="XX" european_union_member="0" continent_code="XX" country="Nowhere" city="Nowhere"
     time_zone="Etc/UTC" postal_code="00000" in_privacy_restricted_country="0" in_privacy_restricted_region="0"
     subdivisions="Nowhere" coordinates="0, 0"/>
</pin>`))
	if err != nil {
		panic(err)
	}
	out, _ := json.MarshalIndent(pin, "", "  ")
	fmt.Println(string(out))
	fmt.Println("valid:", s.ValidatePin(pin) == nil)
	// Output:
	// {
	//   "authToken": null,
	//   "clientIdentifier": "primuse-probe",
	//   "code": "9WKP",
	//   "createdAt": "2026-10-01T22:39:52Z",
	//   "expiresAt": "2026-10-01T22:54:52Z",
	//   "expiresIn": 900,
	//   "id": 1438747364,
	//   "location": {
	//     "city": "Nowhere",
	//     "code": "XX",
	//     "continent_code": "XX",
	//     "coordinates": "0, 0",
	//     "country": "Nowhere",
	//     "european_union_member": false,
	//     "in_privacy_restricted_country": false,
	//     "in_privacy_restricted_region": false,
	//     "postal_code": "00000",
	//     "subdivisions": "Nowhere",
	//     "time_zone": "Etc/UTC"
	//   },
	//   "newRegistration": null,
	//   "product": "Primuse",
	//   "qr": "https://plex.tv/api/v2/pins/qr/9WKP",
	//   "trusted": false
	// }
	// valid: true
}

func ExampleSchema_ErrorsFromXML() {
	s, err := schema.Compile(schema.Wire)
	if err != nil {
		panic(err)
	}
	env, err := s.ErrorsFromXML([]byte(`<errors><error code="1020" message="Code not found or expired" status="404"/></errors>`))
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(env)
	fmt.Println(string(out))
	fmt.Println("valid:", s.ValidateErrors(env) == nil)
	// Output:
	// {"errors":[{"code":1020,"message":"Code not found or expired","status":404}]}
	// valid: true
}

func ExampleDocument() {
	doc, err := schema.Document(schema.Wire)
	if err != nil {
		panic(err)
	}
	var d struct {
		ID       string   `json:"$id"`
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		panic(err)
	}
	fmt.Println(d.ID)
	fmt.Println(d.Required)
	// Output:
	// https://github.com/mockplex/mockplex/schema/generated/pin.wire.schema.json
	// [id code product trusted qr clientIdentifier location expiresIn createdAt expiresAt authToken newRegistration]
}

func ExampleDecodeJSON() {
	v, err := schema.DecodeJSON([]byte(`{"expiresIn": 1800.5}`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%T %v\n", v.(map[string]any)["expiresIn"], v.(map[string]any)["expiresIn"])
	_, err = schema.DecodeJSON([]byte(`{} {}`))
	fmt.Println(err)
	// Output:
	// json.Number 1800.5
	// decode JSON: want one value, got more after offset 2
}
