package schemagen_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/mockplex/mockplex/internal/schemagen"
	"github.com/mockplex/mockplex/schema"
)

func ExampleParseTable() {
	t, err := schemagen.ParseTable("Pin.md", strings.NewReader(`# Pin

| Field     | Type                  | Required           | Description         | Example |
| --------- | --------------------- | ------------------ | ------------------- | ------- |
| `+"`Id`"+`      | *double*              | :heavy_check_mark: | PinID<br/>for auth  | 12      |
| `+"`Where`"+`   | [Location](Location.md) | :heavy_minus_sign: | N/A                 |         |
`))
	if err != nil {
		panic(err)
	}
	for _, f := range t.Fields {
		fmt.Printf("%s %s ref=%q required=%v %q\n", f.Name, f.Type.Kind, f.Type.Ref, f.Required, f.Description)
	}
	_, err = schemagen.ParseTable("Pin.md", strings.NewReader("| Field | Type | Required | Description |\n|-|-|-|-|\n| `Id` | *double* | maybe | |\n"))
	fmt.Println(err)
	// Output:
	// Id number ref="" required=true "PinID\nfor auth"
	// Where ref ref="Location" required=false ""
	// Pin.md:3: cell "Required": want :heavy_minus_sign: or :heavy_check_mark:, got "maybe"
}

func ExampleGenerate() {
	src := fstest.MapFS{
		"fieldtables/Pin.md": {Data: []byte("# Pin\n\n| Field | Type | Required | Description | Example |\n|-|-|-|-|-|\n" +
			"| `Id` | *double* | :heavy_minus_sign: | PinID | 12 |\n")},
		"overlay.yaml": {Data: []byte(`root: Pin
changes:
  - at: Pin
    why: "§5 #1: camelCase on the wire"
    names: {Id: id}
  - at: Pin.Id
    why: "§5 #3: an integer"
    type: integer
    required: true
`)},
	}
	for _, p := range schema.Profiles() {
		doc, err := schemagen.Generate(src, p)
		if err != nil {
			panic(err)
		}
		var d struct {
			Properties map[string]struct{ Type string } `json:"properties"`
			Required   []string                         `json:"required"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			panic(err)
		}
		fmt.Println(p, d.Properties, d.Required)
	}
	// Output:
	// sdk map[Id:{number}] []
	// wire map[id:{integer}] [id]
}
