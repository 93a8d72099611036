package schema

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mockplex/mockplex/internal/jsonnum"
)

//go:generate go run ./internal/gen -dir .

//go:embed generated/*.schema.json
var generated embed.FS

// Document returns profile p's committed JSON Schema document,
// generated/pin.<p>.schema.json, as embedded in the binary.
func Document(p Profile) ([]byte, error) {
	if _, err := ParseProfile(string(p)); err != nil {
		return nil, err
	}
	return generated.ReadFile("generated/" + documentFile(p))
}

// documentFile is the name of p's document under generated/ (what
// internal/schemagen.GeneratedFile gives; its tests hold the two together).
func documentFile(p Profile) string { return "pin." + string(p) + ".schema.json" }

// Option configures Compile.
type Option func(*config)

type config struct {
	strict bool
}

// WithStrict(true) compiles a strict variant: every object schema gets
// additionalProperties false, so an unknown key is a violation. Use it for
// the mock's own output; leave it off (the default) for plex.tv, which may
// add fields at any time.
func WithStrict(strict bool) Option {
	return func(c *config) { c.strict = strict }
}

// Schema is a compiled profile: the pin schema and the error envelope.
// A Schema owns its compiler and is safe for concurrent use.
type Schema struct {
	profile  Profile
	strict   bool
	doc      any // the decoded document the validators were compiled from
	pin      *jsonschema.Schema
	envelope *jsonschema.Schema
	defs     map[Definition]*jsonschema.Schema
}

// Definition names a body schema kept in the overlay's definitions (the
// JWT device sign-in family and the post-sign-in bodies, both in WIRE.md)
// and present in every profile under #/$defs/<name>.
type Definition string

// The JWT family's definitions.
const (
	// AuthNonce is GET /api/v2/auth/nonce's body, {"nonce":"<uuid>"}.
	AuthNonce Definition = "AuthNonce"
	// AuthToken is POST /api/v2/auth/token's body, {"auth_token":"<Plex JWT>"}.
	AuthToken Definition = "AuthToken"
	// AuthKeys is GET /api/v2/auth/keys's body, a JWK set of Ed25519 keys.
	AuthKeys Definition = "AuthKeys"
	// PlexJWTHeader is the JOSE header of a Plex JWT.
	PlexJWTHeader Definition = "PlexJWTHeader"
	// PlexJWTClaims is the claims set of a Plex JWT.
	PlexJWTClaims Definition = "PlexJWTClaims"

	// Resources is GET /api/v2/resources's JSON body (plex-account-api.md
	// §3.3), an array of the servers and devices an account may use.
	Resources Definition = "Resources"
	// Server is GET /api/v2/servers/{machineId}'s JSON body (§3.6).
	Server Definition = "Server"
)

// Definitions lists the overlay's definitions.
func Definitions() []Definition {
	return []Definition{AuthNonce, AuthToken, AuthKeys, PlexJWTHeader, PlexJWTClaims, Resources, Server}
}

// envelopeRef is where the error envelope lives in every generated document.
const envelopeRef = "#/$defs/ErrorEnvelope"

// Compile compiles profile p's committed document (see Document) with a
// compiler of its own. Formats (date-time) are asserted, and nothing is
// loaded over the network.
func Compile(p Profile, opts ...Option) (*Schema, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	raw, err := Document(p)
	if err != nil {
		return nil, err
	}
	doc, err := DecodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("decode the %s schema (run go generate ./schema/...): %w", p, err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the %s schema is not a JSON object; regenerate it with go generate ./schema/", p)
	}
	if cfg.strict {
		makeStrict(root)
	}
	url, _ := root["$id"].(string)
	if url == "" {
		url = "file:///mockplex/" + documentFile(p)
	}
	buf, err := json.Marshal(root)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("refusing to load %s: the mockplex schemas are self-contained", s)
	}
	if err := c.AddResource(url, bytes.NewReader(buf)); err != nil {
		return nil, fmt.Errorf("add the %s schema: %w", p, err)
	}
	pin, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile the %s pin schema: %w", p, err)
	}
	env, err := c.Compile(url + envelopeRef)
	if err != nil {
		return nil, fmt.Errorf("compile the %s error envelope: %w", p, err)
	}
	defs := map[Definition]*jsonschema.Schema{}
	for _, d := range Definitions() {
		defs[d], err = c.Compile(url + "#/$defs/" + string(d))
		if err != nil {
			return nil, fmt.Errorf("compile the %s definition %s (run go generate ./schema/...): %w", p, d, err)
		}
	}
	return &Schema{profile: p, strict: cfg.strict, doc: root, pin: pin, envelope: env, defs: defs}, nil
}

// Profile reports which profile s was compiled from.
func (s *Schema) Profile() Profile { return s.profile }

// Strict reports whether s was compiled WithStrict(true).
func (s *Schema) Strict() bool { return s.strict }

// ValidatePin checks a decoded JSON pin (from DecodeJSON or PinFromXML).
// It returns nil or a *ValidationError listing every violation.
func (s *Schema) ValidatePin(v any) error {
	return s.validate(s.pin, "pin", v)
}

// ValidateErrors checks a decoded error envelope (from DecodeJSON or
// ErrorsFromXML), {"errors":[{"code":…,"message":…,"status":…}]}.
// It returns nil or a *ValidationError listing every violation.
func (s *Schema) ValidateErrors(v any) error {
	return s.validate(s.envelope, "error envelope", v)
}

// Validate checks a decoded JSON document (from DecodeJSON) against
// definition d, e.g. Validate(AuthNonce, body). It returns nil or a
// *ValidationError listing every violation; an unknown d is an error.
func (s *Schema) Validate(d Definition, v any) error {
	sch, ok := s.defs[d]
	if !ok {
		return fmt.Errorf("validate: unknown definition %q; want one of %v", d, Definitions())
	}
	return s.validate(sch, string(d), v)
}

func (s *Schema) validate(sch *jsonschema.Schema, subject string, v any) error {
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("validate %s: %w (decode with schema.DecodeJSON)", subject, err)
	}
	return &ValidationError{
		Profile:    s.profile,
		Strict:     s.strict,
		Subject:    subject,
		Violations: violations(ve, s.doc, v),
	}
}

// DecodeJSON decodes one JSON value with numbers kept as json.Number, so
// that the schema can tell 1800 from 1800.5. Trailing data is an error.
func DecodeJSON(data []byte) (any, error) { return jsonnum.Decode(data) }

// makeStrict sets additionalProperties false on every object schema that
// lists properties.
func makeStrict(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["properties"]; ok {
			v["additionalProperties"] = false
		}
		for _, c := range v {
			makeStrict(c)
		}
	case []any:
		for _, c := range v {
			makeStrict(c)
		}
	}
}
