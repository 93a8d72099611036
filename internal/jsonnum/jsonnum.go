// Package jsonnum decodes JSON with numbers kept as json.Number, so that an
// integer field can tell 1800 from 1800.5, and recognises JSON number text.
// The schema and schemagen packages share it.
package jsonnum

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Decode decodes one JSON value with numbers kept as json.Number. Trailing
// data after the value is an error.
func Decode(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode JSON: %w", err)
	}
	end := d.InputOffset()
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode JSON: want one value, got more after offset %d", end)
	}
	return v, nil
}

// IsNumber reports whether s is, exactly, the text of a JSON number.
func IsNumber(s string) bool {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil || d.More() {
		return false
	}
	n, ok := v.(json.Number)
	return ok && n.String() == s
}
