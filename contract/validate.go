package contract

import (
	"errors"
	"fmt"

	"github.com/mockplex/mockplex/schema"
)

// fieldError is one schema violation: where, what was expected, what came.
type fieldError struct {
	Pointer, Expected, Got string
}

// validator is what the suite needs from package schema.
type validator interface {
	// Pin validates a decoded JSON pin.
	Pin(doc any) []fieldError
	// Errors validates a decoded JSON error envelope.
	Errors(doc any) []fieldError
	// Def validates a decoded JSON body against a JWT family definition.
	Def(d schema.Definition, doc any) []fieldError
	// PinXML converts an XML pin body into the JSON shape.
	PinXML(body []byte) (any, error)
	// ErrorsXML converts an XML error body into the JSON shape.
	ErrorsXML(body []byte) (any, error)
}

// schemaValidator validates with a compiled schema profile.
type schemaValidator struct{ s *schema.Schema }

func newValidator(profile string, strict bool) (validator, error) {
	p, err := schema.ParseProfile(profile)
	if err != nil {
		return nil, fmt.Errorf("contract: profile: %w", err)
	}
	s, err := schema.Compile(p, schema.WithStrict(strict))
	if err != nil {
		return nil, fmt.Errorf("contract: compile the %s schema: %w", p, err)
	}
	return schemaValidator{s: s}, nil
}

func (v schemaValidator) Pin(doc any) []fieldError    { return fieldErrors(v.s.ValidatePin(doc)) }
func (v schemaValidator) Errors(doc any) []fieldError { return fieldErrors(v.s.ValidateErrors(doc)) }

func (v schemaValidator) Def(d schema.Definition, doc any) []fieldError {
	return fieldErrors(v.s.Validate(d, doc))
}

func (v schemaValidator) PinXML(b []byte) (any, error) {
	m, err := v.s.PinFromXML(b)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (v schemaValidator) ErrorsXML(b []byte) (any, error) {
	m, err := v.s.ErrorsFromXML(b)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func fieldErrors(err error) []fieldError {
	if err == nil {
		return nil
	}
	var ve *schema.ValidationError
	if !errors.As(err, &ve) {
		return []fieldError{{Expected: "a document the schema can validate", Got: err.Error()}}
	}
	out := make([]fieldError, len(ve.Violations))
	for i, x := range ve.Violations {
		out[i] = fieldError{Pointer: x.Pointer, Expected: x.Want, Got: x.Got}
	}
	return out
}
